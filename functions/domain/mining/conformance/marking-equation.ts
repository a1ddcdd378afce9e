/**
 * The marking-equation heuristic of alignments (van Dongen; Adriansyah et al.): a lower bound on the cost of the
 * rest of an alignment from state (marking M, trace position i) as the LP
 *
 *   min Σ cost·z  subject to  M + C·(x + s) = M_final,   Σ_{t labelled a} s_t + y_a = k_a(i) for each label a,
 *   z = (x, s, y) ≥ 0,
 *
 * where x counts model moves per transition (cost 10 000 visible, 1 silent), s synchronous moves per visible
 * transition whose label the trace has (cost 0), y log moves per label (cost 10 000), C is the net's incidence
 * matrix and k_a(i) the events labelled a at positions ≥ i. Every alignment of the rest is an integer solution
 * (the order of the moves dropped), so the optimum bounds its cost; no solution means the final marking cannot be
 * reached from M at all. Events whose activity the net lacks are log moves whatever happens; the caller adds them.
 */
import type { CompiledNet } from './compiled-net.js';
import { solveLp } from './simplex.js';
import { DEVIATION_COST, SILENT_COST } from './costs.js';

export interface MarkingEquationSolution {
  /** The LP optimum rounded up to a whole cost (costs are integers), less a rounding margin. */
  bound: number;
  /** The optimal solution, by column (see `modelColumn`, `syncColumn`, `logColumn`). */
  x: Float64Array;
}

/** The marking equation of one net and one trace's labels: the matrix is built once, the right-hand side per state. */
export class MarkingEquation {
  private readonly rows: number;
  private readonly cols: number;
  private readonly a: Float64Array;
  private readonly c: Float64Array;
  private readonly syncOf: Int32Array;
  private readonly logOf: Int32Array;
  /** Label indices that have a row, in row order after the place rows. */
  private readonly rowLabels: number[];

  /** @param traceLabels the label indices (in `net.labels`) that occur in the trace */
  constructor(
    private readonly net: CompiledNet,
    traceLabels: ReadonlySet<number>,
  ) {
    const places = net.placeIds.length;
    const transitions = net.transitions;
    this.rowLabels = [...traceLabels].sort((x, y) => x - y);
    const labelRow = new Map(this.rowLabels.map((l, i) => [l, places + i]));
    this.syncOf = new Int32Array(transitions.length).fill(-1);
    this.logOf = new Int32Array(net.labels.length).fill(-1);
    let cols = transitions.length;
    for (const t of transitions) if (t.labelIndex >= 0 && labelRow.has(t.labelIndex)) this.syncOf[t.index] = cols++;
    for (const l of this.rowLabels) this.logOf[l] = cols++;
    this.rows = places + this.rowLabels.length;
    this.cols = cols;
    this.a = new Float64Array(this.rows * cols);
    this.c = new Float64Array(cols);
    const column = (t: (typeof transitions)[number], j: number) => {
      t.inPlaces.forEach((p, k) => {
        this.a[p * cols + j]! -= t.inWeights[k]!;
      });
      t.outPlaces.forEach((p, k) => {
        this.a[p * cols + j]! += t.outWeights[k]!;
      });
    };
    for (const t of transitions) {
      column(t, t.index);
      this.c[t.index] = t.labelIndex < 0 ? SILENT_COST : DEVIATION_COST;
      const sj = this.syncOf[t.index]!;
      if (sj >= 0) {
        column(t, sj);
        this.a[labelRow.get(t.labelIndex)! * cols + sj] = 1;
      }
    }
    for (const l of this.rowLabels) {
      const yj = this.logOf[l]!;
      this.a[labelRow.get(l)! * cols + yj] = 1;
      this.c[yj] = DEVIATION_COST;
    }
  }

  modelColumn(transition: number): number {
    return transition;
  }

  syncColumn(transition: number): number {
    return this.syncOf[transition]!;
  }

  logColumn(label: number): number {
    return this.logOf[label]!;
  }

  /**
   * Solves the LP for marking `m` with `remaining(l)` events of label l left. Null when it has no solution (the
   * final marking is unreachable from m), undefined when the solver gave up (the caller keeps its weaker bound).
   */
  solve(m: Int32Array, remaining: (label: number) => number): MarkingEquationSolution | null | undefined {
    const places = this.net.placeIds.length;
    const b = new Float64Array(this.rows);
    for (let p = 0; p < places; p++) b[p] = this.net.final[p]! - m[p]!;
    this.rowLabels.forEach((l, i) => {
      b[places + i] = remaining(l);
    });
    const r = solveLp(this.a, b, this.c, this.rows, this.cols);
    if (r === null) return null;
    if (r === 'unbounded' || r === 'limit') return undefined;
    return { bound: Math.max(0, Math.ceil(r.value - 1e-6)), x: r.x };
  }
}
