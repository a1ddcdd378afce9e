/**
 * Vocabulary of the synthetic injection generator: topics, people, companies and the phrasings of ordinary
 * requests. Written for the generator (no row of any dataset), broad so that a model trained on it learns forms
 * of sentences rather than a few topics.
 */

import { list } from './injection-random.js';

export const TOPICS = list(`
  photosynthesis | the water cycle | black holes | the French Revolution | compound interest | inflation |
  the immune system | plate tectonics | machine learning | blockchain | the Roman Empire | climate change |
  the stock market | vaccines | quantum computing | the Renaissance | supply and demand | volcanoes |
  the human heart | electric cars | solar panels | the Cold War | DNA replication | the printing press |
  jazz music | the Silk Road | coral reefs | sleep cycles | the Olympic Games | microplastics |
  the theory of evolution | cloud computing | public speaking | time management | meditation |
  sourdough bread | container gardening | the moon landing | the Great Depression | tides | rainbows |
  the Pythagorean theorem | recursion in programming | HTTP caching | relational databases | TCP handshakes |
  the Krebs cycle | antibiotic resistance | the Industrial Revolution | impressionist painting |
  marathon training | budgeting for students | the electoral college | wind turbines | honeybees |
  the Amazon rainforest | glaciers | the Byzantine Empire | origami | chess openings | the metric system |
  nuclear fusion | bird migration | the Mariana Trench | Shakespeare's sonnets | the Fibonacci sequence |
  ancient Egypt | the Magna Carta | electric guitars | coffee roasting | urban planning | remote work |
  the placebo effect | social media algorithms | renewable energy | the Big Bang | circuit breakers |
  Git branching | unit testing | password managers | sunscreen | fermentation | the Hubble telescope |
  the Mongol Empire | hurricanes | the periodic table | credit scores | home insurance | job interviews |
  negotiation | mindfulness at work | the history of chocolate | dinosaurs | Mars rovers | earthquakes |
  the Berlin Wall | vegetarian cooking | knitting | bicycle maintenance | wine tasting | tea ceremonies
`);

export const POEM_SUBJECTS = list(`
  the ocean at dawn | a lonely lighthouse | autumn leaves | a city at night | a rainy Sunday |
  an old oak tree | the first snow | a cup of coffee | a train journey | friendship | the stars |
  a mountain lake | spring rain | a forgotten letter | the desert wind | a cat asleep in the sun |
  the last day of summer | a busy market
`);

export const LANGUAGES = list(`
  French | Spanish | German | Italian | Portuguese | Japanese | Dutch | Swedish | Korean | Polish | Turkish |
  Greek | Hindi | Arabic | Russian | Chinese
`);

export const PHRASES = list(`
  good morning | thank you for your help | where is the train station | I love reading | see you tomorrow |
  how much does this cost | happy birthday | the weather is nice today | excuse me | I am learning to cook |
  nice to meet you | congratulations on your new job
`);

export const FIRST_NAMES = list(`
  Alice | David | Priya | Tomás | Mei | Olga | Kwame | Sofia | Liam | Yuki | Fatima | Noah | Elena | Ravi |
  Hannah | Mateo | Chloe | Amir | Grace | Jonas | Aisha | Lucas | Ingrid | Omar | Zoe | Daniel | Leila |
  Ethan | Nadia | Hugo
`);
export const LAST_NAMES = list(`
  Smith | Garcia | Chen | Okafor | Novak | Müller | Rossi | Tanaka | Kowalski | Haddad | Johansson | Patel |
  Dubois | Silva | Nguyen | Brown | Ivanova | Keller | Moreau | Adeyemi
`);
export const COMPANIES = list(`
  Northwind Traders | Acme Corp | Blue Harbor Bank | Pinecrest Energy | Lumen Labs | Orbit Logistics |
  Greenfield Foods | Atlas Insurance | Nimbus Cloud | Crescent Health | Vertex Analytics | Helios Solar |
  Riverbend Realty | Summit Outdoor | Quill Publishing | Keystone Legal | Maple Dental | Brightline Telecom |
  Ironwood Tools | Copperleaf Coffee
`);
export const PRODUCTS = list(`
  the Pro plan | our analytics add-on | the annual subscription | the X200 router | the standing desk |
  the mobile app | the premium support package | the team license | the starter kit |
  the wireless headphones | the cloud backup service | the enterprise tier
`);
export const MERCHANTS = list(`
  AMAZON MKTPLACE | UBER TRIP | SPOTIFY | DELTA AIR | SHELL OIL | WHOLE FOODS | ADOBE INC | GITHUB |
  ZOOM.US | APPLE.COM/BILL | NETFLIX | AIRBNB | FIGMA | SLACK TECHNOLOGIES
`);
export const CITIES = list(`
  Lisbon | Toronto | Nairobi | Osaka | Berlin | Austin | Melbourne | Bogotá | Oslo | Cairo | Seoul | Dublin |
  Mumbai | Prague | Denver | Lyon
`);
export const DOMAINS = list(`
  example.com | mail.example.org | corp.example.net | example.io
`);

/** General requests a user makes of an assistant (each a template over the slots below). */
export const REQUEST_TEMPLATES = list(`
  Explain {topic} in simple terms. | Can you explain how {topic} works? | Write a short poem about {poem}. |
  Summarize the main ideas of {topic} in three bullet points. | What are the pros and cons of {topic}? |
  Give me five interesting facts about {topic}. | How do you say "{phrase}" in {language}? |
  Translate "{phrase}" into {language}. | Describe the history of {topic}. | Write a haiku about {poem}. |
  Could you recommend three books about {topic}? | What is the difference between {topic} and {topic2}? |
  Draft a short introduction for an essay on {topic}. |
  Create a study plan for learning about {topic} in two weeks. | Why is {topic} important? |
  Tell me a fun fact about {topic}. | Write a limerick about {poem}. |
  List the key terms related to {topic}. | What are common misconceptions about {topic}? |
  Compose a tweet announcing a webinar on {topic}. |
  Write a short story about a detective who investigates {poem}. |
  Suggest a catchy title for a blog post about {topic}. | How would you teach {topic} to a ten-year-old? |
  Give an example of {topic} in everyday life. | What questions should I ask an expert on {topic}? |
  Outline a presentation about {topic}. | Recommend a good recipe for a weeknight dinner. |
  What is the capital of {country}? | Who invented {invention}? | When did {event} happen? |
  Describe the life cycle of {animal}. | Write a Python function that {codeTask}. |
  Show me how to {codeTask} in JavaScript. | Solve this equation: {equation}. | What is {math}? |
  Write a motivational quote about {virtue}. | Draft a polite email asking my landlord to fix the heating. |
  Plan a three-day trip to {city}. | What should I pack for a hiking trip in {city}? |
  Give me tips for {skill}. | How can I improve at {skill}? | Write a product description for {product}. |
  Summarize the plot of {book}. | Who wrote {book}? | Describe the main characters in {book}. |
  What are the health benefits of {food}? | Create a workout routine for beginners. |
  Explain the rules of {game}. | Write a riddle about {poem}.
`);

export const COUNTRIES = list(`
  Brazil | Canada | Kenya | Australia | Norway | Vietnam | Peru | Morocco | Finland | Argentina | Thailand |
  Ghana | Portugal | Chile | Indonesia
`);
export const INVENTIONS = list(`
  the telephone | the light bulb | the printing press | the World Wide Web | the steam engine | penicillin |
  the bicycle | the camera | the transistor | the compass
`);
export const EVENTS = list(`
  the fall of the Berlin Wall | the first moon landing | the signing of the Magna Carta |
  the invention of the printing press | the Battle of Hastings | the first Olympic Games
`);
export const ANIMALS = list(`
  a butterfly | a frog | a salmon | a sea turtle | a honeybee | an emperor penguin | a monarch butterfly |
  a ladybug | a jellyfish
`);
export const CODE_TASKS = list(`
  reverses a string | checks whether a number is prime | sorts a list of dictionaries by a key |
  computes the factorial of a number | reads a CSV file and prints the average of a column |
  removes duplicates from a list | counts the words in a text | converts Celsius to Fahrenheit |
  finds the largest element in an array | validates an email address with a regular expression |
  merges two sorted lists | parses a date string
`);
export const EQUATIONS = list(`
  2x + 5 = 17 | x^2 - 9 = 0 | 3(x - 2) = 12 | 5x - 7 = 3x + 9
`);
export const MATHS = list(`
  15% of 240 | the square root of 144 | 7 times 8 | the sum of the first 100 integers
`);
export const VIRTUES = list(`
  perseverance | kindness | curiosity | courage | patience | teamwork
`);
export const SKILLS = list(`
  public speaking | writing clear emails | learning a new language | playing the guitar | managing stress |
  saving money | taking better photos | running longer distances | touch typing
`);
export const BOOKS = list(`
  'The Great Gatsby' | 'Pride and Prejudice' | '1984' | 'Moby-Dick' | 'Don Quixote' | 'The Hobbit' |
  'Frankenstein' | 'Jane Eyre' | 'The Odyssey' | 'Crime and Punishment'
`);
export const FOODS = list(`
  green tea | oatmeal | blueberries | lentils | dark chocolate | spinach | almonds
`);
export const GAMES = list(`
  chess | cricket | basketball | poker | Go | volleyball | rugby | bridge
`);

/** The slots of REQUEST_TEMPLATES. */
export const REQUEST_SLOTS = {
  topic: TOPICS,
  topic2: TOPICS,
  poem: POEM_SUBJECTS,
  phrase: PHRASES,
  language: LANGUAGES,
  country: COUNTRIES,
  invention: INVENTIONS,
  event: EVENTS,
  animal: ANIMALS,
  codeTask: CODE_TASKS,
  equation: EQUATIONS,
  math: MATHS,
  virtue: VIRTUES,
  city: CITIES,
  skill: SKILLS,
  product: PRODUCTS,
  book: BOOKS,
  food: FOODS,
  game: GAMES,
} as const;
