/**
 * Seeded logs for the discovery property tests: arbitrary traces over a small alphabet (any behaviour, which
 * exercises the fall-throughs), logs played out from random process trees (structured behaviour, which exercises
 * the cuts), and noise added to such logs.
 */
import fc from 'fast-check';
import type { ProcessTree } from '../../../../functions/domain/mining/inductive.js';
import type { EventLog } from '../../../../functions/domain/mining/log.js';

/** An event log of the given traces of activity names (case ids c1, c2, ...). */
export function logOf(traces: readonly (readonly string[])[]): EventLog {
  return {
    traces: traces.map((t, i) => ({
      caseId: `c${i + 1}`,
      attributes: {},
      events: t.map((activity, j) => ({ id: `c${i + 1}#${j}`, activity, time: null, attributes: {} })),
    })),
  };
}

/** The book's multiset notation, one line per variant: `3x Case1 a b c d`. */
export function logFromMultiset(text: string): EventLog {
  const traces: string[][] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)x\s+\S+\s*(.*)$/.exec(line);
    if (!m) continue;
    const events = m[2]!.trim().split(/\s+/).filter(Boolean);
    for (let i = 0; i < Number(m[1]); i++) traces.push(events);
  }
  return logOf(traces);
}

/** Mulberry32: a small, well-mixed 32-bit generator, enough to play out trees reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Arbitrary traces over `alphabet` activities (at least one trace, some possibly empty). */
export const arbitraryTraces = (alphabet = 5, maxTraces = 25, maxLength = 8): fc.Arbitrary<string[][]> =>
  fc.array(fc.array(fc.constantFrom(...'abcdefghij'.slice(0, alphabet).split('')), { maxLength }), {
    minLength: 1,
    maxLength: maxTraces,
  });

/** A tree before its leaves are named; leaves and taus have no children. */
interface Shape {
  op: 'leaf' | 'tau' | 'sequence' | 'xor' | 'parallel' | 'loop';
  children: Shape[];
}

const shape: fc.Arbitrary<Shape> = fc.letrec<{ node: Shape }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Shape>({ op: 'leaf', children: [] }),
    fc.constant<Shape>({ op: 'tau', children: [] }),
    fc.record({
      op: fc.constantFrom<'sequence' | 'xor' | 'parallel'>('sequence', 'xor', 'parallel'),
      children: fc.array(tie('node'), { minLength: 2, maxLength: 3 }),
    }),
    fc.record({ op: fc.constant<'loop'>('loop'), children: fc.array(tie('node'), { minLength: 2, maxLength: 2 }) }),
  ),
})).node;

/** Random process trees with distinct activity names a, b, c, ... (at most 8 leaves, so nets stay explorable). */
export const arbitraryTree: fc.Arbitrary<ProcessTree> = shape
  .map((s) => {
    let next = 0;
    const build = (n: Shape): ProcessTree => {
      if (n.op === 'tau') return { kind: 'activity', activity: null };
      if (n.op === 'leaf') return { kind: 'activity', activity: String.fromCharCode(97 + next++) };
      return { kind: n.op, children: n.children.map(build) };
    };
    return { tree: build(s), leaves: next };
  })
  .filter((x) => x.leaves <= 8)
  .map((x) => x.tree);

/** One trace of the tree: random choices, random interleavings, each loop repeated at most twice more. */
export function playOut(tree: ProcessTree, random: () => number): string[] {
  switch (tree.kind) {
    case 'activity':
      return tree.activity === null ? [] : [tree.activity];
    case 'sequence':
      return tree.children.flatMap((c) => playOut(c, random));
    case 'xor':
      return playOut(tree.children[Math.floor(random() * tree.children.length)]!, random);
    case 'parallel': {
      const queues = tree.children.map((c) => playOut(c, random)).filter((q) => q.length > 0);
      const out: string[] = [];
      while (queues.length > 0) {
        const i = Math.floor(random() * queues.length);
        out.push(queues[i]!.shift()!);
        if (queues[i]!.length === 0) queues.splice(i, 1);
      }
      return out;
    }
    case 'loop': {
      const out = playOut(tree.children[0]!, random);
      for (let round = 0; round < 2 && random() < 0.4; round++) {
        out.push(...playOut(tree.children[1]!, random), ...playOut(tree.children[0]!, random));
      }
      return out;
    }
  }
}

/** `cases` traces played out from the tree with the seed. */
export function logFromTree(tree: ProcessTree, cases: number, seed: number): string[][] {
  const random = seededRandom(seed);
  return Array.from({ length: cases }, () => playOut(tree, random));
}

/**
 * The traces with noise: each trace, with probability `share`, has one event removed, one event of the alphabet
 * inserted, or two neighbours swapped.
 */
export function withNoise(traces: string[][], share: number, seed: number): string[][] {
  const random = seededRandom(seed);
  const alphabet = [...new Set(traces.flat())];
  return traces.map((t) => {
    if (random() >= share || alphabet.length === 0) return t;
    const out = [...t];
    const at = Math.floor(random() * (out.length + 1));
    const kind = Math.floor(random() * 3);
    if (kind === 0 && out.length > 0) out.splice(Math.min(at, out.length - 1), 1);
    else if (kind === 1) out.splice(at, 0, alphabet[Math.floor(random() * alphabet.length)]!);
    else if (out.length > 1) {
      const i = Math.min(at, out.length - 2);
      [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
    }
    return out;
  });
}
