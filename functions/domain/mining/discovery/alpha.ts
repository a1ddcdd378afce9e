/**
 * The alpha algorithm (van der Aalst, Process Mining, ch. 5 / 2nd ed. §6.2), as the textbook states it:
 *
 * 1. Footprint from the directly-follows relation `>`: a → b iff a > b and not b > a; a ‖ b iff both; a # b iff
 *    neither (so a # a iff a does not directly follow itself).
 * 2. X_L: pairs (A, B) of non-empty activity sets with a → b for every a ∈ A, b ∈ B, and a1 # a2 within A, b1 # b2
 *    within B. Y_L: the maximal pairs of X_L. Each becomes a place p(A,B) from A to B, written `{a,f}->{b}` with the
 *    names sorted; plus a source place before the start activities and a sink place after the end activities.
 *
 * The maximal pairs are found as maximal cliques (Bron–Kerbosch with pivoting over bit sets): take a "left" and a
 * "right" copy of every activity; join two left (or two right) copies when the activities are in #, and a left copy
 * of a to a right copy of b when a → b. A clique with copies on both sides is exactly a pair of X_L, and a maximal
 * such clique a maximal pair — so Y_L comes out directly, without listing X_L, which can be exponentially larger.
 */
import type { EventLog } from '../log.js';
import type { Arc, PetriNet, Place, Transition } from '../petri-net.js';
import { encodeLog, followsMatrix, groupVariants } from './encoded-log.js';

export type FootprintRelation = '->' | '<-' | '#' | '||';

export interface Footprint {
  /** Activities, sorted by name. */
  activities: string[];
  /** relations[i][j]: the relation of activities[i] to activities[j]. */
  relations: FootprintRelation[][];
  /** The relation of a to b (`#` for activities not in the log). */
  relation(a: string, b: string): FootprintRelation;
}

export interface AlphaPlace {
  /** A, sorted. */
  from: string[];
  /** B, sorted. */
  to: string[];
  /** `{a,f}->{b}`. */
  name: string;
}

export interface AlphaResult {
  /** T_L, sorted. */
  activities: string[];
  /** T_I, sorted. */
  startActivities: string[];
  /** T_O, sorted. */
  endActivities: string[];
  /** Y_L, sorted by name. */
  places: AlphaPlace[];
  /** The alpha net: source place `source` (initial marking), sink place `sink` (final marking). */
  net: PetriNet;
}

interface Relations {
  names: string[];
  /** names sorted: index into names. */
  order: number[];
  follows: (a: number, b: number) => boolean;
  starts: Set<number>;
  ends: Set<number>;
}

function relationsOf(log: EventLog): Relations {
  const encoded = encodeLog(log);
  const n = encoded.activities.length;
  const groups = groupVariants(encoded);
  const { counts } = followsMatrix(n, groups);
  const starts = new Set<number>();
  const ends = new Set<number>();
  for (const { sequence } of groups) {
    if (sequence.length === 0) continue;
    starts.add(sequence[0]!);
    ends.add(sequence[sequence.length - 1]!);
  }
  const order = encoded.activities
    .map((_, i) => i)
    .sort((a, b) => compare(encoded.activities[a]!, encoded.activities[b]!));
  return { names: encoded.activities, order, follows: (a, b) => counts[a * n + b]! > 0, starts, ends };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function relationOf(r: Relations, a: number, b: number): FootprintRelation {
  const ab = r.follows(a, b);
  const ba = r.follows(b, a);
  return ab ? (ba ? '||' : '->') : ba ? '<-' : '#';
}

/** The footprint of a log (step 1 above). */
export function footprint(log: EventLog): Footprint {
  const r = relationsOf(log);
  const activities = r.order.map((i) => r.names[i]!);
  const relations = r.order.map((a) => r.order.map((b) => relationOf(r, a, b)));
  const index = new Map(activities.map((a, i) => [a, i]));
  return {
    activities,
    relations,
    relation(a, b) {
      const i = index.get(a);
      const j = index.get(b);
      return i === undefined || j === undefined ? '#' : relations[i]![j]!;
    },
  };
}

/** The alpha algorithm on a log (see the module comment). */
export function alphaMiner(log: EventLog): AlphaResult {
  const r = relationsOf(log);
  const n = r.names.length;
  const causal = (a: number, b: number) => r.follows(a, b) && !r.follows(b, a);
  const choice = (a: number, b: number) => !r.follows(a, b) && !r.follows(b, a);
  // Vertices 0..n-1 are left copies (members of A), n..2n-1 right copies (members of B). An activity that follows
  // itself is never in # with itself, so it is in no A or B; nor is one without a causal successor (predecessor).
  const vertices = 2 * n;
  const words = (vertices + 31) >>> 5;
  const adjacency = Array.from({ length: vertices }, () => new Uint32Array(words));
  const candidates = new Uint32Array(words);
  const link = (u: number, v: number) => {
    adjacency[u]![v >>> 5]! |= 1 << (v & 31);
    adjacency[v]![u >>> 5]! |= 1 << (u & 31);
  };
  for (let a = 0; a < n; a++) {
    if (!choice(a, a)) continue;
    for (let b = 0; b < n; b++) {
      if (!choice(b, b)) continue;
      if (causal(a, b)) {
        link(a, n + b);
        candidates[a >>> 5]! |= 1 << (a & 31);
        candidates[(n + b) >>> 5]! |= 1 << ((n + b) & 31);
      }
      if (a < b && choice(a, b)) {
        link(a, b);
        link(n + a, n + b);
      }
    }
  }
  const pairs: Array<{ from: number[]; to: number[] }> = [];
  maximalCliques(adjacency, candidates, words, (clique) => {
    const from = clique.filter((v) => v < n);
    const to = clique.filter((v) => v >= n).map((v) => v - n);
    if (from.length > 0 && to.length > 0) pairs.push({ from, to });
  });
  const sortedNames = (ids: Iterable<number>) => [...ids].map((i) => r.names[i]!).sort(compare);
  const places = pairs
    .map(({ from, to }) => {
      const a = sortedNames(from);
      const b = sortedNames(to);
      return { from: a, to: b, name: `{${a.join(',')}}->{${b.join(',')}}` };
    })
    .sort((x, y) => compare(x.name, y.name));
  const activities = r.order.map((i) => r.names[i]!);
  const startActivities = sortedNames(r.starts);
  const endActivities = sortedNames(r.ends);
  return {
    activities,
    startActivities,
    endActivities,
    places,
    net: alphaNet(activities, startActivities, endActivities, places),
  };
}

function alphaNet(activities: string[], starts: string[], ends: string[], places: AlphaPlace[]): PetriNet {
  const tid = new Map(activities.map((a, i) => [a, `t${i}`]));
  const transitions: Transition[] = activities.map((a) => ({ id: tid.get(a)!, label: a }));
  const netPlaces: Place[] = [
    { id: 'source', name: 'start' },
    ...places.map((p, i) => ({ id: `p${i}`, name: p.name })),
    { id: 'sink', name: 'end' },
  ];
  const arcs: Arc[] = [
    ...starts.map((a) => ({ source: 'source', target: tid.get(a)! })),
    ...places.flatMap((p, i) => [
      ...p.from.map((a) => ({ source: tid.get(a)!, target: `p${i}` })),
      ...p.to.map((b) => ({ source: `p${i}`, target: tid.get(b)! })),
    ]),
    ...ends.map((a) => ({ source: tid.get(a)!, target: 'sink' })),
  ];
  return { places: netPlaces, transitions, arcs, initialMarking: { source: 1 }, finalMarking: { sink: 1 } };
}

/** Every maximal clique among the `candidates` vertices (Bron–Kerbosch with Tomita pivoting, on bit sets). */
function maximalCliques(
  adjacency: Uint32Array[],
  candidates: Uint32Array,
  words: number,
  report: (clique: number[]) => void,
): void {
  const members = (set: Uint32Array): number[] => {
    const out: number[] = [];
    for (let w = 0; w < words; w++) {
      let bits = set[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        out.push((w << 5) + (31 - Math.clz32(low)));
        bits ^= low;
      }
    }
    return out;
  };
  const popcountAnd = (a: Uint32Array, b: Uint32Array): number => {
    let c = 0;
    for (let w = 0; w < words; w++) {
      let x = a[w]! & b[w]!;
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      c += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return c;
  };
  const and = (a: Uint32Array, b: Uint32Array): Uint32Array => {
    const out = new Uint32Array(words);
    for (let w = 0; w < words; w++) out[w] = a[w]! & b[w]!;
    return out;
  };
  const empty = (a: Uint32Array): boolean => a.every((x) => x === 0);
  const clique: number[] = [];
  const expand = (p: Uint32Array, x: Uint32Array): void => {
    if (empty(p)) {
      if (empty(x)) report([...clique]);
      return;
    }
    let pivot = -1;
    let best = -1;
    for (const u of [...members(p), ...members(x)]) {
      const c = popcountAnd(p, adjacency[u]!);
      if (c > best) {
        best = c;
        pivot = u;
      }
    }
    const pivotNeighbours = adjacency[pivot]!;
    for (const v of members(p)) {
      if ((pivotNeighbours[v >>> 5]! >>> (v & 31)) & 1) continue;
      clique.push(v);
      expand(and(p, adjacency[v]!), and(x, adjacency[v]!));
      clique.pop();
      p[v >>> 5]! &= ~(1 << (v & 31));
      x[v >>> 5]! |= 1 << (v & 31);
    }
  };
  expand(Uint32Array.from(candidates), new Uint32Array(words));
}
