import { describe, expect, it } from 'vitest';
import {
  alphaMiner,
  automationCandidates,
  bottlenecks,
  dependencyMeasures,
  directlyFollows,
  durationStats,
  footprint,
  heuristicsMiner,
  isManualByDefault,
  isSystemResource,
  logStatistics,
  round4,
  summariseLog,
  variants,
} from '../../../functions/domain/mining/discovery.js';
import type { EventLog, LogEvent } from '../../../functions/domain/mining/log.js';
import { logFromMultiset, logOfTraces, seeded } from '../../support/event-logs.js';

const H = 3_600_000;

/** A log from traces of [activity, hours since the epoch | null, resource?]. */
function timedLog(traces: Array<Array<[string, number | null, string?]>>): EventLog {
  return {
    traces: traces.map((events, i) => ({
      caseId: `c${i + 1}`,
      attributes: {},
      events: events.map(([activity, hours, resource], j) => {
        const e: LogEvent = { id: `c${i + 1}#${j}`, activity, time: hours === null ? null : hours * H, attributes: {} };
        if (resource !== undefined) e.resource = resource;
        return e;
      }),
    })),
  };
}

/** Seeded random traces over a small alphabet: the property tests' inputs. */
function randomTraces(seed: number, alphabet = 5, cases = 12, maxLength = 7): string[][] {
  const random = seeded(seed);
  return Array.from({ length: cases }, () =>
    Array.from({ length: Math.floor(random() * (maxLength + 1)) }, () =>
      String.fromCharCode(97 + Math.floor(random() * alphabet)),
    ),
  );
}

describe('directly-follows graph', () => {
  it('counts each step and summarises its durations where both events have a time', () => {
    const log = timedLog([
      [
        ['a', 0],
        ['b', 1],
        ['c', 4],
      ],
      [
        ['a', 10],
        ['b', 13],
        ['c', null],
      ],
      [
        ['a', 20],
        ['b', 30],
      ],
    ]);
    const dfg = directlyFollows(log);
    expect(dfg.activities).toEqual({ a: 3, b: 3, c: 2 });
    expect(dfg.startActivities).toEqual({ a: 3 });
    expect(dfg.endActivities).toEqual({ c: 2, b: 1 });
    const ab = dfg.edges.find((e) => e.from === 'a' && e.to === 'b')!;
    expect(ab.count).toBe(3);
    expect(ab.duration).toEqual({
      count: 3,
      mean: ((1 + 3 + 10) / 3) * H,
      median: 3 * H,
      min: H,
      max: 10 * H,
      total: 14 * H,
    });
    const bc = dfg.edges.find((e) => e.from === 'b' && e.to === 'c')!;
    expect(bc.count).toBe(2);
    expect(bc.duration).toEqual({ count: 1, mean: 3 * H, median: 3 * H, min: 3 * H, max: 3 * H, total: 3 * H });
  });

  it('has no durations without times, and orders edges by count then first appearance', () => {
    const dfg = directlyFollows(
      logOfTraces([
        ['x', 'y'],
        ['p', 'q'],
        ['p', 'q'],
        ['x', 'y'],
        ['y', 'x'],
      ]),
    );
    expect(dfg.edges).toEqual([
      { from: 'x', to: 'y', count: 2 },
      { from: 'p', to: 'q', count: 2 },
      { from: 'y', to: 'x', count: 1 },
    ]);
  });

  it('takes the median of an even count as the mean of the two middle values', () => {
    expect(durationStats([4, 1, 3, 2])?.median).toBe(2.5);
    expect(durationStats([])).toBeUndefined();
  });
});

describe('statistics and variants', () => {
  it('counts cases (empty ones too), events, activities, variants and the time span', () => {
    const log = timedLog([
      [
        ['a', 1],
        ['b', 5],
      ],
      [],
      [
        ['a', 2],
        ['b', 3],
      ],
      [['c', null]],
    ]);
    const s = logStatistics(log);
    expect(s).toMatchObject({
      cases: 4,
      events: 5,
      activities: 3,
      variants: 3,
      dfgEdges: 1,
      activityCounts: { a: 2, b: 2, c: 1 },
      startActivities: { a: 2, c: 1 },
      endActivities: { b: 2, c: 1 },
      firstTime: H,
      lastTime: 5 * H,
    });
    // The case without times has no duration.
    expect(s.caseDuration).toMatchObject({ count: 2, min: H, max: 4 * H, median: 2.5 * H });
  });

  it('lists variants most frequent first, ties in order of first appearance, with their cases', () => {
    const v = variants(logOfTraces([['b'], ['a', 'b'], ['b'], ['a', 'b'], ['c'], ['a', 'b']]));
    expect(v).toEqual([
      { activities: ['a', 'b'], count: 3, caseIds: ['c2', 'c4', 'c6'] },
      { activities: ['b'], count: 2, caseIds: ['c1', 'c3'] },
      { activities: ['c'], count: 1, caseIds: ['c5'] },
    ]);
  });
});

/** Every pair (A, B) of the alpha algorithm's X_L by enumerating all subsets, then the maximal ones: Y_L. */
function bruteForcePlaces(traces: string[][]): string[] {
  const acts = [...new Set(traces.flat())].sort();
  const gt = new Set<string>();
  for (const t of traces) for (let i = 1; i < t.length; i++) gt.add(`${t[i - 1]}>${t[i]}`);
  const f = (a: string, b: string) => gt.has(`${a}>${b}`);
  const causal = (a: string, b: string) => f(a, b) && !f(b, a);
  const choice = (a: string, b: string) => !f(a, b) && !f(b, a);
  const subsets: string[][] = [];
  for (let mask = 1; mask < 1 << acts.length; mask++) subsets.push(acts.filter((_, i) => mask & (1 << i)));
  const internal = (s: string[]) => s.every((x) => s.every((y) => choice(x, y)));
  const xl: Array<[string[], string[]]> = [];
  for (const a of subsets.filter(internal)) {
    for (const b of subsets.filter(internal)) {
      if (a.every((x) => b.every((y) => causal(x, y)))) xl.push([a, b]);
    }
  }
  const sub = (x: string[], y: string[]) => x.every((v) => y.includes(v));
  const yl = xl.filter(
    ([a, b]) => !xl.some(([a2, b2]) => sub(a, a2) && sub(b, b2) && (a2.length > a.length || b2.length > b.length)),
  );
  return yl.map(([a, b]) => `{${a.join(',')}}->{${b.join(',')}}`).sort();
}

describe('alpha algorithm', () => {
  it('finds the maximal pairs that enumerating every subset finds, on seeded random logs', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const traces = randomTraces(seed, 2 + (seed % 5), 3 + (seed % 9), 2 + (seed % 6));
      expect(
        alphaMiner(logOfTraces(traces)).places.map((p) => p.name),
        JSON.stringify(traces),
      ).toEqual(bruteForcePlaces(traces));
    }
  });

  it('gives the footprint of the book for L1', () => {
    const fp = footprint(logFromMultiset('3x Case1 a b c d\n2x Case2 a c b d\n1x Case3 a e d'));
    expect(fp.activities).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(fp.relations).toEqual([
      ['#', '->', '->', '#', '->'],
      ['<-', '#', '||', '->', '#'],
      ['<-', '||', '#', '->', '#'],
      ['#', '<-', '<-', '#', '<-'],
      ['<-', '#', '#', '->', '#'],
    ]);
    expect(fp.relation('b', 'c')).toBe('||');
    expect(fp.relation('a', 'zz')).toBe('#');
  });

  it('builds the net of the places: source to the start activities, places between, end activities to sink', () => {
    const a = alphaMiner(logFromMultiset('3x Case1 a b c d\n2x Case2 a c b d\n1x Case3 a e d'));
    const net = a.net;
    const label = (id: string) =>
      net.transitions.find((t) => t.id === id)?.label ?? net.places.find((p) => p.id === id)?.name;
    const arcs = net.arcs.map((arc) => `${label(arc.source)} -> ${label(arc.target)}`).sort();
    expect(arcs).toEqual(
      [
        'start -> a',
        'a -> {a}->{b,e}',
        'a -> {a}->{c,e}',
        '{a}->{b,e} -> b',
        '{a}->{b,e} -> e',
        '{a}->{c,e} -> c',
        '{a}->{c,e} -> e',
        'b -> {b,e}->{d}',
        'e -> {b,e}->{d}',
        'c -> {c,e}->{d}',
        'e -> {c,e}->{d}',
        '{b,e}->{d} -> d',
        '{c,e}->{d} -> d',
        'd -> end',
      ].sort(),
    );
    expect(net.initialMarking).toEqual({ source: 1 });
    expect(net.finalMarking).toEqual({ sink: 1 });
    expect(net.transitions.map((t) => t.label).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('heuristics dependency measures', () => {
  /** Occurrences of a substring of activities in the traces, counted directly. */
  const occurrences = (traces: string[][], pattern: string[]) =>
    traces.reduce((sum, t) => {
      let n = 0;
      for (let i = 0; i + pattern.length <= t.length; i++) if (pattern.every((p, k) => t[i + k] === p)) n++;
      return sum + n;
    }, 0);

  it('follow the book formulas on seeded random logs', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const traces = randomTraces(seed, 4, 15, 8);
      const m = dependencyMeasures(logOfTraces(traces));
      for (const a of m.activities) {
        for (const b of m.activities) {
          const ab = occurrences(traces, [a, b]);
          const ba = occurrences(traces, [b, a]);
          expect(m.follows(a, b)).toBe(ab);
          if (a === b) expect(m.dependency(a, a)).toBeCloseTo(ab / (ab + 1), 12);
          else {
            expect(m.dependency(a, b)).toBeCloseTo((ab - ba) / (ab + ba + 1), 12);
            const l2 = occurrences(traces, [a, b, a]) + occurrences(traces, [b, a, b]);
            expect(m.shortLoops(a, b)).toBe(occurrences(traces, [a, b, a]));
            expect(m.lengthTwoLoop(a, b)).toBeCloseTo(l2 / (l2 + 1), 12);
          }
        }
      }
      const observedPairs = new Set(m.observed.map((d) => `${d.from}${d.to}`));
      for (const a of m.activities) {
        for (const b of m.activities) {
          const seen = a === b ? m.follows(a, a) > 0 : m.follows(a, b) + m.follows(b, a) > 0;
          expect(observedPairs.has(`${a}${b}`)).toBe(seen);
        }
      }
    }
  });

  it('are rounded half away from zero to 4 decimals in the summary, never as -0', () => {
    expect(round4(-11 / 12)).toBe(-0.9167);
    expect(round4(0.12345)).toBe(0.1235);
    expect(round4(-0.12345)).toBe(-0.1235);
    expect(Object.is(round4(-0.00001), 0)).toBe(true);
  });
});

describe('heuristics miner', () => {
  const lHeur1 = logFromMultiset(
    '5x C a e\n10x C a b c e\n10x C a c b e\n1x C a b e\n1x C a c e\n10x C a d e\n2x C a d d e\n1x C a d d d e',
  );
  const edgeSet = (net: ReturnType<typeof heuristicsMiner>) => net.edges.map((e) => `${e.from}->${e.to}`).sort();

  it('keeps strong dependencies near the best one, with ProM-like defaults', () => {
    // a=>b .9167, a=>c .9167, a=>d .9286 are within 0.05 of a's best; a=>e .8333 is below 0.9; d=>d .8 below 0.9.
    expect(edgeSet(heuristicsMiner(lHeur1))).toEqual(['a->b', 'a->c', 'a->d', 'b->e', 'c->e', 'd->e']);
  });

  it('keeps the weaker a=>e and the self-loop d=>d with lower thresholds and no relative-to-best limit', () => {
    const net = heuristicsMiner(lHeur1, {
      dependencyThreshold: 0.7,
      positiveObservations: 2,
      relativeToBest: 1,
      loopLengthOneThreshold: 0.7,
    });
    expect(edgeSet(net)).toEqual(['a->b', 'a->c', 'a->d', 'a->e', 'b->e', 'c->e', 'd->d', 'd->e']);
    expect(net.edges.find((e) => e.from === 'd' && e.to === 'd')).toEqual({
      from: 'd',
      to: 'd',
      dependency: 0.8,
      count: 4,
    });
  });

  it('connects every activity to its strongest neighbours only when all tasks must be connected', () => {
    const log = logFromMultiset('5x C x y\n1x C x z');
    // x=>y = 5/6 and x=>z = 1/2 are both below 0.9, but each is the best input of its target.
    expect(edgeSet(heuristicsMiner(log))).toEqual(['x->y', 'x->z']);
    expect(edgeSet(heuristicsMiner(log, { allTasksConnected: false }))).toEqual([]);
  });

  it('finds a length-two loop that a => b near zero would hide', () => {
    const log = logFromMultiset('5x C a b a c');
    // |a>>b| = 5, so a=>2b = 5/6; a=>b = (5-5)/11 = 0.
    expect(edgeSet(heuristicsMiner(log, { loopLengthTwoThreshold: 0.8 }))).toEqual(['a->b', 'a->c', 'b->a']);
    expect(edgeSet(heuristicsMiner(log))).toEqual(['a->c']);
  });

  it('reads AND and XOR bindings of the causal net from the log', () => {
    const options = { dependencyThreshold: 0.5, relativeToBest: 1 };
    const and = heuristicsMiner(logFromMultiset('3x C a b c d\n2x C a c b d'), options);
    expect(and.bindings.a).toEqual({
      inputs: [{ activities: [], count: 5 }],
      outputs: [{ activities: ['b', 'c'], count: 5 }],
    });
    expect(and.bindings.d).toEqual({
      inputs: [{ activities: ['b', 'c'], count: 5 }],
      outputs: [{ activities: [], count: 5 }],
    });
    const xor = heuristicsMiner(logFromMultiset('3x C a b d\n2x C a c d'), options);
    expect(xor.bindings.a!.outputs).toEqual([
      { activities: ['b'], count: 3 },
      { activities: ['c'], count: 2 },
    ]);
    expect(xor.bindings.d!.inputs).toEqual([
      { activities: ['b'], count: 3 },
      { activities: ['c'], count: 2 },
    ]);
    expect(xor.startActivities).toEqual({ a: 5 });
    expect(xor.activities).toEqual({ a: 5, b: 3, d: 5, c: 2 });
  });
});

describe('bottlenecks', () => {
  const log = timedLog([
    [
      ['a', 0],
      ['b', 1],
      ['c', 11],
    ],
    [
      ['a', 0],
      ['b', 2],
      ['c', 4],
    ],
    [
      ['a', 0],
      ['b', 30],
      ['c', 33],
    ],
  ]);

  it('ranks steps by median waiting time, or by mean', () => {
    // a->b waits 1, 2, 30 h (median 2, mean 11); b->c waits 10, 2, 3 h (median 3, mean 5).
    const byMedian = bottlenecks(log);
    expect(byMedian.map((b) => [b.from, b.to, b.medianMs / H, b.count])).toEqual([
      ['b', 'c', 3, 3],
      ['a', 'b', 2, 3],
    ]);
    expect(bottlenecks(log, { by: 'mean' }).map((b) => [b.from, b.meanMs / H, b.totalMs / H])).toEqual([
      ['a', 11, 33],
      ['b', 5, 15],
    ]);
    expect(bottlenecks(log, { limit: 1 })).toHaveLength(1);
    expect(bottlenecks(log, { minCount: 4 })).toEqual([]);
  });

  it('has none in a log without times', () => {
    expect(bottlenecks(logOfTraces([['a', 'b']]))).toEqual([]);
  });
});

describe('automation candidates', () => {
  const log = timedLog([
    [
      ['receive', 0, 'SYSTEM'],
      ['copy data', 1, 'Ann'],
      ['approve', 2, 'Bob'],
      ['archive', 3, 'Bob'],
    ],
    [
      ['receive', 0, 'SYSTEM'],
      ['copy data', 1, 'Bob'],
      ['approve', 2, 'Ann'],
      ['reject', 3, 'Ann'],
    ],
    [
      ['receive', 0, 'SYSTEM'],
      ['copy data', 1, 'Cem'],
      ['approve', 2, 'batch_job'],
      ['archive', 3, 'Ann'],
    ],
  ]);

  it('are the steps always done by hand on the same path', () => {
    // copy data: always by a person, always between receive and approve. approve: once by a batch job, and its
    // successor varies. receive: a system account. archive: 2 cases, by hand, after approve, at the end.
    expect(automationCandidates(log)).toEqual([
      { activity: 'copy data', predecessor: 'receive', successor: 'approve', cases: 3, occurrences: 3 },
      { activity: 'archive', predecessor: 'approve', successor: null, cases: 2, occurrences: 2 },
    ]);
    expect(automationCandidates(log, { minCases: 3 }).map((c) => c.activity)).toEqual(['copy data']);
  });

  it('take the caller’s test of what is manual', () => {
    const everything = automationCandidates(log, { isManual: () => true, minCases: 1 });
    expect(everything.map((c) => c.activity).sort()).toEqual(['archive', 'copy data', 'receive', 'reject']);
  });

  it('tell system accounts by their words and honour an explicit manual attribute', () => {
    for (const s of ['SYSTEM', 'batch_job', 'svcPayments', 'rpa-bot-1', 'Workflow Engine', 'noreply@x.org']) {
      expect(isSystemResource(s), s).toBe(true);
    }
    for (const p of ['Pete', 'Sara Jobson', 'Robert', 'Systema Ltd clerk 7', '537'])
      expect(isSystemResource(p), p).toBe(false);
    const e = (attributes: LogEvent['attributes'], resource?: string): LogEvent => ({
      id: 'x',
      activity: 'a',
      time: null,
      attributes,
      ...(resource === undefined ? {} : { resource }),
    });
    const t = { caseId: 'c', events: [], attributes: {} };
    expect(isManualByDefault(e({}, 'Pete'), t)).toBe(true);
    expect(isManualByDefault(e({}), t)).toBe(false);
    expect(isManualByDefault(e({ manual: true }, 'SYSTEM'), t)).toBe(true);
    expect(isManualByDefault(e({ manual: 'no' }, 'Pete'), t)).toBe(false);
    expect(isManualByDefault(e({ resource: 'Ann' }), t)).toBe(true);
  });
});

describe('summariseLog', () => {
  it('gives the mine command’s fields in order', () => {
    const s = summariseLog(logFromMultiset('2x C a b\n1x C b a'));
    expect(Object.keys(s)).toEqual([
      'cases',
      'events',
      'activities',
      'variants',
      'startActivities',
      'endActivities',
      'dfg',
      'dependencies',
    ]);
    expect(s).toEqual({
      cases: 3,
      events: 6,
      activities: 2,
      variants: 2,
      startActivities: { a: 2, b: 1 },
      endActivities: { b: 2, a: 1 },
      dfg: [
        { from: 'a', to: 'b', count: 2 },
        { from: 'b', to: 'a', count: 1 },
      ],
      dependencies: [
        { from: 'a', to: 'b', value: 0.25 },
        { from: 'b', to: 'a', value: -0.25 },
      ],
    });
  });
});
