import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Comparison,
  IDENTITY_ELSE_MAX_M,
  type InputRecord,
  ORGANIZATION_COMPARISONS,
  PERSON_COMPARISONS,
  checkModel,
  comparisonLevels,
  comparisonsFor,
  constrainM,
  fitCalibration,
  holderTables,
  prepareRecords,
  resolve,
  standardiseDate,
  withDeterministicRules,
} from '../../../functions/domain/resolution/engine/index.js';

const byField = (list: readonly Comparison[], field: string): Comparison => list.find((c) => c.field === field)!;
const distribution = (k: number) =>
  fc
    .array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: k, maxLength: k })
    .map((xs) => xs.map((x) => x / xs.reduce((s, y) => s + y, 0)));

describe('constrained m (constrainM)', () => {
  const lastName = byField(PERSON_COMPARISONS, 'lastName');
  const street = byField(PERSON_COMPARISONS, 'street');

  it('holds the constraints for any m and u: a distribution, ratios falling, agreement ≥ u, identity else capped', () => {
    fc.assert(
      fc.property(distribution(4), distribution(4), (m, u) => {
        const out = constrainM(lastName, m, u);
        expect(out.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
        for (let l = 1; l < 4; l++) expect(out[l]! / u[l]!).toBeLessThanOrEqual((out[l - 1]! / u[l - 1]!) * (1 + 1e-9));
        for (let l = 0; l < 3; l++) expect(out[l]!).toBeGreaterThanOrEqual(u[l]! * (1 - 1e-9));
        expect(out[3]!).toBeLessThanOrEqual(IDENTITY_ELSE_MAX_M + 1e-9);
      }),
    );
  });

  it('turns a fit that learned the wrong class (disagreement likelier among matches) into one that argues against', () => {
    // EM inside a block of namesakes: "matches" that mostly disagree on the surname
    const out = constrainM(lastName, [0.1, 0.05, 0.05, 0.8], [0.01, 0.03, 0.06, 0.9]);
    expect(Math.log2(out[3]! / 0.9)).toBeLessThan(-2.5);
    expect(out[0]! / 0.01).toBeGreaterThan(1);
  });

  it('keeps "same street, other house number" as evidence against (m ≤ u)', () => {
    const out = constrainM(street, [0.5, 0.1, 0.1, 0.2, 0.05, 0.05], [0.001, 0.002, 0.003, 0.01, 0.02, 0.964]);
    expect(out[3]!).toBeLessThanOrEqual(0.01 + 1e-12);
  });
});

describe('frequency-aware identifiers', () => {
  function orgs(records: InputRecord['attributes'][]) {
    const input = records.map((attributes, i) => ({ id: `o${i}`, attributes }));
    const prepared = prepareRecords(
      'organization',
      input,
      input.map(() => 0 as const),
    );
    const comparisons = comparisonsFor('organization', prepared);
    return { prepared, comparisons, holders: holderTables('organization', comparisons, prepared) };
  }

  it('counts the distinct names holding a phone, and the strong-identifier rule needs a phone held by one name', () => {
    const sites = orgs([
      { name: 'Northgate Medical Centre Site A', phone: '020 7946 0000', street: '1 High St' },
      { name: 'Northgate Medical Centre Site B', phone: '020 7946 0000', street: '9 Mill Rd' },
      { name: 'Northgate Medical Centre Site C', phone: '020 7946 0000', street: '4 Park Ln' },
      { name: 'Quayside Bakery', phone: '020 7946 1111', street: '2 Quay' },
      { name: 'Quayside Bakery Ltd', phone: '020 7946 1111', street: '2 Quay' },
    ]);
    const phoneIndex = sites.comparisons.findIndex((c) => c.field === 'phone');
    expect([...sites.holders[phoneIndex]!.values()]).toEqual([3]);
    const holdersOf = (c: number, r: (typeof sites.prepared)[number]) =>
      sites.holders[c]?.get(sites.comparisons[c]!.exactValue!(r)) ?? 1;
    const rule = (i: number, j: number) => {
      const levels = new Int8Array(sites.comparisons.length);
      comparisonLevels(sites.comparisons, sites.prepared[i]!, sites.prepared[j]!, levels);
      return withDeterministicRules(
        'organization',
        sites.comparisons,
        levels,
        { weight: 0, probability: 0.5 },
        sites.prepared[i],
        sites.prepared[j],
        holdersOf,
      ).rule;
    };
    expect(rule(0, 1)).toBeNull();
    expect(rule(3, 4)).toBe('same phone and similar name');
  });

  it('keeps sites of one organisation apart although they share its phone and a name prefix', () => {
    const records: InputRecord[] = [];
    const streets = ['1 High St', '9 Mill Rd', '4 Park Ln', '12 Station Rd', '7 Church St', '3 Bridge St'];
    const towns = ['York', 'Leeds', 'Hull', 'Derby', 'Bath', 'Ripon'];
    for (let s = 0; s < 6; s++) {
      records.push({
        id: `site${s}`,
        attributes: { name: `Northgate Care Centre - ${towns[s]}`, phone: '020 7946 0000', street: streets[s] },
      });
    }
    // ordinary organisations with one duplicate each, so the model has matches to learn from
    for (let i = 0; i < 40; i++) {
      const name = `Company ${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i * 7) % 26))} ${i}`;
      const a = { name, phone: `0113 496 ${String(1000 + i)}`, street: `${i + 1} Market St`, city: 'Leeds' };
      records.push({ id: `c${i}`, attributes: a });
      if (i % 2 === 0) records.push({ id: `d${i}`, attributes: { ...a, name: `${name} Ltd` } });
    }
    const result = resolve({ kind: 'organization', records });
    const joined = result.pairs.filter((p) => p.id1.startsWith('site') && p.id2.startsWith('site'));
    expect(joined).toEqual([]);
    expect(result.pairs.filter((p) => p.id1.startsWith('c') && p.id2.startsWith('d')).length).toBe(20);
  });
});

describe('namesakes (common first name, town and gender)', () => {
  it('does not match people who share weak common fields but disagree on surname and birth date', () => {
    const records: InputRecord[] = [];
    const surnames = ['Okafor', 'Lindqvist', 'Barrow', 'Quinlan', 'Petrakis', 'Moreno', 'Halloran', 'Szabo'];
    for (let i = 0; i < 40; i++) {
      const person = {
        firstName: 'Mary',
        lastName: `${surnames[i % 8]}${i >= 8 ? ['', 'e', 's', 'ton', 'er'][i % 5] : ''}`,
        gender: 'F',
        city: 'Ely',
        postcode: 'CB7 4',
        birthDate: `${1930 + ((i * 7) % 70)}-0${1 + (i % 9)}-1${i % 9}`,
        street: `${i + 2} ${['Fore', 'Back', 'Lynn', 'Station'][i % 4]} Road`,
      };
      records.push({ id: `m${i}`, attributes: person });
      if (i % 4 === 0) records.push({ id: `n${i}`, attributes: { ...person, street: '' } });
    }
    const result = resolve({ kind: 'person', records });
    const wrong = result.pairs.filter((p) => p.id1.slice(1) !== p.id2.slice(1));
    expect(wrong).toEqual([]);
    expect(result.pairs.length).toBe(10);
    expect(result.model.check.ok).toBe(true);
  });
});

describe('model self-check', () => {
  it('flags a model under which near-certain pairs do not match, or random pairs match too often', () => {
    const fine = checkModel({
      anchorProbabilities: new Array(30).fill(0.99),
      randomProbabilities: new Array(4000).fill(0.001),
      threshold: 0.5,
      expectedRandomMatchRate: 0.001,
    });
    expect(fine.ok).toBe(true);
    const bad = checkModel({
      anchorProbabilities: [...new Array(20).fill(0.2), ...new Array(10).fill(0.9)],
      randomProbabilities: [...new Array(3400).fill(0.001), ...new Array(600).fill(0.9)],
      threshold: 0.5,
      expectedRandomMatchRate: 0.001,
    });
    expect(bad.ok).toBe(false);
    expect(bad.reasons).toHaveLength(2);
  });
});

describe('calibration on decisions', () => {
  it('moves the boundary towards what people answered and needs both kinds of answer', () => {
    // people reject pairs the model puts at +2 bits and confirm those at +6
    const weights = [2, 2.2, 1.8, 2.1, 6, 6.2, 5.8, 6.1];
    const matches = [false, false, false, false, true, true, true, true];
    const c = fitCalibration(weights, matches)!;
    expect(c.slope * 2 + c.offset).toBeLessThan(0);
    expect(c.slope * 6 + c.offset).toBeGreaterThan(0);
    expect(fitCalibration([1, 2], [true, true])).toBeNull();
  });

  it('stays bounded when the answers are separable far from the boundary', () => {
    const weights = [...new Array(40).fill(-30), ...new Array(60).fill(35), 0.5, -0.5];
    const matches = [...new Array(40).fill(false), ...new Array(60).fill(true), true, false];
    const c = fitCalibration(weights, matches)!;
    expect(Math.abs(c.offset)).toBeLessThan(8);
    expect(Number.isFinite(c.offset)).toBe(true);
  });

  it('lets rejected pairs pull borderline pairs below the threshold in a batch', () => {
    const records: InputRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const p = { firstName: `Ann${String.fromCharCode(97 + i)}`, lastName: `Lee${i}`, birthDate: `19${50 + i}-01-01` };
      records.push({ id: `a${i}`, attributes: p }, { id: `b${i}`, attributes: { ...p, city: 'York' } });
    }
    const before = resolve({ kind: 'person', records });
    const cannotLink = before.pairs.slice(0, 12).map((p) => [p.id1, p.id2] as [string, string]);
    const mustLink = before.pairs.slice(12, 14).map((p) => [p.id1, p.id2] as [string, string]);
    const after = resolve({ kind: 'person', records, constraints: { cannotLink, mustLink } });
    expect(after.model.calibration?.labels).toBe(14);
    expect(after.pairs.length).toBeLessThan(before.pairs.length);
  });
});

describe('review queue', () => {
  it('proposes undecided pairs nearest the threshold, one per comparison pattern first', () => {
    const records: InputRecord[] = [];
    for (let i = 0; i < 60; i++) {
      const p = { firstName: `Kim${i}`, lastName: `Tan${i % 30}`, birthDate: `19${40 + (i % 50)}-02-03`, city: 'Hull' };
      records.push({ id: `r${i}`, attributes: p });
      if (i % 3 === 0) records.push({ id: `s${i}`, attributes: { ...p, birthDate: `19${41 + (i % 50)}-02-03` } });
    }
    const first = resolve({ kind: 'person', records, reviewSize: 5 });
    expect(first.review.length).toBeGreaterThan(0);
    expect(first.review.length).toBeLessThanOrEqual(5);
    for (let k = 1; k < first.review.length; k++)
      expect(first.review[k]!.uncertainty).toBeLessThanOrEqual(first.review[k - 1]!.uncertainty + 1e-12);
    // no two proposals share a comparison pattern while patterns remain (here every proposal is a new one)
    const patterns = first.review.map((p) => p.explanation!.fields.map((f) => `${f.field}:${f.level}`).join('|'));
    expect(new Set(patterns).size).toBe(patterns.length);
    const decided = first.review.map((p) => [p.id1, p.id2] as [string, string]);
    const second = resolve({ kind: 'person', records, reviewSize: 5, constraints: { mustLink: decided } });
    const asked = new Set(decided.map(([a, b]) => `${a}|${b}`));
    for (const p of second.review) expect(asked.has(`${p.id1}|${p.id2}`)).toBe(false);
  });
});

describe('birth dates in the forms exports use', () => {
  it.each([
    ['19-Feb-91', '19910219'],
    ['Mar 1 1970', '19700301'],
    ['1 March 1970', '19700301'],
    ['21 12 1996', '19961221'],
    ['12/31/1980', '19801231'],
    ['1993-09-14', '19930914'],
    ['20010203', '20010203'],
    ['13/31/1980', ''],
    ['soon', ''],
  ])('reads %s as %s', (input, expected) => {
    expect(standardiseDate(input)).toBe(expected);
  });

  it('reads organisation comparisons without a city-in-name rule', () => {
    const prepared = prepareRecords(
      'organization',
      [{ id: 'x', attributes: { name: 'Spago (Las Vegas)', city: 'Las Vegas' } }],
      [0],
    );
    expect(prepared[0]!.orgName).toContain('las vegas');
    expect(ORGANIZATION_COMPARISONS.some((c) => c.field === 'name' && c.identity)).toBe(true);
  });
});

describe('decisions in EM', () => {
  it('lets rejected pairs train m: answers that two records with other first names differ lower m of that level', () => {
    const records: InputRecord[] = [];
    const firsts = ['Ann', 'Bea', 'Cid', 'Dov', 'Eli', 'Fay', 'Gus', 'Hal', 'Ivo', 'Jan'];
    for (let i = 0; i < 60; i++) {
      const p = {
        firstName: firsts[i % 10]!,
        lastName: `Quor${i}`,
        birthDate: `19${40 + (i % 50)}-03-0${1 + (i % 9)}`,
        city: `Town${i % 7}`,
        email: `q${i}@mail.example`,
      };
      records.push({ id: `a${i}`, attributes: p });
      // a sibling at the same address with another first name, or a true duplicate
      const other = i % 2 === 0 ? { ...p, firstName: firsts[(i + 5) % 10]! } : p;
      records.push({ id: `b${i}`, attributes: other });
    }
    const elseM = (r: ReturnType<typeof resolve>) =>
      r.model.comparisons.find((c) => c.field === 'firstName')!.levels.at(-1)!.m;
    const before = resolve({ kind: 'person', records });
    const cannotLink = Array.from({ length: 30 }, (_, k) => [`a${k * 2}`, `b${k * 2}`] as [string, string]);
    const after = resolve({ kind: 'person', records, constraints: { cannotLink } });
    expect(elseM(before)).toBeCloseTo(IDENTITY_ELSE_MAX_M, 6);
    expect(elseM(after)).toBeLessThan(IDENTITY_ELSE_MAX_M * 0.8);
  });
});
