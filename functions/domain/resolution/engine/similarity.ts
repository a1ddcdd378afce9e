import { distance } from 'fastest-levenshtein';

const HAS_DIGIT = /\d/;

/** Jaro similarity in [0, 1]. Two empty strings are identical (1). */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (la > 31 || lb > 31) return jaroLong(a, b);
  // short strings (the common case): match flags as 32-bit masks, no buffers
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let maskA = 0;
  let maskB = 0;
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = i > window ? i - window : 0;
    const hi = i + window < lb - 1 ? i + window : lb - 1;
    const ca = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if ((maskB & (1 << j)) === 0 && b.charCodeAt(j) === ca) {
        maskA |= 1 << i;
        maskB |= 1 << j;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if ((maskA & (1 << i)) === 0) continue;
    while ((maskB & (1 << k)) === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  return (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
}

function jaroLong(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  const flagsA = new Uint8Array(la);
  const flagsB = new Uint8Array(lb);
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const ca = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === ca) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  return (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
}

/** Jaro-Winkler similarity (prefix scale 0.1, prefix up to 4 characters). */
export function jaroWinkler(a: string, b: string, prefixScale = 0.1): number {
  const j = jaro(a, b);
  if (j === 0 || j === 1) return j;
  const max = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * prefixScale * (1 - j);
}

/** Levenshtein edit distance (fastest-levenshtein). */
export function levenshtein(a: string, b: string): number {
  return distance(a, b);
}

/** 1 - distance / longer length, in [0, 1]. */
export function levenshteinSimilarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  return 1 - distance(a, b) / longest;
}

/** Optimal-string-alignment distance ≤ 1 (one insertion, deletion, substitution or adjacent swap). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  if (la === lb) {
    let first = -1;
    let diffs = 0;
    for (let i = 0; i < la; i++) {
      if (a.charCodeAt(i) !== b.charCodeAt(i)) {
        if (diffs === 0) first = i;
        diffs++;
        if (diffs > 2) return false;
      }
    }
    if (diffs === 1) return true;
    // adjacent transposition
    return (
      diffs === 2 &&
      first + 1 < la &&
      a.charCodeAt(first) === b.charCodeAt(first + 1) &&
      a.charCodeAt(first + 1) === b.charCodeAt(first)
    );
  }
  return distance(a, b) === 1;
}

/** Jaccard index of two token sets. Empty vs empty is 1. */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const t of sa) if (sb.has(t)) inter++;
  return inter / (sa.size + sb.size - inter);
}

let rowBest = new Float64Array(16);
let colBest = new Float64Array(16);

/**
 * Symmetric Monge-Elkan similarity: each token is matched to its most similar token on the other side
 * (Jaro-Winkler), averaged both ways. Tolerates typos inside tokens and reordered tokens. Token lists are
 * expected without duplicates; the optional sets speed up exact-token checks.
 */
export function mongeElkan(
  a: readonly string[],
  b: readonly string[],
  _aSet: ReadonlySet<string> | null = null,
  bSet: ReadonlySet<string> | null = null,
): number {
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return la === lb ? 1 : 0;
  if (la > rowBest.length) rowBest = new Float64Array(la * 2);
  if (lb > colBest.length) colBest = new Float64Array(lb * 2);
  rowBest.fill(0, 0, la);
  colBest.fill(0, 0, lb);
  // one similarity matrix serves both directions
  for (let i = 0; i < la; i++) {
    const s = a[i]!;
    if (bSet !== null ? bSet.has(s) : b.includes(s)) {
      rowBest[i] = 1;
      const j = b.indexOf(s);
      colBest[j] = 1;
    }
  }
  for (let i = 0; i < la; i++) {
    if (rowBest[i] === 1) continue;
    const s = a[i]!;
    for (let j = 0; j < lb; j++) {
      const v = jaroWinkler(s, b[j]!);
      if (v > rowBest[i]!) rowBest[i] = v;
      if (v > colBest[j]!) colBest[j] = v;
    }
  }
  let sa = 0;
  for (let i = 0; i < la; i++) sa += rowBest[i]!;
  let sb = 0;
  for (let j = 0; j < lb; j++) sb += colBest[j]!;
  return (sa / la + sb / lb) / 2;
}

/** A sparse L2-normalised TF-IDF vector: token ids ascending, with matching weights. */
export interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
  /** The token of each id, same order (used by soft TF-IDF). */
  tokens: string[];
  /** 1 where the token contains a digit (compared by equality only). */
  numeric?: Uint8Array;
}

/** Cosine of two L2-normalised sparse vectors (merge of the sorted id lists). */
export function cosine(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  const ai = a.ids;
  const bi = b.ids;
  while (i < ai.length && j < bi.length) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) {
      sum += a.weights[i]! * b.weights[j]!;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return sum > 1 ? 1 : sum;
}

/** Builds TF-IDF vectors over a corpus of token lists; tokens get ids in first-seen order. */
export class TfIdfIndex {
  private readonly ids = new Map<string, number>();
  private readonly df: number[] = [];
  private docs = 0;

  add(tokens: readonly string[]): void {
    this.docs++;
    for (const t of new Set(tokens)) {
      let id = this.ids.get(t);
      if (id === undefined) {
        id = this.df.length;
        this.ids.set(t, id);
        this.df.push(0);
      }
      this.df[id]!++;
    }
  }

  idf(token: string): number {
    const id = this.ids.get(token);
    const df = id === undefined ? 0 : this.df[id]!;
    return Math.log((this.docs + 1) / (df + 1)) + 1;
  }

  documentFrequency(token: string): number {
    const id = this.ids.get(token);
    return id === undefined ? 0 : this.df[id]!;
  }

  vector(tokens: readonly string[]): SparseVector {
    const tf = new Map<number, number>();
    for (const t of tokens) {
      const id = this.ids.get(t);
      if (id === undefined) continue;
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    const entries = [...tf.entries()].sort((x, y) => x[0] - y[0]);
    const names = this.names();
    const tokenList = entries.map(([id]) => names[id]!);
    const ids = new Int32Array(entries.length);
    const weights = new Float64Array(entries.length);
    let norm = 0;
    entries.forEach(([id, count], k) => {
      const df = this.df[id]!;
      const w = (1 + Math.log(count)) * (Math.log((this.docs + 1) / (df + 1)) + 1);
      ids[k] = id;
      weights[k] = w;
      norm += w * w;
    });
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < weights.length; k++) weights[k] = weights[k]! / norm;
    const numeric = new Uint8Array(tokenList.length);
    tokenList.forEach((t, k) => {
      numeric[k] = HAS_DIGIT.test(t) ? 1 : 0;
    });
    return { ids, weights, tokens: tokenList, numeric };
  }

  private nameCache: string[] | null = null;
  private names(): string[] {
    if (this.nameCache === null || this.nameCache.length !== this.df.length) {
      const names = new Array<string>(this.df.length);
      for (const [t, id] of this.ids) names[id] = t;
      this.nameCache = names;
    }
    return this.nameCache;
  }
}

/** Scratch matrix of token similarities, reused across calls (one pair at a time, no allocation). */
let simScratch = new Float64Array(64);

const isNumericToken = (v: SparseVector, i: number) => (v.numeric ? v.numeric[i] === 1 : HAS_DIGIT.test(v.tokens[i]!));

/**
 * One direction of soft TF-IDF over the similarity matrix: for each token of one side (stride
 * `outerStride` in the matrix), its best counterpart on the other side (stride `innerStride`).
 */
function softOneWay(
  sims: Float64Array,
  outerLen: number,
  innerLen: number,
  outerStride: number,
  innerStride: number,
  outerWeights: Float64Array,
  innerWeights: Float64Array,
  threshold: number,
): number {
  let sum = 0;
  for (let o = 0; o < outerLen; o++) {
    let best = 0;
    let bestWeight = 0;
    for (let n = 0; n < innerLen; n++) {
      const v = sims[o * outerStride + n * innerStride]!;
      if (v === 2) {
        best = 1;
        bestWeight = innerWeights[n]!;
        break;
      }
      if (v >= threshold && v > best) {
        best = v;
        bestWeight = innerWeights[n]!;
      }
    }
    sum += outerWeights[o]! * bestWeight * best;
  }
  return sum;
}

/**
 * Soft TF-IDF (Cohen, Ravikumar & Fienberg 2003): cosine of TF-IDF vectors in which a token also counts as shared
 * with its most similar token on the other side when their Jaro-Winkler similarity reaches the threshold. Common
 * tokens ("cafe", "street") weigh little and typos inside rare tokens are forgiven. Symmetrised by averaging.
 * Jaro-Winkler is symmetric, so each token pair is compared once and the matrix serves both directions.
 */
export function softTfIdf(a: SparseVector, b: SparseVector, threshold = 0.9): number {
  const la = a.ids.length;
  const lb = b.ids.length;
  if (la === 0 || lb === 0) return 0;
  if (simScratch.length < la * lb) simScratch = new Float64Array(la * lb * 2);
  const sims = simScratch;
  for (let i = 0; i < la; i++) {
    const numericA = isNumericToken(a, i);
    for (let j = 0; j < lb; j++) {
      // 2 marks the same token; -1 a pair that never agrees (numbers, house numbers, years, only when equal)
      sims[i * lb + j] =
        a.ids[i] === b.ids[j] ? 2 : numericA || isNumericToken(b, j) ? -1 : jaroWinkler(a.tokens[i]!, b.tokens[j]!);
    }
  }
  const ab = softOneWay(sims, la, lb, lb, 1, a.weights, b.weights, threshold);
  const ba = softOneWay(sims, lb, la, 1, lb, b.weights, a.weights, threshold);
  const v = (ab + ba) / 2;
  return v > 1 ? 1 : v;
}

/**
 * Whether `short` abbreviates `long` by leaving letters out: same first letter, and its letters appear in `long`
 * in order ("mfg" / "manufacturing", "labs" / "laboratories", "intl" / "international", "ctr" / "centre").
 */
export function abbreviates(short: string, long: string): boolean {
  if (short.length < 2 || short.length >= long.length || short[0] !== long[0]) return false;
  let j = 1;
  for (let i = 1; i < long.length && j < short.length; i++) if (long[i] === short[j]) j++;
  return j === short.length;
}

/**
 * Whether each of two token lists has a token the other lacks: no equal token, no token within Jaro-Winkler
 * `threshold`, and neither token an abbreviation (a prefix of at least 3 characters, or `abbreviates`) of the other;
 * each token can answer for one token of the other name only ("centre central" / "centre south": "central" is not
 * answered by the "centre" the other name already uses). Tokens with digits
 * count as matched only when equal. "cafe ritz carlton" vs "dining room ritz carlton" → true;
 * "katsu" vs "restaurant katsu" → false (one name contains the other).
 */
export function bothHaveUnmatchedTokens(a: readonly string[], b: readonly string[], threshold = 0.9): boolean {
  const similar = (t: string, o: string): boolean => {
    if (o === t) return true;
    if (HAS_DIGIT.test(t) || HAS_DIGIT.test(o)) return false;
    if ((t.length >= 3 && o.startsWith(t)) || (o.length >= 3 && t.startsWith(o))) return true;
    if (abbreviates(t, o) || abbreviates(o, t)) return true;
    return jaroWinkler(t, o) >= threshold;
  };
  // each token answers for one token of the other name: equal ones pair first, then similar ones, greedily
  const restA = [...a];
  const restB = [...b];
  for (let i = restA.length - 1; i >= 0; i--) {
    const k = restB.indexOf(restA[i]!);
    if (k >= 0) {
      restA.splice(i, 1);
      restB.splice(k, 1);
    }
  }
  for (let i = restA.length - 1; i >= 0; i--) {
    const k = restB.findIndex((o) => similar(restA[i]!, o));
    if (k >= 0) {
      restA.splice(i, 1);
      restB.splice(k, 1);
    }
  }
  // a token left over on one side only is an addition ("restaurant katsu"), on both sides a conflict
  return restA.length > 0 && restB.length > 0;
}
