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
 * concurrent (they alternate in a loop), which keeps the parallel cut from swallowing short loops. With `skip` (a
 * global activity number) the witnesses are those of the log without that activity, computed without copying it.
 */
export function minimumSelfDistanceWitnesses(log: SubLog, dfg: DirectlyFollows, skip = -1): Uint8Array {
  const { k, localOf } = dfg;
  const distance = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
  const witnesses = new Uint8Array(k * k);
  const lastAt = new Int32Array(k);
  const lastPosition = new Int32Array(k);
  for (const v of log) {
    lastAt.fill(-1);
    const seq = v.seq;
    let position = 0;
    for (let i = 0; i < seq.length; i++) {
      if (seq[i] === skip) continue;
      const a = localOf[seq[i]!]!;
      const previous = lastAt[a]!;
      const d = position - lastPosition[a]! - 1;
      lastAt[a] = i;
      lastPosition[a] = position++;
      if (previous < 0 || d > distance[a]!) continue;
      if (d < distance[a]!) {
        distance[a] = d;
        witnesses.fill(0, a * k, (a + 1) * k);
      }
      for (let j = previous + 1; j < i; j++) if (seq[j] !== skip) witnesses[a * k + localOf[seq[j]!]!] = 1;
    }
  }
  return witnesses;
}

/**
 * The directly-follows graph of the log without one activity, for each activity in turn, without copying the log:
 * one pass records, for every maximal run of an activity, what comes before and after it (which become adjacent,
 * a start, or an end once the run is gone). `without(a)` (a local number) then combines the graph's other edges
 * with those. Only presence matters to the cuts; counts are kept all the same.
 */
export function directlyFollowsWithoutEach(log: SubLog, dfg: DirectlyFollows): (a: number) => DirectlyFollows {
  const { k, localOf } = dfg;
  // per local activity: [before, after, count] triples, -1 for the trace's edge
  const bridges: number[][] = Array.from({ length: k }, () => []);
  for (const v of log) {
    const seq = v.seq;
    for (let i = 0; i < seq.length; ) {
      let j = i;
      while (j + 1 < seq.length && seq[j + 1] === seq[i]) j++;
      const before = i > 0 ? localOf[seq[i - 1]!]! : -1;
      const after = j + 1 < seq.length ? localOf[seq[j + 1]!]! : -1;
      bridges[localOf[seq[i]!]!]!.push(before, after, v.count);
      i = j + 1;
    }
  }
  return (a: number): DirectlyFollows => {
    const m = k - 1;
    const newLocal = new Int32Array(k);
    for (let x = 0; x < k; x++) newLocal[x] = x < a ? x : x === a ? -1 : x - 1;
    const acts = dfg.acts.filter((_, x) => x !== a);
    const localOfRest = new Int32Array(localOf.length).fill(-1);
    acts.forEach((g, x) => {
      localOfRest[g] = x;
    });
    const edges = new Float64Array(m * m);
    const start = new Float64Array(m);
    const end = new Float64Array(m);
    for (let x = 0; x < k; x++) {
      if (x === a) continue;
      start[newLocal[x]!] = dfg.start[x]!;
      end[newLocal[x]!] = dfg.end[x]!;
      for (let y = 0; y < k; y++) if (y !== a) edges[newLocal[x]! * m + newLocal[y]!] = dfg.edges[x * k + y]!;
    }
    const b = bridges[a]!;
    for (let i = 0; i < b.length; i += 3) {
      const before = b[i]!;
      const after = b[i + 1]!;
      const count = b[i + 2]!;
      if (before >= 0 && after >= 0) edges[newLocal[before]! * m + newLocal[after]!]! += count;
      else if (after >= 0) start[newLocal[after]!]! += count;
      else if (before >= 0) end[newLocal[before]!]! += count;
    }
    return { acts, localOf: localOfRest, k: m, edges, start, end, oncePerTrace: new Uint8Array(m), traces: dfg.traces };
  };
}
