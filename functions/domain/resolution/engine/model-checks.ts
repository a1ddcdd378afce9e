import { type Comparison, isDisagreement } from './comparisons.js';
import type { PreparedRecord } from './prepare.js';
import type { EntityKind } from './types.js';

/** Contact points that can identify one person or organisation, unless many identities share them. */
export const IDENTIFIER_FIELDS: ReadonlySet<string> = new Set(['email', 'phone', 'domain', 'street']);

/**
 * The identity a record names, for counting how many identities share one identifier: a person's first and last
 * name metaphones (so typos and nicknames of one name mostly count once), an organisation's name tokens in order.
 */
export function nameKey(kind: EntityKind, r: PreparedRecord): string {
  if (kind === 'organization') return [...r.orgNameTokens].sort().join(' ');
  return `${r.firstDm || r.firstCanon}|${r.lastDm || r.last}`;
}

/**
 * Per identifier comparison: value → number of distinct name keys holding it in this data. The exact level of a
 * value held under k names loses log2(k) bits (frequency-aware evidence: a head-office phone shared by ten sites is
 * one tenth as telling about which site a record is), and the strong-identifier rule needs k = 1.
 */
export function holderTables(
  kind: EntityKind,
  comparisons: readonly Comparison[],
  records: readonly PreparedRecord[],
): (Map<string, number> | null)[] {
  return comparisons.map((c) => {
    if (!IDENTIFIER_FIELDS.has(c.field) || !c.exactValue) return null;
    const names = new Map<string, Set<string>>();
    for (const r of records) {
      if (!c.present(r)) continue;
      const key = nameKey(kind, r);
      if (key === '' || key === '|') continue;
      const v = c.exactValue(r);
      const set = names.get(v);
      if (set) set.add(key);
      else names.set(v, new Set([key]));
    }
    const out = new Map<string, number>();
    for (const [v, set] of names) if (set.size > 1) out.set(v, set.size);
    return out;
  });
}

/**
 * Candidate pairs that are near-certain matches by a rule that holds for any data: exact agreement on at least
 * three comparisons (all of them when fewer exist), one of them an identity field, and outright disagreement on
 * none (no else level, no disagreement level such as birth years a decade apart), on agreements rarer by chance than
 * one record in the data. They bound λ from below and check the fitted model; they are not labels.
 */
export function anchorPairs(
  comparisons: readonly Comparison[],
  levels: Int8Array,
  pairCount: number,
  u: readonly (readonly number[])[],
  records: number,
): number[] {
  const C = comparisons.length;
  const needed = Math.min(3, C);
  // the agreement must be rarer by chance than one record in the data: Π u(exact) ≤ 1 / records
  const rarity = Math.log2(Math.max(2, records));
  const out: number[] = [];
  for (let p = 0; p < pairCount; p++) {
    let exact = 0;
    let bits = 0;
    let identity = false;
    let contradicted = false;
    for (let c = 0; c < C; c++) {
      const l = levels[p * C + c]!;
      if (l < 0) continue;
      const cmp = comparisons[c]!;
      if (isDisagreement(cmp, l)) {
        contradicted = true;
        break;
      }
      if (l === 0) {
        exact++;
        bits -= Math.log2(u[c]![0]!);
        if (cmp.identity) identity = true;
      }
    }
    if (!contradicted && identity && exact >= needed && bits >= rarity) out.push(p);
  }
  return out;
}

export interface ModelCheck {
  ok: boolean;
  /** Why the fitted model was judged implausible; empty when ok. */
  reasons: string[];
  /** 'prior' when the fitted m was replaced by the constrained prior m. */
  fallback: 'prior' | null;
  anchors: number;
  /** Share of anchor pairs the model scores at or above the threshold. */
  anchorRecall: number | null;
  /** Share of random record pairs scored at or above the threshold, and how many that would be expected. */
  randomMatchRate: number;
  expectedRandomMatchRate: number;
}

/**
 * Self-check of a fitted model against facts that do not depend on it: near-certain pairs must score as matches,
 * and random pairs — almost all non-matches — must not score as matches more often than matches can exist.
 */
export function checkModel(input: {
  anchorProbabilities: readonly number[];
  randomProbabilities: readonly number[];
  threshold: number;
  /** Upper bound on the share of matches among random pairs (λ × candidate pairs / all pairs). */
  expectedRandomMatchRate: number;
}): Omit<ModelCheck, 'fallback'> {
  const reasons: string[] = [];
  const anchors = input.anchorProbabilities.length;
  const anchorRecall =
    anchors === 0 ? null : input.anchorProbabilities.filter((p) => p >= input.threshold).length / anchors;
  if (anchorRecall !== null && anchors >= 20 && anchorRecall < 0.9)
    reasons.push(`only ${(anchorRecall * 100).toFixed(0)} % of ${anchors} near-certain pairs score as matches`);
  const sample = input.randomProbabilities.length;
  const hits = input.randomProbabilities.filter((p) => p >= input.threshold).length;
  const randomMatchRate = sample === 0 ? 0 : hits / sample;
  // allowed: ten times the matches the candidate pairs imply among random pairs, but never less than one random
  // pair in ten — transitive clusters (one organisation under 676 spellings) hold far more matches than blocking
  // pairs up, and beyond one in ten a model calls unrelated records the same whatever the data
  const allowed = Math.max(10 * input.expectedRandomMatchRate, 0.1) + 5 / Math.max(1, sample);
  if (sample > 0 && randomMatchRate > allowed)
    reasons.push(
      `${hits} of ${sample} random pairs score as matches (${(randomMatchRate * 100).toFixed(2)} %, at most ${(allowed * 100).toFixed(2)} % plausible)`,
    );
  return {
    ok: reasons.length === 0,
    reasons,
    anchors,
    anchorRecall,
    randomMatchRate,
    expectedRandomMatchRate: input.expectedRandomMatchRate,
  };
}

export interface Calibration {
  /** Calibrated weight = slope × weight + offset (bits). The slope stays 1: see fitCalibration. */
  slope: number;
  offset: number;
  labels: number;
}

/**
 * Calibration of match weights on people's decisions: a MAP logistic fit of an offset,
 * p = σ(ln 2 · (w + offset)), with prior offset ~ N(0, 2²) bits. Only the offset moves: answers come from the review
 * queue, whose pairs sit near the threshold, so they say where the boundary lies but nothing about the scale of the
 * weights — fitting a slope on them can flatten every weight towards the offset and match everything. Needs both a
 * confirmed and a rejected pair.
 */
export function fitCalibration(weights: readonly number[], matches: readonly boolean[]): Calibration | null {
  if (!matches.includes(true) || !matches.includes(false)) return null;
  const sb = 2;
  const k = Math.LN2;
  let b = 0;
  // damped Newton on a convex objective: a step of at most one bit, so separable answers (far from the boundary)
  // cannot throw the offset back and forth
  for (let it = 0; it < 200; it++) {
    let g = b / (sb * sb);
    let h = 1 / (sb * sb);
    weights.forEach((w0, i) => {
      const w = Math.max(-60, Math.min(60, w0));
      const p = 1 / (1 + Math.exp(-k * (w + b)));
      g += k * (p - (matches[i] ? 1 : 0));
      h += k * k * p * (1 - p);
    });
    const step = Math.max(-1, Math.min(1, g / h));
    b -= step;
    if (Math.abs(step) < 1e-9) break;
  }
  return { slope: 1, offset: b, labels: weights.length };
}
