import { transliterate } from './transliterate/transliterate.js';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import { phoneMetadata } from './phone/phone-metadata.js';
import { canonicalGivenName } from './nicknames.js';

/** Transliterate to ASCII, lower-case, drop apostrophes, turn other punctuation into spaces. */
export function normaliseText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = value;
  // decode the few HTML entities that appear in scraped sources ("&mdash;", "&amp;")
  if (s.includes('&'))
    s = s.replace(/&(amp|mdash|ndash|quot|apos|#39);/g, (_, e: string) =>
      e === 'amp' ? '&' : e === 'quot' || e === 'apos' || e === '#39' ? "'" : ' ',
    );
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(s)) s = transliterate(s);
  return s
    .toLowerCase()
    .replace(/['`’]/g, '')
    .replace(/[^a-z0-9&@.+]+/g, ' ')
    .replace(/[.+@&]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function tokens(value: string): string[] {
  return value === '' ? [] : value.split(' ');
}

const NAME_TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'sir', 'dame', 'rev', 'mx']);
const NAME_SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq']);

/** A person-name part: ASCII, lower case, no punctuation, titles and generational suffixes removed. */
export function standardiseNamePart(value: string | null | undefined): string {
  const t = tokens(normaliseText(value)).filter((x) => !NAME_TITLES.has(x) && !NAME_SUFFIXES.has(x));
  return t.join(' ');
}

/** Generational suffixes in order: "senior" is the first generation, "junior" the second, then roman numerals. */
const GENERATIONS: Readonly<Record<string, string>> = {
  sr: '1',
  senior: '1',
  i: '1',
  jr: '2',
  junior: '2',
  ii: '2',
  iii: '3',
  iv: '4',
};

/** The generational suffix of a name ('1' for Sr/I, '2' for Jr/II, '3', '4'), '' when it carries none. */
export function nameGeneration(...parts: (string | null | undefined)[]): string {
  for (const part of parts) {
    const t = tokens(normaliseText(part));
    // a lone "i" is a generation only after a surname-like token, never as the whole value
    for (let k = t.length - 1; k >= 1; k--) if (GENERATIONS[t[k]!]) return GENERATIONS[t[k]!]!;
  }
  return '';
}

/** Given name reduced to its canonical form via the nickname table ("Bob" → "robert"). */
export function canonicalFirstName(value: string | null | undefined): string {
  const n = standardiseNamePart(value);
  if (n === '') return '';
  const [first, ...rest] = n.split(' ');
  return [canonicalGivenName(first!), ...rest].join(' ');
}

export interface ParsedName {
  first: string;
  middle: string;
  last: string;
}

/** Splits a full name: "Smith, John A" (surname first with a comma) or "John A Smith". */
export function parseFullName(value: string | null | undefined): ParsedName {
  if (value === null || value === undefined) return { first: '', middle: '', last: '' };
  const commaAt = value.indexOf(',');
  if (commaAt > 0) {
    const last = standardiseNamePart(value.slice(0, commaAt));
    const rest = tokens(standardiseNamePart(value.slice(commaAt + 1)));
    return { first: rest[0] ?? '', middle: rest.slice(1).join(' '), last };
  }
  const t = tokens(standardiseNamePart(value));
  if (t.length === 0) return { first: '', middle: '', last: '' };
  if (t.length === 1) return { first: '', middle: '', last: t[0]! };
  return { first: t[0]!, middle: t.slice(1, -1).join(' '), last: t[t.length - 1]! };
}

export interface StandardEmail {
  email: string;
  local: string;
  domain: string;
}

const DOTLESS_PROVIDERS = new Set(['gmail.com', 'googlemail.com']);
export const FREE_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.uk',
  'hotmail.com',
  'hotmail.co.uk',
  'outlook.com',
  'live.com',
  'msn.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'gmx.com',
  'gmx.de',
  'web.de',
  'protonmail.com',
  'proton.me',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
  'bigpond.com',
  'btinternet.com',
]);

/** Lower-cased e-mail with "+tag" removed (and dots removed for Gmail); null when not an address. */
export function standardiseEmail(value: string | null | undefined): StandardEmail | null {
  if (!value) return null;
  const s = transliterate(value)
    .trim()
    .toLowerCase()
    .replace(/^mailto:/, '');
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return null;
  let local = s.slice(0, at).replace(/\+.*$/, '');
  let domain = s.slice(at + 1).replace(/\.+$/, '');
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (DOTLESS_PROVIDERS.has(domain)) local = local.replace(/\./g, '');
  if (local === '' || !domain.includes('.')) return null;
  return { email: `${local}@${domain}`, local, domain };
}

/**
 * E.164 phone number when libphonenumber can parse it, otherwise its digits (≥ 6); null when unusable. The first
 * call that gets this far reads libphonenumber-js's metadata from its file (phone/phone-metadata.ts): without it,
 * PhoneMetadataMissingError, never raw digits in place of a number that would have parsed.
 */
export function standardisePhone(value: string | null | undefined, defaultCountry: CountryCode = 'US'): string | null {
  if (!value) return null;
  const digits = value.replace(/\D/g, '');
  if (digits.length < 6) return null;
  const metadata = phoneMetadata();
  try {
    const parsed = parsePhoneNumberFromString(value, defaultCountry, metadata);
    if (parsed && parsed.isPossible()) return parsed.number;
  } catch {
    // fall through to raw digits
  }
  return digits;
}

const ADDRESS_TOKENS: Record<string, string> = {
  street: 'st',
  str: 'st',
  avenue: 'ave',
  av: 'ave',
  avn: 'ave',
  road: 'rd',
  boulevard: 'blvd',
  blv: 'blvd',
  boul: 'blvd',
  drive: 'dr',
  drv: 'dr',
  lane: 'ln',
  place: 'pl',
  court: 'ct',
  crt: 'ct',
  crescent: 'cres',
  cresent: 'cres',
  circuit: 'cct',
  circle: 'cir',
  highway: 'hwy',
  parkway: 'pkwy',
  terrace: 'tce',
  square: 'sq',
  close: 'cl',
  way: 'wy',
  grove: 'gr',
  parade: 'pde',
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  apartment: 'apt',
  suite: 'ste',
  unit: 'unit',
  floor: 'fl',
  building: 'bldg',
  first: '1st',
  second: '2nd',
  third: '3rd',
  fourth: '4th',
  fifth: '5th',
  sixth: '6th',
  seventh: '7th',
  eighth: '8th',
  ninth: '9th',
  tenth: '10th',
  mount: 'mt',
  saint: 'st',
  center: 'ctr',
  centre: 'ctr',
};

/** Address line: ASCII, lower case, street types and directions abbreviated to one canonical form. */
export function standardiseAddress(value: string | null | undefined): string {
  return tokens(normaliseText(value))
    .map((t) => ADDRESS_TOKENS[t] ?? t)
    .join(' ');
}

/** Postcode: upper-case alphanumerics only ("sw1a 1aa" → "SW1A1AA"); US ZIP+4 cut to 5 digits. */
export function standardisePostcode(value: string | null | undefined): string {
  if (!value) return '';
  const s = transliterate(value)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  return /^\d{9}$/.test(s) ? s.slice(0, 5) : s;
}

const LEGAL_FORM_PHRASES: [RegExp, string][] = [
  [/\bnaamloze vennootschap\b/g, ' '],
  [/\bnaamlooze vennootschap\b/g, ' '],
  [/\bbesloten vennootschap( met beperkte aansprakelijkheid)?\b/g, ' '],
  [/\bgesellschaft mit beschrankter haftung\b/g, ' '],
  [/\baktiengesellschaft\b/g, ' '],
  [/\bsociete anonyme\b/g, ' '],
  [/\bpublic limited company\b/g, ' '],
  [/\blimited liability company\b/g, ' '],
  [/\bproprietary limited\b/g, ' '],
  [/\bco operative\b/g, 'cooperative'],
  [/\b([a-z]) ([a-z])\b(?! [a-z]\b)/g, '$1$2'], // "b v" → "bv", "n v" → "nv"
];

/** Legal-form tokens dropped from company names wherever they appear (token order varies in some sources). */
export const LEGAL_FORMS = new Set([
  'inc',
  'incorporated',
  'ltd',
  'limited',
  'llc',
  'llp',
  'lp',
  'corp',
  'corporation',
  'co',
  'company',
  'gmbh',
  'ag',
  'sa',
  'sas',
  'sarl',
  'bv',
  'nv',
  'plc',
  'pty',
  'pte',
  'srl',
  'spa',
  'kg',
  'kgaa',
  'oy',
  'oyj',
  'ab',
  'as',
  'asa',
  'aps',
  'kk',
  'se',
  'sl',
  'sae',
  'cv',
  'vof',
  'ohg',
  'ev',
  'the',
  'und',
  'and',
  'et',
  'en',
  'de',
  'of',
  'vennootschap',
  'naamloze',
  'naamlooze',
  'besloten',
  'bhd',
  'sdn',
  'tbk',
]);

/** Company name with legal forms and filler words removed ("The ACME Corp." → "acme"). */
export function standardiseCompanyName(value: string | null | undefined): string {
  let s = normaliseText(value);
  if (s === '') return '';
  for (const [re, rep] of LEGAL_FORM_PHRASES) s = s.replace(re, rep);
  const all = tokens(s.replace(/\s+/g, ' ').trim());
  const kept = all.filter((t) => !LEGAL_FORMS.has(t));
  return (kept.length > 0 ? kept : all).join(' ');
}

/** Registrable host of a website or e-mail domain: no scheme, "www.", port, path or trailing dot. */
export function standardiseDomain(value: string | null | undefined): string {
  if (!value) return '';
  let s = value.trim().toLowerCase();
  const at = s.lastIndexOf('@');
  if (at >= 0) s = s.slice(at + 1);
  s = s
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/\.+$/, '');
  s = s.replace(/^www\d*\./, '');
  return /^[a-z0-9.-]+\.[a-z]{2,}$/.test(s) ? s : '';
}

/** Birth date as "YYYYMMDD" from YYYYMMDD, YYYY-MM-DD, YYYY/MM/DD or DD/MM/YYYY; '' when not a date. */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthNumber(token: string): number {
  const t = token.toLowerCase();
  if (/^\d{1,2}$/.test(t)) return Number(t);
  const k = t.length >= 3 ? MONTHS.indexOf(t.slice(0, 3)) : -1;
  return k < 0 ? 0 : k + 1;
}

/** A two-digit year of a birth date is in the last hundred years: 92 → 1992, 05 → 2005 (as of 2026). */
function fullYear(token: string, nowYear: number): number {
  if (token.length === 4) return Number(token);
  const yy = Number(token);
  const century = Math.floor(nowYear / 100) * 100;
  return century + yy > nowYear ? century - 100 + yy : century + yy;
}

function compactDate(year: number, month: number, day: number): string {
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && year >= 1800 && year <= 2100)) return '';
  return `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
}

/**
 * YYYYMMDD from the forms CRM and register exports use: ISO (with or without separators or a time), day-first
 * numeric dates with any of - / . or space (month-first only when the second number cannot be a month), month names
 * ("15-Mar-92", "Mar 1 1970", "1 March 1970") and two-digit years. '' when the value is not a date.
 */
export function standardiseDate(value: string | null | undefined, nowYear = 2026): string {
  if (!value) return '';
  const s = value.trim();
  let m = /^(\d{4})[-/. ]?(\d{1,2})[-/. ]?(\d{1,2})(?:[T ].*)?$/.exec(s);
  if (m && (s.length === 8 || /[-/. ]/.test(s))) return compactDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[-/. ]+(\d{1,2}|[a-z]{3,9})\.?[-/. ,]+(\d{4}|\d{2})$/i.exec(s);
  if (m) {
    const a = Number(m[1]);
    const named = !/^\d/.test(m[2]!);
    const b = monthNumber(m[2]!);
    // day-first unless the second number cannot be a month
    const [day, month] = !named && b > 12 && a <= 12 ? [b, a] : [a, b];
    return compactDate(fullYear(m[3]!, nowYear), month, day);
  }
  m = /^([a-z]{3,9})\.?[-/. ]+(\d{1,2})(?:st|nd|rd|th)?[-/. ,]+(\d{4}|\d{2})$/i.exec(s);
  if (m) return compactDate(fullYear(m[3]!, nowYear), monthNumber(m[1]!), Number(m[2]));
  return '';
}

/** Four-digit year from a year or date string; '' when none. */
export function standardiseYear(value: string | null | undefined): string {
  if (!value) return '';
  const m = /(1[89]\d\d|20\d\d)/.exec(value);
  return m ? m[1]! : '';
}

export function standardiseGender(value: string | null | undefined): string {
  const s = normaliseText(value);
  if (s === '') return '';
  if (s === 'm' || s === 'male' || s === 'man') return 'm';
  if (s === 'f' || s === 'female' || s === 'woman') return 'f';
  return s;
}
