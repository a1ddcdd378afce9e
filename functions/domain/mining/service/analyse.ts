import {
  ALIGNMENT_STATE_BUDGET,
  MAX_ALIGNED_VARIANTS,
  MAX_LISTED_DEVIATIONS,
  MAX_LISTED_VARIANTS,
  type MiningModel,
  type MiningSettings,
} from '../../../../schemas/mining-api.js';
import { alignLog } from '../conformance/alignments.js';
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
  const alignments = boundedAlignments(log, net);
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
    alignments,
    bottlenecks: bottlenecks(log, { limit: MAX_BOTTLENECKS }).map(({ minMs: _, ...b }) => b),
    automationCandidates: automationCandidates(log),
    settings,
  };
  return { model, net, dot: petriNetToDot(net) };
}

/**
 * Alignments of the traces of the log's most frequent variants (at most MAX_ALIGNED_VARIANTS), each search within
 * ALIGNMENT_STATE_BUDGET states: optimal alignments can take exponential time on nets with many silent loops, and a
 * mining job must end; the counts say what the figures cover.
 */
function boundedAlignments(log: EventLog, net: PetriNet): MiningModel['alignments'] {
  const counts = new Map<string, number>();
  const keyOf = (t: EventLog['traces'][number]) => t.events.map((e) => e.activity).join('\u0000');
  for (const t of log.traces) counts.set(keyOf(t), (counts.get(keyOf(t)) ?? 0) + 1);
  const top = new Set(
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_ALIGNED_VARIANTS)
      .map(([k]) => k),
  );
  const aligned = alignLog({ traces: log.traces.filter((t) => top.has(keyOf(t))) }, net, {
    maxStates: ALIGNMENT_STATE_BUDGET,
  });
  const alignedTraces = aligned.traces.length - aligned.timedOutTraces;
  return {
    logFitness: alignedTraces > 0 ? aligned.logFitness : null,
    averageTraceFitness: alignedTraces > 0 ? aligned.averageTraceFitness : null,
    fittingTraces: aligned.fittingTraces,
    alignedTraces,
    timedOutTraces: aligned.timedOutTraces,
    variantsAligned: top.size,
    traces: log.traces.length,
  };
}
