/**
 * How each vendor's users write the same true values. The generator renders every record in one neutral format
 * (title case, ISO dates, 10-digit phones, long street types, bare domains); these functions turn a neutral value
 * into what a Salesforce rep, a HubSpot form or a Workday HR admin would have typed, so true duplicates across the
 * systems differ as they do in real data.
 */
import { type Rng, formatPhone } from '../../synthetic/index.js';
import { STREET_TYPES } from '../../synthetic/pools.js';

const SHORT_TYPE = new Map(STREET_TYPES.map(([long, short]) => [long.toLowerCase(), short]));

/** "12 Elm Street" → "12 Elm St". */
export function shortStreet(street: string): string {
  const at = street.lastIndexOf(' ');
  if (at < 0) return street;
  const short = SHORT_TYPE.get(street.slice(at + 1).toLowerCase());
  return short ? `${street.slice(0, at)} ${short}` : street;
}

export const orNull = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

/** Salesforce phones as the Lightning UI formats US numbers: (212) 555-0142. */
export const salesforcePhone = (digits: string): string | null => (digits ? formatPhone(digits, 'paren') : null);

/** HubSpot phones are free text: most typed with dashes, some with the country code or parentheses. */
export function hubspotPhone(digits: string, rng: Rng): string | null {
  if (!digits) return null;
  const r = rng.next();
  if (r < 0.7) return formatPhone(digits, 'dash');
  if (r < 0.85) return `+1 ${formatPhone(digits, 'dash')}`;
  return formatPhone(digits, 'paren');
}

/** Workday writes the country code and the area code in parentheses: +1 (212) 555-0142. */
export const workdayPhone = (digits: string): string | null =>
  digits ? `+1 (${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}` : null;

/** Country as a CRM's free-text or picklist field holds it. */
export function countryName(rng: Rng, names: readonly [string, number][]): string | null {
  let x = rng.next();
  for (const [name, p] of names) {
    if (x < p) return name === '' ? null : name;
    x -= p;
  }
  return null;
}

/** Some reps type e-mail addresses with capitals ("Amanda.Wu@Quantra.com"); Salesforce keeps them as typed. */
export function salesforceEmail(email: string, rng: Rng): string | null {
  if (!email) return null;
  if (!rng.chance(0.12)) return email;
  return email.replace(/(^|[._@])([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase());
}

/** HubSpot form fills: many people type their names in lower case. */
export const hubspotName = (name: string, lower: boolean): string | null =>
  name ? (lower ? name.toLowerCase() : name) : null;

export function salesforceWebsite(domain: string, rng: Rng): string | null {
  if (!domain) return null;
  const r = rng.next();
  if (r < 0.5) return `https://www.${domain}`;
  if (r < 0.8) return `www.${domain}`;
  return domain;
}

/** The industry picklists differ: Salesforce's standard values and HubSpot's enumeration. */
const INDUSTRIES: readonly { words: RegExp; salesforce: string; hubspot: string }[] = [
  { words: /pharma/i, salesforce: 'Biotechnology', hubspot: 'PHARMACEUTICALS' },
  { words: /lab|medical|health|dental|care/i, salesforce: 'Healthcare', hubspot: 'HOSPITAL_HEALTH_CARE' },
  {
    words: /manufactur|mfg|engineer|\beng\b/i,
    salesforce: 'Manufacturing',
    hubspot: 'MECHANICAL_OR_INDUSTRIAL_ENGINEERING',
  },
  { words: /tech|system|\bsys\b|software/i, salesforce: 'Technology', hubspot: 'COMPUTER_SOFTWARE' },
  {
    words: /consult|associate|assoc|partner|service|svcs/i,
    salesforce: 'Consulting',
    hubspot: 'MANAGEMENT_CONSULTING',
  },
  { words: /logistic|distribut|\bdist\b/i, salesforce: 'Transportation', hubspot: 'LOGISTICS_AND_SUPPLY_CHAIN' },
  { words: /food/i, salesforce: 'Food & Beverage', hubspot: 'FOOD_BEVERAGES' },
  { words: /construct/i, salesforce: 'Construction', hubspot: 'CONSTRUCTION' },
  { words: /energy/i, salesforce: 'Energy', hubspot: 'OIL_ENERGY' },
  { words: /media/i, salesforce: 'Media', hubspot: 'MEDIA_PRODUCTION' },
  { words: /capital/i, salesforce: 'Finance', hubspot: 'FINANCIAL_SERVICES' },
  { words: /library|learning/i, salesforce: 'Education', hubspot: 'EDUCATION_MANAGEMENT' },
];
const OTHER_INDUSTRIES = [
  { salesforce: 'Retail', hubspot: 'RETAIL' },
  { salesforce: 'Banking', hubspot: 'BANKING' },
  { salesforce: 'Telecommunications', hubspot: 'TELECOMMUNICATIONS' },
  { salesforce: 'Insurance', hubspot: 'INSURANCE' },
];

export function industryOf(name: string, rng: Rng): { salesforce: string; hubspot: string } {
  return INDUSTRIES.find((i) => i.words.test(name)) ?? rng.pick(OTHER_INDUSTRIES);
}

/** Stages of one deal ladder in both CRMs' vocabularies (Salesforce StageName, HubSpot default pipeline ids). */
export const DEAL_STAGES: readonly { salesforce: string; hubspot: string; closed: boolean }[] = [
  { salesforce: 'Prospecting', hubspot: 'appointmentscheduled', closed: false },
  { salesforce: 'Qualification', hubspot: 'qualifiedtobuy', closed: false },
  { salesforce: 'Value Proposition', hubspot: 'presentationscheduled', closed: false },
  { salesforce: 'Id. Decision Makers', hubspot: 'decisionmakerboughtin', closed: false },
  { salesforce: 'Negotiation/Review', hubspot: 'contractsent', closed: false },
  { salesforce: 'Closed Won', hubspot: 'closedwon', closed: true },
  { salesforce: 'Closed Lost', hubspot: 'closedlost', closed: true },
];

export const DEAL_PRODUCTS = [
  'Platform subscription',
  'Renewal',
  'Expansion',
  'Pilot',
  'Support plan',
  'Professional services',
  'Enterprise licence',
  'Upsell',
  'Data migration',
  'Training',
];

export const CONTACT_TITLES = [
  'Account Executive',
  'Sales Manager',
  'Marketing Director',
  'Chief Financial Officer',
  'Operations Manager',
  'Software Engineer',
  'Procurement Lead',
  'Head of IT',
  'Office Manager',
  'Product Manager',
  'VP of Sales',
  'Customer Success Manager',
  'Finance Analyst',
  'Chief Executive Officer',
  'Purchasing Manager',
  'Data Analyst',
  'Project Manager',
  'Controller',
  'Director of Operations',
  'IT Manager',
];
