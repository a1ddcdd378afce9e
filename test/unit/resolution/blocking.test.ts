import { describe, expect, it } from 'vitest';
import {
  blockingRulesFor,
  generateCandidatePairs,
  prepareRecords,
  type InputRecord,
} from '../../../functions/domain/resolution/engine/index.js';
import { aPerson } from './builders.js';

function pairsOf(records: InputRecord[], mode: 'dedup' | 'link' = 'dedup', sides?: (0 | 1)[], maxBlockSize?: number) {
  const prepared = prepareRecords('person', records, sides ?? records.map(() => 0));
  const result = generateCandidatePairs(
    'person',
    mode,
    prepared,
    blockingRulesFor('person', prepared),
    maxBlockSize ? { maxBlockSize } : {},
  );
  const set = new Set<string>();
  for (let p = 0; p < result.count; p++)
    set.add(`${records[result.pairs[p * 2]!]!.id}-${records[result.pairs[p * 2 + 1]!]!.id}`);
  return { set, result };
}

/** Records that share nothing useful with each other, to pad blocks without creating pairs by accident. */
function strangers(count: number): InputRecord[] {
  const names = [
    'alvarez',
    'brennan',
    'cho',
    'dimitrov',
    'eriksen',
    'fontaine',
    'gupta',
    'haddad',
    'ivanova',
    'jensen',
    'kowalski',
    'lindqvist',
  ];
  return Array.from({ length: count }, (_, i) =>
    aPerson(
      {
        firstName: `given${String.fromCharCode(97 + (i % 26))}${i}`,
        lastName: `${names[i % names.length]}${'x'.repeat(i)}`,
        birthDate: `19${10 + i}-0${1 + (i % 9)}-1${i % 9}`,
        city: `town${i}`,
      },
      `s${i}`,
    ),
  );
}

describe('generateCandidatePairs', () => {
  it('pairs records whose given and family names are swapped', () => {
    const records = [
      aPerson({ firstName: 'kouba', lastName: 'georgia', birthDate: '' }, 'a'),
      ...strangers(12),
      aPerson({ firstName: 'georgia', lastName: 'kouba', birthDate: '' }, 'b'),
    ];
    expect(pairsOf(records).set.has('a-b')).toBe(true);
  });

  it('pairs a misspelt surname through the birth date', () => {
    const records = [
      aPerson({ lastName: 'thompson', firstName: 'ann', birthDate: '1971-03-04' }, 'a'),
      ...strangers(12),
      aPerson({ lastName: 'tomsen', firstName: 'anne', birthDate: '1971-03-04' }, 'b'),
    ];
    expect(pairsOf(records).set.has('a-b')).toBe(true);
  });

  it('does not pair records that share no blocking key and sort far apart', () => {
    const records = [
      aPerson({ firstName: 'aaron', lastName: 'abbott', birthDate: '1950-01-01', city: 'york' }, 'a'),
      ...strangers(12),
      aPerson({ firstName: 'zoe', lastName: 'zimmer', birthDate: '1999-12-31', city: 'bath' }, 'b'),
    ];
    expect(pairsOf(records).set.has('a-b')).toBe(false);
  });

  it('keeps only cross-table pairs in link mode', () => {
    const records = [aPerson({}, 'l1'), aPerson({}, 'l2'), aPerson({}, 'r1')];
    const { set } = pairsOf(records, 'link', [0, 0, 1]);
    expect(set.has('l1-l2')).toBe(false);
    expect(set.has('l1-r1')).toBe(true);
    expect(set.has('l2-r1')).toBe(true);
  });

  it('reports every pair once even when several rules produce it', () => {
    const records = [aPerson({}, 'a'), aPerson({}, 'b')];
    const { result } = pairsOf(records);
    expect(result.count).toBe(1);
    expect(Object.values(result.perRule).reduce((s, x) => s + x, 0)).toBe(1);
    expect(result.pairsByRule.filter((p) => p.length > 0).length).toBeGreaterThan(1);
  });

  it('windows an oversized block instead of expanding it quadratically', () => {
    const same = Array.from({ length: 40 }, (_, i) =>
      aPerson({ firstName: 'john', lastName: 'smith', birthDate: '1980-01-02', city: `c${i}` }, `x${i}`),
    );
    const full = pairsOf(same).result.count;
    const capped = pairsOf(same, 'dedup', undefined, 10).result.count;
    expect(full).toBe((40 * 39) / 2);
    expect(capped).toBeLessThan(full / 4);
    // by default a key of more than 50 records is windowed too
    const many = Array.from({ length: 120 }, (_, i) =>
      aPerson({ firstName: 'john', lastName: 'smith', birthDate: '1980-01-02', city: `c${i}` }, `y${i}`),
    );
    expect(pairsOf(many).result.count).toBeLessThan((120 * 119) / 2 / 4);
  });
});
