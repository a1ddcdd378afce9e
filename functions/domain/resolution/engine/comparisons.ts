import { areNicknameVariants } from './nicknames.js';
import type { PreparedRecord } from './prepare.js';
import { bothHaveUnmatchedTokens, cosine, jaroWinkler, mongeElkan, softTfIdf, withinOneEdit } from './similarity.js';
import type { EntityKind } from './types.js';

/**
 * One Fellegi-Sunter comparison: ordered agreement levels, best first; the last level is "else".
 * `level` is only called when both records have the field (`present`); a missing side is the neutral null level.
 */
export interface Comparison {
  field: string;
  levels: readonly string[];
  present(r: PreparedRecord): boolean;
  level(a: PreparedRecord, b: PreparedRecord): number;
  /** Value whose equality defines level 0; enables exact u from value frequencies and term-frequency adjustment. */
  exactValue?: (r: PreparedRecord) => string;
  /** Apply term-frequency adjustment on level 0 (common values weigh less). */
  termFrequency?: boolean;
  /**
   * A field that names the identity itself (a person's names and birth date, an organisation's name), as opposed to
   * contact points that change or are shared (address, phone, e-mail): outright disagreement on it is strong evidence
   * against a match (see constrainM).
   */
  identity?: boolean;
  /**
   * Levels that, by what they mean, argue against a match whatever their similarity (m ≤ u), outside the monotone
   * order of the other levels (see constrainM).
   */
  disagreementLevels?: readonly number[];
}

/** Whether a level says the two values differ: the else level, or one of the comparison's disagreement levels. */
export function isDisagreement(cmp: Comparison, level: number): boolean {
  return level === cmp.levels.length - 1 || (cmp.disagreementLevels?.includes(level) ?? false);
}

// Swapped given/family names: decide once per pair (first and last comparisons run back to back).
// Keyed by object identity: indexes repeat across separately prepared record sets (incremental scoring).
let swapA: PreparedRecord | null = null;
let swapB: PreparedRecord | null = null;
let swapResult = false;
function namesSwapped(a: PreparedRecord, b: PreparedRecord): boolean {
  if (a === swapA && b === swapB) return swapResult;
  swapA = a;
  swapB = b;
  swapResult = false;
  // a swap needs both names to differ, and (typos aside) the first letters to cross over
  if (
    a.first !== '' &&
    a.last !== '' &&
    b.first !== '' &&
    b.last !== '' &&
    a.first !== b.first &&
    a.last !== b.last &&
    (a.first.charCodeAt(0) === b.last.charCodeAt(0) || a.last.charCodeAt(0) === b.first.charCodeAt(0))
  ) {
    const straight = jaroWinkler(a.first, b.first) + jaroWinkler(a.last, b.last);
    const crossed = jaroWinkler(a.first, b.last) + jaroWinkler(a.last, b.first);
    swapResult = crossed > straight + 0.2 && crossed >= 1.7;
  }
  return swapResult;
}

function givenNameLevel(x: string, xCanon: string, xDm: string, y: string, yCanon: string, yDm: string): number {
  if (x === y) return 0;
  if (xCanon === yCanon || areNicknameVariants(x, y)) return 1;
  const jw = jaroWinkler(x, y);
  if (jw >= 0.92) return 1;
  if (jw >= 0.8 || (xDm !== '' && xDm === yDm)) return 2;
  if (x[0] === y[0] && (x.length === 1 || y.length === 1)) return 3;
  return 4;
}

function familyNameLevel(x: string, xDm: string, y: string, yDm: string): number {
  if (x === y) return 0;
  const jw = jaroWinkler(x, y);
  if (jw >= 0.92) return 1;
  if (jw >= 0.8 || (xDm !== '' && xDm === yDm)) return 2;
  return 3;
}

const firstName: Comparison = {
  identity: true,
  field: 'firstName',
  levels: ['exact', 'nickname or jaro-winkler >= 0.92', 'jaro-winkler >= 0.80 or same metaphone', 'initial', 'else'],
  present: (r) => r.first !== '',
  exactValue: (r) => r.first,
  termFrequency: true,
  level(a, b) {
    if (namesSwapped(a, b)) {
      if (b.last === '') return 4;
      return givenNameLevel(a.first, a.firstCanon, a.firstDm, b.last, b.last, b.lastDm);
    }
    return givenNameLevel(a.first, a.firstCanon, a.firstDm, b.first, b.firstCanon, b.firstDm);
  },
};

const lastName: Comparison = {
  identity: true,
  field: 'lastName',
  levels: ['exact', 'jaro-winkler >= 0.92', 'jaro-winkler >= 0.80 or same metaphone', 'else'],
  present: (r) => r.last !== '',
  exactValue: (r) => r.last,
  termFrequency: true,
  level(a, b) {
    if (namesSwapped(a, b)) return b.first === '' ? 3 : familyNameLevel(a.last, a.lastDm, b.first, b.firstDm);
    return familyNameLevel(a.last, a.lastDm, b.last, b.lastDm);
  },
};

const middleName: Comparison = {
  field: 'middleName',
  levels: ['exact', 'initial or jaro-winkler >= 0.88', 'else'],
  present: (r) => r.middle !== '',
  exactValue: (r) => r.middle,
  level(a, b) {
    if (a.middle === b.middle) return 0;
    if (a.middle[0] === b.middle[0] && (a.middle.length === 1 || b.middle.length === 1)) return 1;
    return jaroWinkler(a.middle, b.middle) >= 0.88 ? 1 : 2;
  },
};

/** Two adjacent characters swapped (1968 / 1986): a keying error, not another date. */
function oneTransposition(x: string, y: string): boolean {
  if (x.length !== y.length) return false;
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return i < x.length - 1 && x[i] === y[i + 1] && x[i + 1] === y[i] && x.slice(i + 2) === y.slice(i + 2);
}

function dayMonthSwapped(x: string, y: string): boolean {
  return x.slice(0, 4) === y.slice(0, 4) && x.slice(4, 6) === y.slice(6, 8) && x.slice(6, 8) === y.slice(4, 6);
}

/** Date of birth; falls back to year only when one side lacks a full date. */
const birthDate: Comparison = {
  identity: true,
  field: 'birthDate',
  levels: [
    'exact date',
    'one edit, transposition or day/month swapped',
    'same year',
    'year within 1',
    'years 10 or more apart',
    'else',
  ],
  // a decade or more apart is another generation, not a typo (one-digit typos are the one-edit level)
  disagreementLevels: [4],
  present: (r) => r.dob !== '' || r.year !== '',
  exactValue: (r) => (r.dob !== '' ? r.dob : `y${r.year}`),
  level(a, b) {
    if (a.dob !== '' && b.dob !== '') {
      if (a.dob === b.dob) return 0;
      if (withinOneEdit(a.dob, b.dob) || oneTransposition(a.dob, b.dob) || dayMonthSwapped(a.dob, b.dob)) return 1;
    } else if (a.dob === '' && b.dob === '' && a.year === b.year) {
      // both only carry a year: equality of the year is the exact value
      return 0;
    }
    if (a.year === '' || b.year === '') return 5;
    if (a.year === b.year) return 2;
    const apart = Math.abs(Number(a.year) - Number(b.year));
    if (apart <= 1) return 3;
    return apart >= 10 ? 4 : 5;
  },
};

const age: Comparison = {
  field: 'age',
  levels: ['exact', 'within 1', 'else'],
  present: (r) => r.age !== '' && r.dob === '' && r.year === '',
  exactValue: (r) => r.age,
  level(a, b) {
    if (a.age === b.age) return 0;
    return Math.abs(Number(a.age) - Number(b.age)) <= 1 ? 1 : 2;
  },
};

/** A comparison with two levels, the same value or not, for fields where similar values mean nothing. */
function exactOnly(
  field: string,
  value: (r: PreparedRecord) => string,
  options: { termFrequency?: boolean } = {},
): Comparison {
  return {
    field,
    levels: ['exact', 'else'],
    present: (r) => value(r) !== '',
    exactValue: value,
    ...(options.termFrequency ? { termFrequency: true } : {}),
    level: (a, b) => (value(a) === value(b) ? 0 : 1),
  };
}

const gender = exactOnly('gender', (r) => r.gender);

const email: Comparison = {
  field: 'email',
  levels: [
    'exact',
    'same local part',
    'local parts jaro-winkler >= 0.88',
    'similar local parts made of the name',
    'else',
  ],
  // a local part spelled from the person's name ("maria.lopez", "mlopez2") repeats the name comparisons when it is
  // not the same address: namesakes share it, so it is no evidence of its own
  disagreementLevels: [3],
  present: (r) => r.email !== '',
  exactValue: (r) => r.email,
  termFrequency: true,
  // the local part identifies; a shared domain makes any two addresses look alike, so it is left out of the fuzzy level
  level(a, b) {
    if (a.email === b.email) return 0;
    const same = a.emailLocal === b.emailLocal;
    if (!same && jaroWinkler(a.emailLocal, b.emailLocal) < 0.88) return 4;
    return madeOfName(a) && madeOfName(b) ? 3 : same ? 1 : 2;
  },
};

/** Whether a person's e-mail local part is spelled from their last name (letters only, at least 3 of them). */
function madeOfName(r: PreparedRecord): boolean {
  const last = r.last.replace(/[^a-z]/g, '');
  return last.length >= 3 && r.emailLocal.replace(/[^a-z]/g, '').includes(last);
}

const phone: Comparison = {
  field: 'phone',
  levels: ['exact', 'same last 7 digits or one edit', 'else'],
  present: (r) => r.phone !== '',
  exactValue: (r) => r.phone,
  termFrequency: true,
  level(a, b) {
    if (a.phone === b.phone) return 0;
    if (a.phone.slice(-7) === b.phone.slice(-7) || withinOneEdit(a.phone, b.phone)) return 1;
    return 2;
  },
};

const street: Comparison = {
  field: 'street',
  levels: [
    'exact',
    'soft tf-idf >= 0.85',
    'soft tf-idf >= 0.60',
    'soft tf-idf >= 0.35 with other house number',
    'soft tf-idf >= 0.35',
    'else',
  ],
  present: (r) => r.street !== '',
  exactValue: (r) => r.street,
  // same street, other building: another address, so evidence against rather than a weaker kind of agreement
  disagreementLevels: [3],
  termFrequency: true,
  level(a, b) {
    if (a.street === b.street) return 0;
    const s = softTfIdf(a.streetVec!, b.streetVec!);
    if (s < 0.35) return 5;
    // same street, other building: a separate level so EM can learn that it argues against a match
    if (a.houseNumber !== '' && b.houseNumber !== '' && a.houseNumber !== b.houseNumber) return 3;
    if (s >= 0.85) return 1;
    return s >= 0.6 ? 2 : 4;
  },
};

const city: Comparison = {
  field: 'city',
  levels: ['exact', 'jaro-winkler >= 0.90', 'else'],
  present: (r) => r.city !== '',
  exactValue: (r) => r.city,
  termFrequency: true,
  level(a, b) {
    if (a.city === b.city) return 0;
    return jaroWinkler(a.city, b.city) >= 0.9 ? 1 : 2;
  },
};

const postcode: Comparison = {
  field: 'postcode',
  levels: ['exact', 'one edit', 'else'],
  present: (r) => r.postcode !== '',
  exactValue: (r) => r.postcode,
  termFrequency: true,
  level(a, b) {
    if (a.postcode === b.postcode) return 0;
    return withinOneEdit(a.postcode, b.postcode) ? 1 : 2;
  },
};

const state = exactOnly('state', (r) => r.state);

const country = exactOnly('country', (r) => r.country);

const employer: Comparison = {
  field: 'employer',
  levels: ['exact', 'token similarity >= 0.90', 'else'],
  present: (r) => r.employer !== '',
  exactValue: (r) => r.employer,
  termFrequency: true,
  level(a, b) {
    if (a.employer === b.employer) return 0;
    return mongeElkan(a.employerTokens, b.employerTokens) >= 0.9 ? 1 : 2;
  },
};

const text: Comparison = {
  field: 'text',
  levels: ['tf-idf cosine >= 0.90', 'cosine >= 0.70', 'cosine >= 0.50', 'cosine >= 0.30', 'else'],
  present: (r) => r.textTokens.length > 0,
  level(a, b) {
    const c = cosine(a.textVec!, b.textVec!);
    if (c >= 0.9) return 0;
    if (c >= 0.7) return 1;
    if (c >= 0.5) return 2;
    return c >= 0.3 ? 3 : 4;
  },
};

const orgName: Comparison = {
  identity: true,
  field: 'name',
  levels: [
    'exact',
    'soft tf-idf >= 0.90',
    'soft tf-idf >= 0.70',
    'soft tf-idf >= 0.50',
    'soft tf-idf >= 0.30',
    'each name has a word the other lacks',
    'else',
  ],
  present: (r) => r.orgName !== '',
  exactValue: (r) => r.orgName,
  termFrequency: true,
  // "X Centre Site A" / "X Centre Site B", "Acme Europe" / "Acme Asia": shared words name the group, the words each
  // one adds name different members of it; one name containing or abbreviating the other is no conflict
  disagreementLevels: [5],
  level(a, b) {
    if (a.orgName === b.orgName) return 0;
    const c = softTfIdf(a.orgNameVec!, b.orgNameVec!);
    if (c < 0.3) return 6;
    if (bothHaveUnmatchedTokens(a.orgNameTokens, b.orgNameTokens)) return 5;
    if (c >= 0.9) return 1;
    if (c >= 0.7) return 2;
    if (c >= 0.5) return 3;
    return 4;
  },
};

const domain = exactOnly('domain', (r) => r.domain, { termFrequency: true });

const orgEmail = exactOnly('email', (r) => r.email, { termFrequency: true });

export const PERSON_COMPARISONS: readonly Comparison[] = [
  firstName,
  middleName,
  lastName,
  birthDate,
  age,
  gender,
  email,
  phone,
  street,
  city,
  postcode,
  state,
  country,
  employer,
  text,
];
export const ORGANIZATION_COMPARISONS: readonly Comparison[] = [
  orgName,
  domain,
  orgEmail,
  phone,
  street,
  city,
  postcode,
  state,
  country,
  text,
];

/** The comparisons of an entity kind that at least `minPresent` records can use. */
export function comparisonsFor(kind: EntityKind, records: readonly PreparedRecord[], minPresent = 2): Comparison[] {
  const all = kind === 'person' ? PERSON_COMPARISONS : ORGANIZATION_COMPARISONS;
  return all.filter((c) => {
    let n = 0;
    for (const r of records) if (c.present(r) && ++n >= minPresent) return true;
    return false;
  });
}
