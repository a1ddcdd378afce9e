/**
 * How a source writes values (its format profile) and the corruptions a data-entry step adds (typos).
 * Formatting is a rendering of the entity's true value; the generators record what they changed, so tests
 * can check every trap against the true value.
 */
import type { Rng } from './random.js';

export type DateFormat = 'iso' | 'dmy' | 'compact';
export type PhoneFormat = 'paren' | 'dash' | 'dots' | 'intl' | 'digits';
export type NameCase = 'title' | 'upper' | 'lower';

/** One source system's habits. The defaults below differ on every axis, so true duplicates differ too. */
export interface SourceFormat {
  name: string;
  /** Share of the records of a dedup table that come from this source (relative weight). */
  weight: number;
  nameCase: NameCase;
  /** `columns`: first/middle/last name columns; `last-first`: only `full_name` ("Smith, John A"). */
  nameLayout: 'columns' | 'last-first';
  middleName: 'full' | 'initial';
  dateFormat: DateFormat;
  phoneFormat: PhoneFormat;
  gender: 'letter' | 'word';
  streetTypes: 'long' | 'short';
  website: 'url' | 'www' | 'bare';
}

export const DEFAULT_DEDUP_SOURCES: readonly SourceFormat[] = [
  {
    name: 'salesforce',
    weight: 0.45,
    nameCase: 'title',
    nameLayout: 'columns',
    middleName: 'full',
    dateFormat: 'iso',
    phoneFormat: 'paren',
    gender: 'word',
    streetTypes: 'long',
    website: 'url',
  },
  {
    name: 'hubspot',
    weight: 0.35,
    nameCase: 'lower',
    nameLayout: 'columns',
    middleName: 'initial',
    dateFormat: 'dmy',
    phoneFormat: 'dash',
    gender: 'letter',
    streetTypes: 'short',
    website: 'bare',
  },
  {
    name: 'workday',
    weight: 0.2,
    nameCase: 'upper',
    nameLayout: 'last-first',
    middleName: 'full',
    dateFormat: 'compact',
    phoneFormat: 'intl',
    gender: 'letter',
    streetTypes: 'short',
    website: 'www',
  },
];

/** Two snapshots of one register: the later one was exported by another system with other habits. */
export const DEFAULT_LINK_SOURCES: readonly [SourceFormat, SourceFormat] = [
  { ...DEFAULT_DEDUP_SOURCES[0]!, name: 'snapshot-a', weight: 1 },
  {
    name: 'snapshot-b',
    weight: 1,
    nameCase: 'upper',
    nameLayout: 'columns',
    middleName: 'initial',
    dateFormat: 'dmy',
    phoneFormat: 'digits',
    gender: 'letter',
    streetTypes: 'short',
    website: 'www',
  },
];

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function formatDate(year: number, month: number, day: number, format: DateFormat): string {
  if (format === 'iso') return `${year}-${pad2(month)}-${pad2(day)}`;
  if (format === 'dmy') return `${pad2(day)}/${pad2(month)}/${year}`;
  return `${year}${pad2(month)}${pad2(day)}`;
}

/** A 10-digit North American number written the source's way. */
export function formatPhone(digits: string, format: PhoneFormat): string {
  const a = digits.slice(0, 3);
  const b = digits.slice(3, 6);
  const c = digits.slice(6);
  switch (format) {
    case 'paren':
      return `(${a}) ${b}-${c}`;
    case 'dash':
      return `${a}-${b}-${c}`;
    case 'dots':
      return `${a}.${b}.${c}`;
    case 'intl':
      return `+1 ${a} ${b} ${c}`;
    default:
      return digits;
  }
}

export function applyCase(value: string, nameCase: NameCase): string {
  if (nameCase === 'upper') return value.toUpperCase();
  if (nameCase === 'lower') return value.toLowerCase();
  return value;
}

export function formatWebsite(domain: string, style: SourceFormat['website']): string {
  if (style === 'url') return `https://www.${domain}/`;
  if (style === 'www') return `www.${domain}`;
  return domain;
}

const QWERTY_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const NEIGHBOURS: Record<string, string> = {};
for (let r = 0; r < QWERTY_ROWS.length; r++) {
  const row = QWERTY_ROWS[r]!;
  for (let i = 0; i < row.length; i++) {
    let near = (row[i - 1] ?? '') + (row[i + 1] ?? '');
    const above = QWERTY_ROWS[r - 1];
    const below = QWERTY_ROWS[r + 1];
    if (above) near += (above[i] ?? '') + (above[i + 1] ?? '');
    if (below) near += (below[i - 1] ?? '') + (below[i] ?? '');
    NEIGHBOURS[row[i]!] = near;
  }
}

export type TypoKind = 'substitution' | 'transposition' | 'deletion';

/**
 * One keying error: a neighbouring key, two adjacent letters swapped, or a letter dropped. The first letter is
 * rarely touched (people notice it), but sometimes, so blocking on a first letter is attacked too.
 */
export function typo(rng: Rng, value: string): { value: string; kind: TypoKind } | null {
  const letters: number[] = [];
  for (let i = 0; i < value.length; i++) if (/[a-z]/i.test(value[i]!)) letters.push(i);
  if (letters.length < 3) return null;
  for (let attempt = 0; attempt < 8; attempt++) {
    const kind: TypoKind = rng.pick(['substitution', 'substitution', 'transposition', 'deletion'] as const);
    const from = rng.chance(0.1) ? 0 : 1;
    const at = letters[rng.int(from, letters.length - 1)]!;
    const ch = value[at]!;
    if (kind === 'deletion') return { value: value.slice(0, at) + value.slice(at + 1), kind };
    if (kind === 'transposition') {
      const next = value[at + 1] ?? '';
      // Swapping a letter with a space or with itself changes nothing a reader would call a typo.
      if (!/[a-z]/i.test(next) || next.toLowerCase() === ch.toLowerCase()) continue;
      return { value: value.slice(0, at) + next + ch + value.slice(at + 2), kind };
    }
    const near = NEIGHBOURS[ch.toLowerCase()] ?? 'e';
    let sub = near[rng.int(0, near.length - 1)]!;
    if (ch !== ch.toLowerCase()) sub = sub.toUpperCase();
    return { value: value.slice(0, at) + sub + value.slice(at + 1), kind };
  }
  return null;
}
