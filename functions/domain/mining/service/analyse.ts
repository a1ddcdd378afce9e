import {
  MAX_LISTED_DEVIATIONS,
  MAX_LISTED_VARIANTS,
  type MiningModel,
  type MiningSettings,
} from '../../../../schemas/mining-api.js';
import { replayLog } from '../conformance/token-replay.js';
import { type DfgEdge, directlyFollowsOf } from '../discovery/dfg.js';
import { encodeLog, groupVariants } from '../discovery/encoded-log.js';
import { logStatisticsOf, variantsOf } from '../discovery/statistics.js';
import { dependencyMeasures } from '../discovery/heuristics.js';
import { automationCandidates, bottlenecks } from '../discovery/performance.js';
import { discoverPetriNet } from '../inductive.js';
import type { EventLog } from '../log.js';
import type { PetriNet } from '../petri-net.js';
import { petriNetToDot } from '../render.js';

/** Bottlenecks listed: the slowest transitions, by median waiting time. */
const MAX_BOTTLENECKS = 10;

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

const edgeOf = (e: DfgEdge) => ({
  from: e.from,
  to: e.to,
  count: e.count,
  meanMs: e.duration?.mean ?? null,
  medianMs: e.duration?.median ?? null,
  maxMs: e.duration?.max ?? null,
});

/**
 * Everything the platform mines from one log, as the API's model: statistics, the directly-follows graph with
 * frequencies and durations, the variants (most frequent first), heuristics dependencies at or above the threshold,
 * the inductive miner's sound workflow net (noise threshold), token-based replay of the log on that net, the slowest
 * transitions and the automation candidates; plus the net itself and its picture as DOT. Lists that grow with the
 * log (variants, deviating cases) are cut to a stated size so the answer stays bounded; their totals are kept.
 */
export function analyseLog(
  log: EventLog,
  settings: MiningSettings,
): { model: MiningModel; net: PetriNet; dot: string } {
  const encoded = encodeLog(log);
  const groups = groupVariants(encoded);
  const stats = logStatisticsOf(log, encoded, groups);
  const dfg = directlyFollowsOf(log, encoded);
  const variants = variantsOf(log, encoded, groups);
  const net = discoverPetriNet(log, { noiseThreshold: settings.noiseThreshold });
  const replay = replayLog(log, net);
  const deviating = replay.traces.filter((t) => !t.fits).map((t) => t.caseId);
  const model: MiningModel = {
    summary: {
      cases: stats.cases,
      events: stats.events,
      activities: stats.activities,
      variants: stats.variants,
      startActivities: stats.startActivities,
      endActivities: stats.endActivities,
      from: iso(stats.firstTime),
      to: iso(stats.lastTime),
    },
    dfg: dfg.edges.map(edgeOf),
    variants: {
      total: variants.length,
      top: variants.slice(0, MAX_LISTED_VARIANTS).map((v) => ({ activities: v.activities, count: v.count })),
    },
    dependencies: dependencyMeasures(log)
      .observed.filter((d) => d.value >= settings.dependencyThreshold)
      .map((d) => ({ from: d.from, to: d.to, value: d.value })),
    net: {
      places: net.places,
      transitions: net.transitions,
      arcs: net.arcs,
      initialMarking: net.initialMarking,
      finalMarking: net.finalMarking,
    },
    fitness: {
      logFitness: replay.logFitness,
      averageTraceFitness: replay.averageTraceFitness,
      fittingTraces: replay.fittingTraces,
      traces: replay.traces.length,
      deviatingCases: { total: deviating.length, cases: deviating.slice(0, MAX_LISTED_DEVIATIONS) },
    },
    bottlenecks: bottlenecks(log, { limit: MAX_BOTTLENECKS }).map(({ minMs: _, ...b }) => b),
    automationCandidates: automationCandidates(log),
    settings,
  };
  return { model, net, dot: petriNetToDot(net) };
}
