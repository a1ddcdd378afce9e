import { describe, expect, it } from 'vitest';
import {
  activityGraph,
  type MapEdge,
  markBottlenecks,
  petriGraph,
} from '../../../console/src/views/process-map-model.js';
import type { MiningModel } from '../../../schemas/mining-api.js';

const edge = (from: string, to: string, count: number, medianMs: number | null) => ({
  from,
  to,
  count,
  meanMs: medianMs,
  medianMs,
  maxMs: medianMs,
});

/** Three traces: a b c (twice) and a c. */
function aModel(): MiningModel {
  return {
    summary: {
      cases: 3,
      events: 8,
      activities: 3,
      variants: 2,
      startActivities: { a: 3 },
      endActivities: { c: 3 },
      from: null,
      to: null,
    },
    dfg: [edge('a', 'b', 2, 1000), edge('b', 'c', 2, 60_000), edge('a', 'c', 1, 5000)],
    variants: {
      total: 2,
      top: [
        { activities: ['a', 'b', 'c'], count: 2 },
        { activities: ['a', 'c'], count: 1 },
      ],
    },
    dependencies: [],
    net: {
      places: [{ id: 'p0' }, { id: 'p1', name: 'middle' }],
      transitions: [
        { id: 't0', label: 'a' },
        { id: 't1', label: null },
      ],
      arcs: [
        { source: 'p0', target: 't0' },
        { source: 't0', target: 'p1', weight: 2 },
        { source: 'p1', target: 't1' },
        { source: 'p1', target: 'nowhere' },
      ],
      initialMarking: { p0: 1 },
      finalMarking: { p1: 1 },
    },
    fitness: {
      logFitness: 1,
      averageTraceFitness: 1,
      fittingTraces: 3,
      traces: 3,
      deviatingCases: { total: 0, cases: [] },
    },
    alignments: {
      logFitness: 1,
      averageTraceFitness: 1,
      fittingTraces: 3,
      alignedTraces: 3,
      timedOutTraces: 0,
      variantsAligned: 2,
      traces: 3,
    },
    bottlenecks: [],
    automationCandidates: [],
    settings: { noiseThreshold: 0.2, dependencyThreshold: 0.5 },
  };
}

const counts = (g: ReturnType<typeof activityGraph>) => Object.fromEntries(g.nodes.map((n) => [n.label, n.count]));
const pairs = (g: ReturnType<typeof activityGraph>) =>
  Object.fromEntries(g.edges.map((e) => [`${e.from}>${e.to}`, e.count]));

describe('activityGraph', () => {
  it("counts each activity's events as the cases it starts plus the times it follows another", () => {
    const g = activityGraph(aModel());
    expect(counts(g)).toEqual({ start: 3, a: 3, b: 2, c: 3, end: 3 });
    expect(pairs(g)).toEqual({ 'start>a:a': 3, 'a:a>a:b': 2, 'a:b>a:c': 2, 'a:a>a:c': 1, 'a:c>end': 3 });
  });

  it('draws only the chosen variants, counting their cases, with the durations measured over all cases', () => {
    const g = activityGraph(aModel(), [1]);
    expect(counts(g)).toEqual({ start: 1, a: 1, c: 1, end: 1 });
    expect(pairs(g)).toEqual({ 'start>a:a': 1, 'a:a>a:c': 1, 'a:c>end': 1 });
    expect(g.edges.find((e) => e.from === 'a:a' && e.to === 'a:c')!.medianMs).toBe(5000);
    expect(counts(activityGraph(aModel(), [0, 1]))).toEqual({ start: 3, a: 3, b: 2, c: 3, end: 3 });
  });

  it('names activities that look like the markers apart from the markers', () => {
    const model = aModel();
    model.summary.startActivities = { start: 1 };
    model.summary.endActivities = { end: 1 };
    model.dfg = [edge('start', 'end', 1, 10)];
    const g = activityGraph(model);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(['a:end', 'a:start', 'end', 'start']);
  });
});

describe('markBottlenecks', () => {
  const edges = (medians: (number | null)[]): MapEdge[] =>
    medians.map((m, i) => ({ ...edge(`x${i}`, `y${i}`, 1, m), bottleneck: false }));

  it('marks the slowest tenth of the timed transitions, at least one', () => {
    const list = edges([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, null]);
    const marked = markBottlenecks(list);
    // 12 timed transitions: ceil(1.2) = 2.
    expect(marked.map((e) => e.medianMs)).toEqual([120, 110]);
    expect(list.filter((e) => e.bottleneck)).toHaveLength(2);
    expect(markBottlenecks(edges([5, 1])).map((e) => e.medianMs)).toEqual([5]);
  });

  it('marks ties with the slowest chosen, and nothing when no transition takes time', () => {
    expect(markBottlenecks(edges([7, 7, 1])).map((e) => e.medianMs)).toEqual([7, 7]);
    expect(markBottlenecks(edges([null, 0, null]))).toEqual([]);
  });
});

describe('petriGraph', () => {
  it('draws places with their tokens and final marking, transitions, silent ones, and the arcs between them', () => {
    const g = petriGraph(aModel().net);
    expect(g.nodes).toEqual([
      { id: 'p:p0', label: 'p0', kind: 'place', count: 1, final: false },
      { id: 'p:p1', label: 'middle', kind: 'place', count: 0, final: true },
      { id: 't:t0', label: 'a', kind: 'transition', count: 0 },
      { id: 't:t1', label: 'τ', kind: 'silent', count: 0 },
    ]);
    expect(g.edges.map((e) => [e.from, e.to, e.count])).toEqual([
      ['p:p0', 't:t0', 1],
      ['t:t0', 'p:p1', 2],
      ['p:p1', 't:t1', 1],
    ]);
  });
});
