/**
 * The heuristics miner (Weijters & van der Aalst; van der Aalst, Process Mining, 2nd ed. §7.2): dependency measures
 * from directly-follows counts, which — unlike the alpha algorithm's footprint — weigh how often each order occurs,
 * so infrequent (noisy) behaviour does not create dependencies.
 *
 * - a ⇒ b = (|a>b| − |b>a|) / (|a>b| + |b>a| + 1) for a ≠ b; a ⇒ a = |a>a| / (|a>a| + 1) (length-one loop).
 * - a ⇒2 b = (|a>>b| + |b>>a|) / (|a>>b| + |b>>a| + 1) (length-two loop), |a>>b| = occurrences of `a b a`.
 *
 * The miner keeps, as the dependency graph:
 * - a self-loop a→a when a ⇒ a ≥ loopLengthOneThreshold and |a>a| ≥ positiveObservations;
 * - for a ≠ b that are not self-loops, both a→b and b→a when a ⇒2 b ≥ loopLengthTwoThreshold and
 *   |a>>b| + |b>>a| ≥ positiveObservations (the pair's short loop, which a ⇒ b near 0 would hide);
 * - a→b when a ⇒ b ≥ dependencyThreshold, |a>b| ≥ positiveObservations, and a ⇒ b is within relativeToBest of the
 *   best output dependency of a or of the best input dependency of b;
 * - with allTasksConnected, also each activity's strongest positive output and input dependency (all ties), so
 *   every activity that has an observed successor (predecessor) gets an output (input) whatever the thresholds.
 *
 * The causal net adds, from the log, each activity's input and output bindings (which sets of its dependency-graph
 * neighbours an occurrence consumes from / produces for): an occurrence of a at position i and one of b at j > i are
 * linked when a→b is in the graph, no a occurs between them (i is the latest a before j) and no b occurs between
 * them (j is the first b after i). An occurrence's output binding is the set of activities it is linked to; an
 * occurrence's input binding the set linked to it. Empty bindings are the start (input) or end (output) of a case.
 */
import type { EventLog } from '../log.js';
import { type EncodedLog, encodeLog, followsMatrix, groupVariants, type VariantGroup } from './encoded-log.js';

export interface Dependency {
  from: string;
  to: string;
  /** a ⇒ b (for from = to: the self-loop measure). */
  value: number;
}

export interface DependencyMeasures {
  /** Activities in order of first appearance. */
  activities: string[];
  /** |a>b|. */
  follows(a: string, b: string): number;
  /** a ⇒ b (a = b: self-loop measure). */
  dependency(a: string, b: string): number;
  /** |a>>b|: occurrences of `a b a`. */
  shortLoops(a: string, b: string): number;
  /** a ⇒2 b. */
  lengthTwoLoop(a: string, b: string): number;
  /**
   * a ⇒ b for every ordered pair of distinct activities observed directly following in either direction, and a ⇒ a
   * for every observed self-loop; in order of first appearance of the activities.
   */
  observed: Dependency[];
}

export interface HeuristicsOptions {
  /** Minimum a ⇒ b for a dependency (default 0.9, as ProM's heuristics miner). */
  dependencyThreshold?: number;
  /** Minimum |a>b| (and |a>a|, |a>>b| + |b>>a| for loops) (default 1). */
  positiveObservations?: number;
  /** Maximum distance to the best dependency of the source or target (default 0.05). */
  relativeToBest?: number;
  /** Connect every activity to its strongest predecessor and successor (default true). */
  allTasksConnected?: boolean;
  /** Minimum a ⇒ a (default 0.9). */
  loopLengthOneThreshold?: number;
  /** Minimum a ⇒2 b (default 0.9). */
  loopLengthTwoThreshold?: number;
}

export interface HeuristicsEdge {
  from: string;
  to: string;
  /** a ⇒ b. */
  dependency: number;
  /** |a>b|. */
  count: number;
}

export interface Binding {
  /** The activities of the binding, sorted. */
  activities: string[];
  /** Occurrences with this binding. */
  count: number;
}

export interface HeuristicsNet {
  /** Occurrences per activity. */
  activities: Record<string, number>;
  startActivities: Record<string, number>;
  endActivities: Record<string, number>;
  /** The dependency graph. */
  edges: HeuristicsEdge[];
  /** The causal net's bindings per activity, most frequent first. */
  bindings: Record<string, { inputs: Binding[]; outputs: Binding[] }>;
}

interface Counts {
  names: string[];
  index: Map<string, number>;
  groups: VariantGroup[];
  follows: Float64Array;
  /** |a>>b| by a*n+b. */
  aba: Float64Array;
}

function countsOf(log: EventLog): Counts {
  const encoded = encodeLog(log);
  return countsOfEncoded(encoded, groupVariants(encoded));
}

function countsOfEncoded(encoded: EncodedLog, groups: VariantGroup[]): Counts {
  const n = encoded.activities.length;
  const { counts } = followsMatrix(n, groups);
  const aba = new Float64Array(n * n);
  for (const { sequence, count } of groups) {
    for (let i = 2; i < sequence.length; i++) {
      if (sequence[i] === sequence[i - 2] && sequence[i] !== sequence[i - 1]) {
        aba[sequence[i]! * n + sequence[i - 1]!]! += count;
      }
    }
  }
  return {
    names: encoded.activities,
    index: new Map(encoded.activities.map((a, i) => [a, i])),
    groups,
    follows: counts,
    aba,
  };
}

const dependencyValue = (c: Counts, a: number, b: number): number => {
  const n = c.names.length;
  const ab = c.follows[a * n + b]!;
  if (a === b) return ab / (ab + 1);
  const ba = c.follows[b * n + a]!;
  return (ab - ba) / (ab + ba + 1);
};

const loop2Value = (c: Counts, a: number, b: number): number => {
  if (a === b) return 0;
  const n = c.names.length;
  const s = c.aba[a * n + b]! + c.aba[b * n + a]!;
  return s / (s + 1);
};

/** The dependency measures of a log (formulas in the module comment). */
export function dependencyMeasures(log: EventLog): DependencyMeasures {
  return dependencyMeasuresOf(countsOf(log));
}

/** As dependencyMeasures, on a log already encoded and grouped (encodeLog, groupVariants). */
export function dependencyMeasuresOfEncoded(encoded: EncodedLog, groups: VariantGroup[]): DependencyMeasures {
  return dependencyMeasuresOf(countsOfEncoded(encoded, groups));
}

function dependencyMeasuresOf(c: Counts): DependencyMeasures {
  const n = c.names.length;
  const id = (a: string) => c.index.get(a);
  const observed: Dependency[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const seen = a === b ? c.follows[a * n + a]! > 0 : c.follows[a * n + b]! > 0 || c.follows[b * n + a]! > 0;
      if (seen) observed.push({ from: c.names[a]!, to: c.names[b]!, value: dependencyValue(c, a, b) });
    }
  }
  const pair = (a: string, b: string, f: (i: number, j: number) => number): number => {
    const i = id(a);
    const j = id(b);
    return i === undefined || j === undefined ? 0 : f(i, j);
  };
  return {
    activities: [...c.names],
    follows: (a, b) => pair(a, b, (i, j) => c.follows[i * n + j]!),
    dependency: (a, b) => pair(a, b, (i, j) => dependencyValue(c, i, j)),
    shortLoops: (a, b) => pair(a, b, (i, j) => (i === j ? 0 : c.aba[i * n + j]!)),
    lengthTwoLoop: (a, b) => pair(a, b, (i, j) => loop2Value(c, i, j)),
    observed,
  };
}

/** The heuristics miner: dependency graph and causal net (rules in the module comment). */
export function heuristicsMiner(log: EventLog, options: HeuristicsOptions = {}): HeuristicsNet {
  const dependencyThreshold = options.dependencyThreshold ?? 0.9;
  const positiveObservations = options.positiveObservations ?? 1;
  const relativeToBest = options.relativeToBest ?? 0.05;
  const allTasksConnected = options.allTasksConnected ?? true;
  const l1Threshold = options.loopLengthOneThreshold ?? 0.9;
  const l2Threshold = options.loopLengthTwoThreshold ?? 0.9;
  const c = countsOf(log);
  const n = c.names.length;
  const dep = (a: number, b: number) => dependencyValue(c, a, b);
  const obs = (a: number, b: number) => c.follows[a * n + b]!;
  const graph = new Uint8Array(n * n);

  const selfLoop = new Uint8Array(n);
  for (let a = 0; a < n; a++) {
    if (obs(a, a) >= positiveObservations && obs(a, a) > 0 && dep(a, a) >= l1Threshold) {
      selfLoop[a] = 1;
      graph[a * n + a] = 1;
    }
  }
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (selfLoop[a] || selfLoop[b]) continue;
      const s = c.aba[a * n + b]! + c.aba[b * n + a]!;
      if (s > 0 && s >= positiveObservations && loop2Value(c, a, b) >= l2Threshold) {
        graph[a * n + b] = 1;
        graph[b * n + a] = 1;
      }
    }
  }
  // Best output of a and best input of b over distinct activities observed in that order.
  const bestOut = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const bestIn = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b || obs(a, b) === 0) continue;
      const v = dep(a, b);
      if (v > bestOut[a]!) bestOut[a] = v;
      if (v > bestIn[b]!) bestIn[b] = v;
    }
  }
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b || obs(a, b) === 0) continue;
      const v = dep(a, b);
      const strongEnough = v >= dependencyThreshold && obs(a, b) >= positiveObservations;
      const nearBest = bestOut[a]! - v <= relativeToBest || bestIn[b]! - v <= relativeToBest;
      const forced = allTasksConnected && v > 0 && (v === bestOut[a] || v === bestIn[b]);
      if ((strongEnough && nearBest) || forced) graph[a * n + b] = 1;
    }
  }
  const edges: HeuristicsEdge[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (graph[a * n + b]) edges.push({ from: c.names[a]!, to: c.names[b]!, dependency: dep(a, b), count: obs(a, b) });
    }
  }
  return { ...occurrences(c), edges, bindings: bindingsOf(c, graph) };
}

function occurrences(c: Counts): Pick<HeuristicsNet, 'activities' | 'startActivities' | 'endActivities'> {
  const activities: Record<string, number> = {};
  const startActivities: Record<string, number> = {};
  const endActivities: Record<string, number> = {};
  const add = (r: Record<string, number>, a: number, k: number) => {
    const name = c.names[a]!;
    r[name] = (r[name] ?? 0) + k;
  };
  for (const { sequence, count } of c.groups) {
    for (const a of sequence) add(activities, a, count);
    if (sequence.length === 0) continue;
    add(startActivities, sequence[0]!, count);
    add(endActivities, sequence[sequence.length - 1]!, count);
  }
  return { activities, startActivities, endActivities };
}

/** Input and output bindings per activity, counted over the log's variants (linking rule in the module comment). */
function bindingsOf(c: Counts, graph: Uint8Array): HeuristicsNet['bindings'] {
  const n = c.names.length;
  const inputs = Array.from({ length: n }, () => new Map<string, number>());
  const outputs = Array.from({ length: n }, () => new Map<string, number>());
  const outsOf = Array.from({ length: n }, (_, a) => [...Array(n).keys()].filter((b) => graph[a * n + b]));
  for (const { sequence, count } of c.groups) {
    const len = sequence.length;
    const linkedIn: number[][] = Array.from({ length: len }, () => []);
    for (let i = 0; i < len; i++) {
      const a = sequence[i]!;
      const linkedOut: number[] = [];
      for (const b of outsOf[a]!) {
        // The first b after i, unless another a comes first (then that later a is the one linked).
        for (let j = i + 1; j < len; j++) {
          const x = sequence[j]!;
          if (x === b) {
            linkedOut.push(b);
            linkedIn[j]!.push(a);
            break;
          }
          if (x === a) break;
        }
      }
      bump(outputs[a]!, linkedOut, c.names, count);
    }
    for (let j = 0; j < len; j++) bump(inputs[sequence[j]!]!, linkedIn[j]!, c.names, count);
  }
  const bindings: HeuristicsNet['bindings'] = {};
  for (let a = 0; a < n; a++) {
    if (inputs[a]!.size === 0 && outputs[a]!.size === 0) continue;
    bindings[c.names[a]!] = { inputs: sortedBindings(inputs[a]!), outputs: sortedBindings(outputs[a]!) };
  }
  return bindings;
}

function bump(into: Map<string, number>, ids: number[], names: string[], count: number): void {
  const key = JSON.stringify(ids.map((i) => names[i]!).sort());
  into.set(key, (into.get(key) ?? 0) + count);
}

function sortedBindings(m: Map<string, number>): Binding[] {
  return [...m]
    .map(([key, count]) => ({ activities: JSON.parse(key) as string[], count }))
    .sort((x, y) => y.count - x.count);
}
