/**
 * A small dense two-phase simplex for min c·x subject to A·x = b, x ≥ 0: the marking-equation heuristic of the
 * alignments solves one such LP per search state it cannot derive from its parent. The LPs there have some tens to
 * a few hundred rows and columns with small integer coefficients, and a search solves thousands of them. The LP
 * packages on npm either build a model object per solve (javascript-lp-solver, yalps: that construction would cost
 * more than these solves) or are WebAssembly builds with their own memory to manage (glpk.js, highs); a dense
 * tableau on typed arrays is short, and fast at these sizes.
 *
 * Pivoting: Dantzig's rule (most negative reduced cost), switching to Bland's rule (lowest index) after a run of
 * degenerate pivots so the method cannot cycle; ratio-test ties go to the lowest basic column.
 */

export interface LpSolution {
  /** The optimal objective value. */
  value: number;
  /** An optimal vertex. */
  x: Float64Array;
}

const EPS = 1e-9;

/**
 * Solves min c·x, A·x = b, x ≥ 0 with A given row-major (`rows` × `cols`). Returns null when the constraints have
 * no solution, `'unbounded'` when the objective has no lower bound, and `'limit'` when `maxPivots` pivots did not
 * reach the optimum.
 */
export function solveLp(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  rows: number,
  cols: number,
  maxPivots = 50_000,
): LpSolution | null | 'unbounded' | 'limit' {
  // Tableau: `rows` constraint rows then the objective row; columns: x, one artificial per row, right-hand side.
  const width = cols + rows + 1;
  const rhs = width - 1;
  const t = new Float64Array((rows + 1) * width);
  const basis = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const sign = b[i]! < 0 ? -1 : 1;
    const row = i * width;
    for (let j = 0; j < cols; j++) t[row + j] = sign * a[i * cols + j]!;
    t[row + cols + i] = 1;
    t[row + rhs] = sign * b[i]!;
    basis[i] = cols + i;
  }
  const obj = rows * width;
  let pivots = 0;

  const pivot = (pr: number, pc: number) => {
    const prow = pr * width;
    const inv = 1 / t[prow + pc]!;
    for (let j = 0; j < width; j++) t[prow + j]! *= inv;
    t[prow + pc] = 1;
    for (let r = 0; r <= rows; r++) {
      if (r === pr) continue;
      const row = r * width;
      const f = t[row + pc]!;
      if (f === 0) continue;
      for (let j = 0; j < width; j++) {
        const v = t[prow + j]!;
        if (v !== 0) t[row + j]! -= f * v;
      }
      t[row + pc] = 0;
    }
    basis[pr] = pc;
    pivots++;
  };

  /** Runs the simplex on the current objective row over the columns `allowed` says may enter. */
  const optimise = (allowed: (j: number) => boolean): 'optimal' | 'unbounded' | 'limit' => {
    let degenerate = 0;
    for (;;) {
      if (pivots >= maxPivots) return 'limit';
      const bland = degenerate > rows;
      let pc = -1;
      let best = -EPS;
      for (let j = 0; j < rhs; j++) {
        const r = t[obj + j]!;
        if (r < best && allowed(j)) {
          pc = j;
          if (bland) break;
          best = r;
        }
      }
      if (pc < 0) return 'optimal';
      let pr = -1;
      let ratio = Number.POSITIVE_INFINITY;
      for (let i = 0; i < rows; i++) {
        const v = t[i * width + pc]!;
        if (v <= EPS) continue;
        const q = t[i * width + rhs]! / v;
        if (q < ratio - EPS || (q <= ratio + EPS && pr >= 0 && basis[i]! < basis[pr]!)) {
          ratio = q;
          pr = i;
        }
      }
      if (pr < 0) return 'unbounded';
      degenerate = ratio <= EPS ? degenerate + 1 : 0;
      pivot(pr, pc);
    }
  };

  // Phase 1: minimise the sum of the artificials (objective row = −Σ rows on the x columns).
  for (let i = 0; i < rows; i++) {
    const row = i * width;
    for (let j = 0; j < cols; j++) t[obj + j]! -= t[row + j]!;
    t[obj + rhs]! -= t[row + rhs]!;
  }
  const phase1 = optimise((j) => j < cols);
  if (phase1 === 'limit') return 'limit';
  if (-t[obj + rhs]! > 1e-7) return null;
  // Artificials still basic at level 0: pivot them out on any usable x column; a row without one is redundant.
  const redundant = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    if (basis[i]! < cols) continue;
    let pc = -1;
    for (let j = 0; j < cols; j++) {
      if (Math.abs(t[i * width + j]!) > EPS) {
        pc = j;
        break;
      }
    }
    if (pc >= 0) pivot(i, pc);
    else redundant[i] = 1;
  }
  // Phase 2: reduced costs of c for the current basis.
  for (let j = 0; j < width; j++) t[obj + j] = j < cols ? c[j]! : 0;
  for (let i = 0; i < rows; i++) {
    const bj = basis[i]!;
    if (redundant[i] || bj >= cols) continue;
    const cb = c[bj]!;
    if (cb === 0) continue;
    const row = i * width;
    for (let j = 0; j < width; j++) t[obj + j]! -= cb * t[row + j]!;
  }
  const phase2 = optimise((j) => j < cols);
  if (phase2 !== 'optimal') return phase2;
  const x = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const bj = basis[i]!;
    if (bj < cols) x[bj] = t[i * width + rhs]!;
  }
  let value = 0;
  for (let j = 0; j < cols; j++) value += c[j]! * x[j]!;
  return { value, x };
}
