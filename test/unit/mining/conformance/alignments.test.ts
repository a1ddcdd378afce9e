import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../functions/domain/errors.js';
import {
  Aligner,
  type AlignmentMove,
  DEVIATION_COST,
  SILENT_COST,
  alignLog,
} from '../../../../functions/domain/mining/conformance/alignments.js';
import type { PetriNet } from '../../../../functions/domain/mining/petri-net.js';
import { generateProcessModel, playOutSequences } from '../../../../local/synthetic/process-models.js';
import { N1, log, net } from './nets.js';

const brief = (moves: readonly AlignmentMove[] | null) =>
  moves?.map((m) => (m.kind === 'silent' ? 'tau' : `${m.kind}:${m.activity}`));

/**
 * An independent optimal-cost oracle: plain Dijkstra (no heuristic) over (marking, position), written without the
 * aligner's data structures. Small nets and traces only.
 */
function dijkstraCost(netToAlign: PetriNet, trace: readonly string[]): number {
  const pre = new Map<string, string[]>();
  const post = new Map<string, string[]>();
  for (const t of netToAlign.transitions) pre.set(t.id, []), post.set(t.id, []);
  for (const a of netToAlign.arcs) {
    if (pre.has(a.target)) pre.get(a.target)!.push(a.source);
    else post.get(a.source)!.push(a.target);
  }
  const key = (m: Record<string, number>) =>
    Object.entries(m)
      .filter(([, n]) => n > 0)
      .sort()
      .map(([p, n]) => `${p}=${n}`)
      .join(',');
  const finalKey = key(netToAlign.finalMarking);
  const best = new Map<string, number>();
  const queue: { cost: number; m: Record<string, number>; i: number }[] = [
    { cost: 0, m: { ...netToAlign.initialMarking }, i: 0 },
  ];
  while (queue.length > 0) {
    queue.sort((x, y) => x.cost - y.cost);
    const { cost, m, i } = queue.shift()!;
    const k = `${key(m)}|${i}`;
    if (best.has(k)) continue;
    best.set(k, cost);
    if (i === trace.length && key(m) === finalKey) return cost;
    if (i < trace.length) queue.push({ cost: cost + DEVIATION_COST, m, i: i + 1 });
    for (const t of netToAlign.transitions) {
      if (!pre.get(t.id)!.every((p) => (m[p] ?? 0) > 0)) continue;
      const next = { ...m };
      for (const p of pre.get(t.id)!) next[p]!--;
      for (const p of post.get(t.id)!) next[p] = (next[p] ?? 0) + 1;
      if (t.label === null) queue.push({ cost: cost + SILENT_COST, m: next, i });
      else {
        queue.push({ cost: cost + DEVIATION_COST, m: next, i });
        if (trace[i] === t.label) queue.push({ cost, m: next, i: i + 1 });
      }
    }
  }
  return Number.POSITIVE_INFINITY;
}

/** Checks that the moves are an alignment: the log side is the trace, the model side a run to the final marking. */
function expectValidAlignment(netToAlign: PetriNet, trace: readonly string[], moves: readonly AlignmentMove[]) {
  const logSide = moves.flatMap((m) => (m.kind === 'sync' || m.kind === 'log' ? [m.activity] : []));
  expect(logSide).toEqual(trace);
  const m: Record<string, number> = { ...netToAlign.initialMarking };
  for (const move of moves) {
    if (move.kind === 'log') continue;
    const id = move.transitionId;
    for (const a of netToAlign.arcs.filter((x) => x.target === id)) {
      expect(m[a.source] ?? 0).toBeGreaterThan(0);
      m[a.source]!--;
    }
    for (const a of netToAlign.arcs.filter((x) => x.source === id)) m[a.target] = (m[a.target] ?? 0) + 1;
  }
  const marked = Object.fromEntries(Object.entries(m).filter(([, n]) => n > 0));
  expect(marked).toEqual(netToAlign.finalMarking);
}

const costOf = (moves: readonly AlignmentMove[]) =>
  moves.reduce((s, m) => s + (m.kind === 'sync' ? 0 : m.kind === 'silent' ? SILENT_COST : DEVIATION_COST), 0);

describe('alignments on N1', () => {
  it('aligns a fitting trace with synchronous moves only', () => {
    const [t] = alignLog(log('a c d e h'), N1).traces;
    expect(t!.cost).toBe(0);
    expect(t!.fitness).toBe(1);
    expect(t!.fits).toBe(true);
    expect(brief(t!.moves)).toEqual(['sync:a', 'sync:c', 'sync:d', 'sync:e', 'sync:h']);
  });

  it('puts a model move where the trace skipped an activity', () => {
    // One deviation; the cheapest model run is a, b|c, d, e, g|h = 5 visible steps: fitness = 1 − 1/(4 + 5).
    const [t] = alignLog(log('a c e h'), N1).traces;
    expect(t!.cost).toBe(DEVIATION_COST);
    expect(t!.deviations).toBe(1);
    expect(t!.fitness).toBeCloseTo(1 - 1 / 9, 12);
    // d runs in parallel with c, so the model move may stand before or after c: both are optimal.
    expect(brief(t!.moves)?.filter((m) => !m.startsWith('sync:'))).toEqual(['model:d']);
    expectValidAlignment(N1, ['a', 'c', 'e', 'h'], t!.moves!);
  });

  it('puts a log move on an event the model cannot follow', () => {
    const [t] = alignLog(log('a c x d e h'), N1).traces;
    expect(t!.cost).toBe(DEVIATION_COST);
    expect(t!.fitness).toBeCloseTo(1 - 1 / 11, 12);
    expect(brief(t!.moves)).toContain('log:x');
  });

  it('costs a swapped pair that cannot be interleaved as two deviations', () => {
    // e before d cannot be replayed: move one of them (a log move and a model move), 2 deviations.
    const [t] = alignLog(log('a c e d h'), N1).traces;
    expect(t!.deviations).toBe(2);
    expectValidAlignment(N1, ['a', 'c', 'e', 'd', 'h'], t!.moves!);
  });

  it('computes the log fitness from the summed costs and worst cases, not the mean', () => {
    // Σ cost = 10 000; Σ (10 000·|σ| + model run 50 000) = 100 000 + 90 000: log fitness = 1 − 1/19.
    const result = alignLog(log('a c d e h', 'a c e h'), N1);
    expect(result.modelRunCost).toBe(5 * DEVIATION_COST);
    expect(result.logFitness).toBeCloseTo(1 - 1 / 19, 12);
    expect(result.averageTraceFitness).toBeCloseTo((1 + 8 / 9) / 2, 12);
    expect(result.fittingTraces).toBe(1);
    expect(result.timedOutTraces).toBe(0);
  });
});

describe('alignments: silent moves, budgets, bad models', () => {
  it('prefers the alignment with fewer silent moves among those with the same deviations', () => {
    const twoWays = net(`
      ta a: start -> p1
      s1 _: p1 -> p2
      s2 _: p2 -> p3
      s3 _: p1 -> p3
      tc c: p3 -> end
    `);
    const [t] = alignLog(log('a c'), twoWays).traces;
    expect(t!.cost).toBe(SILENT_COST);
    expect(t!.moves!.filter((m) => m.kind === 'silent').map((m) => m.kind === 'silent' && m.transitionId)).toEqual([
      's3',
    ]);
  });

  it('keeps the silent epsilons in the log fitness, as pm4py does, but not in the trace fitness', () => {
    const tail = net(`
      ta a: start -> p1
      done _: p1 -> end
    `);
    const result = alignLog(log('a'), tail);
    expect(result.traces[0]!.fitness).toBe(1);
    // cost 1 (the silent step) over 10 000·1 + model run (10 000 + 1)
    expect(result.logFitness).toBeCloseTo(1 - 1 / 20_001, 12);
  });

  it('reports a trace whose search exceeds its state budget as timed out and leaves it out of the figures', () => {
    const aligner = new Aligner(N1, { maxStates: 12 });
    expect(aligner.modelRunCost()).toBe(5 * DEVIATION_COST);
    const result = alignLog(log('a c d e h', 'h g f e d c b a x y z h g f e d c b a'), N1, { maxStates: 12 });
    expect(result.traces[1]!.alignmentTimedOut).toBe(true);
    expect(result.traces[1]!.fitness).toBeNull();
    expect(result.timedOutTraces).toBe(1);
    expect(result.averageTraceFitness).toBe(1);
  });

  it('refuses a model whose final marking cannot be reached', () => {
    const stuck = net(`
      ta a: start -> p1
      tb b: p1 p2 -> end
    `);
    expect(() => alignLog(log('a b'), stuck)).toThrow(ValidationError);
  });

  it('aligns each variant once', () => {
    const aligner = new Aligner(N1);
    const first = aligner.alignVariant(['a', 'c', 'e', 'h']);
    expect(aligner.alignVariant(['a', 'c', 'e', 'h'])).toBe(first);
  });
});

describe('alignments on a net with many concurrent optional loops', () => {
  /** split → k branches, each either skipped (tau) or a loop of one activity (enter, x_i, redo | exit) → join. */
  function optionalLoops(k: number) {
    const lines = [`split _: start -> ${Array.from({ length: k }, (_, i) => `b${i}`).join(' ')}`];
    for (let i = 0; i < k; i++) {
      lines.push(`skip${i} _: b${i} -> e${i}`, `enter${i} _: b${i} -> l${i}`, `x${i} x${i}: l${i} -> m${i}`);
      lines.push(`redo${i} _: m${i} -> l${i}`, `exit${i} _: m${i} -> e${i}`);
    }
    lines.push(`join _: ${Array.from({ length: k }, (_, i) => `e${i}`).join(' ')} -> end`);
    return net(lines.join('\n'));
  }

  it('finds the optimum where the cheap bounds alone would have to try every order of the skips', () => {
    // Optimal: split, enter/x/exit for x3 and x9 (2 silent each), 12 skips, join: 1 + 4 + 12 + 1 = 18 silent moves.
    const model = optionalLoops(14);
    const [t] = alignLog(log('x3 x9'), model).traces;
    expect(t!.cost).toBe(18 * SILENT_COST);
    expect(t!.fits).toBe(true);
    expectValidAlignment(model, ['x3', 'x9'], t!.moves!);
    // The cheap bounds gave up after 2 000 states; the marking equation settled it in a few more.
    expect(t!.expandedStates).toBeGreaterThan(2_000);
    expect(t!.expandedStates).toBeLessThan(2_200);
  });
});

describe('alignments on generated models (seeded, checked against an independent search)', () => {
  it('finds the optimal cost that plain Dijkstra finds, with moves that form a valid alignment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 2, max: 7 }), (seed, activities) => {
        const model = generateProcessModel({ seed, activities });
        const traces = playOutSequences(model.net, { seed: seed + 7, traces: 6, noise: 0.8, maxSteps: 40 });
        const aligner = new Aligner(model.net);
        for (const trace of traces.filter((t) => t.length <= 9)) {
          const a = aligner.alignVariant(trace);
          expect(a.cost).toBe(dijkstraCost(model.net, trace));
          expectValidAlignment(model.net, trace, a.moves!);
          expect(costOf(a.moves!)).toBe(a.cost);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('aligns every played-out trace without a deviation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 2, max: 16 }), (seed, activities) => {
        const model = generateProcessModel({ seed, activities });
        const traces = playOutSequences(model.net, { seed, traces: 20 });
        const aligner = new Aligner(model.net);
        for (const trace of traces) expect(aligner.alignVariant(trace).deviations).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});
