/**
 * The prompt-injection detector: every text that reaches a model (user messages, retrieved passages, tool outputs,
 * synced CRM fields) passes it first, and the policy blocks or quarantines what it flags.
 *
 * A learned linear model over hashed words and structural features, max-pooled over the text's passages (see
 * model.ts and features.ts; training in scripts/train-injection.ts, figures in docs/injection-defence.md). It runs
 * in-process with no I/O: the weights are a module of the bundle, decoded once when this module loads.
 */
import { extractFeatures } from './features.js';
import { type Weights, scoreFeatures, sigmoid, unpackWeights } from './model.js';
import { MODEL } from './weights.generated.js';

export interface InjectionVerdict {
  /** Probability-like score in [0, 1]. */
  score: number;
  /** score >= INJECTION_THRESHOLD. */
  injection: boolean;
  /** short, stable reason codes (no content) */
  signals: string[];
}

/** The product's threshold: chosen at training time on out-of-fold scores of the training data. */
export const INJECTION_THRESHOLD: number = MODEL.threshold;

/** The model's identity (a hash of its weights and threshold), logged with every detection. */
export const DETECTOR_VERSION: string = MODEL.version;

const WEIGHTS: Weights = unpackWeights(MODEL.weights);

/** Texts up to this length are read whole; longer ones in overlapping windows of this size. */
const WINDOW_CHARS = 6000;
const WINDOW_OVERLAP = 1000;
/**
 * At most this many windows (about 100 000 characters) are read: the first ones and the last one, where appended
 * instructions sit. A longer text gets the `text_truncated` signal, so that the policy can refuse what was not
 * read in full.
 */
const MAX_WINDOWS = 20;

/** Window start and end offsets, cut at a line break (or a space) near each boundary. */
function windowsOf(text: string): [number, number][] {
  if (text.length <= WINDOW_CHARS) return [[0, text.length]];
  const out: [number, number][] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + WINDOW_CHARS);
    if (end < text.length) {
      const floor = end - WINDOW_OVERLAP / 2;
      const nl = text.lastIndexOf('\n', end);
      const sp = text.lastIndexOf(' ', end);
      end = nl > floor ? nl : sp > floor ? sp : end;
    }
    out.push([start, end]);
    if (end >= text.length) break;
    start = Math.max(end - WINDOW_OVERLAP, start + 1);
  }
  return out;
}

/** The logit and reason codes of a text under the given weights (windowed; the most suspicious window counts). */
export function scoreText(weights: Weights, text: string): { logit: number; signals: string[] } {
  const all = windowsOf(text);
  const read = all.length <= MAX_WINDOWS ? all : [...all.slice(0, MAX_WINDOWS - 1), all[all.length - 1]!];
  let logit = Number.NEGATIVE_INFINITY;
  const signals = new Set<string>();
  for (const [start, end] of read) {
    const f = extractFeatures(text.slice(start, end));
    logit = Math.max(logit, scoreFeatures(weights, f).logit);
    for (const s of f.signals) signals.add(s);
  }
  if (read.length < all.length) signals.add('text_truncated');
  return { logit, signals: [...signals].sort() };
}

/**
 * Scores one text. Synchronous, no I/O; about a millisecond for a few kilobytes. An empty or blank text scores 0.
 */
export function detectInjection(text: string): InjectionVerdict {
  if (text.trim() === '') return { score: 0, injection: false, signals: [] };
  const { logit, signals } = scoreText(WEIGHTS, text);
  const score = sigmoid(logit);
  return { score, injection: score >= INJECTION_THRESHOLD, signals };
}
