import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveLp } from '../../../../functions/domain/mining/conformance/simplex.js';

/**
 * The optimum by enumeration: an LP with a solution has an optimal one whose support is a set of linearly
 * independent columns, so solve A_S·x_S = b for every such column set S (Gaussian elimination, consistent systems
 * only) and keep the cheapest non-negative solution. Tiny LPs only.
 */
function bruteForce(a: number[][], b: number[], c: number[]): number | null {
  const rows = a.length;
  const cols = c.length;
  let best: number | null = null;
  const solve = (picked: number[]): number[] | null => {
    const m = a.map((row, i) => [...picked.map((j) => row[j]!), b[i]!]);
    const k = picked.length;
    let r = 0;
    for (let col = 0; col < k; col++, r++) {
      let piv = -1;
      for (let i = r; i < rows; i++) if (Math.abs(m[i]![col]!) > 1e-9) piv = piv < 0 ? i : piv;
      if (piv < 0) return null; // dependent columns
      [m[r], m[piv]] = [m[piv]!, m[r]!];
      for (let i = 0; i < rows; i++) {
        if (i === r) continue;
        const f = m[i]![col]! / m[r]![col]!;
        for (let j = 0; j <= k; j++) m[i]![j]! -= f * m[r]![j]!;
      }
    }
    for (let i = k; i < rows; i++) if (Math.abs(m[i]![k]!) > 1e-9) return null; // inconsistent
    return picked.map((_, i) => m[i]![k]! / m[i]![i]!);
  };
  const choose = (start: number, picked: number[]) => {
    const x = solve(picked);
    if (x && x.every((v) => v >= -1e-9)) {
      const value = x.reduce((s, v, i) => s + v * c[picked[i]!]!, 0);
      if (best === null || value < best) best = value;
    }
    if (picked.length === Math.min(rows, cols)) return;
    for (let j = start; j < cols; j++) choose(j + 1, [...picked, j]);
  };
  choose(0, []);
  return best;
}

const flat = (a: number[][]) => Float64Array.from(a.flat());

describe('solveLp', () => {
  it('solves a small LP with its optimal vertex', () => {
    // min x + 2y s.t. x + y = 3, x − y = 1 → x = 2, y = 1, value 4.
    const r = solveLp(
      flat([
        [1, 1],
        [1, -1],
      ]),
      Float64Array.from([3, 1]),
      Float64Array.from([1, 2]),
      2,
      2,
    );
    expect(r).not.toBeNull();
    expect(typeof r === 'object' && r && r.value).toBeCloseTo(4, 9);
    expect(typeof r === 'object' && r && [...r.x]).toEqual([2, 1]);
  });

  it('says when the constraints have no solution', () => {
    // x + y = −1 with x, y ≥ 0.
    expect(solveLp(flat([[1, 1]]), Float64Array.from([-1]), Float64Array.from([1, 1]), 1, 2)).toBeNull();
  });

  it('says when the objective is unbounded', () => {
    // min −x s.t. x − y = 0: x = y can grow without end.
    expect(solveLp(flat([[1, -1]]), Float64Array.from([0]), Float64Array.from([-1, 0]), 1, 2)).toBe('unbounded');
  });

  it('copes with redundant rows', () => {
    const r = solveLp(
      flat([
        [1, 1],
        [2, 2],
      ]),
      Float64Array.from([2, 4]),
      Float64Array.from([1, 3]),
      2,
      2,
    );
    expect(typeof r === 'object' && r && r.value).toBeCloseTo(2, 9);
  });

  it('finds the optimum that enumerating every basic solution finds, on random small LPs', () => {
    const lp = fc
      .record({ rows: fc.integer({ min: 1, max: 3 }), cols: fc.integer({ min: 2, max: 6 }) })
      .chain(({ rows, cols }) =>
        fc.record({
          a: fc.array(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: cols, maxLength: cols }), {
            minLength: rows,
            maxLength: rows,
          }),
          b: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: rows, maxLength: rows }),
          // Non-negative costs, as in the marking equation: the optimum is bounded whenever it exists.
          c: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: cols, maxLength: cols }),
        }),
      );
    fc.assert(
      fc.property(lp, ({ a, b, c }) => {
        const r = solveLp(flat(a), Float64Array.from(b), Float64Array.from(c), a.length, c.length);
        const expected = bruteForce(a, b, c);
        if (expected === null) expect(r).toBeNull();
        else {
          expect(r !== null && typeof r === 'object').toBe(true);
          if (r && typeof r === 'object') {
            expect(r.value).toBeCloseTo(expected, 7);
            a.forEach((row, i) => {
              expect(row.reduce((s, v, j) => s + v * r.x[j]!, 0)).toBeCloseTo(b[i]!, 7);
            });
            expect([...r.x].every((v) => v >= -1e-9)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
