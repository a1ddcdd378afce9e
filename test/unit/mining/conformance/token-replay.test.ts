import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../functions/domain/errors.js';
import {
  TokenReplayer,
  replayLog,
  tokenFitness,
} from '../../../../functions/domain/mining/conformance/token-replay.js';
import { generateProcessModel, playOut } from '../../../../local/synthetic/process-models.js';
import { N1, log, net } from './nets.js';

const counts = (t: { produced: number; consumed: number; missing: number; remaining: number }) => ({
  p: t.produced,
  c: t.consumed,
  m: t.missing,
  r: t.remaining,
});

describe('token replay: the textbook counts on N1', () => {
  it('replays a trace that fits with p = c and nothing missing or remaining', () => {
    // p: 1 (environment) + a 2 + c 1 + d 1 + e 1 + h 1 = 7; c: a 1 + c 1 + d 1 + e 2 + h 1 + 1 (environment) = 7.
    const [t] = replayLog(log('a c d e h'), N1).traces;
    expect(counts(t!)).toEqual({ p: 7, c: 7, m: 0, r: 0 });
    expect(t!.fitness).toBe(1);
    expect(t!.fits).toBe(true);
    expect(t!.deviations).toEqual([]);
  });

  it('counts a missing token where a transition fires without its input, and the token left behind', () => {
    // a → {c1, c2} (p 3, c 1); d → {c1, c4} (p 4, c 2); e lacks c3: m 1, → {c1, c5} (p 5, c 4);
    // h → {c1, end} (p 6, c 5); the environment takes end (c 6); c1 remains (r 1).
    const [t] = replayLog(log('a d e h'), N1).traces;
    expect(counts(t!)).toEqual({ p: 6, c: 6, m: 1, r: 1 });
    expect(t!.fitness).toBeCloseTo(0.5 * (1 - 1 / 6) + 0.5 * (1 - 1 / 6), 12);
    expect(t!.fits).toBe(false);
    expect(t!.deviations).toEqual([{ position: 2, activity: 'e', missing: 1 }]);
    expect(t!.remainingTokens).toEqual({ c1: 1 });
  });

  it('counts a remaining token when one examination too many leaves a token in c3', () => {
    // a (p 3, c 1); b: c1 → c3 (p 4, c 2); c lacks c1: m 1 (p 5, c 3), c3 holds 2; d (p 6, c 4);
    // e takes one c3 and c4 (p 7, c 6); h (p 8, c 7); environment takes end (c 8); one c3 remains.
    const [t] = replayLog(log('a b c d e h'), N1).traces;
    expect(counts(t!)).toEqual({ p: 8, c: 8, m: 1, r: 1 });
    expect(t!.fitness).toBeCloseTo(1 - 1 / 8, 12);
    expect(t!.remainingTokens).toEqual({ c3: 1 });
  });

  it('counts only remaining tokens when a branch is never taken and nothing waits for it', () => {
    // a → {p1, p2} (p 3, c 1); b: p1 → end (p 4, c 2); environment takes end (c 3); p2 remains.
    const forked = net(`
      ta a: start -> p1 p2
      tb b: p1 -> end
      tc c: p2 -> end
    `);
    const [t] = replayLog(log('a b'), forked).traces;
    expect(counts(t!)).toEqual({ p: 4, c: 3, m: 0, r: 1 });
    expect(t!.fitness).toBeCloseTo(0.5 + 0.5 * (1 - 1 / 4), 12);
    expect(t!.fits).toBe(false);
  });

  it('counts the final marking as missing when the trace stops early', () => {
    // a (p 3, c 1); c (p 4, c 2); d (p 5, c 3); e (p 6, c 5), c5 holds the token; the environment wants end:
    // 1 missing (c 6), and c5 remains.
    const [t] = replayLog(log('a c d e'), N1).traces;
    expect(counts(t!)).toEqual({ p: 6, c: 6, m: 1, r: 1 });
    expect(t!.missingAtEnd).toEqual({ end: 1 });
    expect(t!.remainingTokens).toEqual({ c5: 1 });
  });

  it('sums the counts over the log for log fitness and averages the trace fitness values', () => {
    // Sums: p 7 + 6 = 13, c 13, m 1, r 1: log fitness = ½(1 − 1/13) + ½(1 − 1/13) = 12/13.
    const result = replayLog(log('a c d e h', 'a d e h'), N1);
    expect(result.logFitness).toBeCloseTo(12 / 13, 12);
    expect(result.averageTraceFitness).toBeCloseTo((1 + 5 / 6) / 2, 12);
    expect(result.fittingTraces).toBe(1);
    expect(result.fittingTracesShare).toBe(0.5);
    expect(counts(result)).toEqual({ p: 13, c: 13, m: 1, r: 1 });
  });
});

describe('token replay: silent transitions, duplicate labels and unknown activities', () => {
  const skippable = net(`
    ta a: start -> p1
    tb b: p1 -> p2
    skip _: p1 -> p2
    tc c: p2 -> end
  `);

  it('fires the silent transition that enables the next activity, and counts its tokens', () => {
    // a (p 2, c 1); c needs p2: skip fires (p 3, c 2); c (p 4, c 3); environment (c 4).
    const [t] = replayLog(log('a c'), skippable).traces;
    expect(counts(t!)).toEqual({ p: 4, c: 4, m: 0, r: 0 });
    expect(t!.fits).toBe(true);
  });

  it('fires the shortest silent sequence when several lead to the activity', () => {
    const twoWays = net(`
      ta a: start -> p1
      s1 _: p1 -> p2
      s2 _: p2 -> p3
      s3 _: p1 -> p3
      tc c: p3 -> end
    `);
    // The direct silent step (s3) is one firing: p 1 + 1 + 1 + 1 = 4; via s1 s2 it would be 5.
    const [t] = replayLog(log('a c'), twoWays).traces;
    expect(counts(t!)).toEqual({ p: 4, c: 4, m: 0, r: 0 });
  });

  it('reaches the final marking through silent transitions after the last event', () => {
    const tail = net(`
      ta a: start -> p1
      done _: p1 -> end
    `);
    const [t] = replayLog(log('a'), tail).traces;
    expect(counts(t!)).toEqual({ p: 3, c: 3, m: 0, r: 0 });
  });

  it('does not fire silent transitions that do not help: the counts stay those of the plain replay', () => {
    // After a, p1 holds the token; `away` only moves it to p3, no closer to end, so it is not fired.
    const detour = net(`
      ta a: start -> p1
      away _: p1 -> p3
      tb b: p1 -> end
      tc c: p3 -> end
    `);
    const [t] = replayLog(log('a'), detour).traces;
    expect(counts(t!)).toEqual({ p: 2, c: 2, m: 1, r: 1 });
    expect(t!.remainingTokens).toEqual({ p1: 1 });
  });

  it('leaves tokens before a silent join at the end when the join still needs a visible step to the end', () => {
    // a → {p1, p2} (p 3, c 1); b: p1 → q1 (p 4, c 2); c: p2 → q2 (p 5, c 3); the join would only move the tokens
    // to r, which d still separates from end, so it is not fired: end missing (c 4, m 1), q1 and q2 remain (r 2).
    const joined = net(`
      ta a: start -> p1 p2
      tb b: p1 -> q1
      tc c: p2 -> q2
      join _: q1 q2 -> r
      td d: r -> end
    `);
    const [t] = replayLog(log('a b c'), joined).traces;
    expect(counts(t!)).toEqual({ p: 5, c: 4, m: 1, r: 2 });
    expect(t!.remainingTokens).toEqual({ q1: 1, q2: 1 });
  });

  it('fires the enabled one of several transitions that carry the same label', () => {
    const repeated = net(`
      first a: start -> p1
      tb b: p1 -> p2
      again a: p2 -> end
    `);
    const [t] = replayLog(log('a b a'), repeated).traces;
    expect(t!.fits).toBe(true);
    expect(counts(t!)).toEqual({ p: 4, c: 4, m: 0, r: 0 });
  });

  it('skips an activity the net does not have and reports it, as pm4py does', () => {
    const [t] = replayLog(log('a x c d e h'), N1).traces;
    expect(counts(t!)).toEqual({ p: 7, c: 7, m: 0, r: 0 });
    expect(t!.unknownActivities).toEqual([{ position: 1, activity: 'x' }]);
  });

  it('does not loop forever on a silent cycle that makes tokens', () => {
    const flood = net(`
      ta a: start -> p1
      grow _: p1 -> p1 p2
      tb b: p3 -> end
    `);
    const [t] = replayLog(log('a b'), flood, { silentSearchLimit: 200 }).traces;
    expect(t!.missing).toBeGreaterThan(0);
  });
});

describe('token replay: variants and results', () => {
  it('replays each variant once and gives every trace its own case id, in log order', () => {
    const replayer = new TokenReplayer(N1);
    const first = replayer.replayVariant(['a', 'd', 'e', 'h']);
    expect(replayer.replayVariant(['a', 'd', 'e', 'h'])).toBe(first);
    const result = replayLog(log('x: a c d e h', 'y: a d e h', 'z: a c d e h'), N1);
    expect(result.traces.map((t) => [t.caseId, t.fits])).toEqual([
      ['x', true],
      ['y', false],
      ['z', true],
    ]);
    expect(result.variants).toBe(2);
  });

  it('gives an empty log fitness 1 with no fitting traces', () => {
    const result = replayLog({ traces: [] }, N1);
    expect([result.logFitness, result.averageTraceFitness, result.fittingTraces]).toEqual([1, 1, 0]);
  });

  it('refuses a net whose arc joins two places, naming the arc', () => {
    const bad = { ...N1, arcs: [...N1.arcs, { source: 'c1', target: 'c2' }] };
    expect(() => replayLog(log('a'), bad)).toThrow(ValidationError);
    expect(() => replayLog(log('a'), bad)).toThrow(`arcs[${N1.arcs.length}]: must connect a place and a transition`);
  });

  it('refuses a marking on a place the net does not have', () => {
    const bad = { ...N1, finalMarking: { nowhere: 1 } };
    expect(() => replayLog(log('a'), bad)).toThrow(/finalMarking\.nowhere/);
  });

  it('keeps the formula exact at the edges: nothing consumed or produced scores that half as 1', () => {
    expect(tokenFitness(0, 0, 0, 0)).toBe(1);
    expect(tokenFitness(4, 4, 2, 0)).toBe(0.75);
  });
});

describe('token replay on generated models (seeded, not the data the rules were written for)', () => {
  it('fits every trace played out of a random block-structured net', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 2, max: 14 }), (seed, activities) => {
        const model = generateProcessModel({ seed, activities });
        const played = playOut(model.net, { seed: seed + 1, traces: 30 });
        const result = replayLog(played, model.net);
        expect(result.fittingTraces).toBe(30);
        expect(result.logFitness).toBe(1);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps every fitness in [0, 1] and below 1 exactly when tokens were missing or remained, on noisy logs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const model = generateProcessModel({ seed, activities: 8 });
        const noisy = playOut(model.net, { seed, traces: 40, noise: 0.5 });
        for (const t of replayLog(noisy, model.net).traces) {
          expect(t.fitness).toBeGreaterThanOrEqual(0);
          expect(t.fitness).toBeLessThanOrEqual(1);
          expect(t.fitness < 1).toBe(t.missing + t.remaining > 0);
          expect(t.fits).toBe(t.missing === 0 && t.remaining === 0);
        }
      }),
      { numRuns: 40 },
    );
  });
});
