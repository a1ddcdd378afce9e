import { describe, expect, it } from 'vitest';
import {
  type Comparison,
  type FittedModel,
  estimateMByEm,
  estimateU,
  prepareRecords,
  scoreLevels,
  seededRandom,
  termFrequencyTables,
  PERSON_COMPARISONS,
} from '../../../functions/domain/resolution/engine/index.js';
import { aPerson } from './builders.js';

const fake = (field: string, levels: number): Comparison => ({
  field,
  levels: Array.from({ length: levels }, (_, l) => `l${l}`),
  present: () => true,
  level: () => 0,
});

describe('estimateMByEm', () => {
  it('recovers m and lambda of a synthetic two-class mixture with u fixed', () => {
    const comparisons = [fake('a', 3), fake('b', 3), fake('c', 2)];
    const trueM = [
      [0.8, 0.15, 0.05],
      [0.7, 0.2, 0.1],
      [0.9, 0.1],
    ];
    const u = [
      [0.01, 0.09, 0.9],
      [0.02, 0.08, 0.9],
      [0.1, 0.9],
    ];
    const lambda = 0.1;
    const random = seededRandom(7);
    const draw = (p: number[]): number => {
      let r = random();
      for (let l = 0; l < p.length; l++) if ((r -= p[l]!) < 0) return l;
      return p.length - 1;
    };
    const counts = new Map<string, { levels: Int8Array; count: number }>();
    for (let i = 0; i < 40_000; i++) {
      const match = random() < lambda;
      const v = Int8Array.from(comparisons.map((_, c) => draw(match ? trueM[c]! : u[c]!)));
      const key = v.join(',');
      const e = counts.get(key);
      if (e) e.count++;
      else counts.set(key, { levels: v, count: 1 });
    }
    const fit = estimateMByEm(comparisons, counts.values(), u);
    expect(fit.converged).toBe(true);
    expect(fit.lambda).toBeCloseTo(lambda, 2);
    for (let c = 0; c < comparisons.length; c++) {
      for (let l = 0; l < trueM[c]!.length; l++) expect(Math.abs(fit.m[c]![l]! - trueM[c]![l]!)).toBeLessThan(0.03);
    }
  });

  it('never lets lambda exceed the bound it is given', () => {
    const comparisons = [fake('a', 2), fake('b', 2)];
    const patterns = [
      { levels: Int8Array.from([0, 0]), count: 900 },
      { levels: Int8Array.from([1, 1]), count: 100 },
    ];
    const fit = estimateMByEm(
      comparisons,
      patterns,
      [
        [0.01, 0.99],
        [0.01, 0.99],
      ],
      { maxLambda: 0.05 },
    );
    expect(fit.lambda).toBeLessThanOrEqual(0.05);
  });
});

describe('estimateU and term frequencies', () => {
  const records = [
    ...Array.from({ length: 8 }, (_, i) => aPerson({ lastName: 'smith', firstName: `f${i}` }, `s${i}`)),
    aPerson({ lastName: 'zelazny', firstName: 'roger' }, 'z1'),
    aPerson({ lastName: 'zelazny', firstName: 'rogers' }, 'z2'),
  ];
  const prepared = prepareRecords(
    'person',
    records,
    records.map(() => 0),
  );
  const comparisons = PERSON_COMPARISONS.filter((c) => c.field === 'lastName');

  it('derives the exact-agreement u from value frequencies', () => {
    const u = estimateU(comparisons, prepared, 'dedup', 1000, seededRandom(1));
    // 8 smiths and 2 zelaznys among 10 records: (8*7 + 2*1) / (10*9)
    expect(u[0]![0]!).toBeCloseTo((8 * 7 + 2) / 90, 10);
    expect(u[0]!.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 10);
  });

  it('gives agreement on a rare surname more weight than on a common one', () => {
    const u = estimateU(comparisons, prepared, 'dedup', 1000, seededRandom(1));
    const model: FittedModel = {
      lambda: 0.1,
      comparisons,
      m: [[0.9, 0.05, 0.03, 0.02]],
      u,
      emIterations: 0,
      emConverged: true,
      termFrequencies: termFrequencyTables(comparisons, prepared),
    };
    const smiths = scoreLevels(model, prepared[0]!, prepared[1]!, Int8Array.from([0]));
    const zelaznys = scoreLevels(model, prepared[8]!, prepared[9]!, Int8Array.from([0]));
    expect(zelaznys.weight).toBeGreaterThan(smiths.weight + 1);
  });
});
