import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/domain/errors.js';
import {
  type ProcessTree,
  discoverPetriNet,
  discoverProcessTree,
  formatProcessTree,
  processTreeToPetriNet,
} from '../../../functions/domain/mining/inductive.js';
import {
  arbitraryTraces,
  arbitraryTree,
  logFromMultiset,
  logFromTree,
  logOf,
  withNoise,
} from './support/random-logs.js';
import { acceptsTrace, soundnessProblems, workflowNetProblems } from './support/workflow-net.js';

const BOOK = '../shared/datasets/process-mining/book-ch5-ch6';

/** The tree with the children of xor and parallel nodes sorted, so trees equal up to their order compare equal. */
function canonical(tree: ProcessTree): string {
  if (tree.kind === 'activity') return formatProcessTree(tree);
  const children = tree.children.map(canonical);
  if (tree.kind === 'xor' || tree.kind === 'parallel') children.sort();
  return `${tree.kind}(${children.join(',')})`;
}

const tree = (text: string): string => canonical(parseTree(text));

/** A reader of the `->( 'a', X( 'b', tau ) )` notation, for the expected trees of these tests. */
function parseTree(text: string): ProcessTree {
  let at = 0;
  const skip = () => {
    while (/\s|,/.test(text[at] ?? '')) at++;
  };
  const node = (): ProcessTree => {
    skip();
    if (text.startsWith('tau', at)) {
      at += 3;
      return { kind: 'activity', activity: null };
    }
    if (text[at] === "'") {
      const end = text.indexOf("'", at + 1);
      const name = text.slice(at + 1, end);
      at = end + 1;
      return { kind: 'activity', activity: name };
    }
    const op = (['->', 'X', '+', '*'] as const).find((s) => text.startsWith(s, at))!;
    at += op.length;
    skip();
    at++; // (
    const children: ProcessTree[] = [];
    for (skip(); text[at] !== ')'; skip()) children.push(node());
    at++;
    const kind = ({ '->': 'sequence', X: 'xor', '+': 'parallel', '*': 'loop' } as const)[op];
    return { kind, children };
  };
  return node();
}

describe('inductive miner: cuts and fall-throughs on small logs', () => {
  it.each([
    ['sequence', [['a', 'b', 'c']], "->( 'a', 'b', 'c' )"],
    ['exclusive choice', [['a', 'b'], ['c']], "X( ->( 'a', 'b' ), 'c' )"],
    [
      'parallel',
      [
        ['a', 'b'],
        ['b', 'a'],
      ],
      "+( 'a', 'b' )",
    ],
    ['redo loop', [['a'], ['a', 'b', 'a'], ['a', 'b', 'a', 'b', 'a']], "*( 'a', 'b' )"],
    ['optional step from empty traces', [['a'], []], "X( tau, 'a' )"],
    ['self-loop (strict tau loop)', [['a'], ['a', 'a', 'a']], "*( 'a', tau )"],
    [
      'skippable step',
      [
        ['a', 'b', 'c'],
        ['a', 'c'],
      ],
      "->( 'a', X( tau, 'b' ), 'c' )",
    ],
    [
      'book L1 (a b c d, a c b d, a e d)',
      [
        ['a', 'b', 'c', 'd'],
        ['a', 'c', 'b', 'd'],
        ['a', 'e', 'd'],
      ],
      "->( 'a', X( +( 'b', 'c' ), 'e' ), 'd' )",
    ],
  ])('finds the %s', (_name, traces, expected) => {
    expect(canonical(discoverProcessTree(logOf(traces), { noiseThreshold: 0 }))).toBe(tree(expected));
  });

  it('puts an activity that occurs once in every trace in parallel with the rest when no cut exists', () => {
    // a, b, c all follow each other in every direction but c ... a... no partition separates them by a cut
    const traces = [
      ['a', 'b', 'c', 'a'],
      ['b', 'a', 'a', 'c'],
      ['a', 'c', 'b', 'a', 'a'],
    ];
    const t = discoverProcessTree(logOf(traces), { noiseThreshold: 0 });
    expect(t.kind).toBe('parallel');
    const net = processTreeToPetriNet(t);
    for (const trace of traces) expect(acceptsTrace(net, trace)).toBe(true);
  });

  it('replays a log without structure through the loop fall-throughs', () => {
    const traces = [
      ['a', 'b', 'a', 'c'],
      ['c', 'a', 'b', 'b'],
      ['b', 'c', 'c', 'a', 'b'],
    ];
    const net = discoverPetriNet(logOf(traces), { noiseThreshold: 0 });
    for (const trace of traces) expect(acceptsTrace(net, trace)).toBe(true);
    expect(acceptsTrace(net, ['d'])).toBe(false);
  });

  it('makes the flower model a net that accepts every sequence of its activities and nothing else', () => {
    const flower = parseTree("*( tau, X( 'a', 'b', 'c' ) )");
    const net = processTreeToPetriNet(flower);
    expect(soundnessProblems(net)).toEqual([]);
    for (const trace of [[], ['a'], ['c', 'c', 'b', 'a', 'b']]) expect(acceptsTrace(net, trace)).toBe(true);
    expect(acceptsTrace(net, ['a', 'd'])).toBe(false);
  });

  it('ignores an infrequent edge that hides the only cut with the default noise threshold, and keeps it with 0', () => {
    // the one c→a edge makes every activity reach every other: no cut on the full graph
    const traces = [...Array.from({ length: 40 }, () => ['a', 'b', 'c']), ['a', 'b', 'c', 'a']];
    expect(canonical(discoverProcessTree(logOf(traces)))).toBe(tree("->( 'a', 'b', 'c' )"));
    const exact = discoverPetriNet(logOf(traces), { noiseThreshold: 0 });
    expect(acceptsTrace(exact, ['a', 'b', 'c', 'a'])).toBe(true);
    expect(acceptsTrace(exact, ['a', 'b', 'c'])).toBe(true);
  });

  it('tries the cuts on the full graph before filtering it (IMf keeps a cut that holds)', () => {
    const traces = [...Array.from({ length: 40 }, () => ['a', 'b', 'c']), ['a', 'c', 'b']];
    expect(canonical(discoverProcessTree(logOf(traces)))).toBe(tree("->( 'a', +( 'b', 'c' ) )"));
  });

  it('treats empty traces below the threshold as noise and above it as a skip', () => {
    const rare = [...Array.from({ length: 19 }, () => ['a']), []];
    const frequent = [...Array.from({ length: 7 }, () => ['a']), [], [], []];
    expect(formatProcessTree(discoverProcessTree(logOf(rare), { noiseThreshold: 0.2 }))).toBe("'a'");
    expect(canonical(discoverProcessTree(logOf(frequent), { noiseThreshold: 0.2 }))).toBe(tree("X( tau, 'a' )"));
  });

  it('gives tau for a log without events', () => {
    expect(formatProcessTree(discoverProcessTree(logOf([])))).toBe('tau');
    expect(formatProcessTree(discoverProcessTree(logOf([[], []])))).toBe('tau');
  });

  it.each([-0.1, 1.5, Number.NaN])('refuses the noise threshold %s, naming the field', (noise) => {
    const error = (() => {
      try {
        discoverProcessTree(logOf([['a']]), { noiseThreshold: noise });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.details?.[0]?.field).toBe('noiseThreshold');
  });

  it('escapes quotes in the printed tree', () => {
    expect(formatProcessTree({ kind: 'activity', activity: "it's" })).toBe("'it\\'s'");
  });
});

describe("inductive miner on the book's logs (chapters 5 and 6)", () => {
  const files = readdirSync(BOOK).filter((f) => f.endsWith('.txt'));

  it.each(files)('with noise 0, %s gives a sound workflow net that replays every trace', (file) => {
    const log = logFromMultiset(readFileSync(`${BOOK}/${file}`, 'utf8'));
    expect(log.traces.length).toBeGreaterThan(0);
    const net = discoverPetriNet(log, { noiseThreshold: 0 });
    expect(workflowNetProblems(net)).toEqual([]);
    expect(soundnessProblems(net)).toEqual([]);
    for (const trace of log.traces)
      expect(
        acceptsTrace(
          net,
          trace.events.map((e) => e.activity),
        ),
      ).toBe(true);
  });
});

describe('inductive miner properties on seeded random logs', () => {
  const SETTINGS = { seed: 20_251_122, numRuns: 150 };

  it('turns any log into a sound workflow net that replays every trace when the noise is 0', () => {
    fc.assert(
      fc.property(arbitraryTraces(), (traces) => {
        const net = discoverPetriNet(logOf(traces), { noiseThreshold: 0 });
        expect(workflowNetProblems(net)).toEqual([]);
        expect(soundnessProblems(net)).toEqual([]);
        for (const trace of traces) expect(acceptsTrace(net, trace)).toBe(true);
      }),
      SETTINGS,
    );
  });

  it('turns logs of random process trees into sound nets that replay them (noise 0)', () => {
    fc.assert(
      fc.property(arbitraryTree, fc.integer({ min: 1, max: 1e9 }), (model, seed) => {
        const traces = logFromTree(model, 40, seed);
        const net = discoverPetriNet(logOf(traces), { noiseThreshold: 0 });
        expect(workflowNetProblems(net)).toEqual([]);
        expect(soundnessProblems(net)).toEqual([]);
        for (const trace of traces) expect(acceptsTrace(net, trace)).toBe(true);
      }),
      SETTINGS,
    );
  });

  it('gives sound workflow nets for noisy logs at every noise threshold', () => {
    fc.assert(
      fc.property(
        arbitraryTree,
        fc.integer({ min: 1, max: 1e9 }),
        fc.constantFrom(0.1, 0.2, 0.5, 1),
        (model, seed, noise) => {
          const traces = withNoise(logFromTree(model, 60, seed), 0.15, seed + 1);
          const net = discoverPetriNet(logOf(traces), { noiseThreshold: noise });
          expect(workflowNetProblems(net)).toEqual([]);
          expect(soundnessProblems(net)).toEqual([]);
        },
      ),
      SETTINGS,
    );
  });

  it('removes silent transitions without changing the language or soundness of the net', () => {
    fc.assert(
      fc.property(arbitraryTree, arbitraryTraces(6, 10, 7), fc.integer({ min: 1, max: 1e9 }), (model, noise, seed) => {
        const full = processTreeToPetriNet(model, { reduce: false });
        const reduced = processTreeToPetriNet(model);
        expect(soundnessProblems(reduced)).toEqual([]);
        expect(reduced.transitions.length).toBeLessThanOrEqual(full.transitions.length);
        for (const trace of [...logFromTree(model, 10, seed), ...noise]) {
          expect(acceptsTrace(reduced, trace)).toBe(acceptsTrace(full, trace));
        }
      }),
      SETTINGS,
    );
  });

  it('gives the same tree whatever the order of the traces', () => {
    fc.assert(
      fc.property(arbitraryTraces(), fc.integer({ min: 1, max: 1e9 }), (traces, seed) => {
        const shuffled = [...traces].sort((x, y) => ((x.length * seed) % 7) - ((y.length * seed) % 7) || 0).reverse();
        expect(formatProcessTree(discoverProcessTree(logOf(shuffled)))).toBe(
          formatProcessTree(discoverProcessTree(logOf(traces))),
        );
      }),
      SETTINGS,
    );
  });
});
