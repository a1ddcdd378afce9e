/**
 * Cut detection of the inductive miner on a directly-follows graph (Leemans, Fahland, van der Aalst 2013): each cut
 * is a partition of the activities into groups (local numbers) that an operator can join. They are tried in the
 * order exclusive choice, sequence, parallel, redo loop, and each is the maximal cut of its kind.
 */
import type { DirectlyFollows } from './sublog.js';

export type CutKind = 'xor' | 'sequence' | 'parallel' | 'loop';

export interface Cut {
  kind: CutKind;
  /** Groups of local activity numbers; for a sequence in order, for a loop the do part first. */
  groups: number[][];
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[x] !== root) {
      const next = this.parent[x]!;
      this.parent[x] = root;
      x = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // the smaller root wins, so groups come out in a deterministic order
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
  groups(n: number): number[][] {
    const byRoot = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const r = this.find(i);
      const g = byRoot.get(r);
      if (g) g.push(i);
      else byRoot.set(r, [i]);
    }
    return [...byRoot.values()];
  }
}

const has = (dfg: DirectlyFollows, a: number, b: number): boolean => dfg.edges[a * dfg.k + b]! > 0;

/** Exclusive choice: the connected components of the graph, edges taken as undirected. */
export function exclusiveChoiceCut(dfg: DirectlyFollows): Cut | null {
  const { k } = dfg;
  const uf = new UnionFind(k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) if (has(dfg, a, b)) uf.union(a, b);
  const groups = uf.groups(k);
  return groups.length > 1 ? { kind: 'xor', groups } : null;
}

/** `reach[a * k + b]` = 1 when b can be reached from a by one or more edges. */
function transitiveClosure(dfg: DirectlyFollows): Uint8Array {
  const { k } = dfg;
  const successors: number[][] = Array.from({ length: k }, () => []);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) if (has(dfg, a, b)) successors[a]!.push(b);
  const reach = new Uint8Array(k * k);
  const stack: number[] = [];
  for (let a = 0; a < k; a++) {
    stack.push(...successors[a]!);
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (reach[a * k + x]) continue;
      reach[a * k + x] = 1;
      for (const y of successors[x]!) if (!reach[a * k + y]) stack.push(y);
    }
  }
  return reach;
}

/**
 * Sequence: activities that reach each other (a cycle) or cannot reach each other either way must be in the same
 * group; what remains is a chain of groups in which every earlier activity reaches every later one and none comes
 * back. Merging both kinds of pairs gives the maximal sequence cut (Leemans' thesis, Sect. 7).
 */
export function sequenceCut(dfg: DirectlyFollows): Cut | null {
  const { k } = dfg;
  const reach = transitiveClosure(dfg);
  const uf = new UnionFind(k);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      if (reach[a * k + b] === reach[b * k + a]) uf.union(a, b);
    }
  }
  const groups = uf.groups(k);
  if (groups.length < 2) return null;
  // an earlier group's activities have fewer predecessors and more successors than a later group's
  const rank = (a: number): number => {
    let predecessors = 0;
    let successors = 0;
    for (let x = 0; x < k; x++) {
      predecessors += reach[x * k + a]!;
      successors += reach[a * k + x]!;
    }
    return predecessors + (k - successors);
  };
  const ranked = groups.map((g) => ({ g, r: rank(g[0]!) })).sort((x, y) => x.r - y.r);
  const ordered = ranked.map((x) => x.g);
  // the merge above yields a chain; checked so that a cut that is not one never reaches the projection
  const position = new Int32Array(k);
  ordered.forEach((g, i) => {
    for (const a of g) position[a] = i;
  });
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      if (position[a]! < position[b]! && (reach[b * k + a] || !reach[a * k + b])) return null;
    }
  }
  return { kind: 'sequence', groups: ordered };
}

/**
 * Parallel: two activities can run concurrently only when each directly follows the other, and neither witnesses
 * the other's minimum self-distance; the components of the "cannot be concurrent" relation are the candidate
 * groups. Each branch of a parallel operator starts and ends the trace in some case, so a group without a start or
 * without an end activity is merged into another one.
 */
export function parallelCut(dfg: DirectlyFollows, msdWitnesses: Uint8Array): Cut | null {
  const { k } = dfg;
  const uf = new UnionFind(k);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const concurrent = has(dfg, a, b) && has(dfg, b, a) && !msdWitnesses[a * k + b] && !msdWitnesses[b * k + a];
      if (!concurrent) uf.union(a, b);
    }
  }
  const groups = uf.groups(k).sort((x, y) => x.length - y.length || x[0]! - y[0]!);
  const complete = (g: number[]): boolean => g.some((a) => dfg.start[a]! > 0) && g.some((a) => dfg.end[a]! > 0);
  let i = 0;
  while (i < groups.length && groups.length > 1) {
    if (complete(groups[i]!)) {
      i++;
      continue;
    }
    const target = i < groups.length - 1 ? i + 1 : 0;
    groups[target] = [...groups[target]!, ...groups[i]!].sort((x, y) => x - y);
    groups.splice(i, 1);
    if (target < i) i = 0;
  }
  return groups.length > 1 ? { kind: 'parallel', groups } : null;
}

/**
 * Redo loop: the do part holds every start and end activity; each other component (edges among non-start,
 * non-end activities) is a redo part when it is entered only from end activities, left only to start activities,
 * and an activity that enters (leaves) it from all (to all) of them. A component that breaks a rule joins the do
 * part, which can make another break one, so the rules are applied until nothing changes. The redo parts are
 * returned as one group: they are disconnected, so the redo sub-log splits into their exclusive choice again.
 */
export function loopCut(dfg: DirectlyFollows): Cut | null {
  const { k } = dfg;
  const isStart = (a: number): boolean => dfg.start[a]! > 0;
  const isEnd = (a: number): boolean => dfg.end[a]! > 0;
  const inDo = new Uint8Array(k);
  for (let a = 0; a < k; a++) if (isStart(a) || isEnd(a)) inDo[a] = 1;
  const uf = new UnionFind(k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) if (!inDo[a] && !inDo[b] && has(dfg, a, b)) uf.union(a, b);
  }
  let redo = uf.groups(k).filter((g) => !inDo[g[0]!]);
  if (redo.length === 0) return null;
  const starts = Array.from({ length: k }, (_, a) => a).filter(isStart);
  const ends = Array.from({ length: k }, (_, a) => a).filter(isEnd);
  const breaksRule = (group: number[]): boolean => {
    const member = new Uint8Array(k);
    for (const a of group) member[a] = 1;
    for (const a of group) {
      let toStart = false;
      let fromEnd = false;
      for (let x = 0; x < k; x++) {
        if (has(dfg, x, a) && inDo[x] && !isEnd(x)) return true;
        if (has(dfg, a, x) && inDo[x] && !isStart(x)) return true;
        if (has(dfg, a, x) && isStart(x)) toStart = true;
        if (has(dfg, x, a) && isEnd(x)) fromEnd = true;
      }
      if (toStart && starts.some((s) => !has(dfg, a, s))) return true;
      if (fromEnd && ends.some((e) => !has(dfg, e, a))) return true;
    }
    return false;
  };
  for (let changed = true; changed && redo.length > 0; ) {
    changed = false;
    for (const group of redo) {
      if (!breaksRule(group)) continue;
      for (const a of group) inDo[a] = 1;
      changed = true;
    }
    redo = redo.filter((g) => !inDo[g[0]!]);
  }
  if (redo.length === 0) return null;
  const doPart: number[] = [];
  for (let a = 0; a < k; a++) if (inDo[a]) doPart.push(a);
  return { kind: 'loop', groups: [doPart, redo.flat().sort((x, y) => x - y)] };
}

/** The first cut that holds, in the inductive miner's order, or null. */
export function findCut(dfg: DirectlyFollows, msdWitnesses: () => Uint8Array): Cut | null {
  if (dfg.k < 2) return null;
  return exclusiveChoiceCut(dfg) ?? sequenceCut(dfg) ?? parallelCut(dfg, msdWitnesses()) ?? loopCut(dfg);
}
