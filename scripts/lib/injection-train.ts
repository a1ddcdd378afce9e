/**
 * Training of the injection detector: logistic loss on the max-pooled linear model of
 * functions/domain/security/injection/model.ts, by AdaGrad stochastic gradient descent with L2 and feature dropout,
 * in a seeded order (the same data and seed give the same weights, bit for bit). The gradient of the max flows to
 * the winning candidate only (multiple-instance learning): the model finds for itself which passage of an injected
 * text is the injection, and learns from benign texts that none of theirs is.
 *
 * The threshold is chosen on out-of-fold scores of the training data (grouped folds), never on test data.
 */
import { type TextFeatures, extractFeatures } from '../../functions/domain/security/injection/features.js';
import { type Weights, newWeights, scoreFeatures, sigmoid } from '../../functions/domain/security/injection/model.js';
import { unitHash } from './injection-dataset.js';

/**
 * One training text. `group` keeps near-duplicates in one fold; `real` marks rows of real data (threshold);
 * `kind` names the kind of real text (its source family), for the threshold's per-kind bound.
 */
export interface LabelledText {
  text: string;
  label: 0 | 1;
  group: string;
  real: boolean;
  kind?: string;
}

export interface Example {
  features: TextFeatures;
  label: 0 | 1;
  weight: number;
  group: string;
  real: boolean;
  kind?: string;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Probability of dropping each feature occurrence in an epoch: robustness to unseen vocabulary. */
  dropout: number;
  seed: number;
  /** Total weight of the real rows relative to the synthetic ones. */
  realShare: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  epochs: 8,
  learningRate: 0.2,
  l2: 1e-6,
  dropout: 0.15,
  seed: 17,
  realShare: 0.5,
};

/**
 * Features and weights of labelled texts: within real and within synthetic data the two classes weigh the same,
 * and real rows together weigh `realShare` of the total.
 */
export function prepare(texts: readonly LabelledText[], realShare: number): Example[] {
  const total = { real: [0, 0], syn: [0, 0] };
  for (const t of texts) total[t.real ? 'real' : 'syn'][t.label]! += 1;
  const hasReal = total.real[0]! + total.real[1]! > 0;
  const hasSyn = total.syn[0]! + total.syn[1]! > 0;
  const share = hasReal && hasSyn ? realShare : hasReal ? 1 : 0;
  const n = texts.length;
  return texts.map((t) => {
    const counts = total[t.real ? 'real' : 'syn'];
    const classesPresent = (counts[0]! > 0 ? 1 : 0) + (counts[1]! > 0 ? 1 : 0);
    const part = t.real ? share : 1 - share;
    const weight = (n * part) / (classesPresent * counts[t.label]!);
    return {
      features: extractFeatures(t.text),
      label: t.label,
      weight,
      group: t.group,
      real: t.real,
      ...(t.kind === undefined ? {} : { kind: t.kind }),
    };
  });
}

/** xorshift32 for the shuffles and the dropout masks. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Trains weights on prepared examples. */
export function train(examples: readonly Example[], options: TrainOptions = DEFAULT_TRAIN_OPTIONS): Weights {
  const w = newWeights();
  const g2 = new Float32Array(w.length);
  const avg = newWeights();
  const averageFrom = Math.floor(options.epochs / 2);
  const rand = xorshift(options.seed);
  const order = examples.map((_, i) => i);
  const keep = (v: { idx: number[]; val: number[] }) => {
    if (options.dropout === 0) return v;
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < v.idx.length; i++) {
      if (rand() >= options.dropout) {
        idx.push(v.idx[i]!);
        val.push(v.val[i]!);
      }
    }
    return { idx, val };
  };
  const step = (v: { idx: number[]; val: number[] }, grad: number) => {
    for (let i = 0; i < v.idx.length; i++) {
      const j = v.idx[i]!;
      const g = grad * v.val[i]! + options.l2 * w[j]!;
      g2[j]! += g * g;
      w[j]! -= (options.learningRate * g) / Math.sqrt(g2[j]! + 1e-8);
    }
  };
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const k = Math.floor(rand() * (i + 1));
      [order[i], order[k]] = [order[k]!, order[i]!];
    }
    for (const e of order) {
      const ex = examples[e]!;
      const f = ex.features;
      const global = keep(f.global);
      const units = f.units.map(keep);
      const pairs = f.pairs.map((p) => ({ a: p.a, b: p.b, features: keep(p.features) }));
      const scored = scoreFeatures(w, { global, units, pairs, signals: f.signals });
      const grad = (sigmoid(scored.logit) - ex.label) * ex.weight;
      step(global, grad);
      if (scored.unit >= 0) step(units[scored.unit]!, grad);
      else if (scored.pair >= 0) {
        const p = pairs[scored.pair]!;
        step(units[p.a]!, grad);
        step(units[p.b]!, grad);
        step(p.features, grad);
      }
    }
    // The average of the weights at the end of the later epochs: less dependent on the last examples seen.
    if (epoch >= averageFrom) for (let j = 0; j < w.length; j++) if (w[j] !== 0) avg[j]! += w[j]!;
  }
  const epochs = options.epochs - averageFrom;
  for (let j = 0; j < avg.length; j++) avg[j]! /= epochs;
  return avg;
}

/** The probability the model gives each example. */
export const probabilities = (w: Weights, examples: readonly Example[]): number[] =>
  examples.map((e) => sigmoid(scoreFeatures(w, e.features).logit));

/** Out-of-fold probabilities: k models, each trained without one fold of groups, score that fold. */
export function outOfFold(
  examples: readonly Example[],
  folds: number,
  options: TrainOptions,
  finish: (w: Weights) => Weights = (w) => w,
): number[] {
  const foldOf = examples.map((e) => Math.floor(unitHash(e.group, options.seed + 101) * folds));
  const out = new Array<number>(examples.length).fill(0);
  for (let k = 0; k < folds; k++) {
    const w = finish(
      train(
        examples.filter((_, i) => foldOf[i] !== k),
        options,
      ),
    );
    examples.forEach((e, i) => {
      if (foldOf[i] === k) out[i] = sigmoid(scoreFeatures(w, e.features).logit);
    });
  }
  return out;
}

/** The target false-positive rate on the real benign rows of the training data, all kinds together. */
export const TARGET_FPR = 0.03;
/** The bound on the false-positive rate of each kind of real benign text (with at least MIN_KIND_ROWS rows). */
export const TARGET_KIND_FPR = 0.05;
const MIN_KIND_ROWS = 30;

/**
 * The threshold: among those whose false-positive rate on the real rows' out-of-fold scores stays at or under
 * TARGET_FPR overall and under TARGET_KIND_FPR for every kind of benign text (prompts and documents flag
 * differently; the bound holds for each), the middle of those within PLATEAU of the best balanced accuracy.
 * Synthetic rows count when there are no real ones.
 */
export function chooseThreshold(examples: readonly Example[], oof: readonly number[]): number {
  const anyReal = examples.some((e) => e.real);
  const pos: number[] = [];
  const neg: number[] = [];
  const negByKind = new Map<string, number[]>();
  examples.forEach((e, i) => {
    // Synthetic benign kinds bound the threshold too (a kind of document the real rows may lack); the rates
    // and the balanced accuracy are the real rows'.
    if (e.label === 0 && e.kind !== undefined) negByKind.set(e.kind, [...(negByKind.get(e.kind) ?? []), oof[i]!]);
    if (anyReal && !e.real) return;
    (e.label === 1 ? pos : neg).push(oof[i]!);
  });
  const kinds = [...negByKind.values()].filter((k) => k.length >= MIN_KIND_ROWS);
  const fprOf = (scores: readonly number[], t: number) => scores.filter((s) => s >= t).length / scores.length;
  const candidates = [...new Set([...pos, ...neg])].sort((a, b) => a - b);
  const allowed: { t: number; ba: number }[] = [];
  for (const t of candidates) {
    const fpr = neg.length === 0 ? 0 : fprOf(neg, t);
    if (fpr > TARGET_FPR || kinds.some((k) => fprOf(k, t) > TARGET_KIND_FPR)) continue;
    const tpr = pos.length === 0 ? 1 : pos.filter((s) => s >= t).length / pos.length;
    allowed.push({ t, ba: (tpr + 1 - fpr) / 2 });
  }
  if (allowed.length === 0) return 0.5;
  // Out-of-fold estimates cannot tell apart thresholds whose balanced accuracy differs by a row or two: take the
  // middle of the plateau of near-best ones, furthest from both of its edges, rather than a point chosen by noise.
  const best = Math.max(...allowed.map((a) => a.ba));
  const plateau = allowed.filter((a) => a.ba >= best - PLATEAU).map((a) => a.t);
  return plateau[Math.floor((plateau.length - 1) / 2)]!;
}

/** Balanced accuracies within this of the best are the same to an out-of-fold estimate (a few rows). */
const PLATEAU = 0.0025;
