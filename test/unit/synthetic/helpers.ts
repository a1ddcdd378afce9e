/** Readers of generated records that undo the source formats, so tests compare true values. */
import type { SyntheticDataset, SyntheticRecord } from '../../../local/synthetic/index.js';

export const allRecords = (ds: SyntheticDataset): SyntheticRecord[] =>
  ds.mode === 'dedup' ? ds.records : [...ds.left, ...ds.right];

export function recordIndex(ds: SyntheticDataset): Map<string, SyntheticRecord> {
  return new Map(allRecords(ds).map((r) => [r.id, r]));
}

const SUFFIX = / (jr|sr)$/;

/** First and last name, lower case, Jr/Sr dropped, from the name columns or "Last, First Middle". */
export function personName(r: SyntheticRecord): { first: string; last: string } {
  const a = r.attributes;
  if (a.full_name) {
    const full = a.full_name.toLowerCase().replace(SUFFIX, '');
    const comma = full.indexOf(',');
    return {
      last: full.slice(0, comma).trim(),
      first: full
        .slice(comma + 1)
        .trim()
        .split(' ')[0]!,
    };
  }
  return { first: a.first_name!.toLowerCase(), last: a.last_name!.toLowerCase().replace(SUFFIX, '') };
}

/** Birth date as YYYY-MM-DD from the ISO, D/M/Y and compact forms the sources write; '' when empty. */
export function isoDate(value: string): string {
  if (value === '') return '';
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
  if (m) return `${m[3]}-${m[2]}-${m[1]}`;
  throw new Error(`not a generated date: ${value}`);
}

export const digits = (s: string): string => s.replace(/\D/g, '').replace(/^1(\d{10})$/, '$1');

/** House number and first street word, lower case ("12 Oak St" and "12 OAK STREET" agree). */
export function streetKey(street: string): string {
  return street.toLowerCase().split(' ').slice(0, 2).join(' ');
}

/** Domain of a website in any of the written forms. */
export const websiteDomain = (w: string): string =>
  w
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/$/, '');

/** The first record written of each entity (no record trap applies to it, only `missing` and formats). */
export function firstRecords(ds: SyntheticDataset): Map<string, SyntheticRecord> {
  const first = new Map<string, SyntheticRecord>();
  for (const r of allRecords(ds)) if (r.origId.endsWith('-0')) first.set(r.entityId, r);
  return first;
}

/** Binomial tolerance: an observed share within 4.5 standard deviations (plus one count) of the rate. */
export function closeToRate(affected: number, eligible: number, rate: number): boolean {
  const sd = Math.sqrt(eligible * rate * (1 - rate));
  return Math.abs(affected - rate * eligible) <= 4.5 * sd + 1;
}
