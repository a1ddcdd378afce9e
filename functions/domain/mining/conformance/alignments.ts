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
 * Heuristic (admissible and consistent, so every state is expanded at most once): in deviation units,
 *   h = u + max(0, d − (k − u)),
 * where k is the number of events left, u of them can never be matched any more (no transition with their label
 * is reachable from the marked places in the net's graph: a transition that fires later needs its input places
 * marked by the marking or by transitions fired before it), and d is a lower bound on the visible firings the
 * model still needs: every token in a place off the final marking must be consumed, and the tokens produced by
 * that consumption in turn, so the chain of firings reaches a final-marking place or a transition without outputs,
 * crossing at least `dist(place)` visible transitions (shortest such path in the graph, silent steps free). At
 * most k − u of those d firings can be synchronous; the rest are model moves. A marking with a token in a place
 * that cannot reach the final marking that way is dead and pruned. A search that expands more than `maxStates`
 * states stops and reports `alignmentTimedOut` for its trace, which then counts in no figure.
 *
 * Each distinct variant is aligned once; markings, their enabled transitions and heuristic parts are shared across
 * the variants of one net.
 */
import { ValidationError } from '../../errors.js';
import type { EventLog } from '../log.js';
import type { PetriNet } from '../petri-net.js';
import { type CompiledNet, compileNet, fire, groupVariants, isEnabled, markingKey } from './compiled-net.js';

/** Cost of a log move and of a model move on a visible transition. */
export const DEVIATION_COST = 10_000;
/** Cost of a model move on a silent transition (an epsilon beside DEVIATION_COST). */
export const SILENT_COST = 1;

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
  /** Label indices no transition reachable from this marking carries. */
  unreachableLabels: Int32Array;
}

/** A binary min-heap of state indices by (f, h), with the keys stored per entry (lazy decrease-key). */
class StateHeap {
  private f: number[] = [];
  private h: number[] = [];
  private s: number[] = [];
  get size(): number {
    return this.s.length;
  }
  private less(i: number, j: number): boolean {
    return this.f[i]! < this.f[j]! || (this.f[i] === this.f[j] && this.h[i]! < this.h[j]!);
  }
  private swap(i: number, j: number): void {
    [this.f[i], this.f[j]] = [this.f[j]!, this.f[i]!];
    [this.h[i], this.h[j]] = [this.h[j]!, this.h[i]!];
    [this.s[i], this.s[j]] = [this.s[j]!, this.s[i]!];
  }
  push(f: number, h: number, state: number): void {
    this.f.push(f);
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

/** Aligns traces with one net, caching variants and marking facts across calls. */
export class Aligner {
  readonly net: CompiledNet;
  private readonly maxStates: number;
  private readonly markingIndex = new Map<string, number>();
  private readonly markings: MarkingInfo[] = [];
  /** Shortest visible-transition count from each place to the final marking (see the file header). */
  private readonly placeDistance: Float64Array;
  private readonly labelIndex: Map<string, number>;
  private readonly variants = new Map<string, VariantAlignment>();
  private readonly finalIndex: number;
  private modelRun: VariantAlignment | undefined;

  constructor(net: PetriNet | CompiledNet, options: AlignmentOptions = {}) {
    this.net = 'placeIds' in net ? net : compileNet(net);
    this.maxStates = options.maxStates ?? 200_000;
    this.labelIndex = new Map(this.net.labels.map((l, i) => [l, i]));
    this.placeDistance = this.computePlaceDistances();
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
    const index = this.markings.length;
    this.markings.push({
      marking: m,
      enabled: Int32Array.from(enabled),
      successors: new Int32Array(enabled.length).fill(-1),
      distance,
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

  /** A* on the synchronous product of one activity sequence and the net. */
  private search(activities: readonly string[]): VariantAlignment {
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
    const heuristic = (info: MarkingInfo, pos: number): number => {
      if (info.distance === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
      let u = unknownSuffix[pos]!;
      const base = pos * L;
      for (const l of info.unreachableLabels) u += suffix[base + l]!;
      const k = n - pos;
      return DEVIATION_COST * (u + Math.max(0, info.distance - (k - u)));
    };
    const stride = n + 1;
    const stateOf = new Map<number, number>();
    const sMarking: number[] = [];
    const sPos: number[] = [];
    const sG: number[] = [];
    const sParent: number[] = [];
    /** -1 a log move, else the fired transition's index. */
    const sMove: number[] = [];
    const closed: boolean[] = [];
    const heap = new StateHeap();
    const offer = (mi: number, pos: number, g: number, parent: number, move: number) => {
      const key = mi * stride + pos;
      let s = stateOf.get(key);
      if (s !== undefined && (closed[s] || sG[s]! <= g)) return;
      const h = heuristic(this.markings[mi]!, pos);
      if (h === Number.POSITIVE_INFINITY) return;
      if (s === undefined) {
        s = sMarking.length;
        stateOf.set(key, s);
        sMarking.push(mi);
        sPos.push(pos);
        sG.push(g);
        sParent.push(parent);
        sMove.push(move);
        closed.push(false);
      } else {
        sG[s] = g;
        sParent[s] = parent;
        sMove[s] = move;
      }
      heap.push(g + h, h, s);
    };
    offer(this.intern(this.net.initial), 0, 0, -1, -1);
    let expanded = 0;
    while (heap.size > 0) {
      const s = heap.pop();
      if (closed[s]) continue;
      closed[s] = true;
      const mi = sMarking[s]!;
      const pos = sPos[s]!;
      const g = sG[s]!;
      if (pos === n && mi === this.finalIndex) return this.result(activities, s, g, expanded, sParent, sMove, sPos);
      if (++expanded > this.maxStates) break;
      if (pos < n) offer(mi, pos + 1, g + DEVIATION_COST, s, -1);
      const info = this.markings[mi]!;
      for (let k = 0; k < info.enabled.length; k++) {
        const t = this.net.transitions[info.enabled[k]!]!;
        const next = this.successor(info, k);
        if (t.labelIndex < 0) {
          offer(next, pos, g + SILENT_COST, s, t.index);
          continue;
        }
        offer(next, pos, g + DEVIATION_COST, s, t.index);
        if (pos < n && labels[pos] === t.labelIndex) offer(next, pos + 1, g, s, t.index);
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
      expandedStates: expanded,
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
