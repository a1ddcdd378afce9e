/**
 * The injection detector's model: a linear model over hashed features with max pooling over passages.
 *
 *   logit(text) = w · global(text) + max over candidates c of w · c
 *
 * where a candidate is one unit (sentence, table row, code block) or two adjacent units (their sum plus the pair's
 * own features). A text is as suspicious as its most suspicious passage, read in its context; the global part
 * carries what only the whole text shows (its shape, floods, style). Training and detection share this function.
 */
import { FEATURE_BITS, type SparseVector, type TextFeatures } from './features.js';

/** The weights of the hashed feature space, dense (2^FEATURE_BITS floats). */
export type Weights = Float32Array;

export const newWeights = (): Weights => new Float32Array(1 << FEATURE_BITS);

export const dot = (w: Weights, v: SparseVector): number => {
  let s = 0;
  for (let i = 0; i < v.idx.length; i++) s += w[v.idx[i]!]! * v.val[i]!;
  return s;
};

/** Which candidate won the max: a unit index, a pair index (`pair`), or none for a text without units. */
export interface Scored {
  logit: number;
  unit: number;
  pair: number;
}

/** The model's logit for one text's features (see the module comment). */
export function scoreFeatures(w: Weights, f: TextFeatures): Scored {
  const g = dot(w, f.global);
  if (f.units.length === 0) return { logit: g, unit: -1, pair: -1 };
  const unitScores = f.units.map((u) => dot(w, u));
  let best = Number.NEGATIVE_INFINITY;
  let unit = -1;
  let pair = -1;
  for (let i = 0; i < unitScores.length; i++) {
    if (unitScores[i]! > best) {
      best = unitScores[i]!;
      unit = i;
    }
  }
  for (let p = 0; p < f.pairs.length; p++) {
    const { a, b, features } = f.pairs[p]!;
    const s = unitScores[a]! + unitScores[b]! + dot(w, features);
    if (s > best) {
      best = s;
      unit = -1;
      pair = p;
    }
  }
  return { logit: g + best, unit, pair };
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * The stored form of the weights: the non-zero entries as delta-coded indices (LEB128 varints) and int8 values
 * with one scale, both base64. About 3 bytes an entry instead of 4 MB dense.
 */
export interface PackedWeights {
  bits: number;
  scale: number;
  count: number;
  indices: string;
  values: string;
}

const toBase64 = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (b64: string): Uint8Array => {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};

/** Packs the `keep` largest weights (by magnitude) of `w`; the rest become zero. */
export function packWeights(w: Weights, keep: number): PackedWeights {
  const nonZero: number[] = [];
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) nonZero.push(i);
  nonZero.sort((a, b) => Math.abs(w[b]!) - Math.abs(w[a]!) || a - b);
  const kept = nonZero.slice(0, keep).sort((a, b) => a - b);
  let max = 0;
  for (const i of kept) max = Math.max(max, Math.abs(w[i]!));
  const scale = max === 0 ? 1 : max / 127;
  const idx: number[] = [];
  const values = new Int8Array(kept.length);
  let prev = 0;
  kept.forEach((i, k) => {
    let delta = i - prev;
    prev = i;
    while (delta >= 0x80) {
      idx.push((delta & 0x7f) | 0x80);
      delta >>>= 7;
    }
    idx.push(delta);
    values[k] = Math.max(-127, Math.min(127, Math.round(w[i]! / scale)));
  });
  return {
    bits: FEATURE_BITS,
    scale,
    count: kept.length,
    indices: toBase64(Uint8Array.from(idx)),
    values: toBase64(new Uint8Array(values.buffer)),
  };
}

/** The dense weights of a packed model. */
export function unpackWeights(p: PackedWeights): Weights {
  if (p.bits !== FEATURE_BITS) throw new Error(`model has ${p.bits} feature bits, the code ${FEATURE_BITS}`);
  const w = newWeights();
  const idx = fromBase64(p.indices);
  const values = new Int8Array(fromBase64(p.values).buffer);
  let pos = 0;
  let prev = 0;
  for (let k = 0; k < p.count; k++) {
    let delta = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = idx[pos++]!;
      delta |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    prev += delta;
    w[prev] = values[k]! * p.scale;
  }
  return w;
}
