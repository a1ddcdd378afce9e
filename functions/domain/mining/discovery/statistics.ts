/** What a log holds: counts of cases, events, activities and variants, start and end activities, and its time span. */
import type { EventLog } from '../log.js';
import { type DurationStats, durationStats } from './dfg.js';
import {
  countRecord,
  type EncodedLog,
  encodeLog,
  followsMatrix,
  groupVariants,
  type VariantGroup,
} from './encoded-log.js';

export interface LogStatistics {
  /** Traces (an empty trace is a case too). */
  cases: number;
  events: number;
  /** Distinct activities. */
  activities: number;
  /** Distinct activity sequences. */
  variants: number;
  /** Distinct directly-follows pairs. */
  dfgEdges: number;
  /** Events per activity, in order of first appearance. */
  activityCounts: Record<string, number>;
  /** Cases per first activity. */
  startActivities: Record<string, number>;
  /** Cases per last activity. */
  endActivities: Record<string, number>;
  /** Earliest and latest event time, or null when no event has one. */
  firstTime: number | null;
  lastTime: number | null;
  /** Case durations (last minus first timed event) over the cases with at least one timed event. */
  caseDuration: DurationStats | null;
}

export interface Variant {
  /** The activity sequence. */
  activities: string[];
  /** Cases with this sequence. */
  count: number;
  /** Their case ids, in log order. */
  caseIds: string[];
}

/** Counts and time span of a log. */
export function logStatistics(log: EventLog): LogStatistics {
  const encoded = encodeLog(log);
  return logStatisticsOf(log, encoded, groupVariants(encoded));
}

/** As logStatistics, on a log already encoded and grouped. */
export function logStatisticsOf(log: EventLog, encoded: EncodedLog, groups: readonly VariantGroup[]): LogStatistics {
  const n = encoded.activities.length;
  const counts = new Float64Array(n);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  let events = 0;
  for (const { sequence, count } of groups) {
    events += sequence.length * count;
    for (let i = 0; i < sequence.length; i++) counts[sequence[i]!]! += count;
    if (sequence.length > 0) {
      starts[sequence[0]!]! += count;
      ends[sequence[sequence.length - 1]!]! += count;
    }
  }
  let firstTime = Number.POSITIVE_INFINITY;
  let lastTime = Number.NEGATIVE_INFINITY;
  const caseDurations: number[] = [];
  for (const trace of log.traces) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const e of trace.events) {
      if (e.time === null) continue;
      if (e.time < lo) lo = e.time;
      if (e.time > hi) hi = e.time;
    }
    if (lo === Number.POSITIVE_INFINITY) continue;
    caseDurations.push(hi - lo);
    if (lo < firstTime) firstTime = lo;
    if (hi > lastTime) lastTime = hi;
  }
  const timed = caseDurations.length > 0;
  return {
    cases: log.traces.length,
    events,
    activities: n,
    variants: groups.length,
    dfgEdges: followsMatrix(n, groups).edges,
    activityCounts: countRecord(encoded.activities, counts),
    startActivities: countRecord(encoded.activities, starts),
    endActivities: countRecord(encoded.activities, ends),
    firstTime: timed ? firstTime : null,
    lastTime: timed ? lastTime : null,
    caseDuration: durationStats(caseDurations) ?? null,
  };
}

/** The variants of a log, most frequent first (ties: the one seen first in the log first). */
export function variants(log: EventLog): Variant[] {
  const encoded = encodeLog(log);
  return variantsOf(log, encoded, groupVariants(encoded));
}

/** As variants, on a log already encoded and grouped. */
export function variantsOf(log: EventLog, encoded: EncodedLog, groups: readonly VariantGroup[]): Variant[] {
  // groupVariants lists groups in order of first appearance, and the sort is stable.
  return [...groups]
    .sort((a, b) => b.count - a.count)
    .map((g) => ({
      activities: Array.from(g.sequence, (id) => encoded.activities[id]!),
      count: g.count,
      caseIds: g.traceIndices.map((i) => log.traces[i]!.caseId),
    }));
}

/** Cases per first activity. */
export function startActivities(log: EventLog): Record<string, number> {
  return logStatistics(log).startActivities;
}

/** Cases per last activity. */
export function endActivities(log: EventLog): Record<string, number> {
  return logStatistics(log).endActivities;
}
