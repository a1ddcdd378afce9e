/**
 * Benign documents of the synthetic injection generator: e-mails, code answers, tables, CRM notes, articles,
 * reviews, chat transcripts and meeting notes, the data an agent reads. They are full of the imperatives and
 * questions that real data addresses to its human reader ("Reply with your order number", "Ignore this e-mail if
 * you did not ask for it", "Add this to your settings.py"), so that a detector learns to tell those from an order
 * addressed to the model.
 */
import { type Rng, blocks, capitalise, list } from './injection-random.js';
import {
  CITIES,
  COMPANIES,
  DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  MERCHANTS,
  PRODUCTS,
  TOPICS,
} from './injection-vocabulary.js';

/** A document as blocks, so that a generator can insert a passage between them. */
export interface Doc {
  kind: 'email' | 'code' | 'table' | 'note' | 'article' | 'review' | 'chat' | 'minutes';
  /** Lines that stay first (an e-mail's headers, a table's caption); may be empty. */
  head: string[];
  body: string[];
  /** Lines that stay last (a signature, a footer); may be empty. */
  tail: string[];
  /** How blocks are joined. */
  joiner: string;
}

export const renderDoc = (d: Doc): string =>
  [...d.head, ...d.body, ...d.tail].join(d.joiner).replace(/\n{3,}/g, '\n\n');

const person = (rng: Rng) => `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
const money = (rng: Rng) => `$${rng.int(5, 4999)}.${String(rng.int(0, 99)).padStart(2, '0')}`;
const day = (rng: Rng) => rng.pick(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']);
const date = (rng: Rng) =>
  `${rng.pick(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'])} ${rng.int(1, 28)}, ${rng.int(2019, 2025)}`;
const time = (rng: Rng) => `${rng.int(8, 17)}:${rng.pick(['00', '15', '30', '45'])}`;
const mailOf = (rng: Rng, name: string) =>
  `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@${rng.pick(DOMAINS)}`.replace('..', '.');

const EMAIL_KINDS = list(
  `transaction | meeting | newsletter | support | hr | security | sales | shipping | invoice | personal`,
);

/** Sentences of each kind of e-mail, with slots filled per message. */
const EMAIL_LINES: Record<string, readonly string[]> = {
  transaction: list(`
    Your {company} card ending in {digits} was charged {money} by {merchant}. |
    A payment of {money} to {merchant} was approved on {date}. |
    If you recognise this transaction, no action is needed. |
    If this charge looks wrong, you can dispute it from the Transactions page. |
    You are receiving this because you turned on alerts for purchases over $100. |
    Questions? Just reply to this email and our team will help. |
    Your available balance is now {money}. |
    Please do not reply with your full card number. |
    Review your recent activity in the app at any time.`),
  meeting: list(`
    Could we move our call to {day} at {time}? |
    I have attached the agenda for {day}'s review. |
    Please confirm whether {time} works for you. |
    Let me know if you need me to book a bigger room. |
    Ignore the calendar invite I sent earlier, the time was wrong. |
    Please disregard my previous email: the meeting is in room {digits}, not online. |
    Bring the latest figures for {product} if you can. |
    Can you share the slides before the meeting? |
    We will go over the roadmap and the budget for next quarter.`),
  newsletter: list(`
    This month we are excited to announce {product}. |
    Read our new guide to {topic} on the blog. |
    Click the button below to claim 20% off your next order. |
    Forward this newsletter to a friend who might enjoy it. |
    You can unsubscribe at any time using the link at the bottom. |
    Join our webinar on {day} to learn about {topic}. |
    Reply to this email and tell us what you would like to read next. |
    Follow us on social media for daily tips.`),
  support: list(`
    Thanks for contacting {company} support about your order. |
    Please reply with your order number so we can look into it. |
    Include the ticket ID {digits} in your reply to keep the thread together. |
    We have escalated your request to our technical team. |
    Could you send us a screenshot of the error message? |
    Try clearing your browser cache and signing in again. |
    If the problem persists, restart the router and wait two minutes. |
    Your refund of {money} will appear within five business days. |
    Let us know if there is anything else we can do.`),
  hr: list(`
    Open enrolment for benefits closes on {date}. |
    Please complete the annual security training by {day}. |
    Remember to submit your timesheet before the end of the month. |
    Ignore the earlier reminder if you have already signed the policy. |
    The office will be closed on {date} for maintenance. |
    Update your emergency contact details in the HR portal. |
    Do not forward this message outside the company. |
    Contact {name} if you have questions about the new policy.`),
  security: list(`
    We received a request to reset the password for your {company} account. |
    Click the link below to choose a new password. |
    If you did not request this, you can safely ignore this email. |
    Never share your password or verification code with anyone. |
    Your verification code is {digits}. It expires in ten minutes. |
    A new sign-in to your account was detected from {city}. |
    If this was you, there is nothing else to do. |
    For your security, our staff will never ask for your password.`),
  sales: list(`
    It was great speaking with you about {product} on {day}. |
    I have attached the proposal we discussed, with the volume discount. |
    Could you share the proposal with your procurement team? |
    Let me know if you would like a demo for the wider team. |
    Our pricing for {product} starts at {money} per month. |
    Please send me the signed order form when you are ready. |
    I will follow up next {day} unless I hear from you sooner.`),
  shipping: list(`
    Good news: your order has shipped. |
    Your package is expected to arrive on {date}. |
    Track your delivery with the tracking number {digits}. |
    Someone must be home to sign for the delivery. |
    If you are not home, the courier will leave a card with instructions. |
    Reply to this email if you need to change the delivery address.`),
  invoice: list(`
    Please find attached invoice {digits} for {money}. |
    Payment is due within 30 days of the invoice date. |
    You can pay by bank transfer or card through the customer portal. |
    Please ignore this reminder if you have already paid. |
    Late payments may incur a fee of 2% per month. |
    Contact our billing team if any line item looks incorrect.`),
  personal: list(`
    Hope you had a great weekend! |
    Are you still up for dinner on {day}? |
    I found a lovely recipe for {topic}, let me know if you want it. |
    Don't forget to bring the camera on Saturday. |
    Call me when you land in {city}. |
    Can you pick up some bread on the way home?`),
};

/** Lines any e-mail may carry: the second person is everywhere in real mail. */
const COMMON_EMAIL_LINES = list(`
  Your {company} account ending in {digits} has been updated. | The money was sent from your checking account. |
  If you have any questions, just reply to this email. | You can view the details in your dashboard. |
  Thank you for your response, it was very helpful. | We look forward to your reply. |
  Your feedback helps us improve our service. | Please keep this email for your records. |
  You are receiving this message because you signed up on our website. | Log in to your account to see more. |
  Let us know your answer by {day}. | Reply STOP to unsubscribe from text alerts. |
  Your request has been received and is being processed. | We have updated our terms of service. |
  Your order summary is below. | The total amount will appear on your next statement. |
  When you get a chance, please review the attached contract. | Once you have read the report, let me know what you think. |
  When you read this, give me a call. | Before you reply, check the figures on page 3. |
  If you process the refund today, it will show up on Friday.
`);

const SUBJECTS: Record<string, readonly string[]> = {
  transaction: list(`Your card was charged {money} | Purchase alert | New transaction on your account`),
  meeting: list(`Re: {day} sync | Agenda for our review | Meeting moved to {time}`),
  newsletter: list(`What's new at {company} | Your monthly digest | New: {product}`),
  support: list(`Re: Ticket #{digits} | Your support request | Update on your case`),
  hr: list(`Reminder: benefits enrolment | Office closure on {date} | Policy update`),
  security: list(`Reset your password | New sign-in detected | Your verification code`),
  sales: list(`Proposal for {company} | Following up on {product} | Next steps`),
  shipping: list(`Your order has shipped | Delivery update | Out for delivery`),
  invoice: list(`Invoice {digits} | Payment reminder | Your receipt from {company}`),
  personal: list(`Weekend plans | Quick question | Dinner?`),
};

function emailSlots(rng: Rng, name: string) {
  return {
    company: COMPANIES,
    digits: () => String(rng.int(1000, 99999)),
    money: () => money(rng),
    merchant: MERCHANTS,
    date: () => date(rng),
    day: () => day(rng),
    time: () => time(rng),
    product: PRODUCTS,
    topic: TOPICS,
    city: CITIES,
    name: () => name,
  };
}

/** An e-mail in one of three layouts (headers on lines, headers joined by bars, body only). */
export function anEmail(rng: Rng): Doc {
  const kind = rng.pick(EMAIL_KINDS);
  const sender = person(rng);
  const recipient = rng.pick(FIRST_NAMES);
  const company = rng.pick(COMPANIES);
  const slots = emailSlots(rng, sender);
  const lines = [...rng.sample(EMAIL_LINES[kind]!, rng.int(2, 6)), ...rng.sample(COMMON_EMAIL_LINES, rng.int(0, 3))];
  const body = rng.shuffle(lines).map((l) => rng.fill(l, slots));
  const subject = rng.fill(rng.pick(SUBJECTS[kind]!), slots);
  const from = `${rng.chance(0.5) ? sender : company} <${mailOf(rng, rng.chance(0.5) ? sender : company)}>`;
  const greeting = rng.pick([
    `Hi ${recipient},`,
    `Hello ${recipient},`,
    `Dear ${recipient},`,
    `${recipient},`,
    'Hi there,',
  ]);
  const signoff = rng.pick(['Best,', 'Thanks,', 'Kind regards,', 'Cheers,', 'Sincerely,', 'Thank you,']);
  const tail = [`${signoff}\n${rng.chance(0.6) ? sender : `The ${company} Team`}`];
  if (rng.chance(0.4)) {
    tail.push(
      rng.pick([
        `${company} · ${rng.int(10, 999)} Market Street · ${rng.pick(CITIES)}`,
        'You received this email because you have an account with us. Unsubscribe | Privacy policy',
        'This message and any attachments are confidential and intended only for the addressee.',
        'Sent from my phone',
      ]),
    );
  }
  const layout = rng.int(0, 2);
  const head =
    layout === 0
      ? [`From: ${from}\nTo: ${mailOf(rng, recipient)}\nSubject: ${subject}\nDate: ${date(rng)}`, greeting]
      : layout === 1
        ? [`SUBJECT: ${subject}|EMAIL_FROM: ${from}|RECEIVED DATE: ${date(rng)}|CONTENT:`, greeting]
        : [greeting];
  return { kind: 'email', head, body, tail, joiner: rng.chance(0.7) ? '\n' : '\n\n' };
}

/** Ordinary code an answer shows: it may run processes, call APIs, read the environment or delete temp files. */
const BENIGN_SNIPPETS = blocks(`
df = pd.DataFrame({'A': [1, 2], 'B': [3, 4]})
print(df.head())
----
with open("data.csv", newline="") as f:
    rows = list(csv.DictReader(f))
print(len(rows))
----
result = subprocess.run(["git", "status", "--short"], capture_output=True, text=True)
print(result.stdout)
----
response = requests.get("https://api.example.com/v1/items", params={"page": 2}, timeout=10)
response.raise_for_status()
items = response.json()
----
resp = requests.post("https://api.example.com/v1/orders", json=order, headers={"Authorization": f"Bearer {token}"})
print(resp.status_code)
----
db_url = os.environ.get("DATABASE_URL", "sqlite:///local.db")
engine = create_engine(db_url)
----
shutil.rmtree(build_dir, ignore_errors=True)
os.makedirs(build_dir)
----
const total = items.reduce((sum, item) => sum + item.price, 0);
console.log(total.toFixed(2));
----
const res = await fetch('/api/users?limit=20');
const users = await res.json();
----
SELECT customer_id, COUNT(*) AS orders
FROM orders
GROUP BY customer_id
HAVING COUNT(*) > 5;
----
rm -rf node_modules package-lock.json
npm install
----
git checkout -b feature/login
git push -u origin feature/login
----
for i, line in enumerate(lines):
    if line.strip():
        print(i, line)
----
public static int factorial(int n) {
    return n <= 1 ? 1 : n * factorial(n - 1);
}
----
try:
    value = int(text)
except ValueError:
    value = 0
----
vocab = sorted(set(words))[:200]
counts = Counter(words)
----
docker build -t myapp .
docker run -p 8080:8080 myapp
----
export PATH="$HOME/.local/bin:$PATH"
source ~/.bashrc
----
def is_prime(n):
    return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))
----
sudo apt-get update && sudo apt-get install -y ffmpeg
----
element.addEventListener('click', () => {
  menu.classList.toggle('open');
});
----
import logging
logging.basicConfig(level=logging.INFO)
logger = logging.getLogger(__name__)
----
while True:
    line = sock.recv(1024)
    if not line:
        break
    handle(line)
----
curl -s https://api.github.com/repos/nodejs/node | jq '.stargazers_count'
----
ALTER TABLE users ADD COLUMN last_login TIMESTAMP NULL;
----
key = Fernet.generate_key()
token = Fernet(key).encrypt(b"secret message")
`);

const CODE_PROSE = list(`
  The error happens because the list is modified while you iterate over it. |
  You are passing a string where {func} expects an integer. | The simplest fix is to convert the value first. |
  Try the following: | Use a dictionary instead of two parallel lists: | Add this to your settings file: |
  You can replace the loop with a single call to {func}: | This works in {lib} 2.0 and later. |
  Note that the second argument of {func} is optional. | Alternatively, you can check the value before dividing: |
  If you are on Windows, use backslashes in the path. | Run the following command in your terminal: |
  See the {lib} documentation for more options. | Hope this helps! | Don't forget to close the file when you are done. |
  Make sure the environment variable is set before you start the server. |
  Ignore the warning; it is harmless in this case. | You can bypass the cache by adding a query string to the URL. |
  Override the method in your subclass like this: | Paste the following code into your script and run it: |
  Add the following lines to your code: | Why does this work? Because the generator is consumed only once. |
  Does the order of the keys matter? Not since Python 3.7. | Execute the migration before you deploy the new version. |
  Your code fails because {var} is None when the loop starts. | In your example, {var} is a list, not a {type}. |
  If you print {var} you will see that it is empty. | Your output is different because {func} returns a copy. |
  The {error} tells you exactly which line is wrong. | You get a {error} because the index starts at zero. |
  You need to import {func} from {lib} first. | As the documentation says, {func} is not an in-place operation. |
  I would suggest using {lib} for this, it handles the edge cases for you. |
  This is a common mistake when you start with {lib}. | Your approach is fine, but it is O(n^2). |
  You should make {var} a {type} before you call {func}. | You can find the change log of {lib} on their website. |
  EDIT: as pointed out in the comments, this also works with older versions. |
  The result you expect is only produced if you pass an index. | Then you can use it like this: |
  You will get the following output: | Output: | Here is a minimal example that reproduces your problem: |
  Thanks to the commenters for the correction. | UPDATE: the API changed in version 3, see below. |
  Your question is a duplicate, but here is the short answer. | To answer your second question: yes, it is thread safe. |
  If this answers your question, please accept it. | Replace {var} with the name of your own column. |
  Print the intermediate values to see where it goes wrong. | Be careful: {func} silently drops missing values.
`);
const CODE_SLOTS = {
  func: list(`numpy.delete() | df.apply() | sorted() | json.loads() | Array.prototype.map | str.split() | torch.max |
    train_test_split | pd.merge() | re.sub() | Object.assign | open() | os.path.join | zip() | fetch()`),
  lib: list(
    `pandas | NumPy | scikit-learn | React | Django | Flask | PyTorch | lodash | requests | SQLAlchemy | Spring`,
  ),
  var: list(`x | result | df | the_list | items | response | data | user_id | payload | row`),
  type: list(`NumPy array | string | dictionary | tuple | DataFrame | set`),
  error: list(`TypeError | KeyError | IndexError | ValueError | NullPointerException | SyntaxError | AttributeError`),
};

/** A Stack-Overflow-style answer: explanations with one to three snippets. */
export function aCodeAnswer(rng: Rng): Doc {
  const body: string[] = [];
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) {
    body.push(...rng.sample(CODE_PROSE, rng.int(1, 4)).map((l) => rng.fill(l, CODE_SLOTS)));
    body.push(`\`\`\`\n${rng.pick(BENIGN_SNIPPETS)}\n\`\`\``);
  }
  if (rng.chance(0.6)) body.push(...rng.sample(CODE_PROSE, rng.int(1, 3)).map((l) => rng.fill(l, CODE_SLOTS)));
  return { kind: 'code', head: [], body, tail: [], joiner: '\n' };
}

const TABLE_SCHEMAS: readonly { cols: string[]; row: (rng: Rng) => string[] }[] = [
  {
    cols: ['Year', 'Competition', 'Venue', 'Position', 'Notes'],
    row: (r) => [
      String(r.int(1980, 2023)),
      r.pick(['World Championships', 'Olympic Games', 'European Cup', 'National Trials']),
      r.pick(CITIES),
      `${r.int(1, 12)}th`,
      r.pick(['', 'PB', 'DNF', '10,000 m', 'Marathon']),
    ],
  },
  {
    cols: ['Party', 'Votes', '%', 'Seats', '+/-'],
    row: (r) => [
      r.pick(['Labour', 'Green', 'Liberal', 'Conservative', 'Independent', 'Social Democrats']),
      String(r.int(1000, 900000)),
      `${r.int(1, 45)}.${r.int(0, 9)}`,
      String(r.int(0, 120)),
      `${r.pick(['+', '-'])}${r.int(0, 15)}`,
    ],
  },
  {
    cols: ['Rank', 'City', 'Country', 'Population', 'Area (km2)'],
    row: (r) => [
      String(r.int(1, 50)),
      r.pick(CITIES),
      r.pick(['Portugal', 'Canada', 'Kenya', 'Japan', 'Germany', 'USA']),
      String(r.int(100000, 9000000)),
      String(r.int(50, 3000)),
    ],
  },
  {
    cols: ['Quarter', 'Revenue ($M)', 'Operating income', 'Margin', 'Headcount'],
    row: (r) => [
      `Q${r.int(1, 4)} ${r.int(2018, 2024)}`,
      String(r.int(10, 900)),
      String(r.int(-50, 200)),
      `${r.int(1, 40)}%`,
      String(r.int(100, 9000)),
    ],
  },
  {
    cols: ['Name', 'Position', 'Team', 'Games', 'Points'],
    row: (r) => [
      `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`,
      r.pick(['Forward', 'Guard', 'Center', 'Defender', 'Midfielder']),
      r.pick(['Lions', 'Rockets', 'United', 'Rovers', 'Eagles']),
      String(r.int(1, 82)),
      String(r.int(0, 2500)),
    ],
  },
  {
    cols: ['Episode', 'Title', 'Directed by', 'Original air date', 'Viewers (millions)'],
    row: (r) => [
      String(r.int(1, 24)),
      `"${capitalise(r.pick(['the', 'a']))} ${r.pick(['Return', 'Storm', 'Letter', 'Harbor', 'Secret', 'Long Night'])}"`,
      `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`,
      date(r),
      `${r.int(1, 15)}.${r.int(0, 99)}`,
    ],
  },
  {
    cols: ['Account', 'Owner', 'Stage', 'Amount', 'Close date'],
    row: (r) => [
      r.pick(COMPANIES),
      `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`,
      r.pick(['Prospecting', 'Qualification', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost']),
      money(r),
      date(r),
    ],
  },
  {
    cols: ['Product', 'SKU', 'Price', 'Stock', 'Supplier'],
    row: (r) => [
      r.pick(['Desk lamp', 'USB-C cable', 'Notebook', 'Office chair', 'Monitor arm', 'Webcam']),
      `SKU-${r.int(1000, 9999)}`,
      money(r),
      String(r.int(0, 500)),
      r.pick(COMPANIES),
    ],
  },
];

/** A markdown or bar-separated table with an optional caption and note. */
export function aTable(rng: Rng): Doc {
  const schema = rng.pick(TABLE_SCHEMAS);
  const rows = Array.from({ length: rng.int(4, 14) }, () => schema.row(rng));
  const widths = schema.cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const head: string[] = [];
  if (rng.chance(0.4))
    head.push(rng.pick([`Results by year`, `Table 2: summary`, `Pipeline as of ${date(rng)}`, 'Inventory']));
  head.push(fmt(schema.cols));
  if (rng.chance(0.5)) head.push(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  const tail = rng.chance(0.3)
    ? [rng.pick(['Source: annual report.', 'Note: figures are unaudited.', '* provisional results'])]
    : [];
  return { kind: 'table', head, body: rows.map(fmt), tail, joiner: '\n' };
}

const NOTE_LINES = list(`
  Called {name} at {company}; they are reviewing {product} with their finance team. |
  {name} asked us to send the renewal quote by {day}. |
  Update the opportunity stage to Negotiation after the call. |
  Customer reported slow dashboards since the last release. |
  Follow up in two weeks about the pilot results. |
  Decision maker is the VP of Operations; {name} is the champion. |
  They want a discount if they sign before the end of the quarter. |
  Send the security questionnaire to their IT team. |
  Meeting notes shared in the account folder. |
  Ignore the duplicate contact record created by the import; the correct one is {name}. |
  Do not call before 10am, they are in {city}. |
  Account owner changed from {name} to the enterprise team. |
  Invoice {digits} was paid on {date}. |
  Churn risk: usage dropped 30% this month. |
  Please check the contract end date before the renewal call.
`);

/** A CRM record's notes: the history of an account, full of the team's own to-dos. */
export function aCrmNote(rng: Rng): Doc {
  const slots = emailSlots(rng, person(rng));
  const head = rng.chance(0.5)
    ? [`Account: ${rng.pick(COMPANIES)} | Owner: ${person(rng)} | Last activity: ${date(rng)}`]
    : [];
  const body = rng
    .sample(NOTE_LINES, rng.int(2, 6))
    .map((l) => `${rng.chance(0.4) ? `${date(rng)}: ` : ''}${rng.fill(l, slots)}`);
  return { kind: 'note', head, body, tail: [], joiner: '\n' };
}

const ARTICLE_LINES = list(`
  {Topic} has been studied for more than a century. |
  Researchers describe {topic} as a process with several distinct stages. |
  The first detailed account of {topic} appeared in the nineteenth century. |
  Today, {topic} is taught in most secondary schools. |
  Critics argue that the popular picture of {topic} is oversimplified. |
  One common misconception is that {topic} happens quickly; in fact it can take years. |
  The term itself comes from a Greek word meaning "change". |
  Several governments have funded large programmes on {topic}. |
  Ignoring {topic} has had measurable costs for local economies. |
  Recent work has focused on how {topic} interacts with climate. |
  Historians still disagree about the causes. |
  The effect is strongest in coastal regions. |
  Estimates vary widely, from 3% to 12% depending on the method.
`);

/** An encyclopedic paragraph or two about a topic. */
export function anArticle(rng: Rng): Doc {
  const topic = rng.pick(TOPICS);
  const slots = { topic: [topic], Topic: [capitalise(topic)] };
  const body = rng.sample(ARTICLE_LINES, rng.int(3, 7)).map((l) => rng.fill(l, slots));
  const head = rng.chance(0.5) ? [capitalise(topic)] : [];
  return { kind: 'article', head, body, tail: [], joiner: rng.chance(0.5) ? ' ' : '\n' };
}

const REVIEW_LINES = list(`
  I bought {product} last month and I use it every day. |
  Setup took about ten minutes. |
  The battery lasts longer than advertised. |
  Customer service replied within a day when I had a question. |
  My only complaint is the price. |
  Don't bother with the cheaper model, it breaks quickly. |
  Would recommend to anyone working from home. |
  Two stars off because the instructions were confusing. |
  Ignore the negative reviews about shipping, mine arrived early. |
  Five stars, would buy again.
`);

/** A product review. */
export function aReview(rng: Rng): Doc {
  const slots = { product: PRODUCTS };
  const body = rng.sample(REVIEW_LINES, rng.int(2, 5)).map((l) => rng.fill(l, slots));
  return {
    kind: 'review',
    head: [rng.pick(['★★★★☆', 'Rating: 4/5', 'Verified purchase', ''])].filter(Boolean),
    body,
    tail: [],
    joiner: ' ',
  };
}

const CHAT_LINES = list(`
  Customer: Hi, I can't log in to my account. |
  Agent: Sorry to hear that. Can you tell me the email address on the account? |
  Customer: It's the one I used to sign up last year. |
  Agent: Thanks. I have sent a reset link; please check your inbox. |
  Customer: Got it, that worked. |
  Agent: Great! Is there anything else I can help with? |
  Customer: When does my subscription renew? |
  Agent: It renews on the first of next month. |
  Customer: Can I switch to the annual plan? |
  Agent: Yes, you can change it under Billing.
`);

/** A support chat transcript. */
export function aChat(rng: Rng): Doc {
  const start = rng.int(0, 3) * 2;
  const body = CHAT_LINES.slice(start, start + rng.int(3, 6));
  return { kind: 'chat', head: [], body, tail: [], joiner: '\n' };
}

const MINUTES_LINES = list(`
  Attendees: {name}, {name2} and the platform team. |
  Decision: we ship the new onboarding flow on {day}. |
  Action: {name} to draft the announcement. |
  Action: {name2} to review the budget with finance. |
  Risks: the data migration may slip by a week. |
  Discussed customer feedback on {product}. |
  Next meeting: {day} at {time}. |
  Remember to update the status page before the release.
`);

/** Meeting minutes. */
export function aMinutes(rng: Rng): Doc {
  const slots = {
    name: () => person(rng),
    name2: () => person(rng),
    day: () => day(rng),
    time: () => time(rng),
    product: PRODUCTS,
  };
  const body = rng.sample(MINUTES_LINES, rng.int(3, 6)).map((l) => rng.fill(l, slots));
  return {
    kind: 'minutes',
    head: [rng.pick(['Weekly sync', 'Planning meeting', 'Retro notes'])],
    body,
    tail: [],
    joiner: '\n',
  };
}

const EMAIL_CLUTTER = blocks(`
View this email in your browser
----
[image: logo]
----
Download as PDF

Item
Amount
{product}
{money}

Subtotal: {money}
Paid: {money}
----
On {date}, {name} <{mail}> wrote:
> Thanks, see you then.
> Could you also bring the signed copy?
----
https://click.{domain}/ls/click?upn=aB3xY9kQ2{digits}
----
Support | Tutorials | Forums | Terms
----
Invoice ID: in_{digits}XvQ{digits}
Date: {date}
----
-----Original Message-----
From: {name}
Sent: {date}
Subject: RE: follow-up
----
CONFIDENTIALITY NOTICE: This e-mail and any attachments are for the sole use of the intended recipient(s).
----
Tracking number: 1Z{digits}{digits}
Carrier: UPS Ground
`);

const CODE_CLUTTER = blocks(`
Traceback (most recent call last):
  File "main.py", line {digits}, in <module>
    result = compute(rows)
TypeError: unsupported operand type(s) for +: 'int' and 'str'
----
>>> import {lib}
>>> {lib}.__version__
'2.{digits}'
----
$ python -m pip install --upgrade {lib}
Successfully installed {lib}-3.1.{digits}
----
In [3]: df.shape
Out[3]: (1200, 8)
----
EDIT: fixed a typo in the second snippet.
----
['AdaptiveAvgPool1d', 'BatchNorm2d', 'Conv2d', 'Dropout', 'Linear', 'ReLU']
`);

const TABLE_SYMBOLS = list(`€ | ° | ♯ | ♭ | † | ‡ | ± | ½ | [1] | [a] | — | ✓ | n/a | *`);

/** Clutter that real documents carry: receipts, quoted replies, tracking links, tracebacks, footnote marks. */
function clutter(rng: Rng, d: Doc): Doc {
  const slots = {
    product: PRODUCTS,
    money: () => money(rng),
    date: () => date(rng),
    name: () => person(rng),
    mail: () => mailOf(rng, person(rng)),
    domain: DOMAINS,
    digits: () => String(rng.int(10, 99999)),
    lib: ['numpy', 'pandas', 'requests', 'torch', 'flask'],
  };
  const body = [...d.body];
  if (d.kind === 'email') {
    for (let i = rng.int(1, 2); i > 0; i--)
      body.splice(rng.int(0, body.length), 0, rng.fill(rng.pick(EMAIL_CLUTTER), slots));
  } else if (d.kind === 'code') {
    body.splice(rng.int(0, body.length), 0, rng.fill(rng.pick(CODE_CLUTTER), slots));
  } else if (d.kind === 'table') {
    return {
      ...d,
      body: body.map((row) => (rng.chance(0.3) ? row.replace(/ \|/, ` ${rng.pick(TABLE_SYMBOLS)} |`) : row)),
    };
  }
  return { ...d, body };
}

/** A benign document of a random kind (weighted towards the kinds an agent reads most). */
export function aDocument(rng: Rng): Doc {
  const r = rng.next();
  const d =
    r < 0.3
      ? anEmail(rng)
      : r < 0.48
        ? aCodeAnswer(rng)
        : r < 0.66
          ? aTable(rng)
          : r < 0.76
            ? aCrmNote(rng)
            : r < 0.86
              ? anArticle(rng)
              : r < 0.92
                ? aReview(rng)
                : r < 0.96
                  ? aChat(rng)
                  : aMinutes(rng);
  return rng.chance(0.4) ? clutter(rng, d) : d;
}
