import { doubleMetaphone } from 'double-metaphone';
import type { CountryCode } from 'libphonenumber-js';
import { type SparseVector, TfIdfIndex } from './similarity.js';
import {
  FREE_MAIL_DOMAINS,
  canonicalFirstName,
  nameGeneration,
  normaliseText,
  parseFullName,
  standardiseAddress,
  standardiseCompanyName,
  standardiseDate,
  standardiseDomain,
  standardiseEmail,
  standardiseGender,
  standardiseNamePart,
  standardisePhone,
  standardisePostcode,
  standardiseYear,
  tokens,
} from './standardise.js';
import type { EntityKind, InputRecord } from './types.js';

/** A record after standardisation: every feature the comparisons and blocking rules read. '' = missing. */
export interface PreparedRecord {
  index: number;
  id: string;
  /** 0 = left / only table, 1 = right table (link mode). */
  side: 0 | 1;
  source: string;
  first: string;
  firstCanon: string;
  firstDm: string;
  middle: string;
  last: string;
  lastDm: string;
  dob: string;
  year: string;
  /** Generational suffix ('1' Sr, '2' Jr, '3' III…), '' when none. */
  generation: string;
  age: string;
  gender: string;
  email: string;
  emailLocal: string;
  phone: string;
  street: string;
  streetTokens: string[];
  streetSet: ReadonlySet<string>;
  streetVec: SparseVector | null;
  /** First number in the street line (house number), '' when none. */
  houseNumber: string;
  city: string;
  postcode: string;
  state: string;
  country: string;
  employer: string;
  employerTokens: string[];
  orgName: string;
  orgNameTokens: string[];
  orgNameVec: SparseVector | null;
  orgNameDm: string;
  domain: string;
  textTokens: string[];
  textVec: SparseVector | null;
}

export interface PrepareOptions {
  defaultCountry?: CountryCode;
}

const EMPTY_VEC: SparseVector = { ids: new Int32Array(0), weights: new Float64Array(0), tokens: [] };

function metaphone(value: string): string {
  if (value === '') return '';
  // phonetic code of the first token only: hyphenated / double-barrelled names keep a stable key
  return doubleMetaphone(value.split(' ')[0]!)[0];
}

const TEXT_STOPWORDS = new Set([
  'a',
  'an',
  'the',
  'of',
  'and',
  'in',
  'on',
  'for',
  'to',
  'with',
  'by',
  'at',
  'from',
  'is',
]);

function textTokens(value: string): string[] {
  return tokens(normaliseText(value)).filter((t) => !TEXT_STOPWORDS.has(t));
}

/**
 * Standardises every record and builds the corpus-level TF-IDF indexes (organisation names and free text)
 * from the records given, so weights reflect this data set.
 */
export function prepareRecords(
  kind: EntityKind,
  records: readonly InputRecord[],
  sides: readonly (0 | 1)[],
  options: PrepareOptions = {},
): PreparedRecord[] {
  const country = options.defaultCountry ?? 'US';
  const nameIndex = new TfIdfIndex();
  const textIndex = new TfIdfIndex();
  const streetIndex = new TfIdfIndex();
  const prepared = records.map((r, index): PreparedRecord => {
    const a = r.attributes;
    let first = standardiseNamePart(a.firstName);
    let middle = standardiseNamePart(a.middleName);
    let last = standardiseNamePart(a.lastName);
    if (a.fullName && (first === '' || last === '')) {
      const p = parseFullName(a.fullName);
      if (first === '') first = p.first;
      if (middle === '') middle = p.middle;
      if (last === '') last = p.last;
    }
    const email = standardiseEmail(a.email);
    const dob = standardiseDate(a.birthDate);
    const year = standardiseYear(a.birthYear) || (dob !== '' ? dob.slice(0, 4) : '');
    const orgName = kind === 'organization' ? standardiseCompanyName(a.name) : '';
    const orgNameTokens = tokens(orgName);
    if (orgNameTokens.length > 0) nameIndex.add(orgNameTokens);
    const text = textTokens(a.text ?? '');
    if (text.length > 0) textIndex.add(text);
    let domain = standardiseDomain(a.domain) || standardiseDomain(a.website);
    if (domain === '' && kind === 'organization' && email && !FREE_MAIL_DOMAINS.has(email.domain))
      domain = email.domain;
    const street = standardiseAddress(a.street);
    if (street !== '') streetIndex.add(tokens(street));
    const employer = standardiseCompanyName(a.employer);
    return {
      index,
      id: r.id,
      side: sides[index] ?? 0,
      source: r.source ?? (sides[index] === 1 ? 'right' : 'left'),
      first,
      firstCanon: first === '' ? '' : canonicalFirstName(first),
      firstDm: metaphone(first),
      middle,
      last,
      lastDm: metaphone(last),
      dob,
      year,
      generation: kind === 'person' ? nameGeneration(a.lastName, a.fullName, a.firstName) : '',
      age: (a.age ?? '').replace(/\D/g, ''),
      gender: standardiseGender(a.gender),
      email: email?.email ?? '',
      emailLocal: email?.local ?? '',
      phone: standardisePhone(a.phone, country) ?? '',
      street,
      streetTokens: [...new Set(tokens(street))],
      streetSet: new Set(tokens(street)),
      streetVec: null,
      houseNumber: /\b(\d+)[a-z]?\b/.exec(street)?.[1] ?? '',
      city: normaliseText(a.city),
      postcode: standardisePostcode(a.postcode),
      state: normaliseText(a.state),
      country: normaliseText(a.country),
      employer,
      employerTokens: tokens(employer),
      orgName,
      orgNameTokens,
      orgNameVec: null,
      orgNameDm: metaphone(orgName),
      domain,
      textTokens: text,
      textVec: null,
    };
  });
  for (const p of prepared) {
    p.orgNameVec = p.orgNameTokens.length > 0 ? nameIndex.vector(p.orgNameTokens) : EMPTY_VEC;
    p.textVec = p.textTokens.length > 0 ? textIndex.vector(p.textTokens) : EMPTY_VEC;
    p.streetVec = p.street !== '' ? streetIndex.vector(tokens(p.street)) : EMPTY_VEC;
  }
  return prepared;
}
