/** A scored candidate edge between two record indexes. */
export interface ScoredEdge {
  a: number;
  b: number;
  probability: number;
  /** Match weight (log2 odds); orders edges whose probabilities saturate at 1. */
  weight?: number;
}

const byStrength = (x: ScoredEdge, y: ScoredEdge): number =>
  (y.weight ?? 0) - (x.weight ?? 0) || y.probability - x.probability || x.a - y.a || x.b - y.b;

export interface ClusteringOptions {
  /** Minimum match probability of an edge, and minimum average linkage of a merge. */
  threshold: number;
  /** Above this many cross pairs, average linkage is estimated on an evenly spaced sample of them. */
  maxCrossPairs?: number;
  /**
   * Decisions by people, as record index pairs: must-link pairs are joined first whatever their score;
   * no merge ever puts a cannot-link pair into one cluster (a must-link that would is skipped).
   */
  constraints?: {
    mustLink?: readonly (readonly [number, number])[];
    cannotLink?: readonly (readonly [number, number])[];
  };
}

export interface ClusteringResult {
  /** Record indexes per cluster (singletons included), each sorted ascending. */
  clusters: number[][];
  /** Edges accepted as merges. */
  mergedEdges: number;
  /** Edges above threshold that were refused because the clusters' average linkage was too low. */
  refusedMerges: number;
  /** Merges (edges or must-links) refused because they would join a cannot-link pair. */
  cannotLinkRefusals: number;
}

/**
 * Chaining-resistant clustering: edges in descending probability; two clusters merge only when the average
 * match probability over all their cross pairs (scored on demand) stays at or above the threshold. A single
 * strong link between two otherwise dissimilar groups therefore cannot join them, unlike connected components.
 */
/**
 * A pair's evidence in bits (log-odds of its probability), clipped at ±10 bits: averaging evidence rather than
 * probabilities lets one pair that argues clearly against (a bridge record joining two people) outweigh many that
 * agree, while the clip stops a single extreme pair from deciding alone.
 */
function evidence(p: number): number {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return Math.max(-10, Math.min(10, Math.log2(q / (1 - q))));
}

export function clusterByAverageLinkage(
  recordCount: number,
  edges: readonly ScoredEdge[],
  scorePair: (a: number, b: number) => number,
  options: ClusteringOptions,
): ClusteringResult {
  const threshold = options.threshold;
  // 500 evenly spaced cross pairs estimate an average of evidence clipped at ±10 bits to within about ±0.5 bit
  const maxCross = options.maxCrossPairs ?? 500;
  const parent = new Int32Array(recordCount);
  for (let i = 0; i < recordCount; i++) parent[i] = i;
  const members: (number[] | undefined)[] = [];
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const membersOf = (root: number): number[] => members[root] ?? [root];
  const sorted = edges.filter((e) => e.probability >= threshold).sort(byStrength);
  let mergedEdges = 0;
  let refusedMerges = 0;
  let cannotLinkRefusals = 0;
  const cannot = new Map<number, number[]>();
  for (const [x, y] of options.constraints?.cannotLink ?? []) {
    if (x === y) continue;
    (cannot.get(x) ?? cannot.set(x, []).get(x)!).push(y);
    (cannot.get(y) ?? cannot.set(y, []).get(y)!).push(x);
  }
  const forbidden = (ra: number, rb: number): boolean => {
    if (cannot.size === 0) return false;
    const [small, other] = membersOf(ra).length <= membersOf(rb).length ? [ra, rb] : [rb, ra];
    for (const x of membersOf(small)) for (const y of cannot.get(x) ?? []) if (find(y) === other) return true;
    return false;
  };
  const join = (ra: number, rb: number): void => {
    const A = membersOf(ra);
    const B = membersOf(rb);
    const [big, small] = A.length >= B.length ? [ra, rb] : [rb, ra];
    // the smaller list joins the larger in place: copying the larger one on every join is quadratic in a big cluster
    const target = members[big] ?? [big];
    for (const x of membersOf(small)) target.push(x);
    parent[small] = big;
    members[big] = target;
    members[small] = undefined;
  };
  for (const [x, y] of options.constraints?.mustLink ?? []) {
    const ra = find(x);
    const rb = find(y);
    if (ra === rb) continue;
    if (forbidden(ra, rb)) {
      cannotLinkRefusals++;
      continue;
    }
    join(ra, rb);
  }
  for (const e of sorted) {
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra === rb) continue;
    if (forbidden(ra, rb)) {
      cannotLinkRefusals++;
      continue;
    }
    const A = membersOf(ra);
    const B = membersOf(rb);
    if (A.length > 1 || B.length > 1) {
      const total = A.length * B.length;
      const step = total > maxCross ? total / maxCross : 1;
      let sum = 0;
      let squares = 0;
      let n = 0;
      const bar = evidence(threshold);
      for (let k = 0; k < total; k += step) {
        const idx = Math.floor(k);
        const x = A[Math.floor(idx / B.length)]!;
        const y = B[idx % B.length]!;
        const v = evidence(x === e.a && y === e.b ? e.probability : scorePair(x, y));
        sum += v;
        squares += v * v;
        n++;
        // a sample of 32 or more whose mean lies four standard errors from the bar decides: the rest of the
        // evenly spaced sample would not move it across (sequential estimation)
        if (n >= 32 && n % 16 === 0) {
          const mean = sum / n;
          const se = Math.sqrt(Math.max(0, squares / n - mean * mean) / n);
          if (Math.abs(mean - bar) > 4 * se + 1e-9) break;
        }
      }
      if (sum / n < bar) {
        refusedMerges++;
        continue;
      }
    }
    join(ra, rb);
    mergedEdges++;
  }
  const clusters: number[][] = [];
  for (let i = 0; i < recordCount; i++) if (find(i) === i) clusters.push([...membersOf(i)].sort((x, y) => x - y));
  return { clusters, mergedEdges, refusedMerges, cannotLinkRefusals };
}

/**
 * One-to-one assignment for linking two internally de-duplicated tables: edges in descending probability, each
 * record used at most once (greedy maximum-weight matching).
 */
export function oneToOneAssignment(edges: readonly ScoredEdge[], threshold: number): ScoredEdge[] {
  const used = new Set<number>();
  const out: ScoredEdge[] = [];
  const sorted = edges.filter((e) => e.probability >= threshold).sort(byStrength);
  for (const e of sorted) {
    if (used.has(e.a) || used.has(e.b)) continue;
    used.add(e.a);
    used.add(e.b);
    out.push(e);
  }
  return out;
}
