import { existsSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ResolutionInputError,
  UnknownAttributeError,
  resolve,
  type InputRecord,
} from '../../../functions/domain/resolution/engine/index.js';
import {
  checkMappingAgainstHeader,
  parseColumnMapping,
  rowsToRecords,
} from '../../../functions/domain/resolution/mapping.js';
import { loadRecords, readCsv } from '../../../scripts/resolve.js';
import { aPerson } from './builders.js';

const FIRST = [
  'oliver',
  'amelia',
  'harry',
  'isla',
  'jack',
  'ava',
  'george',
  'mia',
  'noah',
  'ella',
  'leo',
  'grace',
  'oscar',
  'lily',
  'arthur',
  'freya',
  'henry',
  'ivy',
  'theo',
  'rose',
];
const LAST = [
  'taylor',
  'brown',
  'wilson',
  'evans',
  'thomas',
  'johnson',
  'roberts',
  'walker',
  'wright',
  'robinson',
  'thompson',
  'white',
  'hughes',
  'edwards',
  'green',
  'hall',
  'wood',
  'harris',
  'clarke',
  'jackson',
];
const CITY = ['leeds', 'york', 'bath', 'derby', 'hull', 'ely', 'wells', 'ripon'];

/** 120 distinct people, 40 of them with one noisy duplicate (typo in the surname, nickname, or missing city). */
function population(): { records: InputRecord[]; truth: Set<string> } {
  const records: InputRecord[] = [];
  const truth = new Set<string>();
  for (let i = 0; i < 120; i++) {
    // every person gets a distinct full name, as in real data where most full names are rare
    const first = FIRST[i % FIRST.length]!;
    const last = `${LAST[Math.floor(i / FIRST.length) % LAST.length]!}${['', 'son', 'ley', 'ton', 'well', 'ford'][i % 6]!}`;
    const dob = `19${50 + (i % 45)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + ((i * 5) % 28)).padStart(2, '0')}`;
    const city = CITY[(i * 3) % CITY.length]!;
    records.push(
      aPerson(
        { firstName: first, lastName: last, birthDate: dob, city, email: `${first}.${last}${i}@mail.example` },
        `r${i}`,
      ),
    );
    if (i % 3 === 0) {
      const variant =
        i % 2 === 0 ? { lastName: `${last.slice(0, -1)}${last.endsWith('e') ? 'a' : 'e'}` } : { city: '' };
      records.push(
        aPerson(
          {
            firstName: first,
            lastName: last,
            birthDate: dob,
            city,
            email: `${first}.${last}${i}@mail.example`,
            ...variant,
          },
          `d${i}`,
        ),
      );
      truth.add(`d${i}|r${i}`);
    }
  }
  return { records, truth };
}

describe('resolve (dedup)', () => {
  it('finds the duplicates of a small noisy population without false positives', () => {
    const { records, truth } = population();
    const result = resolve({ kind: 'person', records });
    const found = new Set(result.pairs.map((p) => `${p.id1}|${p.id2}`));
    const tp = [...found].filter((p) => truth.has(p)).length;
    expect(tp / truth.size).toBeGreaterThan(0.95);
    expect(tp / found.size).toBeGreaterThan(0.95);
    expect(result.stats.candidatePairs).toBeLessThan((records.length * (records.length - 1)) / 2 / 4);
    expect(result.clusters.reduce((s, c) => s + c.recordIds.length, 0)).toBe(records.length);
  });

  it('explains each match field by field with levels and weights', () => {
    const { records } = population();
    const result = resolve({ kind: 'person', records });
    const pair = result.pairs.find((p) => p.id1 === 'd0' && p.id2 === 'r0');
    expect(pair?.explanation).toBeDefined();
    const fields = pair!.explanation!.fields.map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['firstName', 'lastName', 'birthDate', 'email']));
    const total =
      pair!.explanation!.priorWeight + pair!.explanation!.fields.reduce((s, f) => s + f.weight + f.tfAdjustment, 0);
    expect(total).toBeCloseTo(pair!.weight, 6);
  });

  it('builds golden records for multi-record clusters when asked', () => {
    const { records } = population();
    const result = resolve({ kind: 'person', records, goldenRecords: true });
    const cluster = result.clusters.find((c) => c.recordIds.includes('r3'));
    expect(cluster?.golden?.attributes.city).toBeTruthy();
    expect(cluster?.golden?.provenance.firstName?.recordId).toMatch(/^[rd]3$/);
  });

  it('rejects duplicate record ids', () => {
    expect(() => resolve({ kind: 'person', records: [aPerson({}, 'x'), aPerson({}, 'x')] })).toThrow(
      ResolutionInputError,
    );
  });
});

describe('resolve (link)', () => {
  it('links each left record to at most one right record', () => {
    const { records } = population();
    const left = records.filter((r) => r.id.startsWith('r'));
    const right = records.filter((r) => r.id.startsWith('d')).map((r) => ({ ...r, id: `b${r.id}` }));
    const result = resolve({ kind: 'person', mode: 'link', left, right });
    const lefts = result.pairs.map((p) => p.id1);
    expect(new Set(lefts).size).toBe(lefts.length);
    expect(result.pairs.length).toBeGreaterThanOrEqual(38);
    expect(result.pairs.every((p) => p.id2 === `bd${p.id1.slice(1)}`)).toBe(true);
  });
});

describe('column mapping', () => {
  it('rejects an attribute the entity kind does not have', () => {
    expect(() => parseColumnMapping('name=birthDate', 'organization')).toThrow(UnknownAttributeError);
    expect(() => parseColumnMapping('name', 'organization')).toThrow(ResolutionInputError);
  });

  it('joins several columns mapped to one attribute and ignores unmapped ones', () => {
    const mapping = parseColumnMapping('no=street,road=street,nm=name', 'organization');
    const [record] = rowsToRecords([{ id: '1', no: '12', road: 'Main St', nm: 'Acme', other: 'x' }], mapping, 'id');
    expect(record).toEqual({ id: '1', attributes: { street: '12 Main St', name: 'Acme' } });
  });

  it('names the mapped columns missing from the header', () => {
    const mapping = parseColumnMapping('nm=name,tel=phone', 'organization');
    expect(() => checkMappingAgainstHeader(mapping, ['rec_id', 'nm'], 'rec_id', 'a.csv')).toThrow(/"tel"/);
  });
});
