/**
 * A log with activities as small integers, and its traces grouped into variants: what every discovery algorithm
 * counts on. Interning the names once makes the directly-follows counts array lookups instead of string hashing,
 * and most algorithms only need each distinct sequence once with its multiplicity.
 */
import type { EventLog } from '../log.js';

export interface EncodedLog {
  /** Activity names by id, in order of first appearance in the log. */
  activities: string[];
  /** Each trace as activity ids, in event order. */
  traces: Int32Array[];
}

export interface VariantGroup {
  sequence: Int32Array;
  count: number;
  /** Indices of the traces with this sequence, in log order. */
  traceIndices: number[];
}

/** Interns the activity names of a log (ids in order of first appearance). */
export function encodeLog(log: EventLog): EncodedLog {
  const ids = new Map<string, number>();
  const activities: string[] = [];
  const traces = log.traces.map((trace) => {
    const seq = new Int32Array(trace.events.length);
    for (let i = 0; i < trace.events.length; i++) {
      const name = trace.events[i]!.activity;
      let id = ids.get(name);
      if (id === undefined) {
        id = activities.length;
        ids.set(name, id);
        activities.push(name);
      }
      seq[i] = id;
    }
    return seq;
  });
  return { activities, traces };
}

/** The distinct sequences of the log with their counts, in order of first appearance. */
export function groupVariants(encoded: EncodedLog): VariantGroup[] {
  const byKey = new Map<string, VariantGroup>();
  encoded.traces.forEach((seq, i) => {
    const key = seq.join(',');
    const group = byKey.get(key);
    if (group) {
      group.count++;
      group.traceIndices.push(i);
    } else byKey.set(key, { sequence: seq, count: 1, traceIndices: [i] });
  });
  return [...byKey.values()];
}

/**
 * Counts of each directly-follows pair `a > b` (b right after a in some trace), as an n×n matrix by activity id,
 * and the number of distinct pairs.
 */
export function followsMatrix(n: number, variants: readonly VariantGroup[]): { counts: Float64Array; edges: number } {
  const counts = new Float64Array(n * n);
  let edges = 0;
  for (const { sequence, count } of variants) {
    for (let i = 1; i < sequence.length; i++) {
      const k = sequence[i - 1]! * n + sequence[i]!;
      if (counts[k] === 0) edges++;
      counts[k]! += count;
    }
  }
  return { counts, edges };
}

/** A name → count record with keys in the order given (first appearance), for stable JSON. */
export function countRecord(names: readonly string[], counts: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) if (counts[i]! > 0) out[names[i]!] = counts[i]!;
  return out;
}
