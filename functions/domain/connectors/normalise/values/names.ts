/**
 * Person names as people write them. A source that keeps names in one case (an HR export in capitals, a web form in
 * lower case) loses how the name is spelt; the casing below restores the usual spelling. A word the source already
 * wrote in mixed case ("McNeil", "deVries", "Macdonald") is the person's own spelling and is kept as it is: only
 * words written entirely in capitals or entirely in lower case are cased.
 */
import { cleanText } from './text.js';

/** Words that join a family name and are written in lower case inside it (van Dijk, von Trapp, de Souza, dos Santos). */
const PARTICLES = new Set([
  'van',
  'von',
  'de',
  'da',
  'das',
  'do',
  'dos',
  'del',
  'della',
  'der',
  'den',
  'ter',
  'ten',
  'zu',
]);
/**
 * Words that are particles only after another particle (de la Cruz, van le Roy, de los Santos). Alone they start
 * family names that are capitalised (Le Blanc, La Salle, Du Bois), and "Le" is a whole Vietnamese family name.
 */
const SECOND_PARTICLES = new Set(['la', 'le', 'las', 'los', 'les', 'du']);
/** Joins two family names (García y López); never a family name's first or last word. */
const CONJUNCTIONS = new Set(['y', 'e', 'i']);

const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'rev', 'fr']);
/** Generational and degree suffixes after the family name, with their written form. */
const SUFFIXES: Readonly<Record<string, string>> = {
  jr: 'Jr',
  sr: 'Sr',
  ii: 'II',
  iii: 'III',
  iv: 'IV',
  phd: 'PhD',
  md: 'MD',
  esq: 'Esq',
};

/**
 * Family names beginning "Mac" that are not Gaelic patronymics (Machado, Macias, Mackie): they keep one capital.
 * The Gaelic rule below only applies to "Mac" plus at least three letters not ending in a, c, i, o, z or j, which
 * already leaves out Mack, Macy, Macon, Machuca, Macchi, Maciej; these are the ones it would still catch.
 */
const NOT_MAC_PATRONYMICS = new Set([
  'macevicius',
  'machado',
  'machar',
  'machell',
  'machen',
  'machin',
  'machlin',
  'machon',
  'macias',
  'maciel',
  'maciulis',
  'mackey',
  'mackie',
  'mackle',
  'macklin',
  'mackmin',
  'macomber',
  'macquarie',
]);

const HAS_UPPER = /\p{Lu}/u;
const HAS_LOWER = /\p{Ll}/u;

/** Written in one case only: all capitals, or all lower case (a word without letters counts as neither). */
function isSingleCase(word: string): boolean {
  return HAS_UPPER.test(word) !== HAS_LOWER.test(word);
}

/** First letter upper case, the rest lower case ("o" → "O", "brien" → "Brien"); non-letters before it kept. */
function capitalise(segment: string): string {
  const lower = segment.toLowerCase();
  const at = lower.search(/\p{L}/u);
  if (at < 0) return lower;
  return lower.slice(0, at) + lower.charAt(at).toUpperCase() + lower.slice(at + 1);
}

/** One hyphen- or apostrophe-free segment of a family name: Mc/Mac patronymics get their second capital. */
function caseFamilySegment(segment: string): string {
  const lower = segment.toLowerCase();
  if (/^mc\p{L}{2,}/u.test(lower)) return `Mc${capitalise(lower.slice(2))}`;
  if (/^mac\p{L}{2,}[^aciozj]$/u.test(lower) && !NOT_MAC_PATRONYMICS.has(lower))
    return `Mac${capitalise(lower.slice(3))}`;
  return capitalise(lower);
}

/** Cases one single-case word, segment by segment across hyphens and apostrophes (Mary-Jane, O'Brien, D'Angelo). */
function caseWord(word: string, family: boolean): string {
  return word
    .split(/([-'’‐])/)
    .map((part, i) => (i % 2 === 1 ? part : family ? caseFamilySegment(part) : capitalise(part)))
    .join('');
}

function caseGivenWords(words: readonly string[]): string[] {
  return words.map((w) => (isSingleCase(w) ? caseWord(w, false) : w));
}

/**
 * The words of a family name cased. Particles and conjunctions are lowered only when they are not the last word: a
 * family name is never just a particle ("Van" or "Le" alone is the name), and a conjunction never starts one.
 */
function caseFamilyWords(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!isSingleCase(w)) {
      out.push(w);
      continue;
    }
    const lower = w.toLowerCase();
    const previous = i > 0 ? words[i - 1]!.toLowerCase() : '';
    const last = i === words.length - 1;
    const particle =
      PARTICLES.has(lower) ||
      (SECOND_PARTICLES.has(lower) && PARTICLES.has(previous)) ||
      (CONJUNCTIONS.has(lower) && i > 0);
    out.push(particle && !last ? lower : caseWord(w, true));
  }
  return out;
}

function words(value: string | null | undefined): string[] {
  const s = cleanText(value);
  return s === undefined ? [] : s.split(' ');
}

/** A given name cased ("LOGAN" → "Logan", "mary-jane" → "Mary-Jane"); undefined when empty. */
export function caseGivenName(value: string | null | undefined): string | undefined {
  const w = words(value);
  return w.length === 0 ? undefined : caseGivenWords(w).join(' ');
}

/** A family name cased ("mcneil" → "McNeil", "VAN DER BERG" → "van der Berg", "O'BRIEN" → "O'Brien"). */
export function caseFamilyName(value: string | null | undefined): string | undefined {
  const w = words(value);
  return w.length === 0 ? undefined : caseFamilyWords(w).join(' ');
}

export interface PersonName {
  firstName?: string;
  lastName?: string;
  fullName?: string;
}

/** The given and family names cased, and the full name composed from them ("Logan McNeil"). */
export function composeName(given: string | null | undefined, family: string | null | undefined): PersonName {
  const firstName = caseGivenName(given);
  const lastName = caseFamilyName(family);
  const fullName = [firstName, lastName].filter((p) => p !== undefined).join(' ');
  return {
    ...(firstName !== undefined ? { firstName } : {}),
    ...(lastName !== undefined ? { lastName } : {}),
    ...(fullName !== '' ? { fullName } : {}),
  };
}

const bare = (word: string): string => word.toLowerCase().replace(/[.,]/g, '');

/**
 * Splits a whole name as one string ("logan mcneil", "McNeil, Logan", "Dr. Ludwig van Beethoven Jr.") into the first
 * given name, the family name and the full name in natural order, each cased. Titles are dropped; a suffix stays in
 * the full name only. The family name starts at the first particle after the given name (van Beethoven, de la Cruz
 * García) or at the first of two family names joined by y/e/i (García y López), otherwise it is the last word: middle
 * names are kept in the full name, not in the first name. One word
 * alone is taken as the family name, as the identity-resolution engine reads a one-word name.
 */
export function splitFullName(value: string | null | undefined): PersonName {
  const s = cleanText(value);
  if (s === undefined) return {};
  let given: string[];
  let family: string[];
  let suffix: string[] = [];
  const comma = s.indexOf(',');
  const afterComma = comma >= 0 ? words(s.slice(comma + 1).replace(/,/g, ' ')) : [];
  if (comma > 0 && afterComma.length > 0 && !afterComma.every((w) => SUFFIXES[bare(w)] !== undefined)) {
    // "Family, Given Middle [Suffix]", as HR systems and address books list people
    family = words(s.slice(0, comma));
    given = afterComma;
  } else {
    const all = words(s.replace(/,/g, ' '));
    let end = all.length;
    while (end > 1 && SUFFIXES[bare(all[end - 1]!)] !== undefined) end--;
    suffix = all.slice(end);
    let start = 0;
    while (start < end - 1 && TITLES.has(bare(all[start]!))) start++;
    const core = all.slice(start, end);
    let familyAt = core.length - 1;
    for (let i = 1; i < core.length - 1; i++) {
      const lower = core[i]!.toLowerCase();
      if (PARTICLES.has(lower)) {
        familyAt = i;
        break;
      }
      // "García y López": two family names joined; a one-letter word right after the given name is an initial
      if (CONJUNCTIONS.has(lower) && i >= 2) {
        familyAt = i - 1;
        break;
      }
    }
    given = core.slice(0, familyAt);
    family = core.slice(familyAt);
  }
  while (given.length > 1 && TITLES.has(bare(given[0]!))) given = given.slice(1);
  while (given.length > 1 && SUFFIXES[bare(given[given.length - 1]!)] !== undefined) {
    suffix = [given[given.length - 1]!, ...suffix];
    given = given.slice(0, -1);
  }
  const casedGiven = caseGivenWords(given);
  const casedFamily = caseFamilyWords(family);
  const casedSuffix = suffix.map((w) => {
    const written = SUFFIXES[bare(w)];
    return written === undefined || !isSingleCase(w) ? w : `${written}${w.endsWith('.') ? '.' : ''}`;
  });
  const fullName = [...casedGiven, ...casedFamily, ...casedSuffix].join(' ');
  return {
    ...(casedGiven.length > 0 ? { firstName: casedGiven[0]! } : {}),
    ...(casedFamily.length > 0 ? { lastName: casedFamily.join(' ') } : {}),
    ...(fullName !== '' ? { fullName } : {}),
  };
}
