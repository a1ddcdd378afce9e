/**
 * Seeded random process models and the event logs they produce, for testing and benchmarking process mining and
 * conformance checking on data nobody fitted them to. A model is a random block-structured workflow net
 * (sequence, exclusive choice with optional skips, parallel branches, loops), built straight into places and
 * transitions; a log is random play-out of the net (a uniform choice among the enabled transitions at each
 * step), optionally with noise of the kinds the genetic-miner benchmark logs have (an event removed, an extra
 * event, two neighbours swapped). Everything is a pure function of the seed (one `Rng`, no Math.random, no clock).
 */
import type { EventLog, LogEvent, Trace } from '../../functions/domain/mining/log.js';
import type { Arc, PetriNet, Place, Transition } from '../../functions/domain/mining/petri-net.js';
import { Rng } from './random.js';

export interface ProcessModelOptions {
  seed: number;
  /** Number of distinct visible activities (default 12). */
  activities?: number;
  /** Most children per sequence, choice or parallel block (default 4). */
  maxBranching?: number;
  /** Weights of the block kinds (defaults: sequence 4, xor 2, parallel 2, loop 1). */
  weights?: Partial<Record<'sequence' | 'xor' | 'parallel' | 'loop', number>>;
  /** Chance that an exclusive choice gets a silent branch, i.e. the block can be skipped (default 0.2). */
  skipChance?: number;
}

/** The generated block structure, kept for tests that want to know what the net stands for. */
export type ModelBlock =
  | { kind: 'activity'; activity: string }
  | { kind: 'tau' }
  | { kind: 'sequence' | 'xor' | 'parallel'; children: ModelBlock[] }
  | { kind: 'loop'; body: ModelBlock; redo: ModelBlock };

export interface GeneratedModel {
  block: ModelBlock;
  net: PetriNet;
  activities: string[];
}

type Kind = 'sequence' | 'xor' | 'parallel' | 'loop';

/** Activity names a, b, …, z, aa, ab, … (short, and distinct from one another). */
function activityName(i: number): string {
  let name = '';
  let n = i;
  do {
    name = String.fromCharCode(97 + (n % 26)) + name;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return name;
}

function randomBlock(rng: Rng, names: string[], options: Required<Omit<ProcessModelOptions, 'seed'>>): ModelBlock {
  if (names.length === 1) return { kind: 'activity', activity: names[0]! };
  const kinds: Kind[] = ['sequence', 'xor', 'parallel', 'loop'];
  const cumulative = new Float64Array(kinds.length);
  let sum = 0;
  kinds.forEach((k, i) => {
    sum += options.weights[k] ?? 0;
    cumulative[i] = sum;
  });
  const kind = kinds[rng.pickCumulative(cumulative)]!;
  if (kind === 'loop') {
    const cut = rng.int(1, names.length - 1);
    return {
      kind,
      body: randomBlock(rng, names.slice(0, cut), options),
      redo: randomBlock(rng, names.slice(cut), options),
    };
  }
  const parts = Math.min(names.length, rng.int(2, options.maxBranching));
  // Cut the names into `parts` non-empty groups at distinct random points.
  const cuts = new Set<number>();
  while (cuts.size < parts - 1) cuts.add(rng.int(1, names.length - 1));
  const points = [0, ...[...cuts].sort((a, b) => a - b), names.length];
  const children = points.slice(1).map((end, i) => randomBlock(rng, names.slice(points[i]!, end), options));
  if (kind === 'xor' && rng.chance(options.skipChance)) children.push({ kind: 'tau' });
  return { kind, children };
}

/** Builds the block into the net between `from` and `to` (place ids). */
class NetBuilder {
  readonly places: Place[] = [];
  readonly transitions: Transition[] = [];
  readonly arcs: Arc[] = [];

  place(): string {
    const id = `p${this.places.length}`;
    this.places.push({ id });
    return id;
  }

  transition(label: string | null, from: string[], to: string[]): void {
    const id = `t${this.transitions.length}`;
    this.transitions.push({ id, label });
    for (const p of from) this.arcs.push({ source: p, target: id });
    for (const p of to) this.arcs.push({ source: id, target: p });
  }

  build(block: ModelBlock, from: string, to: string): void {
    switch (block.kind) {
      case 'activity':
        this.transition(block.activity, [from], [to]);
        return;
      case 'tau':
        this.transition(null, [from], [to]);
        return;
      case 'sequence': {
        let at = from;
        block.children.forEach((child, i) => {
          const next = i === block.children.length - 1 ? to : this.place();
          this.build(child, at, next);
          at = next;
        });
        return;
      }
      case 'xor':
        for (const child of block.children) this.build(child, from, to);
        return;
      case 'parallel': {
        const starts = block.children.map(() => this.place());
        const ends = block.children.map(() => this.place());
        this.transition(null, [from], starts);
        block.children.forEach((child, i) => {
          this.build(child, starts[i]!, ends[i]!);
        });
        this.transition(null, ends, [to]);
        return;
      }
      case 'loop': {
        // The loop has its own entry place: a redo must return into the loop, never into a place that a
        // surrounding choice shares with its other branches.
        const entry = this.place();
        const exit = this.place();
        this.transition(null, [from], [entry]);
        this.build(block.body, entry, exit);
        this.build(block.redo, exit, entry);
        this.transition(null, [exit], [to]);
        return;
      }
    }
  }
}

/** A random sound workflow net over `activities` distinct activities. */
export function generateProcessModel(options: ProcessModelOptions): GeneratedModel {
  const rng = new Rng(options.seed);
  const count = options.activities ?? 12;
  if (!Number.isInteger(count) || count < 1) throw new RangeError('activities must be a positive integer');
  const resolved = {
    activities: count,
    maxBranching: Math.max(2, options.maxBranching ?? 4),
    weights: { sequence: 4, xor: 2, parallel: 2, loop: 1, ...options.weights },
    skipChance: options.skipChance ?? 0.2,
  };
  const activities = Array.from({ length: count }, (_, i) => activityName(i));
  const block = randomBlock(rng, activities, resolved);
  const builder = new NetBuilder();
  const source = builder.place();
  const sink = builder.place();
  builder.build(block, source, sink);
  return {
    block,
    activities,
    net: {
      id: `random-${options.seed}`,
      places: builder.places,
      transitions: builder.transitions,
      arcs: builder.arcs,
      initialMarking: { [source]: 1 },
      finalMarking: { [sink]: 1 },
    },
  };
}

export interface PlayOutOptions {
  seed: number;
  traces: number;
  /** Share of traces that get one noise operation (default 0). */
  noise?: number;
  /** A run longer than this many transition firings is abandoned and drawn again (default 500). */
  maxSteps?: number;
  /** Case ids are `${prefix}${n}` (default `case-`). */
  casePrefix?: string;
}

interface RunnableNet {
  pre: number[][];
  post: number[][];
  labels: (string | null)[];
  initial: number[];
  finalKey: string;
}

function runnable(net: PetriNet): RunnableNet {
  const placeIndex = new Map(net.places.map((p, i) => [p.id, i]));
  const transitionIndex = new Map(net.transitions.map((t, i) => [t.id, i]));
  const pre: number[][] = net.transitions.map(() => []);
  const post: number[][] = net.transitions.map(() => []);
  for (const a of net.arcs) {
    const t = transitionIndex.get(a.target);
    if (t !== undefined) pre[t]!.push(placeIndex.get(a.source)!);
    else post[transitionIndex.get(a.source)!]!.push(placeIndex.get(a.target)!);
  }
  const marking = (m: Record<string, number>) => {
    const out = net.places.map(() => 0);
    for (const [id, n] of Object.entries(m)) out[placeIndex.get(id)!] = n;
    return out;
  };
  return {
    pre,
    post,
    labels: net.transitions.map((t) => t.label),
    initial: marking(net.initialMarking),
    finalKey: marking(net.finalMarking).join(','),
  };
}

/** One run from the initial to the final marking as its visible labels, or null when it ran too long or died. */
function playOnce(net: RunnableNet, rng: Rng, maxSteps: number): string[] | null {
  const m = net.initial.slice();
  const labels: string[] = [];
  for (let step = 0; step < maxSteps; step++) {
    if (m.join(',') === net.finalKey) return labels;
    const enabled: number[] = [];
    for (let t = 0; t < net.pre.length; t++) if (net.pre[t]!.every((p) => m[p]! > 0)) enabled.push(t);
    if (enabled.length === 0) return null;
    const t = rng.pick(enabled);
    for (const p of net.pre[t]!) m[p]!--;
    for (const p of net.post[t]!) m[p]!++;
    const label = net.labels[t];
    if (label !== null && label !== undefined) labels.push(label);
  }
  return null;
}

/** One noise operation, drawn uniformly: remove an event, insert a random activity, or swap two neighbours. */
function addNoise(labels: string[], alphabet: string[], rng: Rng): string[] {
  const out = labels.slice();
  const op = rng.int(0, 2);
  if (op === 0 && out.length > 1) out.splice(rng.int(0, out.length - 1), 1);
  else if (op === 1 || out.length < 2) out.splice(rng.int(0, out.length), 0, rng.pick(alphabet));
  else {
    const i = rng.int(0, out.length - 2);
    [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
  }
  return out;
}

/** Activity sequences of random runs of `net` (with noise when asked): the light form for large logs. */
export function playOutSequences(net: PetriNet, options: PlayOutOptions): string[][] {
  const rng = new Rng(options.seed);
  const runnableNet = runnable(net);
  const alphabet = [...new Set(net.transitions.flatMap((t) => (t.label === null ? [] : [t.label])))];
  const maxSteps = options.maxSteps ?? 500;
  const out: string[][] = [];
  for (let attempts = 0; out.length < options.traces; attempts++) {
    if (attempts > options.traces * 20 + 100) throw new Error('the net rarely reaches its final marking');
    const run = playOnce(runnableNet, rng, maxSteps);
    if (!run) continue;
    out.push(rng.chance(options.noise ?? 0) && alphabet.length > 0 ? addNoise(run, alphabet, rng) : run);
  }
  return out;
}

/** An event log of random runs of `net`: one event a minute from 2024-01-01, ids `<case>#<position>`. */
export function playOut(net: PetriNet, options: PlayOutOptions): EventLog {
  const prefix = options.casePrefix ?? 'case-';
  const start = Date.UTC(2024, 0, 1);
  const traces = playOutSequences(net, options).map((labels, n): Trace => {
    const caseId = `${prefix}${n + 1}`;
    const events = labels.map(
      (activity, i): LogEvent => ({ id: `${caseId}#${i}`, activity, time: start + (n + i) * 60_000, attributes: {} }),
    );
    return { caseId, events, attributes: {} };
  });
  return { traces };
}
