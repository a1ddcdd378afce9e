/**
 * Discovery basics over an EventLog: statistics, the directly-follows graph with frequencies and durations,
 * variants, the alpha algorithm, the heuristics miner, bottlenecks and automation candidates (each in its file under
 * discovery/), and `summariseLog`, the summary the `mine` command prints. docs/process-mining.md ("Discovery") states
 * what each result means and its formulas.
 */
import type { EventLog } from './log.js';
import { directlyFollowsOf } from './discovery/dfg.js';
import { encodeLog, groupVariants } from './discovery/encoded-log.js';
import { dependencyMeasuresOfEncoded } from './discovery/heuristics.js';
import { logStatisticsOf } from './discovery/statistics.js';

export {
  type AlphaPlace,
  type AlphaResult,
  alphaMiner,
  type Footprint,
  type FootprintRelation,
  footprint,
} from './discovery/alpha.js';
export {
  type DfgEdge,
  type DirectlyFollowsGraph,
  type DurationStats,
  directlyFollows,
  durationStats,
} from './discovery/dfg.js';
export {
  type Binding,
  type Dependency,
  type DependencyMeasures,
  dependencyMeasures,
  type HeuristicsEdge,
  type HeuristicsNet,
  type HeuristicsOptions,
  heuristicsMiner,
} from './discovery/heuristics.js';
export {
  type AutomationCandidate,
  type AutomationOptions,
  automationCandidates,
  type Bottleneck,
  type BottleneckOptions,
  bottlenecks,
  isManualByDefault,
  isSystemResource,
  type ManualPredicate,
} from './discovery/performance.js';
export {
  endActivities,
  type LogStatistics,
  logStatistics,
  startActivities,
  type Variant,
  variants,
} from './discovery/statistics.js';

/** What `npm run -s mine` prints about a log (besides the discovered net). */
export interface LogSummary {
  cases: number;
  events: number;
  /** Distinct activities. */
  activities: number;
  /** Distinct activity sequences. */
  variants: number;
  startActivities: Record<string, number>;
  endActivities: Record<string, number>;
  /** Directly-follows edges, most frequent first. */
  dfg: Array<{ from: string; to: string; count: number }>;
  /**
   * Heuristics dependency a ⇒ b for every ordered pair observed directly following in either direction, and a ⇒ a
   * for observed self-loops, rounded to 4 decimals.
   */
  dependencies: Array<{ from: string; to: string; value: number }>;
}

/** Rounds half away from zero to 4 decimals, and never answers -0. */
export function round4(x: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 1e4)) / 1e4;
  return r === 0 ? 0 : r;
}

/** The summary of a log that the `mine` command prints. */
export function summariseLog(log: EventLog): LogSummary {
  const encoded = encodeLog(log);
  const groups = groupVariants(encoded);
  const stats = logStatisticsOf(log, encoded, groups);
  const dfg = directlyFollowsOf(log, encoded);
  return {
    cases: stats.cases,
    events: stats.events,
    activities: stats.activities,
    variants: stats.variants,
    startActivities: stats.startActivities,
    endActivities: stats.endActivities,
    dfg: dfg.edges.map(({ from, to, count }) => ({ from, to, count })),
    dependencies: dependencyMeasuresOfEncoded(encoded, groups).observed.map(({ from, to, value }) => ({
      from,
      to,
      value: round4(value),
    })),
  };
}
