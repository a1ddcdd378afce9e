import { type Comparison, isDisagreement } from './comparisons.js';
import type { PreparedRecord } from './prepare.js';
import type { ResolveMode } from './types.js';

/** Fitted Fellegi-Sunter parameters: prior match probability among candidate pairs and m/u per level. */
export interface FittedModel {
  lambda: number;
  comparisons: readonly Comparison[];
  m: number[][];
  u: number[][];
  emIterations: number;
  emConverged: boolean;
  /** Per comparison with term-frequency adjustment: value → relative frequency among records having the field. */
  termFrequencies: (Map<string, number> | null)[];
  /** Per identifier comparison: value → distinct names holding it, when more than one (see holderTables). */
  holders?: (Map<string, number> | null)[];
  /** Weights recalibrated on people's decisions (see fitCalibration). */
  calibration?: { slope: number; offset: number } | null;
  /** Most a contact point may weigh when an identity field disagrees. Default HOUSEHOLD_BITS. */
  householdBits?: number;
}

export interface FieldContribution {
  field: string;
  level: string | null;
  /** log2(m/u) of the level, 0 when a side is missing. */
  weight: number;
  /** Extra log2 weight from term frequency (negative for common values). */
  tfAdjustment: number;
}

export interface PairScore {
  weight: number;
  probability: number;
}

const MISSING = -1;

/** Deterministic pseudo-random generator (mulberry32) so runs are reproducible. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function comparisonLevels(
  comparisons: readonly Comparison[],
  a: PreparedRecord,
  b: PreparedRecord,
  out: Int8Array,
): void {
  for (let c = 0; c < comparisons.length; c++) {
    const cmp = comparisons[c]!;
    out[c] = cmp.present(a) && cmp.present(b) ? cmp.level(a, b) : MISSING;
  }
}

function valueCounts(
  records: readonly PreparedRecord[],
  value: (r: PreparedRecord) => string,
  present: (r: PreparedRecord) => boolean,
  side: 0 | 1 | null,
): { counts: Map<string, number>; total: number } {
  const counts = new Map<string, number>();
  let total = 0;
  for (const r of records) {
    if ((side !== null && r.side !== side) || !present(r)) continue;
    const v = value(r);
    counts.set(v, (counts.get(v) ?? 0) + 1);
    total++;
  }
  return { counts, total };
}

/**
 * `size` draws of a random record pair (cross-table in link mode), as positions in `records` (which must be the
 * prepared records in order); a draw of one record with itself is dropped.
 */
export function sampleRecordPairs(
  records: readonly PreparedRecord[],
  mode: ResolveMode,
  size: number,
  random: () => number,
): [number, number][] {
  const left = mode === 'link' ? records.filter((r) => r.side === 0) : records;
  const right = mode === 'link' ? records.filter((r) => r.side === 1) : left;
  const out: [number, number][] = [];
  if (left.length === 0 || right.length === 0) return out;
  for (let s = 0; s < size; s++) {
    const a = left[Math.floor(random() * left.length)]!;
    const b = right[Math.floor(random() * right.length)]!;
    if (a !== b) out.push([a.index, b.index]);
  }
  return out;
}

/**
 * u probabilities: chance of each level among non-matching pairs. The exact level comes straight from value
 * frequencies (probability that two random records share a value); the other levels from a random pair sample.
 */
export function estimateU(
  comparisons: readonly Comparison[],
  records: readonly PreparedRecord[],
  mode: ResolveMode,
  sampleSize: number,
  random: () => number,
): number[][] {
  const counts = comparisons.map((c) => new Array<number>(c.levels.length).fill(0));
  const levels = new Int8Array(comparisons.length);
  for (const [a, b] of sampleRecordPairs(records, mode, sampleSize, random)) {
    comparisonLevels(comparisons, records[a]!, records[b]!, levels);
    for (let c = 0; c < comparisons.length; c++) if (levels[c]! >= 0) counts[c]![levels[c]!]!++;
  }
  return comparisons.map((cmp, c) => {
    const row = counts[c]!;
    const k = row.length;
    let exact: number | null = null;
    if (cmp.exactValue) {
      if (mode === 'link') {
        const l = valueCounts(records, cmp.exactValue, cmp.present, 0);
        const r = valueCounts(records, cmp.exactValue, cmp.present, 1);
        if (l.total > 0 && r.total > 0) {
          let sum = 0;
          for (const [v, n] of l.counts) sum += n * (r.counts.get(v) ?? 0);
          exact = sum / (l.total * r.total);
        }
      } else {
        const all = valueCounts(records, cmp.exactValue, cmp.present, null);
        if (all.total > 1) {
          let sum = 0;
          for (const n of all.counts.values()) sum += n * (n - 1);
          exact = sum / (all.total * (all.total - 1));
        }
      }
    }
    // additive smoothing keeps unseen levels finite; the exact level is floored at one coincidence per sample
    const rest = row.slice(1).map((x) => x + 0.5);
    const restTotal = rest.reduce((s, x) => s + x, 0);
    const sampled = row.reduce((s, x) => s + x, 0);
    const u0 = Math.max(exact ?? (row[0]! + 0.5) / (sampled + 0.5 * k), 1 / Math.max(1, sampleSize * 4));
    return [u0, ...rest.map((x) => ((1 - u0) * x) / restTotal)];
  });
}

/**
 * Prior m of a comparison (and EM's starting point): most mass on agreement, a little on each weaker level, 5 % on
 * "else" (Splink's defaults have the same shape). A MAP fit pulls m towards it with `priorStrength` pseudo-matches.
 */
export function priorM(levels: number): number[] {
  if (levels === 2) return [0.9, 0.1];
  const m = new Array<number>(levels).fill(0);
  m[0] = 0.6;
  const mid = 0.35 / (levels - 2);
  for (let l = 1; l < levels - 1; l++) m[l] = mid;
  m[levels - 1] = 0.05;
  return m;
}

/**
 * Upper bound on m of the else level of an identity field (names, birth date, an organisation's name): at most
 * 10 % of true matches disagree outright on one (typos are caught by the fuzzy levels), so an outright disagreement
 * always weighs at least log2(u_else / 0.1) — about 3.2 bits — against. Chosen by leave-one-dataset-out
 * (bench:er-loo picked 0.1 over 0.15 and 0.25 for 14 of 15 held-out sets); febrl's 9–14 % of true duplicates with
 * an unrelated first name sit at the bound.
 */
export const IDENTITY_ELSE_MAX_M = 0.1;

/**
 * Constraints every fitted m must satisfy, whatever the data (after Enamorado, Fifield and Imai's fastLink and
 * Splink's checks), so EM cannot settle on the wrong class:
 * 1. the Bayes factor m/u does not rise from the exact level towards else along the ordered levels
 *    (pool-adjacent-violators over the ratios, weighted by u: the maximum-likelihood monotone fit, mass preserved);
 * 2. every agreement level has m ≥ u (agreeing never argues against a match); the mass comes from the else level;
 * 3. an identity field's else level holds at most IDENTITY_ELSE_MAX_M.
 * Levels a comparison lists in `disagreementLevels` ("same street, other house number") are outside 1 and 2 and
 * hold m ≤ u instead: they mean another value, however similar it looks.
 */
export function constrainM(
  cmp: Comparison,
  mIn: readonly number[],
  u: readonly number[],
  identityElseMax = IDENTITY_ELSE_MAX_M,
): number[] {
  const k = mIn.length;
  const m = [...mIn];
  const last = k - 1;
  const exempt = new Set(cmp.disagreementLevels ?? []);
  let surplus = 0;
  for (const l of exempt) {
    if (m[l]! <= u[l]!) continue;
    surplus += m[l]! - u[l]!;
    m[l] = u[l]!;
  }
  m[last] = m[last]! + surplus;
  const chain = Array.from({ length: k }, (_, l) => l).filter((l) => !exempt.has(l));
  // 1. PAVA on ratios, non-increasing along the chain
  const blocks: { levels: number[]; m: number; u: number }[] = [];
  for (const l of chain) {
    blocks.push({ levels: [l], m: m[l]!, u: u[l]! });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      if (a.m / a.u >= b.m / b.u) break;
      blocks.splice(blocks.length - 2, 2, { levels: [...a.levels, ...b.levels], m: a.m + b.m, u: a.u + b.u });
    }
  }
  for (const b of blocks) for (const l of b.levels) m[l] = (b.m / b.u) * u[l]!;
  // 2. agreement levels at least as likely among matches as among non-matches. After 1 the levels below u form a
  // suffix of the chain, so the mass they need comes from the levels above u, shrinking each one's excess alike
  // (ratios keep their order and stay ≥ 1)
  let deficit = 0;
  let excessAbove = 0;
  for (const l of chain) {
    if (l === last) continue;
    if (m[l]! < u[l]!) deficit += u[l]! - m[l]!;
    else excessAbove += m[l]! - u[l]!;
  }
  if (deficit > 0) {
    const keep = excessAbove > 0 ? Math.max(0, 1 - deficit / excessAbove) : 0;
    for (const l of chain) {
      if (l === last) continue;
      m[l] = m[l]! < u[l]! ? u[l]! : u[l]! + (m[l]! - u[l]!) * keep;
    }
    if (excessAbove < deficit) m[last] = Math.max(1e-6, m[last]! - (deficit - excessAbove));
  }
  // 3. outright disagreement on an identity field is strong evidence against; the excess goes to the agreement
  // levels in proportion, which scales their ratios alike
  if (cmp.identity && m[last]! > identityElseMax) {
    const excess = m[last]! - identityElseMax;
    m[last] = identityElseMax;
    const agreeing = chain.filter((l) => l !== last);
    const rest = agreeing.reduce((sum, l) => sum + m[l]!, 0);
    for (const l of agreeing) m[l] = rest > 0 ? m[l]! + (excess * m[l]!) / rest : excess / agreeing.length;
  }
  // 4. on an identity field, a disagreement level contradicts the identity as much as the else level does
  if (cmp.identity) {
    let surplusLate = 0;
    const ratio = m[last]! / u[last]!;
    for (const l of exempt) {
      const cap = u[l]! * ratio;
      if (m[l]! <= cap) continue;
      surplusLate += m[l]! - cap;
      m[l] = cap;
    }
    const agreeing = chain.filter((l) => l !== last);
    const rest = agreeing.reduce((sum, l) => sum + m[l]!, 0);
    for (const l of agreeing) m[l] = rest > 0 ? m[l]! + (surplusLate * m[l]!) / rest : m[l]!;
  }
  const total = m.reduce((sum, x) => sum + x, 0);
  return m.map((x) => x / total);
}

export interface EmOptions {
  maxIterations?: number;
  tolerance?: number;
  initialLambda?: number;
  /** Upper bound on lambda (e.g. one-to-one link: at most min(left, right) matches among the pairs). */
  maxLambda?: number;
  /** Only these comparison indexes are modelled; the others are ignored (their m is returned unchanged). */
  active?: readonly number[];
  /** Pseudo-matches of the Dirichlet prior on m (MAP instead of maximum likelihood). Default DEFAULT_PRIOR_STRENGTH. */
  priorStrength?: number;
  /** Cap on m of an identity field's else level. Default IDENTITY_ELSE_MAX_M. */
  identityElseMax?: number;
}

/**
 * EM needs at least two comparisons to tell matches from non-matches at all: with one, any split of its levels fits
 * equally well and EM only fits noise, so m keeps its prior. (Strict identifiability of a two-class mixture needs
 * three independent comparisons, Hall and Zhou 2003; with two, the prior and the constraints regularise the fit.)
 */
export const MIN_EM_FIELDS = 2;

/** Pseudo-matches behind the prior m: enough to steady a field seen in a few dozen matches, small against thousands. */
export const DEFAULT_PRIOR_STRENGTH = 5;

/**
 * Expectation-maximisation of m and lambda on the candidate pairs with u held fixed (as Splink does by default),
 * on distinct comparison vectors weighted by their counts.
 */
export function estimateMByEm(
  comparisons: readonly Comparison[],
  patterns: Iterable<{ levels: Int8Array; count: number; posterior?: number }>,
  u: number[][],
  options: EmOptions = {},
): { m: number[][]; lambda: number; iterations: number; converged: boolean } {
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  const maxLambda = options.maxLambda ?? 1 - 1e-9;
  let lambda = Math.min(options.initialLambda ?? 0.2, maxLambda);
  const prior = comparisons.map((c) => priorM(c.levels.length));
  const strength = options.priorStrength ?? DEFAULT_PRIOR_STRENGTH;
  const cap = options.identityElseMax ?? IDENTITY_ELSE_MAX_M;
  let m = prior.map((row, c) => constrainM(comparisons[c]!, row, u[c]!, cap));
  const active = options.active ?? comparisons.map((_, c) => c);
  const list = [...patterns];
  let total = 0;
  for (const p of list) total += p.count;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const acc = comparisons.map((c) => new Array<number>(c.levels.length).fill(0));
    let matchMass = 0;
    for (const p of list) {
      let pm = lambda;
      let pu = 1 - lambda;
      for (const c of active) {
        const l = p.levels[c]!;
        if (l < 0) continue;
        pm *= m[c]![l]!;
        pu *= u[c]![l]!;
      }
      const post = p.posterior ?? (pm + pu > 0 ? pm / (pm + pu) : 0);
      const w = post * p.count;
      matchMass += w;
      for (const c of active) {
        const l = p.levels[c]!;
        if (l >= 0) acc[c]![l]! += w;
      }
    }
    const newLambda = Math.min(maxLambda, Math.max(1e-9, matchMass / total));
    let delta = Math.abs(newLambda - lambda);
    const activeSet = new Set(active);
    const newM = acc.map((row, c) => {
      const sum = row.reduce((s, x) => s + x, 0);
      if (sum <= 0 || !activeSet.has(c)) return m[c]!;
      // MAP under a Dirichlet prior centred on priorM, then projected onto the constraints
      const map = row.map((x, l) => (x + strength * prior[c]![l]!) / (sum + strength));
      return constrainM(comparisons[c]!, map, u[c]!, cap);
    });
    for (let c = 0; c < newM.length; c++) {
      for (let l = 0; l < newM[c]!.length; l++) delta = Math.max(delta, Math.abs(newM[c]![l]! - m[c]![l]!));
    }
    m = newM;
    lambda = newLambda;
    if (delta < tolerance) {
      converged = true;
      break;
    }
  }
  return { m, lambda, iterations, converged };
}

/** Relative value frequencies for comparisons with term-frequency adjustment. */
export function termFrequencyTables(
  comparisons: readonly Comparison[],
  records: readonly PreparedRecord[],
): (Map<string, number> | null)[] {
  return comparisons.map((c) => {
    if (!c.termFrequency || !c.exactValue) return null;
    const { counts, total } = valueCounts(records, c.exactValue, c.present, null);
    const freq = new Map<string, number>();
    for (const [v, n] of counts) freq.set(v, n / total);
    return freq;
  });
}

const log2 = Math.log2;

/**
 * Places nested in one another: a shared street line implies the postcode and the town, so agreeing on all of them
 * is not independent evidence (Fellegi-Sunter assumes it is). Only the strongest agreement among them counts;
 * disagreements all count.
 */
const NESTED_LOCATION: ReadonlySet<string> = new Set(['street', 'postcode', 'city', 'state']);

/** What sharing a contact point is worth when the identities disagree: one household of a few, about 2 bits. */
export const HOUSEHOLD_BITS = 2;

/** Where a person or organisation can be reached: shared by a household, a family, the sites of a group. */
const CONTACT_FIELDS: ReadonlySet<string> = new Set([
  'email',
  'phone',
  'domain',
  'street',
  'postcode',
  'city',
  'state',
]);

/** Match weight (log2 Bayes factor incl. prior) and probability of one comparison vector. */
export function scoreLevels(
  model: FittedModel,
  a: PreparedRecord,
  b: PreparedRecord,
  levels: Int8Array,
  contributions?: FieldContribution[],
): PairScore {
  let weight = log2(model.lambda / (1 - model.lambda));
  // does an identity field (name, birth date) disagree? then a value shared under several names says nothing
  let identityDisagrees = false;
  for (let c = 0; c < model.comparisons.length; c++) {
    const cmp = model.comparisons[c]!;
    const l = levels[c]!;
    if (cmp.identity && l >= 0 && isDisagreement(cmp, l)) identityDisagrees = true;
  }
  let bestPlace = 0;
  let bestPlaceAt = -1;
  const household = model.householdBits ?? HOUSEHOLD_BITS;
  for (let c = 0; c < model.comparisons.length; c++) {
    const l = levels[c]!;
    const cmp = model.comparisons[c]!;
    if (l < 0) {
      contributions?.push({ field: cmp.field, level: null, weight: 0, tfAdjustment: 0 });
      continue;
    }
    const u = model.u[c]![l]!;
    const w = log2(model.m[c]![l]! / u);
    let tf = 0;
    const table = model.termFrequencies[c];
    if (l === 0 && table && cmp.exactValue) {
      // Splink-style: replace the average u of exact agreement with the frequency of this particular value
      const f = Math.max(table.get(cmp.exactValue(a)) ?? 0, table.get(cmp.exactValue(b)) ?? 0);
      if (f > 0) tf = Math.max(-10, Math.min(10, log2(u / f)));
    }
    const holders = l === 0 && cmp.exactValue ? model.holders?.[c] : null;
    if (holders) {
      // a value held under k names puts a record in that group of k: it says 1/k as much about which member the
      // record is, and nothing at all when the two records' names or birth dates disagree (two members of it)
      const k = Math.max(holders.get(cmp.exactValue!(a)) ?? 1, holders.get(cmp.exactValue!(b)) ?? 1);
      if (k > 1) tf = identityDisagrees ? -w : tf - log2(k);
    }
    if (identityDisagrees && CONTACT_FIELDS.has(cmp.field) && w + tf > household) {
      // contact points put two records in one household or organisation; when a name or birth date disagrees
      // outright they say no more than "one household"
      tf = household - w;
    }
    if (NESTED_LOCATION.has(cmp.field) && w + tf > 0) {
      // nested places are one piece of evidence: only the strongest agreeing one counts
      if (w + tf > bestPlace) {
        if (bestPlaceAt >= 0) {
          weight -= bestPlace;
          if (contributions) contributions[bestPlaceAt]!.tfAdjustment -= bestPlace;
        }
        bestPlace = w + tf;
        bestPlaceAt = contributions ? contributions.length : 0;
      } else tf = -w;
    }
    weight += w + tf;
    contributions?.push({ field: cmp.field, level: cmp.levels[l]!, weight: w, tfAdjustment: tf });
  }
  if (model.calibration) weight = model.calibration.slope * weight + model.calibration.offset;
  const probability = 1 / (1 + Math.pow(2, -weight));
  return { weight, probability };
}

/** Distinct comparison vectors (restricted to `active` comparisons) of a subset of candidate pairs, with counts. */
export function patternsOf(
  levels: Int8Array,
  width: number,
  pairNumbers: Iterable<number>,
  active: readonly number[],
): { levels: Int8Array; count: number }[] {
  const patterns = new Map<number, { levels: Int8Array; count: number }>();
  for (const p of pairNumbers) {
    let key = 0;
    for (const c of active) key = key * 9 + (levels[p * width + c]! + 1);
    const entry = patterns.get(key);
    if (entry) entry.count++;
    else {
      const v = new Int8Array(width).fill(-1);
      for (const c of active) v[c] = levels[p * width + c]!;
      patterns.set(key, { levels: v, count: 1 });
    }
  }
  return [...patterns.values()];
}

export interface TrainingSession {
  rule: string;
  pairs: number;
  fieldsEstimated: string[];
  lambda: number;
  iterations: number;
}

export interface TrainedM {
  m: number[][];
  lambda: number;
  sessions: TrainingSession[];
  iterations: number;
  converged: boolean;
}

/**
 * Splink-style training: one EM session per blocking rule on the pairs that rule produced, leaving out the fields
 * the rule blocks on (inside a block those fields agree by construction, so they carry no signal about matches
 * there, while the other fields of non-matching pairs look like random pairs — which is what the fixed u assumes).
 * m of each field is the average over the sessions that estimated it, weighted by their expected matches; fields no
 * session could estimate come from one EM over all candidate pairs. Lambda is then re-estimated on all candidate
 * pairs with m and u fixed.
 */
export function trainModel(
  comparisons: readonly Comparison[],
  levels: Int8Array,
  pairCount: number,
  rules: readonly { name: string; fields: readonly string[]; pairs: Uint32Array }[],
  u: number[][],
  options: {
    maxLambdaFor?: (pairs: number) => number;
    minSessionPairs?: number;
    priorStrength?: number;
    identityElseMax?: number;
    /**
     * Pairs people decided, with their candidate pair number when they are candidates: in every EM session they
     * keep their known class (posterior 1 for a confirmed pair, 0 for a rejected one) instead of EM's guess, so
     * both kinds train m (semi-supervised EM).
     */
    labelled?: readonly { levels: Int8Array; match: boolean; pair?: number }[];
  } = {},
): TrainedM {
  const C = comparisons.length;
  const minPairs = options.minSessionPairs ?? 30;
  // the MAP settings every EM session shares
  const fit: Pick<EmOptions, 'priorStrength' | 'identityElseMax'> = {
    ...(options.priorStrength !== undefined ? { priorStrength: options.priorStrength } : {}),
    ...(options.identityElseMax !== undefined ? { identityElseMax: options.identityElseMax } : {}),
  };
  const decided = new Set((options.labelled ?? []).flatMap((x) => (x.pair === undefined ? [] : [x.pair])));
  const withoutLabelled = (pairs: Uint32Array): Iterable<number> =>
    decided.size === 0 ? pairs : pairs.filter((p) => !decided.has(p));
  const labelledPatterns = (active: readonly number[]): { levels: Int8Array; count: number; posterior: number }[] =>
    (options.labelled ?? []).map((x) => {
      const v = new Int8Array(C).fill(-1);
      for (const c of active) v[c] = x.levels[c]!;
      return { levels: v, count: 1, posterior: x.match ? 1 : 0 };
    });
  const maxLambdaFor = options.maxLambdaFor ?? (() => 1 - 1e-9);
  const sums = comparisons.map((c) => new Array<number>(c.levels.length).fill(0));
  const weights = new Array<number>(C).fill(0);
  const sessions: TrainingSession[] = [];
  let iterations = 0;
  let converged = true;
  for (const rule of rules) {
    if (rule.pairs.length < minPairs) continue;
    const active = comparisons.map((c, i) => (rule.fields.includes(c.field) ? -1 : i)).filter((i) => i >= 0);
    if (active.length < MIN_EM_FIELDS) continue;
    const patterns = [...patternsOf(levels, C, withoutLabelled(rule.pairs), active), ...labelledPatterns(active)];
    const em = estimateMByEm(comparisons, patterns, u, {
      active,
      maxLambda: maxLambdaFor(rule.pairs.length),
      ...fit,
    });
    iterations += em.iterations;
    converged &&= em.converged;
    const expectedMatches = em.lambda * rule.pairs.length;
    if (expectedMatches < 1) continue;
    for (const c of active) {
      // fields almost never filled inside this block carry little information about their m here
      for (let l = 0; l < sums[c]!.length; l++) sums[c]![l]! += em.m[c]![l]! * expectedMatches;
      weights[c]! += expectedMatches;
    }
    sessions.push({
      rule: rule.name,
      pairs: rule.pairs.length,
      fieldsEstimated: active.map((c) => comparisons[c]!.field),
      lambda: em.lambda,
      iterations: em.iterations,
    });
  }
  const all = Array.from({ length: pairCount }, (_, p) => p);
  const everyField = comparisons.map((_, c) => c);
  let m: number[][];
  if (weights.some((w) => w === 0) && C < MIN_EM_FIELDS) {
    // too few fields for EM to tell matches from non-matches: the constrained prior stands in
    m = comparisons.map((cmp, c) =>
      weights[c]! > 0
        ? sums[c]!.map((x) => x / weights[c]!)
        : constrainM(cmp, priorM(cmp.levels.length), u[c]!, options.identityElseMax),
    );
  } else if (weights.some((w) => w === 0)) {
    const global = estimateMByEm(
      comparisons,
      [
        ...patternsOf(levels, C, decided.size === 0 ? all : all.filter((p) => !decided.has(p)), everyField),
        ...labelledPatterns(everyField),
      ],
      u,
      {
        maxLambda: maxLambdaFor(pairCount),
        ...fit,
      },
    );
    iterations += global.iterations;
    converged &&= global.converged;
    m = comparisons.map((_, c) => (weights[c]! > 0 ? sums[c]!.map((x) => x / weights[c]!) : global.m[c]!));
  } else {
    m = comparisons.map((_, c) => sums[c]!.map((x) => x / weights[c]!));
  }
  return {
    m,
    ...fitLambda(comparisons, levels, pairCount, m, u, maxLambdaFor(pairCount)),
    sessions,
    iterations,
    converged,
  };
}

/** λ among all candidate pairs with m and u fixed: a one-parameter EM. */
export function fitLambda(
  comparisons: readonly Comparison[],
  levels: Int8Array,
  pairCount: number,
  m: number[][],
  u: number[][],
  maxLambda: number,
): { lambda: number } {
  const C = comparisons.length;
  const all = Array.from({ length: pairCount }, (_, p) => p);
  const everyField = comparisons.map((_, c) => c);
  const patterns = patternsOf(levels, C, all, everyField);
  let lambda = Math.min(0.1, maxLambda);
  const ratios = patterns.map((p) => {
    let r = 1;
    for (let c = 0; c < C; c++) {
      const l = p.levels[c]!;
      if (l >= 0) r *= m[c]![l]! / u[c]![l]!;
    }
    return r;
  });
  for (let it = 0; it < 500; it++) {
    let mass = 0;
    let total = 0;
    patterns.forEach((p, k) => {
      const odds = (lambda / (1 - lambda)) * ratios[k]!;
      mass += (p.count * odds) / (1 + odds);
      total += p.count;
    });
    const next = Math.min(maxLambda, Math.max(1e-9, mass / total));
    const done = Math.abs(next - lambda) < 1e-9;
    lambda = next;
    if (done) break;
  }
  return { lambda };
}
