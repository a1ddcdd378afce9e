/**
 * Common English given-name variants, grouped under one canonical form. A name that belongs to several
 * groups (e.g. "al") maps to the first group listed.
 */
const GROUPS: Record<string, string[]> = {
  alexander: ['alex', 'alec', 'sandy', 'xander', 'lex', 'alexandr'],
  alexandra: ['alexa', 'lexi', 'lexie', 'sandra', 'alexandria'],
  albert: ['al', 'bert', 'bertie'],
  alfred: ['alf', 'alfie', 'fred'],
  andrew: ['andy', 'drew', 'andre'],
  anthony: ['tony', 'antony', 'ant'],
  arthur: ['art', 'artie'],
  benjamin: ['ben', 'benny', 'benji', 'benjy'],
  bernard: ['bernie', 'barney'],
  catherine: [
    'cathy',
    'kate',
    'katie',
    'kathy',
    'kat',
    'katy',
    'cath',
    'katherine',
    'kathryn',
    'kathleen',
    'caitlin',
    'katharine',
    'catharine',
    'kitty',
  ],
  charles: ['charlie', 'chuck', 'chas', 'chaz', 'charley'],
  charlotte: ['lottie', 'charlie'],
  christina: ['chris', 'christine', 'tina', 'kristina', 'kristine', 'chrissy', 'kris'],
  christopher: ['chris', 'kit', 'topher', 'cristopher', 'kristopher'],
  daniel: ['dan', 'danny', 'dani'],
  david: ['dave', 'davey', 'davy', 'davie'],
  deborah: ['debbie', 'deb', 'debra', 'debby'],
  donald: ['don', 'donnie', 'donny'],
  dorothy: ['dot', 'dottie', 'dolly', 'dora'],
  edward: ['ed', 'eddie', 'eddy', 'ted', 'teddy', 'ned', 'edwin'],
  elizabeth: [
    'liz',
    'lizzie',
    'beth',
    'betty',
    'betsy',
    'eliza',
    'lisa',
    'libby',
    'bess',
    'bessie',
    'elisabeth',
    'liza',
    'elise',
    'lizzy',
    'bette',
  ],
  eleanor: ['ellie', 'nell', 'nellie', 'elle', 'elenor', 'elinor'],
  emily: ['em', 'emmy', 'emilie'],
  frances: ['fran', 'frannie', 'francine'],
  francis: ['frank', 'frankie', 'franky'],
  frederick: ['freddie', 'freddy', 'fritz', 'frederic', 'fredrick'],
  gabriel: ['gabe', 'gabby'],
  gerald: ['gerry', 'jerry'],
  gregory: ['greg', 'gregg'],
  harold: ['harry', 'hal'],
  henry: ['hank', 'harry', 'hal', 'hendrik'],
  isabella: ['bella', 'izzy', 'isabel', 'isabelle', 'izabella', 'belle'],
  jacob: ['jake', 'jakob'],
  james: ['jim', 'jimmy', 'jamie', 'jimmie', 'jas', 'jem'],
  jennifer: ['jen', 'jenny', 'jenn', 'jennie'],
  jessica: ['jess', 'jessie', 'jessy'],
  john: ['johnny', 'jack', 'jon', 'jonny', 'johnnie'],
  jonathan: ['jon', 'jonny', 'jonathon', 'nathan'],
  joseph: ['joe', 'joey', 'jos', 'jo'],
  josephine: ['josie', 'jo', 'jojo'],
  joshua: ['josh'],
  judith: ['judy', 'judi', 'jude'],
  kenneth: ['ken', 'kenny'],
  lawrence: ['larry', 'laurence', 'lawrie', 'laurie'],
  leonard: ['leo', 'len', 'lenny', 'leon'],
  louis: ['lou', 'louie', 'lewis'],
  margaret: ['maggie', 'meg', 'peggy', 'marge', 'margie', 'madge', 'greta', 'megan', 'margo', 'peg', 'molly'],
  matthew: ['matt', 'matty', 'mat'],
  michael: ['mike', 'mikey', 'mick', 'micky', 'mickey', 'mich'],
  nicholas: ['nick', 'nicky', 'nico', 'nicolas', 'nik', 'klaus'],
  oliver: ['ollie', 'olly', 'noll'],
  patricia: ['pat', 'patty', 'tricia', 'trish', 'patsy', 'trisha'],
  patrick: ['paddy', 'pat', 'rick'],
  peter: ['pete', 'petey'],
  philip: ['phil', 'pip', 'phillip'],
  rebecca: ['becky', 'becca', 'reba', 'bec'],
  richard: ['rich', 'rick', 'ricky', 'dick', 'richie', 'rico'],
  robert: ['rob', 'bob', 'bobby', 'robbie', 'bert', 'robby', 'rab'],
  ronald: ['ron', 'ronnie', 'ronny'],
  samuel: ['sam', 'sammy', 'sammie'],
  samantha: ['sam', 'sammy', 'sammie'],
  sarah: ['sally', 'sara', 'sadie'],
  stephen: ['steve', 'steven', 'stevie', 'stephan', 'stefan'],
  susan: ['sue', 'susie', 'suzy', 'susanne', 'suzanne', 'susannah', 'suzie'],
  theodore: ['theo', 'ted', 'teddy'],
  thomas: ['tom', 'tommy', 'thom', 'tomas'],
  timothy: ['tim', 'timmy'],
  victoria: ['vicky', 'vickie', 'tori', 'vicki', 'toria'],
  walter: ['walt', 'wally'],
  william: ['will', 'bill', 'billy', 'willy', 'willie', 'liam', 'wil', 'bill'],
  zachary: ['zach', 'zack', 'zak'],
  abigail: ['abby', 'abbie', 'gail'],
  amanda: ['mandy', 'manda'],
  anne: ['ann', 'annie', 'anna', 'nan', 'nancy', 'hannah'],
  barbara: ['barb', 'babs', 'barbie'],
  carol: ['carrie', 'caroline', 'carole', 'carolyn'],
  cynthia: ['cindy'],
  douglas: ['doug', 'dougie'],
  dominic: ['dom', 'dominick'],
  evelyn: ['evie', 'eve'],
  florence: ['flo', 'flossie'],
  geoffrey: ['geoff', 'jeff', 'jeffrey', 'jeffery'],
  helen: ['nell', 'ellen', 'helena'],
  jacqueline: ['jackie', 'jacky'],
  madeline: ['maddie', 'maddy', 'madeleine', 'madelyn'],
  mary: ['molly', 'polly', 'mae', 'mamie', 'maria', 'marie'],
  melissa: ['mel', 'missy', 'lissa'],
  nathaniel: ['nate', 'nat', 'nathan'],
  pamela: ['pam', 'pammy'],
  raymond: ['ray'],
  russell: ['russ', 'rusty'],
  terence: ['terry', 'terrence'],
  vincent: ['vince', 'vinny'],
  virginia: ['ginny', 'ginger'],
};

const CANONICAL = new Map<string, string>();
for (const [canonical, variants] of Object.entries(GROUPS)) {
  if (!CANONICAL.has(canonical)) CANONICAL.set(canonical, canonical);
  for (const v of variants) if (!CANONICAL.has(v)) CANONICAL.set(v, canonical);
}

/** Canonical given name for a lower-case ASCII name ("bob" → "robert"); unknown names return unchanged. */
export function canonicalGivenName(name: string): string {
  return CANONICAL.get(name) ?? name;
}

/** True when both names are known variants of one another (either direction, any shared group). */
export function areNicknameVariants(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = CANONICAL.get(a);
  const cb = CANONICAL.get(b);
  if (ca !== undefined && ca === cb) return true;
  // names listed in several groups ("sam", "chris"): check membership explicitly
  const ga = GROUPS[ca ?? a];
  const gb = GROUPS[cb ?? b];
  return (ga?.includes(b) ?? false) || (gb?.includes(a) ?? false);
}
