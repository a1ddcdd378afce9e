/**
 * The inductive miner's working log: distinct traces (variants) of activity numbers with their multiplicity, and the
 * directly-follows facts of one such log. Activities are numbers (their rank in the sorted activity names) so the
 * recursion compares and copies integers, and a sub-log of a sub-log costs only its own events.
 */

/** One distinct trace and how many cases followed it. */
export interface Variant {
  seq: Int32Array;
  count: number;
}

export type SubLog = Variant[];

/** A key that identifies a sequence of activity numbers; code units for short traces of small numbers (fast). */
function sequenceKey(seq: Int32Array): string {
  if (seq.length <= 4096) {
    let ok = true;
    for (let i = 0; i < seq.length; i++) if (seq[i]! > 0xffff) ok = false;
    if (ok) return String.fromCharCode(...seq);
  }
  return seq.join(',');
}

/** Collects traces, adding up the counts of equal ones, so that projection keeps the log as variants. */
export class VariantBag {
  private readonly byKey = new Map<string, Variant>();

  add(seq: Int32Array, count: number): void {
    const key = sequenceKey(seq);
    const known = this.byKey.get(key);
    if (known) known.count += count;
    else this.byKey.set(key, { seq, count });
  }

  toLog(): SubLog {
    return [...this.byKey.values()];
  }
}

/**
 * The directly-follows graph of a sub-log over its own activities, numbered locally 0..k-1 (`acts[local]` is the
 * global number). Counts are weighted by variant multiplicity. `edges[a * k + b]` is how often b directly follows a.
 */
export interface DirectlyFollows {
  acts: number[];
  /** Global activity number → local number, or -1 for an activity absent from this sub-log. */
  localOf: Int32Array;
  k: number;
  edges: Float64Array;
  start: Float64Array;
  end: Float64Array;
  /** Whether the activity occurs exactly once in every trace of the sub-log (empty traces included). */
  oncePerTrace: Uint8Array;
  traces: number;
}

/** The directly-follows graph, start and end counts of a sub-log; `activityCount` is the global alphabet size. */
export function directlyFollows(log: SubLog, activityCount: number): DirectlyFollows {
  const localOf = new Int32Array(activityCount).fill(-1);
  const present = new Uint8Array(activityCount);
  for (const v of log) for (let i = 0; i < v.seq.length; i++) present[v.seq[i]!] = 1;
  const acts: number[] = [];
  for (let a = 0; a < activityCount; a++) {
    if (present[a]) {
      localOf[a] = acts.length;
      acts.push(a);
    }
  }
  const k = acts.length;
  const edges = new Float64Array(k * k);
  const start = new Float64Array(k);
  const end = new Float64Array(k);
  const oncePerTrace = new Uint8Array(k).fill(1);
  const seenIn = new Int32Array(k);
  let traces = 0;
  let stamp = 0;
  for (const v of log) {
    traces += v.count;
    stamp++;
    const seq = v.seq;
    for (let i = 0; i < seq.length; i++) {
      const a = localOf[seq[i]!]!;
      // a second occurrence in the same trace, stamped with this trace's number
      if (seenIn[a] === stamp) oncePerTrace[a] = 0;
      seenIn[a] = stamp;
      if (i > 0) edges[localOf[seq[i - 1]!]! * k + a]! += v.count;
    }
    if (seq.length > 0) {
      start[localOf[seq[0]!]!]! += v.count;
      end[localOf[seq[seq.length - 1]!]!]! += v.count;
    }
    // an activity missing from a trace does not occur exactly once in every trace
    for (let a = 0; a < k; a++) if (seenIn[a] !== stamp) oncePerTrace[a] = 0;
  }
  return { acts, localOf, k, edges, start, end, oncePerTrace, traces };
}

/**
 * Infrequent-behaviour filter of IMf (Leemans, Fahland, van der Aalst 2013), as ProM and pm4py apply it: an edge
 * a→b is kept only when it is more frequent than `threshold` times the strongest way out of a (its most frequent
 * outgoing edge or its count as an end activity). Start and end activities are kept.
 */
export function filterInfrequentEdges(dfg: DirectlyFollows, threshold: number): DirectlyFollows {
  const { k } = dfg;
  const edges = new Float64Array(dfg.edges);
  for (let a = 0; a < k; a++) {
    let strongest = dfg.end[a]!;
    for (let b = 0; b < k; b++) strongest = Math.max(strongest, edges[a * k + b]!);
    for (let b = 0; b < k; b++) if (edges[a * k + b]! <= threshold * strongest) edges[a * k + b] = 0;
  }
  return { ...dfg, edges };
}

/**
 * Minimum self-distance witnesses: `w[a * k + b]` is 1 when b occurs between two occurrences of a that are the
 * closest occurrences of a anywhere in the log. Two activities that witness each other's repetition are not
 * concurrent (they alternate in a loop), which keeps the parallel cut from swallowing short loops.
 */
export function minimumSelfDistanceWitnesses(log: SubLog, dfg: DirectlyFollows): Uint8Array {
  const { k, localOf } = dfg;
  const distance = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
  const witnesses = new Uint8Array(k * k);
  const last = new Int32Array(k);
  for (const v of log) {
    last.fill(-1);
    const seq = v.seq;
    for (let i = 0; i < seq.length; i++) {
      const a = localOf[seq[i]!]!;
      const previous = last[a]!;
      last[a] = i;
      if (previous < 0) continue;
      const d = i - previous - 1;
      if (d > distance[a]!) continue;
      if (d < distance[a]!) {
        distance[a] = d;
        witnesses.fill(0, a * k, (a + 1) * k);
      }
      for (let j = previous + 1; j < i; j++) witnesses[a * k + localOf[seq[j]!]!] = 1;
    }
  }
  return witnesses;
}
