/**
 * Optimal alignments of traces with a Petri net (Adriansyah, van Dongen, van der Aalst; Process Mining 2nd ed.
 * §8.3): A* over the synchronous product of the trace and the net, a state being (marking, trace position).
 *
 * Costs (the standard cost function, in integers as pm4py keeps them): a log move (an event the model does not
 * follow) and a model move on a visible transition (an activity the trace skipped) cost 10 000, a model move on a
 * silent transition costs 1, a synchronous move 0. The 1 stands for an epsilon: among alignments with the fewest
 * deviations, the one with the fewest silent moves wins, and as long as an alignment has fewer than 10 000 silent
 * moves the deviation count is `floor(cost / 10 000)`.
 *
 * Fitness, as pm4py computes it, with `modelRunCost` the cost of the cheapest run of the model alone from the
 * initial to the final marking (aligning the empty trace):
 * - trace: 1 − floor(cost / 10 000) / (|σ| + floor(modelRunCost / 10 000)), i.e. 1 − deviations / (trace length +
 *   visible steps of the shortest model run);
 * - log: 1 − Σ cost / Σ (10 000·|σ| + modelRunCost) over the aligned traces, with the raw integer costs (the silent
 *   epsilons stay in this sum, which is why the figure is not a simple ratio of deviation counts).
 *
 * Heuristic, in two steps (docs/process-mining.md, "Alignments", states the bounds in full). First cheap bounds: in
 * deviation units u + max(0, f, d − (k − u)), plus the silent firings s, where k is the number of events left, u of
 * them can never be matched any more (no transition with their label is reachable from the marked places in the
 * net's graph), d bounds the visible firings the model still needs (every token off the final marking starts a
 * chain of firings to a final-marking place, crossing at least `dist(place)` visible transitions), f the model moves
 * forced by tokens that only visible transitions with labels absent from the rest of the trace consume, and s the
 * silent firings forced by tokens only silent transitions consume. A trace those do not settle within
 * FAST_SEARCH_STATES is searched again with the marking equation too (marking-equation.ts), pm4py's heuristic: where
 * many silent steps are concurrent the cheap bounds leave every interleaving open, the LP's solution points a way. All bounds are
 * admissible; a closed state reached again more cheaply is reopened, so the alignment found is optimal. A search that
 * expands more than `maxStates` states (or solves MAX_LP_SOLVES LPs) stops and reports `alignmentTimedOut` for its
 * trace, which then counts in no figure.
 *
 * Each distinct variant is aligned once; markings, their enabled transitions and heuristic parts are shared across
 * the variants of one net.
 */
import { ValidationError } from '../../errors.js';
import type { EventLog } from '../log.js';
import type { PetriNet } from '../petri-net.js';
import { type CompiledNet, compileNet, fire, groupVariants, isEnabled, markingKey } from './compiled-net.js';
import { DEVIATION_COST, SILENT_COST } from './costs.js';
import { MarkingEquation } from './marking-equation.js';

export { DEVIATION_COST, SILENT_COST } from './costs.js';

export interface AlignmentOptions {
  /** States a trace's search may expand before it gives up on that trace (default 200 000). */
  maxStates?: number;
}

/** One step of an alignment. */
export type AlignmentMove =
  | { kind: 'sync'; activity: string; transitionId: string }
  /** An event the model does not follow. */
  | { kind: 'log'; activity: string }
  /** A visible transition the trace skipped. */
  | { kind: 'model'; activity: string; transitionId: string }
  | { kind: 'silent'; transitionId: string };

/** The alignment of one activity sequence; shared by every trace of the variant (treat as read-only). */
export interface VariantAlignment {
  activities: readonly string[];
  /** True when the search hit its state budget; cost, fitness and moves are then null. */
  alignmentTimedOut: boolean;
  /** Raw cost in the integer units above. */
  cost: number | null;
  /** Log moves plus visible model moves. */
  deviations: number | null;
  fitness: number | null;
  /** No deviation (fitness 1). */
  fits: boolean;
  moves: readonly AlignmentMove[] | null;
  /** States expanded by the search. */
  expandedStates: number;
}

export interface TraceAlignment extends VariantAlignment {
  caseId: string;
}

export interface LogAlignment {
  /** 1 − Σ cost / Σ (10 000·|σ| + modelRunCost), over the traces that were aligned. */
  logFitness: number;
  /** Mean trace fitness over the traces that were aligned. */
  averageTraceFitness: number;
  fittingTraces: number;
  /** fittingTraces / aligned traces. */
  fittingTracesShare: number;
  timedOutTraces: number;
  variants: number;
  /** Cost of the cheapest model-only run from the initial to the final marking. */
  modelRunCost: number;
  traces: TraceAlignment[];
}

/** Per-marking facts, computed once per net. */
interface MarkingInfo {
  marking: Int32Array;
  /** Enabled transitions and, aligned with them, the marking index each leads to (-1 until first needed). */
  enabled: Int32Array;
  successors: Int32Array;
  /** Lower bound on visible firings to reach the final marking; Infinity when it cannot be reached. */
  distance: number;
  /** Lower bound on the silent firings still needed (see `consumptionBounds`). */
  silentBound: number;
  /**
   * Places whose tokens only visible transitions consume: each one's share of the firings its tokens need, and the
   * labels of its consumers. When no remaining event has one of those labels, the firings are model moves.
   */
  forcedShares: Float64Array;
  forcedLabels: (readonly number[])[];
  /** Label indices no transition reachable from this marking carries. */
  unreachableLabels: Int32Array;
}

/**
 * A binary min-heap of state indices by (f, exactness, h), the keys stored per entry (lazy decrease-key). Among
 * states of equal f, one whose bound is exact comes first (pm4py's order): it is on the path the marking equation
 * already solved, while an estimated bound would need an LP first and is usually raised by it.
 */
class StateHeap {
  private f: number[] = [];
  private e: number[] = [];
  private h: number[] = [];
  private s: number[] = [];
  get size(): number {
    return this.s.length;
  }
  private less(i: number, j: number): boolean {
    const { f, e, h } = this;
    if (f[i] !== f[j]) return f[i]! < f[j]!;
    if (h[i] !== h[j]) return h[i]! < h[j]!;
    return e[i]! < e[j]!;
  }
  private swap(i: number, j: number): void {
    const { f, e, h, s } = this;
    const fi = f[i]!;
    const ei = e[i]!;
    const hi = h[i]!;
    const si = s[i]!;
    f[i] = f[j]!;
    e[i] = e[j]!;
    h[i] = h[j]!;
    s[i] = s[j]!;
    f[j] = fi;
    e[j] = ei;
    h[j] = hi;
    s[j] = si;
  }
  /** @param estimated whether the state's bound still waits for its own LP */
  push(f: number, h: number, state: number, estimated = false): void {
    this.f.push(f);
    this.e.push(estimated ? 1 : 0);
    this.h.push(h);
    this.s.push(state);
    let i = this.s.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): number {
    const top = this.s[0]!;
    const last = this.s.length - 1;
    this.swap(0, last);
    this.f.pop();
    this.e.pop();
    this.h.pop();
    this.s.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < last && this.less(l, m)) m = l;
      if (r < last && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** States the search with the cheap bounds may expand before the marking equation is brought in. */
const FAST_SEARCH_STATES = 2_000;
/** LPs one search with the marking equation may solve (each costs about as much as a thousand expansions). */
const MAX_LP_SOLVES = 500;
/** Markings kept across variants; past this the table starts again, so a long log cannot exhaust the memory. */
const MARKING_TABLE_LIMIT = 300_000;

/** Aligns traces with one net, caching variants and marking facts across calls. */
export class Aligner {
  readonly net: CompiledNet;
  private readonly maxStates: number;
  private markingIndex = new Map<string, number>();
  private markings: MarkingInfo[] = [];
  /** Shortest visible-transition count from each place to the final marking (see the file header). */
  private readonly placeDistance: Float64Array;
  /** Per place: 1 when only silent transitions consume from it, 2 when only visible ones, 0 otherwise. */
  private readonly consumerKind: Uint8Array;
  /** Per place: the arc weights to its consumers (aligned with `consumersOf`) and their label indices. */
  private readonly consumerWeights: Int32Array[];
  private readonly consumerLabels: number[][];
  /** Scratch: per transition, the tokens it could take from the marked places of one kind. */
  private readonly share: Float64Array;
  private readonly labelIndex: Map<string, number>;
  private readonly variants = new Map<string, VariantAlignment>();
  private finalIndex: number;
  private modelRun: VariantAlignment | undefined;

  constructor(net: PetriNet | CompiledNet, options: AlignmentOptions = {}) {
    this.net = 'placeIds' in net ? net : compileNet(net);
    this.maxStates = options.maxStates ?? 200_000;
    this.labelIndex = new Map(this.net.labels.map((l, i) => [l, i]));
    this.placeDistance = this.computePlaceDistances();
    const { placeIds, consumersOf, final, transitions } = this.net;
    this.consumerKind = new Uint8Array(placeIds.length);
    this.consumerWeights = placeIds.map((_, p) =>
      Int32Array.from(consumersOf[p]!, (t) => t.inWeights[t.inPlaces.indexOf(p)]!),
    );
    this.consumerLabels = placeIds.map((_, p) => consumersOf[p]!.map((t) => t.labelIndex));
    for (let p = 0; p < placeIds.length; p++) {
      const consumers = consumersOf[p]!;
      // A token in a final-marking place may stay; a place nothing consumes from is dead (placeDistance).
      if (final[p]! > 0 || consumers.length === 0) continue;
      if (consumers.every((t) => t.label === null)) this.consumerKind[p] = 1;
      else if (consumers.every((t) => t.label !== null)) this.consumerKind[p] = 2;
    }
    this.share = new Float64Array(transitions.length);
    this.finalIndex = this.intern(this.net.final);
  }

  /** Dijkstra backwards from the final-marking places (0–1 weights: visible 1, silent 0). */
  private computePlaceDistances(): Float64Array {
    const { placeIds, transitions, final } = this.net;
    const dist = new Float64Array(placeIds.length).fill(Number.POSITIVE_INFINITY);
    const producersOf: number[][] = placeIds.map(() => []);
    for (const t of transitions) for (const p of t.outPlaces) producersOf[p]!.push(t.index);
    // A deque makes 0–1 BFS exact: silent steps go to the front, visible ones to the back.
    const deque: number[] = [];
    const relax = (p: number, d: number, front: boolean) => {
      if (d >= dist[p]!) return;
      dist[p] = d;
      if (front) deque.unshift(p);
      else deque.push(p);
    };
    for (let p = 0; p < final.length; p++) if (final[p]! > 0) relax(p, 0, true);
    for (const t of transitions) {
      if (t.outPlaces.length > 0) continue;
      const w = t.label === null ? 0 : 1;
      for (const p of t.inPlaces) relax(p, w, w === 0);
    }
    while (deque.length > 0) {
      const q = deque.shift()!;
      for (const ti of producersOf[q]!) {
        const t = transitions[ti]!;
        const w = t.label === null ? 0 : 1;
        for (const p of t.inPlaces) relax(p, dist[q]! + w, w === 0);
      }
    }
    return dist;
  }

  /**
   * Lower bounds on the firings that must consume the tokens of `m` in places of one consumer kind: every token in
   * a place off the final marking must be consumed, and a firing of t takes at most the tokens t can take from the
   * marked places of that kind, so (a feasible dual of the covering LP) each token needs at least 1 / (the largest
   * such amount among its place's consumers) of a firing. Returns each marked place's share.
   */
  private consumptionBounds(m: Int32Array, kind: 1 | 2): { places: number[]; shares: number[] } {
    const { consumersOf } = this.net;
    const share = this.share;
    const places: number[] = [];
    for (let p = 0; p < m.length; p++) {
      if (m[p]! <= 0 || this.consumerKind[p] !== kind) continue;
      places.push(p);
      const weights = this.consumerWeights[p]!;
      consumersOf[p]!.forEach((t, j) => {
        share[t.index]! += weights[j]!;
      });
    }
    const shares = places.map((p) => {
      let most = 0;
      for (const t of consumersOf[p]!) most = Math.max(most, share[t.index]!);
      return m[p]! / most;
    });
    for (const p of places) for (const t of consumersOf[p]!) share[t.index] = 0;
    return { places, shares };
  }

  private intern(m: Int32Array): number {
    const key = markingKey(m);
    const known = this.markingIndex.get(key);
    if (known !== undefined) return known;
    const { transitions, consumersOf } = this.net;
    const enabled: number[] = [];
    for (const t of transitions) if (isEnabled(m, t)) enabled.push(t.index);
    let distance = 0;
    const reachablePlaces = new Uint8Array(m.length);
    const reachableTransitions = new Uint8Array(transitions.length);
    const stack: number[] = [];
    for (let p = 0; p < m.length; p++) {
      if (m[p]! <= 0) continue;
      distance = Math.max(distance, this.placeDistance[p]!);
      reachablePlaces[p] = 1;
      stack.push(p);
    }
    for (const t of transitions) {
      if (t.inPlaces.length > 0) continue;
      reachableTransitions[t.index] = 1;
      for (const p of t.outPlaces) if (!reachablePlaces[p]) (reachablePlaces[p] = 1), stack.push(p);
    }
    while (stack.length > 0) {
      const p = stack.pop()!;
      for (const t of consumersOf[p]!) {
        if (reachableTransitions[t.index]) continue;
        reachableTransitions[t.index] = 1;
        for (const q of t.outPlaces) if (!reachablePlaces[q]) (reachablePlaces[q] = 1), stack.push(q);
      }
    }
    const labelSeen = new Uint8Array(this.net.labels.length);
    for (const t of transitions) if (reachableTransitions[t.index] && t.labelIndex >= 0) labelSeen[t.labelIndex] = 1;
    const unreachable: number[] = [];
    labelSeen.forEach((seen, l) => {
      if (!seen) unreachable.push(l);
    });
    const silent = this.consumptionBounds(m, 1);
    const forced = this.consumptionBounds(m, 2);
    const index = this.markings.length;
    this.markings.push({
      marking: m,
      enabled: Int32Array.from(enabled),
      successors: new Int32Array(enabled.length).fill(-1),
      distance,
      silentBound: silent.shares.reduce((a, b) => a + b, 0),
      forcedShares: Float64Array.from(forced.shares),
      forcedLabels: forced.places.map((p) => this.consumerLabels[p]!),
      unreachableLabels: Int32Array.from(unreachable),
    });
    this.markingIndex.set(key, index);
    return index;
  }

  private successor(info: MarkingInfo, k: number): number {
    let next = info.successors[k]!;
    if (next < 0) {
      next = this.intern(fire(info.marking, this.net.transitions[info.enabled[k]!]!));
      info.successors[k] = next;
    }
    return next;
  }

  /** The cheapest run of the model alone (the empty trace's alignment); throws when the final marking is out of reach. */
  modelRunCost(): number {
    this.modelRun ??= this.search([]);
    if (this.modelRun.cost === null) {
      throw new ValidationError(
        `model: no run from the initial to the final marking found within ${this.maxStates} states`,
        { details: [{ field: 'model', message: 'final marking not reachable' }] },
      );
    }
    return this.modelRun.cost;
  }

  /**
   * A* on the synchronous product of one activity sequence and the net: first with the cheap bounds, which settle
   * most traces in a few hundred states; a trace they do not settle within FAST_SEARCH_STATES is searched again with
   * the marking equation as well, whose LP per state costs more but keeps the search narrow where concurrent silent
   * steps would make the cheap bounds explore every interleaving.
   */
  private search(activities: readonly string[]): VariantAlignment {
    const fast = this.searchWith(activities, false, Math.min(this.maxStates, FAST_SEARCH_STATES));
    if (!fast.alignmentTimedOut || this.maxStates <= FAST_SEARCH_STATES) return fast;
    const thorough = this.searchWith(activities, true, this.maxStates - fast.expandedStates);
    return { ...thorough, expandedStates: thorough.expandedStates + fast.expandedStates };
  }

  private searchWith(activities: readonly string[], useLp: boolean, budget: number): VariantAlignment {
    const n = activities.length;
    const L = this.net.labels.length;
    const labels = Int32Array.from(activities, (a) => this.labelIndex.get(a) ?? -1);
    // suffix[i * L + l]: events at positions ≥ i with label l; unknownSuffix[i]: events there the net lacks.
    const suffix = new Int32Array((n + 1) * L);
    const unknownSuffix = new Int32Array(n + 1);
    for (let i = n - 1; i >= 0; i--) {
      suffix.copyWithin(i * L, (i + 1) * L, (i + 2) * L);
      unknownSuffix[i] = unknownSuffix[i + 1]!;
      const l = labels[i]!;
      if (l >= 0) suffix[i * L + l]!++;
      else unknownSuffix[i]!++;
    }
    const equation = useLp ? new MarkingEquation(this.net, new Set([...labels].filter((l) => l >= 0))) : undefined;
    const heuristic = (info: MarkingInfo, pos: number): number => {
      if (info.distance === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
      let u = unknownSuffix[pos]!;
      const base = pos * L;
      for (const l of info.unreachableLabels) u += suffix[base + l]!;
      const k = n - pos;
      // Model moves forced by tokens that only transitions with labels absent from the rest of the trace consume.
      let forced = 0;
      for (let j = 0; j < info.forcedShares.length; j++) {
        const labelsOf = info.forcedLabels[j]!;
        let absent = true;
        for (const l of labelsOf) if (suffix[base + l]! > 0) absent = false;
        if (absent) forced += info.forcedShares[j]!;
      }
      // Deviations and silent firings are whole numbers: round the fractional bounds up (with room for rounding).
      const modelMoves = Math.max(0, Math.ceil(forced - 1e-9), info.distance - (k - u));
      return DEVIATION_COST * (u + modelMoves) + SILENT_COST * Math.ceil(info.silentBound - 1e-9);
    };
    const stride = n + 1;
    const stateOf = new Map<number, number>();
    const sMarking: number[] = [];
    const sPos: number[] = [];
    const sG: number[] = [];
    const sH: number[] = [];
    const sParent: number[] = [];
    /** -1 a log move, else the fired transition's index. */
    const sMove: number[] = [];
    const closed: boolean[] = [];
    /** With the marking equation: the bound from it (exact or derived from the parent's) and its solution if solved. */
    const sLp: number[] = [];
    const sSolution: (Float64Array | null)[] = [];
    const heap = new StateHeap();
    /** The LP column of a move from state `parent` to position `pos` by `move`, or -1 when it has none. */
    const columnOf = (parentPos: number, pos: number, move: number): number => {
      if (!equation) return -1;
      if (move < 0) {
        const l = labels[parentPos]!;
        return l >= 0 ? equation.logColumn(l) : -1;
      }
      return pos > parentPos ? equation.syncColumn(move) : equation.modelColumn(move);
    };
    const offer = (mi: number, pos: number, g: number, parent: number, move: number, cost: number) => {
      const key = mi * stride + pos;
      let s = stateOf.get(key);
      if (s !== undefined && sG[s]! <= g) return;
      let h = heuristic(this.markings[mi]!, pos);
      if (h === Number.POSITIVE_INFINITY) return;
      // The marking equation's bound of the parent, less this move's cost, bounds the child's (its solution less
      // this move solves the child's LP); it is the child's exact bound when the parent's solution has the move.
      let lp = 0;
      let solution: Float64Array | null = null;
      if (equation && parent >= 0) {
        const unknownStep = move < 0 && labels[sPos[parent]!]! < 0 ? DEVIATION_COST : 0;
        lp = Math.max(0, sLp[parent]! - cost + unknownStep);
        const parentSolution = sSolution[parent];
        const column = columnOf(sPos[parent]!, pos, move);
        if (parentSolution && (column < 0 ? unknownStep > 0 : parentSolution[column]! >= 1 - 1e-9)) {
          solution = parentSolution.slice();
          if (column >= 0) solution[column]! -= 1;
        }
        h = Math.max(h, lp + DEVIATION_COST * unknownSuffix[pos]!);
      }
      if (s === undefined) {
        s = sMarking.length;
        stateOf.set(key, s);
        sMarking.push(mi);
        sPos.push(pos);
        sG.push(g);
        sH.push(h);
        sParent.push(parent);
        sMove.push(move);
        closed.push(false);
        sLp.push(lp);
        sSolution.push(solution);
      } else {
        // The bounds are admissible but not always consistent: a cheaper way into a closed state reopens it,
        // which keeps the search optimal.
        sG[s] = g;
        sH[s] = Math.max(sH[s]!, h);
        sParent[s] = parent;
        sMove[s] = move;
        closed[s] = false;
        if (equation && (solution || sLp[s]! < lp)) {
          sLp[s] = Math.max(sLp[s]!, lp);
          sSolution[s] = solution ?? sSolution[s]!;
        }
      }
      heap.push(g + sH[s]!, sH[s]!, s, equation !== undefined && !sSolution[s]);
    };
    const start = this.intern(this.net.initial);
    offer(start, 0, 0, -1, -1, 0);
    let expanded = 0;
    let solves = 0;
    while (heap.size > 0) {
      const s = heap.pop();
      if (closed[s]) continue;
      const mi = sMarking[s]!;
      const pos = sPos[s]!;
      const g = sG[s]!;
      if (equation && !sSolution[s]) {
        // A bound derived from the parent's: solve this state's LP before expanding it.
        if (++solves > MAX_LP_SOLVES) break;
        const base = pos * L;
        const solved = equation.solve(this.markings[mi]!.marking, (l) => suffix[base + l]!);
        if (solved === null) {
          closed[s] = true;
          continue;
        }
        if (solved) {
          sLp[s] = solved.bound;
          sSolution[s] = solved.x;
          const h = Math.max(sH[s]!, solved.bound + DEVIATION_COST * unknownSuffix[pos]!);
          if (h > sH[s]!) {
            sH[s] = h;
            heap.push(g + h, h, s);
            continue;
          }
        } else sSolution[s] = new Float64Array(0);
      }
      closed[s] = true;
      if (pos === n && mi === this.finalIndex) return this.result(activities, s, g, expanded, sParent, sMove, sPos);
      if (++expanded > budget) break;
      if (pos < n) offer(mi, pos + 1, g + DEVIATION_COST, s, -1, DEVIATION_COST);
      const info = this.markings[mi]!;
      for (let k = 0; k < info.enabled.length; k++) {
        const t = this.net.transitions[info.enabled[k]!]!;
        const next = this.successor(info, k);
        if (t.labelIndex < 0) {
          offer(next, pos, g + SILENT_COST, s, t.index, SILENT_COST);
          continue;
        }
        offer(next, pos, g + DEVIATION_COST, s, t.index, DEVIATION_COST);
        if (pos < n && labels[pos] === t.labelIndex) offer(next, pos + 1, g, s, t.index, 0);
      }
    }
    return {
      activities,
      alignmentTimedOut: true,
      cost: null,
      deviations: null,
      fitness: null,
      fits: false,
      moves: null,
      expandedStates: Math.min(expanded, budget),
    };
  }

  private result(
    activities: readonly string[],
    goal: number,
    cost: number,
    expandedStates: number,
    parent: number[],
    move: number[],
    pos: number[],
  ): VariantAlignment {
    const moves: AlignmentMove[] = [];
    for (let s = goal; parent[s]! >= 0; s = parent[s]!) {
      const m = move[s]!;
      const advanced = pos[s]! > pos[parent[s]!]!;
      if (m < 0) {
        moves.push({ kind: 'log', activity: activities[pos[s]! - 1]! });
        continue;
      }
      const t = this.net.transitions[m]!;
      if (t.label === null) moves.push({ kind: 'silent', transitionId: t.id });
      else if (advanced) moves.push({ kind: 'sync', activity: t.label, transitionId: t.id });
      else moves.push({ kind: 'model', activity: t.label, transitionId: t.id });
    }
    moves.reverse();
    const deviations = Math.floor(cost / DEVIATION_COST);
    return {
      activities,
      alignmentTimedOut: false,
      cost,
      deviations,
      fitness: null,
      fits: deviations === 0,
      moves,
      expandedStates,
    };
  }

  /** The optimal alignment of one activity sequence, with its fitness (cached by the sequence). */
  alignVariant(activities: readonly string[]): VariantAlignment {
    const key = JSON.stringify(activities);
    const cached = this.variants.get(key);
    if (cached) return cached;
    if (this.markings.length > MARKING_TABLE_LIMIT) {
      this.markingIndex = new Map();
      this.markings = [];
      this.finalIndex = this.intern(this.net.final);
    }
    const modelVisible = Math.floor(this.modelRunCost() / DEVIATION_COST);
    const found = this.search(activities);
    const denominator = activities.length + modelVisible;
    const aligned: VariantAlignment =
      found.deviations === null
        ? found
        : { ...found, fitness: denominator > 0 ? 1 - found.deviations / denominator : 1 };
    this.variants.set(key, aligned);
    return aligned;
  }
}

/** Optimal alignments of every trace of `log` with `net`, with the log-level figures. */
export function alignLog(log: EventLog, net: PetriNet | CompiledNet, options: AlignmentOptions = {}): LogAlignment {
  const aligner = new Aligner(net, options);
  const modelRunCost = aligner.modelRunCost();
  const traces = log.traces;
  const results = new Array<TraceAlignment>(traces.length);
  const groups = groupVariants(traces, (t) => t.events.map((e) => e.activity));
  let costSum = 0;
  let worstSum = 0;
  let fitnessSum = 0;
  let aligned = 0;
  let fitting = 0;
  let timedOut = 0;
  for (const group of groups) {
    const v = aligner.alignVariant(group.activities);
    const n = group.members.length;
    if (v.cost === null || v.fitness === null) timedOut += n;
    else {
      aligned += n;
      costSum += v.cost * n;
      worstSum += (DEVIATION_COST * group.activities.length + modelRunCost) * n;
      fitnessSum += v.fitness * n;
      if (v.fits) fitting += n;
    }
    for (const i of group.members) results[i] = { caseId: traces[i]!.caseId, ...v };
  }
  return {
    logFitness: worstSum > 0 ? 1 - costSum / worstSum : 1,
    averageTraceFitness: aligned > 0 ? fitnessSum / aligned : 1,
    fittingTraces: fitting,
    fittingTracesShare: aligned > 0 ? fitting / aligned : 0,
    timedOutTraces: timedOut,
    variants: groups.length,
    modelRunCost,
    traces: results,
  };
}
