/**
 * The training recipe of the injection detector, shared by the training script (the shipped model) and the
 * benchmark (held-out and leave-one-family-out models), so that every figure is measured on a model trained the
 * way the product's is.
 */
import {
  type PackedWeights,
  type Weights,
  packWeights,
  unpackWeights,
} from '../../functions/domain/security/injection/model.js';
import { generateInjections } from './gen-injections.js';
import {
  DEFAULT_TRAIN_OPTIONS,
  type LabelledText,
  type TrainOptions,
  chooseThreshold,
  outOfFold,
  prepare,
  train,
} from './injection-train.js';

/** The generator seed of the shipped model's synthetic data (the bench's adversarial set uses another). */
export const TRAIN_SEED = 1;
export const SYNTHETIC_SIZE = 8000;
/** Weights kept in the shipped module (the largest by magnitude); the rest are zero. */
export const KEPT_WEIGHTS = 60_000;
export const FOLDS = 4;

export interface RecipeResult {
  packed: PackedWeights;
  /** The shipped form (pruned, quantised) of the final weights. */
  weights: Weights;
  threshold: number;
  /** TPR, FPR and balanced accuracy of the out-of-fold scores of the real rows at the threshold. */
  oofMetrics: { tpr: number; fpr: number; balancedAccuracy: number };
  syntheticSeed: number;
  syntheticCount: number;
}

const shipped = (w: Weights): Weights => unpackWeights(packWeights(w, KEPT_WEIGHTS));

/** Trains on `real` rows plus the synthetic set, chooses the threshold out of fold, packs the final weights. */
export function runRecipe(
  real: readonly LabelledText[],
  options: { syntheticSeed?: number; syntheticSize?: number; folds?: number; train?: TrainOptions } = {},
): RecipeResult {
  const seed = options.syntheticSeed ?? TRAIN_SEED;
  const trainOptions = options.train ?? DEFAULT_TRAIN_OPTIONS;
  const synthetic: LabelledText[] = generateInjections({ seed, size: options.syntheticSize ?? SYNTHETIC_SIZE }).map(
    (g) => ({
      text: g.text,
      label: g.label,
      group: g.group,
      real: false,
      kind: `synthetic ${g.family.split('/').slice(0, 2).join('/')}`,
    }),
  );
  const examples = prepare([...real, ...synthetic], trainOptions.realShare);
  const oof = outOfFold(examples, options.folds ?? FOLDS, trainOptions, shipped);
  const threshold = chooseThreshold(examples, oof);
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  examples.forEach((e, i) => {
    if (!e.real) return;
    const hit = oof[i]! >= threshold;
    if (e.label === 1) hit ? tp++ : fn++;
    else hit ? fp++ : tn++;
  });
  const tpr = tp / Math.max(1, tp + fn);
  const fpr = fp / Math.max(1, fp + tn);
  const packed = packWeights(train(examples, trainOptions), KEPT_WEIGHTS);
  return {
    packed,
    weights: unpackWeights(packed),
    threshold,
    oofMetrics: { tpr, fpr, balancedAccuracy: (tpr + 1 - fpr) / 2 },
    syntheticSeed: seed,
    syntheticCount: synthetic.length,
  };
}
