/**
 * The directly-follows graph: for each pair of activities (a, b), how often b comes right after a in a case, and —
 * where both events have a time — how long the step from a to b took (the waiting time between the two events).
 */
import type { EventLog } from '../log.js';
import { countRecord, type EncodedLog, encodeLog } from './encoded-log.js';

/** Summary of a set of durations in milliseconds. */
export interface DurationStats {
  /** How many durations were measured (pairs of events that both have a time). */
  count: number;
  mean: number;
  median: number;
  min: number;
  max: number;
  total: number;
}

export interface DfgEdge {
  from: string;
  to: string;
  /** Number of times `to` directly follows `from` in a case. */
  count: number;
  /** Present when at least one occurrence has both times. */
  duration?: DurationStats;
}

export interface DirectlyFollowsGraph {
  /** Events per activity. */
  activities: Record<string, number>;
  /** Cases per first activity. */
  startActivities: Record<string, number>;
  /** Cases per last activity. */
  endActivities: Record<string, number>;
  /** Edges by count, most frequent first (ties: first seen first). */
  edges: DfgEdge[];
}

/** Count, mean, median (mean of the two middle values for an even count), min, max and total of the durations. */
export function durationStats(values: ArrayLike<number>): DurationStats | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (let i = 0; i < n; i++) total += sorted[i]!;
  const mid = n >> 1;
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { count: n, mean: total / n, median, min: sorted[0]!, max: sorted[n - 1]!, total };
}

/** The directly-follows graph of a log, with durations per edge where the events have times. */
export function directlyFollows(log: EventLog): DirectlyFollowsGraph {
  return directlyFollowsOf(log, encodeLog(log));
}

/** As directlyFollows, on a log already encoded (encodeLog(log)). */
export function directlyFollowsOf(log: EventLog, encoded: EncodedLog): DirectlyFollowsGraph {
  const n = encoded.activities.length;
  const eventCounts = new Float64Array(n);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  // Edge accumulators by key a*n+b; `order` keeps first appearance for ties.
  const edges = new Map<number, { count: number; order: number; durations: number[] }>();
  encoded.traces.forEach((seq, ti) => {
    if (seq.length === 0) return;
    const events = log.traces[ti]!.events;
    starts[seq[0]!]!++;
    ends[seq[seq.length - 1]!]!++;
    eventCounts[seq[0]!]!++;
    for (let i = 1; i < seq.length; i++) {
      eventCounts[seq[i]!]!++;
      const key = seq[i - 1]! * n + seq[i]!;
      let acc = edges.get(key);
      if (!acc) edges.set(key, (acc = { count: 0, order: edges.size, durations: [] }));
      acc.count++;
      const t0 = events[i - 1]!.time;
      const t1 = events[i]!.time;
      if (t0 !== null && t1 !== null) acc.durations.push(t1 - t0);
    }
  });
  const out: Array<DfgEdge & { order: number }> = [];
  for (const [key, acc] of edges) {
    const edge: DfgEdge & { order: number } = {
      from: encoded.activities[Math.floor(key / n)]!,
      to: encoded.activities[key % n]!,
      count: acc.count,
      order: acc.order,
    };
    const duration = durationStats(acc.durations);
    if (duration) edge.duration = duration;
    out.push(edge);
  }
  out.sort((a, b) => b.count - a.count || a.order - b.order);
  return {
    activities: countRecord(encoded.activities, eventCounts),
    startActivities: countRecord(encoded.activities, starts),
    endActivities: countRecord(encoded.activities, ends),
    edges: out.map(({ order: _, ...edge }) => edge),
  };
}
