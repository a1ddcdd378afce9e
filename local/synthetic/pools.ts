/**
 * Value pools of the generators. They are written from general knowledge of name and address shapes (several
 * origins, most common first, drawn Zipf-like), not taken from any data set, so a matcher tuned on the shared
 * data sets meets values here it has not seen.
 */

/** Splits a comma-separated list (values may contain spaces and apostrophes), first occurrence kept. */
function list(text: string): readonly string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
}

/** Given names, most common first within a rough overall ranking; several origins mixed along the tail. */
export const MALE_GIVEN = list(`
  James, Robert, John, Michael, David, William, Richard, Joseph, Thomas, Christopher, Charles, Daniel, Matthew,
  Anthony, Mark, Steven, Andrew, Joshua, Kenneth, Kevin, Brian, George, Timothy, Ronald, Edward, Jason,
  Jeffrey, Ryan, Jacob, Gary, Nicholas, Eric, Jonathan, Stephen, Larry, Justin, Scott, Brandon, Benjamin,
  Samuel, Gregory, Alexander, Patrick, Frank, Raymond, Jack, Dennis, Jerry, Tyler, Aaron, Jose, Adam, Nathan,
  Henry, Peter, Zachary, Douglas, Harold, Carlos, Luis, Juan, Miguel, Antonio, Francisco, Alejandro, Diego,
  Javier, Rafael, Manuel, Pedro, Lawrence, Gerald, Frederick, Albert, Arthur, Walter, Eugene, Philip, Vincent,
  Russell, Liam, Noah, Oliver, Lucas, Ethan, Mason, Logan, Owen, Connor, Declan, Sean, Patrick, Cian, Eoin,
  Ciaran, Niall, Ronan, Darragh, Fergus, Brendan, Giuseppe, Marco, Luca, Matteo, Lorenzo, Alessandro, Giovanni,
  Paolo, Stefano, Davide, Hans, Klaus, Stefan, Jurgen, Wolfgang, Dieter, Lukas, Felix, Maximilian, Tobias,
  Pierre, Jean, Louis, Antoine, Nicolas, Julien, Mathieu, Olivier, Sebastien, Thierry, Piotr, Krzysztof,
  Tomasz, Marek, Pawel, Wojciech, Jakub, Grzegorz, Andrzej, Michal, Wei, Jian, Hao, Ming, Lei, Jun, Tao, Yong,
  Bo, Chen, Rahul, Amit, Arjun, Vikram, Sanjay, Rohan, Anil, Suresh, Rajesh, Deepak, Mohammed, Ahmed, Ali,
  Omar, Hassan, Yusuf, Khalid, Ibrahim, Karim, Tariq, Minh, Tuan, Hung, Duc, Quang, Chinedu, Emeka, Oluwaseun,
  Tunde, Kwame, Hiroshi, Takeshi, Kenji, Haruto, Sota, Dmitri, Sergei, Ivan, Alexei, Nikolai
`);

export const FEMALE_GIVEN = list(`
  Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, Lisa, Nancy, Margaret,
  Sandra, Ashley, Kimberly, Emily, Donna, Michelle, Carol, Amanda, Dorothy, Melissa, Deborah, Stephanie,
  Rebecca, Sharon, Laura, Cynthia, Kathleen, Amy, Angela, Shirley, Anna, Brenda, Pamela, Emma, Nicole, Helen,
  Samantha, Katherine, Christine, Debra, Rachel, Carolyn, Janet, Catherine, Maria, Heather, Diane, Victoria,
  Julie, Joyce, Virginia, Judith, Abigail, Theresa, Alexandra, Eleanor, Frances, Olivia, Sophia, Isabella,
  Charlotte, Amelia, Ava, Mia, Harper, Evelyn, Grace, Guadalupe, Carmen, Rosa, Lucia, Elena, Sofia, Valentina,
  Camila, Daniela, Gabriela, Siobhan, Aoife, Niamh, Saoirse, Ciara, Orla, Roisin, Sinead, Grainne, Maeve,
  Giulia, Francesca, Chiara, Alessia, Martina, Federica, Silvia, Paola, Giorgia, Elisa, Ursula, Ingrid, Sabine,
  Katrin, Monika, Petra, Birgit, Heike, Anke, Greta, Sophie, Camille, Chloe, Manon, Juliette, Amelie, Margaux,
  Celine, Nathalie, Sylvie, Agnieszka, Katarzyna, Malgorzata, Joanna, Magdalena, Ewa, Zofia, Aleksandra,
  Dorota, Beata, Li, Mei, Xiu, Ying, Fang, Jing, Yan, Hui, Lan, Xia, Priya, Ananya, Kavya, Sunita, Anjali,
  Deepa, Lakshmi, Pooja, Neha, Divya, Fatima, Aisha, Mariam, Layla, Noor, Zainab, Huda, Amira, Salma, Yasmin,
  Linh, Lan, Thao, Huong, Trang, Ngozi, Chiamaka, Adaeze, Folake, Ama, Yuki, Sakura, Aiko, Hana, Yui, Olga,
  Natalia, Irina, Svetlana, Tatiana
`);

export const SURNAMES = list(`
  Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodriguez, Martinez, Hernandez, Lopez,
  Gonzalez, Wilson, Anderson, Thomas, Taylor, Moore, Jackson, Martin, Lee, Perez, Thompson, White, Harris,
  Sanchez, Clark, Ramirez, Lewis, Robinson, Walker, Young, Allen, King, Wright, Scott, Torres, Nguyen, Hill,
  Flores, Green, Adams, Nelson, Baker, Hall, Rivera, Campbell, Mitchell, Carter, Roberts, Gomez, Phillips,
  Evans, Turner, Diaz, Parker, Cruz, Edwards, Collins, Reyes, Stewart, Morris, Morales, Murphy, Cook, Rogers,
  Gutierrez, Ortiz, Morgan, Cooper, Peterson, Bailey, Reed, Kelly, Howard, Ramos, Kim, Cox, Ward, Richardson,
  Watson, Brooks, Chavez, Wood, James, Bennett, Gray, Mendoza, Ruiz, Hughes, Price, Alvarez, Castillo, Sanders,
  Patel, Myers, Long, Ross, Foster, Jimenez, O'Brien, O'Connor, McCarthy, Byrne, Ryan, Doyle, Walsh, Gallagher,
  Kennedy, Quinn, MacDonald, Fraser, Campbell, Sinclair, Buchanan, Docherty, Henderson, Ferguson, Munro, Kerr,
  Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Muller, Schmidt, Schneider,
  Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Martin, Bernard, Dubois, Durand, Lefebvre, Moreau,
  Laurent, Girard, Roux, Fournier, Nowak, Kowalski, Wisniewski, Wojcik, Kowalczyk, Kaminski, Lewandowski,
  Zielinski, Szymanski, Wozniak, Wang, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sharma, Singh, Kumar,
  Gupta, Reddy, Iyer, Nair, Chopra, Mehta, Desai, Khan, Hussain, Rahman, Abdullah, Haddad, Nasser, Mansour,
  Saleh, Aziz, Farouk, Tran, Le, Pham, Hoang, Vu, Okafor, Adeyemi, Okonkwo, Mensah, Balogun, Tanaka, Suzuki,
  Takahashi, Watanabe, Ito, Ivanov, Petrov, Smirnov, Volkov, Popov, Zelazny, Vandenberg, Van der Meer, De Jong,
  Jansen, Bakker, Visser, Mulder, Bos, Dekker, Lindqvist, Johansson, Nilsson, Eriksson, Larsen, Hansen,
  Pedersen, Nielsen, Jensen, Berg, Abernathy, Blackwood, Chamberlain, Fairweather, Hawthorne, Kingsley,
  Montgomery, Pemberton, Whitaker, Worthington, Castellanos, Villanueva, Echeverria, Iglesias, Quintero,
  Santiago, Valencia, Zamora, Bustamante, Cardenas, Papadopoulos, Georgiou, Nikolaidis, Yilmaz, Kaya, Demir,
  Sahin, Celik, Novak, Horvat
`);

/**
 * The long tail of surnames, built the way surnames form: places and landscape words with a toponymic ending
 * ("Ashworth", "Blackwell"), patronymics in several languages ("Robertson", "Petrovic", "Fernandez"), and
 * occupational or descriptive stems with a language's ending ("Steinmann", "Kowalczyk", "Bellini"). About 1 400
 * names of low frequency, so people sharing a full name are as rare as a large population makes them, and a
 * surname a matcher has never seen is the rule, not the exception.
 */
export function surnameTail(): readonly string[] {
  const places = list(`
    Ash, Black, Brad, Brook, Burn, Cald, Church, Clay, Cliff, Cold, Craw, Dun, East, Fair, Fern, Gold, Green, Hart,
    Hay, Heath, Holt, Kent, Lang, Lock, Marsh, Mid, Mill, Moor, New, North, Oak, Pen, Rad, Red, Ridge, Rock, Roth,
    Rush, Sand, Shel, South, Stan, Stock, Ston, Thorn, Wal, Wel, West, Whit, Wood
  `);
  const placeEndings = list(
    'worth, well, ford, ley, ton, wood, field, ham, by, combe, hurst, more, shaw, stone, wick, dale, brook, croft',
  );
  const patronymBases = list(`
    Robert, William, John, Peter, Richard, Thomas, Edward, Paul, Martin, Simon, Dick, Harri, Jenkin, Hopkin, Watt,
    Gib, Nichol, Matthew, Adam, Ander, David, Stephen, Donald, Daniel, Hugh, Philip, Andrew, Alan, Michael, Jacob
  `);
  const patronymEndings = list('son, s, sen, sson');
  const slavic = list('Petr, Ivan, Nov, Kowal, Wisn, Lewand, Zdan, Jank, Pawl, Marc, Bogd, Milos, Rad, Stan, Vlad');
  const slavicEndings = list('ovic, ski, ak, enko, czyk, ov, in, ek, owski');
  const romance = list('Bell, Ross, Marti, Fran, Ferr, Gall, Mor, Vent, Cost, Bru, Sant, Rin, Lombard, Mar');
  const romanceEndings = list('ini, etti, elli, ano, one, ez, es, eau, ier, ot');
  const germanic = list('Stein, Berg, Hoff, Kauf, Zimmer, Brand, Lind, Rosen, Gold, Feld, Wald, Bauer, Eisen');
  const germanicEndings = list('mann, berg, feld, hauser, inger, er, stein, ner');
  const out = new Set<string>();
  const combine = (stems: readonly string[], endings: readonly string[]): void => {
    for (const s of stems) for (const e of endings) out.add(s + e);
  };
  combine(places, placeEndings);
  combine(patronymBases, patronymEndings);
  combine(slavic, slavicEndings);
  combine(romance, romanceEndings);
  combine(germanic, germanicEndings);
  return [...out];
}

/**
 * Common English diminutives, formal name → the short forms people write on forms and in CRMs. Written
 * independently of the engine's nickname table so the test set can reach forms it does not know.
 */
export const DIMINUTIVES: Readonly<Record<string, readonly string[]>> = {
  Robert: ['Bob', 'Rob', 'Bobby', 'Robbie'],
  William: ['Bill', 'Will', 'Billy', 'Liam'],
  Richard: ['Rick', 'Dick', 'Rich', 'Richie'],
  James: ['Jim', 'Jimmy', 'Jamie'],
  John: ['Jack', 'Johnny'],
  Michael: ['Mike', 'Mick', 'Mikey'],
  Thomas: ['Tom', 'Tommy'],
  Joseph: ['Joe', 'Joey'],
  Charles: ['Charlie', 'Chuck'],
  Christopher: ['Chris', 'Kit'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt', 'Matty'],
  Anthony: ['Tony'],
  Steven: ['Steve'],
  Stephen: ['Steve'],
  Andrew: ['Andy', 'Drew'],
  Kenneth: ['Ken', 'Kenny'],
  Joshua: ['Josh'],
  Timothy: ['Tim', 'Timmy'],
  Ronald: ['Ron', 'Ronnie'],
  Edward: ['Ed', 'Eddie', 'Ted', 'Ned'],
  Jeffrey: ['Jeff'],
  Nicholas: ['Nick', 'Nicky'],
  Jonathan: ['Jon', 'Jonny'],
  Benjamin: ['Ben', 'Benny'],
  Samuel: ['Sam', 'Sammy'],
  Gregory: ['Greg'],
  Alexander: ['Alex', 'Sandy'],
  Patrick: ['Pat', 'Paddy'],
  Raymond: ['Ray'],
  Gerald: ['Gerry', 'Jerry'],
  Lawrence: ['Larry'],
  Frederick: ['Fred', 'Freddie'],
  Albert: ['Al', 'Bert'],
  Arthur: ['Art'],
  Walter: ['Walt', 'Wally'],
  Eugene: ['Gene'],
  Philip: ['Phil'],
  Vincent: ['Vince', 'Vinny'],
  Russell: ['Russ'],
  Henry: ['Hank', 'Harry'],
  Peter: ['Pete'],
  Zachary: ['Zach', 'Zack'],
  Douglas: ['Doug'],
  Harold: ['Harry', 'Hal'],
  Dennis: ['Denny'],
  Francisco: ['Paco', 'Pancho'],
  Alejandro: ['Alex'],
  Giuseppe: ['Beppe', 'Pino'],
  Elizabeth: ['Liz', 'Beth', 'Betty', 'Eliza', 'Lizzie'],
  Margaret: ['Maggie', 'Peggy', 'Meg', 'Marge'],
  Katherine: ['Kate', 'Kathy', 'Katie'],
  Catherine: ['Cathy', 'Kate', 'Cat'],
  Jennifer: ['Jen', 'Jenny'],
  Patricia: ['Pat', 'Patty', 'Trish'],
  Susan: ['Sue', 'Susie'],
  Deborah: ['Deb', 'Debbie'],
  Debra: ['Deb', 'Debbie'],
  Rebecca: ['Becky', 'Becca'],
  Jessica: ['Jess', 'Jessie'],
  Victoria: ['Vicky', 'Tori'],
  Alexandra: ['Alex', 'Lexi'],
  Christine: ['Chris', 'Tina', 'Chrissy'],
  Barbara: ['Barb', 'Babs'],
  Dorothy: ['Dot', 'Dottie'],
  Abigail: ['Abby', 'Gail'],
  Samantha: ['Sam', 'Sammie'],
  Kimberly: ['Kim'],
  Pamela: ['Pam'],
  Cynthia: ['Cindy'],
  Theresa: ['Terry', 'Tess'],
  Judith: ['Judy'],
  Virginia: ['Ginny'],
  Eleanor: ['Ellie', 'Nell'],
  Frances: ['Fran', 'Frankie'],
  Kathleen: ['Kathy', 'Kath'],
  Stephanie: ['Steph'],
  Amanda: ['Mandy'],
  Melissa: ['Missy', 'Mel'],
  Nicole: ['Nikki'],
  Sandra: ['Sandy'],
  Carolyn: ['Carrie'],
  Angela: ['Angie'],
  Sophia: ['Sophie'],
  Isabella: ['Bella', 'Izzy'],
  Charlotte: ['Lottie', 'Charlie'],
  Evelyn: ['Evie'],
};

export const STREET_WORDS = list(`
  Main, Oak, Maple, Cedar, Pine, Elm, Church, Mill, Park, Lake, Hill, High, Washington, Lincoln, Jefferson,
  Madison, Franklin, Jackson, Union, Market, Spring, River, Willow, Walnut, Chestnut, Birch, Ash, Hickory,
  Sycamore, Poplar, North, South, Sunset, Highland, Meadow, Forest, Ridge, Valley, Prospect, Pleasant, Broad,
  Water, Bridge, Station, Railroad, School, College, Academy, Center, Court, Victoria, Albert, Queen, King,
  Princess, Regent, Wellington, Nelson, Trafalgar, Windsor, Orchard, Garden, Vine, Rose, Laurel, Magnolia,
  Juniper, Holly, Ivy, Heather, Canal, Harbor, Bay, Beach, Shore, Cliff, Quarry, Foundry, Granary, Tannery,
  Fairview, Greenwood, Lakeview, Riverside, Woodland, Brookside, Hillcrest, Westwood, Eastgate, Northfield,
  Second, Third, Fourth, Fifth, Sixth, Seventh, Eighth, Ninth, Tenth, First, Chapel, Abbey, Priory, Castle,
  Manor, Grange, Kings, Bishops, Monks, Friars, Dogwood, Cottonwood, Aspen, Spruce, Hemlock, Sequoia, Redwood,
  Mulberry, Hawthorn, Linden
`);

/** Street types: the long form and the short form a source may write instead. */
export const STREET_TYPES: readonly (readonly [string, string])[] = [
  ['Street', 'St'],
  ['Avenue', 'Ave'],
  ['Road', 'Rd'],
  ['Drive', 'Dr'],
  ['Lane', 'Ln'],
  ['Court', 'Ct'],
  ['Place', 'Pl'],
  ['Boulevard', 'Blvd'],
  ['Way', 'Way'],
  ['Terrace', 'Ter'],
  ['Circle', 'Cir'],
  ['Parkway', 'Pkwy'],
];

export const CITY_PREFIXES = list(`
  Ash, Brook, Cedar, Clear, Elm, Fair, Glen, Green, High, Lake, Maple, Mill, North, Oak, Pine, River, Rock,
  Spring, Stone, West, East, Wood, Red, Silver, Bright, Clay, Deer, Fox, Hart, Kings, Marsh, New, Port, Salt,
  South, Sum, Thorn, Wells, Willow, York
`);

export const CITY_SUFFIXES = list(`
  ford, ville, field, ton, wood, dale, port, burg, view, haven, ridge, creek, mont, bury, land, stead, worth,
  mouth, ham, bridge
`);

export const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'aol.com', 'proton.me'];

/** Syllables of invented brand names ("Veltra", "Norcomix"): pronounceable, and unlike any real register. */
export const BRAND_ONSETS = list(`
  Ac, Al, Am, Ar, Bel, Bor, Cal, Cor, Dal, Del, Ed, El, Fal, Gal, Hal, Il, Jor, Kel, Lum, Mar, Nor, Om, Pal,
  Quan, Ral, Sol, Tal, Ul, Vel, Wes, Xen, Zel
`);
export const BRAND_MIDDLES = ['a', 'e', 'i', 'o', 'u', 'ar', 'en', 'or', 'ex', 'on', 'is', 'an'];
export const BRAND_CODAS = list(`
  tra, com, tek, via, gen, dyn, tron, lux, max, nova, plex, sys, ware, cor, ly, ra
`);

/** Sector words and their abbreviated spellings (a true duplicate may use either). */
export const SECTORS: readonly { long: string; short?: string }[] = [
  { long: 'Laboratories', short: 'Labs' },
  { long: 'Manufacturing', short: 'Mfg' },
  { long: 'International', short: 'Intl' },
  { long: 'Technologies', short: 'Tech' },
  { long: 'Services', short: 'Svcs' },
  { long: 'Associates', short: 'Assoc' },
  { long: 'Engineering', short: 'Eng' },
  { long: 'Pharmaceuticals', short: 'Pharma' },
  { long: 'Systems', short: 'Sys' },
  { long: 'Distribution', short: 'Dist' },
  { long: 'Logistics' },
  { long: 'Consulting' },
  { long: 'Foods' },
  { long: 'Software' },
  { long: 'Medical' },
  { long: 'Construction' },
  { long: 'Energy' },
  { long: 'Media' },
  { long: 'Capital' },
  { long: 'Partners' },
];

/** Institutions whose sites are separate entities under one name ("X Centre – Site A"). */
export const INSTITUTIONS = [
  'Medical Centre',
  'Health Centre',
  'Learning Centre',
  'Dental Clinic',
  'Care Home',
  'Library',
];

/** Names of subsidiaries next to the parent's brand ("Acme Holdings Europe", "Acme Group", "Acme Logistics"). */
export const SUBSIDIARY_SUFFIXES = list(`
  Holdings Europe, Group, Logistics, Holdings, Capital, Services, Americas, Asia Pacific, Property, Retail,
  Research, Foundation
`);

/** Legal forms as groups of equivalent spellings: a true duplicate may use any of its group, or none. */
export const LEGAL_FORMS: readonly (readonly string[])[] = [
  ['Inc', 'Inc.', 'Incorporated'],
  ['Ltd', 'Ltd.', 'Limited'],
  ['LLC', 'L.L.C.'],
  ['GmbH'],
  ['Corp', 'Corp.', 'Corporation'],
  ['Co', 'Co.', 'Company'],
  ['PLC', 'plc'],
];

export const SITE_LABELS = [
  'Site A',
  'Site B',
  'Site C',
  'Site D',
  'Site E',
  'North',
  'South',
  'East',
  'West',
  'Central',
];

/** Streets of campuses and business parks where many organisations share one address. */
export const CAMPUS_STREETS: readonly { word: string; type: readonly [string, string] }[] = [
  { word: 'Innovation', type: ['Way', 'Way'] },
  { word: 'Science Park', type: ['Drive', 'Dr'] },
  { word: 'Enterprise', type: ['Plaza', 'Plz'] },
  { word: 'Commerce', type: ['Court', 'Ct'] },
  { word: 'Technology', type: ['Parkway', 'Pkwy'] },
];

/** Mailboxes of an organisation's own domain. */
export const MAILBOXES = ['info', 'sales', 'contact', 'office', 'hello', 'admin', 'accounts', 'enquiries', 'team'];

export const SHARED_SERVICE_WORDS = ['Ledger', 'Books', 'Office', 'Admin', 'Desk', 'Hub'];
