import type { CountryCode } from 'libphonenumber-js';
import { type BlockingOptions, blockingRulesFor, generateCandidatePairs } from './blocking.js';
import { clusterByAverageLinkage, oneToOneAssignment, type ScoredEdge } from './clustering.js';
import { type Comparison, comparisonsFor, isDisagreement } from './comparisons.js';
import { ResolutionInputError } from './errors.js';
import { type GoldenRecord, type SurvivorshipOptions, buildGoldenRecord } from './golden-record.js';
import {
  anchorPairs,
  type Calibration,
  checkModel,
  fitCalibration,
  holderTables,
  type ModelCheck,
} from './model-checks.js';
import {
  constrainM,
  fitLambda,
  priorM,
  sampleRecordPairs,
  type FieldContribution,
  type FittedModel,
  comparisonLevels,
  estimateU,
  scoreLevels,
  seededRandom,
  termFrequencyTables,
  trainModel,
  type TrainingSession,
} from './model.js';
import { PairIndex } from './pair-index.js';
import { type PreparedRecord, prepareRecords } from './prepare.js';
import type { EntityKind, InputRecord, ResolveMode } from './types.js';

interface CommonOptions {
  kind: EntityKind;
  /** Minimum match probability of a pair (and average linkage inside a cluster). Default 0.5: match more likely than not under the fitted model. */
  threshold?: number;
  /** Country assumed for phone numbers without an international prefix. Default 'US'. */
  defaultCountry?: CountryCode;
  blocking?: BlockingOptions;
  /** Random pairs sampled to estimate u. Default 2 per record, 10 000 – 100 000. */
  uSampleSize?: number;
  seed?: number;
  /** Attach a per-field explanation to every matched pair. Default true. */
  explain?: boolean;
  /** Build a golden record per multi-record cluster. */
  goldenRecords?: boolean | SurvivorshipOptions;
  onProgress?: (stage: string, detail: string) => void;
  /** Monotonic milliseconds, injectable for tests. */
  now?: () => number;
  /**
   * People's decisions by record id (link mode: left id first): must-link pairs end in one cluster (or link),
   * cannot-link pairs never do, and both are labels that train the model. Pairs naming an unknown id are ignored.
   */
  constraints?: ResolveConstraints;
  /** How many undecided pairs to propose for review (`result.review`), most informative first. Default 50. */
  reviewSize?: number;
  /** Pseudo-matches of the prior on m (MAP fit). Default DEFAULT_PRIOR_STRENGTH. */
  priorStrength?: number;
  /** Cap on m of an identity field's else level. Default IDENTITY_ELSE_MAX_M. */
  identityElseMax?: number;
  /** Most a shared contact point weighs when a name or birth date disagrees (bits). Default HOUSEHOLD_BITS. */
  householdBits?: number;
}

export interface ResolveConstraints {
  mustLink?: readonly (readonly [string, string])[];
  cannotLink?: readonly (readonly [string, string])[];
}

export interface DedupInput extends CommonOptions {
  mode?: 'dedup';
  records: readonly InputRecord[];
}

export interface LinkInput extends CommonOptions {
  mode: 'link';
  left: readonly InputRecord[];
  right: readonly InputRecord[];
  /**
   * Each record links to at most one record of the other table (both tables already de-duplicated).
   * Default true; set false to cluster across tables with average linkage instead.
   */
  oneToOne?: boolean;
}

export type ResolveInput = DedupInput | LinkInput;

export interface MatchExplanation {
  /** Total match weight in bits: prior + field weights + term-frequency adjustments (+ rule boost). */
  weight: number;
  probability: number;
  priorWeight: number;
  fields: FieldContribution[];
  /** Deterministic rules that fired ("same email and similar name"). */
  rules: string[];
}

export interface MatchedPair {
  /** Left record id in link mode; the lexicographically smaller id in dedup mode. */
  id1: string;
  id2: string;
  probability: number;
  weight: number;
  explanation?: MatchExplanation;
}

/**
 * An undecided candidate pair whose answer would teach the model most: its probability is closest to the threshold,
 * and pairs with the same comparison pattern are spread out so one answer is not asked twice.
 */
export interface ReviewPair extends MatchedPair {
  /** 1 at the threshold, falling to 0 for a certain pair. */
  uncertainty: number;
}

export interface ResolvedCluster {
  clusterId: string;
  recordIds: string[];
  golden?: GoldenRecord;
}

export interface ModelSummary {
  lambda: number;
  /** The self-check of the fitted model, and whether it fell back to the prior. */
  check: ModelCheck;
  /** Weight calibration learned from people's decisions, when there are both kinds. */
  calibration: Calibration | null;
  emIterations: number;
  emConverged: boolean;
  trainingSessions: TrainingSession[];
  comparisons: { field: string; levels: { label: string; m: number; u: number; weight: number }[] }[];
}

export interface ResolveStats {
  records: number;
  candidatePairs: number;
  candidatePairsByRule: Record<string, number>;
  oversizedBlocks: number;
  pairsAboveThreshold: number;
  matchedPairs: number;
  clusters: number;
  multiRecordClusters: number;
  refusedMerges: number;
  threshold: number;
  timingsMs: Record<string, number>;
}

export interface ResolveResult {
  pairs: MatchedPair[];
  /** Undecided pairs proposed for review, most informative first (`reviewSize`). */
  review: ReviewPair[];
  clusters: ResolvedCluster[];
  model: ModelSummary;
  stats: ResolveStats;
}

/** Deterministic rule: a shared strong identifier plus a not-contradicting name is a match whatever the other fields say. */
const STRONG_IDENTIFIERS = new Set(['email', 'phone', 'domain']);
const NAME_FIELDS = new Set(['firstName', 'lastName', 'name']);
const STRONG_RULE_MIN_WEIGHT = Math.log2(99);
const VETO_MAX_WEIGHT = -Math.log2(99);
/**
 * How many distinct identities (name keys) hold a record's value of comparison `c` in the data (1 when unknown).
 * An identifier held under several names (a head-office phone, a family or generic mailbox) identifies none of them.
 */
export type HoldersOf = (c: number, r: PreparedRecord) => number;

/**
 * The engine's deterministic rules on top of a Fellegi-Sunter score, each a general principle:
 * - organisation name veto: an organisation is known by its name, so records whose names share nothing similar (the
 *   name at its else level) are different organisations, however many contact points they share;
 * - generations: a person's generational suffixes (Sr / Jr / III) that differ name two people, father and son; so
 *   does a suffix on one record with birth dates a decade or more apart (the suffix says a namesake exists);
 * - strong identifier: an e-mail, phone or domain that, in this data, is held under one name only, shared by two
 *   records with a similar name and no identity field in outright disagreement, is the same identity. A value held
 *   under several names gets no such boost.
 * Shared by batch resolution and incremental scoring against a stored model.
 */
export function withDeterministicRules(
  kind: EntityKind,
  comparisons: readonly Comparison[],
  levels: Int8Array,
  s: { weight: number; probability: number },
  a?: PreparedRecord,
  b?: PreparedRecord,
  holdersOf?: HoldersOf,
): { weight: number; probability: number; rule: string | null } {
  if (kind === 'organization' && s.weight > VETO_MAX_WEIGHT && namesContradict(comparisons, levels)) {
    return {
      weight: VETO_MAX_WEIGHT,
      probability: 1 / (1 + Math.pow(2, -VETO_MAX_WEIGHT)),
      rule: 'names dissimilar: no match',
    };
  }
  if (kind === 'person' && s.weight > VETO_MAX_WEIGHT && a && b && (a.generation || b.generation)) {
    if ((a.generation && b.generation && a.generation !== b.generation) || generationApart(comparisons, levels))
      return {
        weight: VETO_MAX_WEIGHT,
        probability: 1 / (1 + Math.pow(2, -VETO_MAX_WEIGHT)),
        rule: 'other generation (Jr/Sr): no match',
      };
  }
  const rule = applyStrongIdentifierRule(comparisons, levels, a, b, holdersOf);
  if (rule !== null && s.weight < STRONG_RULE_MIN_WEIGHT) {
    return { weight: STRONG_RULE_MIN_WEIGHT, probability: 1 / (1 + Math.pow(2, -STRONG_RULE_MIN_WEIGHT)), rule };
  }
  return { ...s, rule };
}

function generationApart(comparisons: readonly Comparison[], levels: Int8Array): boolean {
  for (let c = 0; c < comparisons.length; c++) {
    const cmp = comparisons[c]!;
    if (cmp.field === 'birthDate') return levels[c]! >= 0 && cmp.levels[levels[c]!] === 'years 10 or more apart';
  }
  return false;
}

function applyStrongIdentifierRule(
  comparisons: readonly Comparison[],
  levels: Int8Array,
  a: PreparedRecord | undefined,
  b: PreparedRecord | undefined,
  holdersOf: HoldersOf | undefined,
): string | null {
  let identifier: string | null = null;
  let nameSeen = false;
  let nameOk = false;
  for (let c = 0; c < comparisons.length; c++) {
    const cmp = comparisons[c]!;
    const l = levels[c]!;
    if (l < 0) continue;
    if (
      STRONG_IDENTIFIERS.has(cmp.field) &&
      l === 0 &&
      identifier === null &&
      (!holdersOf || !a || !b || Math.max(holdersOf(c, a), holdersOf(c, b)) <= 1)
    )
      identifier = cmp.field;
    // an identity field in outright disagreement (another birth date, a conflicting name) stops the rule
    if (cmp.identity && isDisagreement(cmp, l)) return null;
    if (NAME_FIELDS.has(cmp.field)) {
      nameSeen = true;
      // top half of the name levels = similar name
      if (l < Math.floor(cmp.levels.length / 2)) nameOk = true;
      else if (l === cmp.levels.length - 1) return null;
    }
  }
  return identifier !== null && nameSeen && nameOk ? `same ${identifier} and similar name` : null;
}

/**
 * Deterministic veto for organisations: records whose names are dissimilar (name comparison at its 'else' level)
 * are not the same organisation, however many contact points they share (a hotel's restaurants share its phone
 * and street address; a holding's subsidiaries share an office).
 */
function namesContradict(comparisons: readonly Comparison[], levels: Int8Array): boolean {
  let seen = 0;
  for (let c = 0; c < comparisons.length; c++) {
    const cmp = comparisons[c]!;
    if (!NAME_FIELDS.has(cmp.field) || levels[c]! < 0) continue;
    if (levels[c]! !== cmp.levels.length - 1) return false;
    seen++;
  }
  return seen > 0;
}

function validate(records: readonly InputRecord[], label: string): void {
  const ids = new Set<string>();
  for (const r of records) {
    if (typeof r.id !== 'string' || r.id === '') throw new ResolutionInputError(`${label}: a record has an empty id`);
    if (ids.has(r.id)) throw new ResolutionInputError(`${label}: duplicate record id "${r.id}"`);
    ids.add(r.id);
  }
}

/**
 * Resolves identities end to end: standardise → block → estimate u (random pairs) and m (EM) → score with
 * term-frequency adjustment → cluster (dedup, chaining-resistant) or one-to-one link → explain → golden records.
 * Parameters are learned from the records given; no labels are used.
 */
export function resolve(input: ResolveInput): ResolveResult {
  const now = input.now ?? (() => performance.now());
  const progress = input.onProgress ?? (() => undefined);
  const timings: Record<string, number> = {};
  let t0 = now();
  const lap = (stage: string): void => {
    const t = now();
    timings[stage] = Math.round((t - t0) * 10) / 10;
    t0 = t;
  };
  const started = t0;
  const mode: ResolveMode = input.mode === 'link' ? 'link' : 'dedup';
  const threshold = input.threshold ?? 0.5;
  if (!(threshold > 0 && threshold < 1))
    throw new ResolutionInputError(`threshold must be in (0, 1), got ${threshold}`);
  let records: InputRecord[];
  let sides: (0 | 1)[];
  if (input.mode === 'link') {
    validate(input.left, 'left');
    validate(input.right, 'right');
    records = [...input.left, ...input.right];
    sides = [...input.left.map(() => 0 as const), ...input.right.map(() => 1 as const)];
  } else {
    validate(input.records, 'records');
    records = [...input.records];
    sides = records.map(() => 0 as const);
  }
  const n = records.length;
  const labels = labelIndexes(input.constraints, records, sides);
  const pairKey = (a: number, b: number): number => (a < b ? a * n + b : b * n + a);

  progress('standardise', `${n} records`);
  const prepared = prepareRecords(input.kind, records, sides, { defaultCountry: input.defaultCountry ?? 'US' });
  const allComparisons = comparisonsFor(input.kind, prepared);
  if (allComparisons.length === 0)
    throw new ResolutionInputError(`no attribute usable for ${input.kind} matching is filled in`);
  lap('standardise');

  progress('blocking', `${allComparisons.length} comparisons`);
  const rules = blockingRulesFor(input.kind, prepared);
  const blocking = generateCandidatePairs(input.kind, mode, prepared, rules, input.blocking);
  lap('blocking');
  progress('blocking', `${blocking.count} candidate pairs`);

  const random = seededRandom(input.seed ?? 42);
  const sampleSize = input.uSampleSize ?? Math.min(100_000, Math.max(10_000, 2 * n));
  const allU = estimateU(allComparisons, prepared, mode, sampleSize, random);
  // a field on which (nearly) every pair of records agrees carries no evidence: drop it
  const keep = allComparisons.map((_, c) => allU[c]![0]! < 0.99);
  const comparisons = allComparisons.filter((_, c) => keep[c]);
  const u = allU.filter((_, c) => keep[c]);
  if (comparisons.length === 0)
    throw new ResolutionInputError(`no attribute usable for ${input.kind} matching varies between records`);
  lap('estimateU');

  const C = comparisons.length;
  const levels = new Int8Array(blocking.count * C);
  const buffer = new Int8Array(C);
  for (let p = 0; p < blocking.count; p++) {
    comparisonLevels(comparisons, prepared[blocking.pairs[p * 2]!]!, prepared[blocking.pairs[p * 2 + 1]!]!, buffer);
    levels.set(buffer, p * C);
  }
  lap('compare');

  progress('em', `${C} comparisons, ${rules.length} training sessions`);
  // one-to-one link: at most min(|left|, |right|) of the pairs can be matches
  const maxMatches =
    mode === 'link'
      ? Math.min(input.mode === 'link' ? input.left.length : n, input.mode === 'link' ? input.right.length : n)
      : Number.POSITIVE_INFINITY;
  const oneToOne = mode === 'link' && (input as LinkInput).oneToOne !== false;
  const labelled = [
    ...labels.mustLink.map(([a, b]) => ({ a, b, match: true })),
    ...labels.cannotLink.map(([a, b]) => ({ a, b, match: false })),
  ].map(({ a, b, match }) => {
    const lv = new Int8Array(C);
    comparisonLevels(comparisons, prepared[a]!, prepared[b]!, lv);
    return { a, b, levels: lv, match, pair: undefined as number | undefined };
  });
  if (labelled.length > 0) {
    // the candidate pair number of each decided pair, so EM takes its known class instead of guessing it
    const byKey = new Map(labelled.map((x) => [pairKey(x.a, x.b), x]));
    for (let p = 0; p < blocking.count; p++) {
      const x = blocking.pairs[p * 2]!;
      const y = blocking.pairs[p * 2 + 1]!;
      const hit = byKey.get(pairKey(x, y));
      if (hit) hit.pair = p;
    }
  }
  const maxLambdaFor = (pairs: number): number =>
    oneToOne ? Math.min(1 - 1e-9, maxMatches / Math.max(1, pairs)) : 1 - 1e-9;
  const trained = trainModel(
    comparisons,
    levels,
    blocking.count,
    rules.map((r, k) => ({ name: r.name, fields: r.fields, pairs: blocking.pairsByRule[k]! })),
    u,
    {
      maxLambdaFor,
      labelled,
      ...(input.priorStrength !== undefined ? { priorStrength: input.priorStrength } : {}),
      ...(input.identityElseMax !== undefined ? { identityElseMax: input.identityElseMax } : {}),
    },
  );
  const holders = holderTables(input.kind, comparisons, prepared);
  const holdersOf: HoldersOf = (c, r) => {
    const table = holders[c];
    const cmp = comparisons[c]!;
    return table && cmp.exactValue ? (table.get(cmp.exactValue(r)) ?? 1) : 1;
  };
  const anchors = anchorPairs(comparisons, levels, blocking.count, u, n);
  const anchorLambda = Math.min(maxLambdaFor(blocking.count), anchors.length / Math.max(1, blocking.count));
  const termFrequencies = termFrequencyTables(comparisons, prepared);
  const fitted = (m: number[][], lambda: number): FittedModel => ({
    // near-certain pairs are matches: λ is at least their share of the candidate pairs
    lambda: Math.max(lambda, anchorLambda, 1e-9),
    comparisons,
    m,
    u,
    emIterations: trained.iterations,
    emConverged: trained.converged,
    termFrequencies,
    holders,
    calibration: null,
    ...(input.householdBits !== undefined ? { householdBits: input.householdBits } : {}),
  });
  let model = fitted(trained.m, trained.lambda);
  const scoreWith = (
    fm: FittedModel,
    a: PreparedRecord,
    b: PreparedRecord,
    lv: Int8Array,
    contributions?: FieldContribution[],
  ): { weight: number; probability: number; rule: string | null } =>
    withDeterministicRules(input.kind, comparisons, lv, scoreLevels(fm, a, b, lv, contributions), a, b, holdersOf);
  const randomPairs = sampleRecordPairs(prepared, mode, 2000, seededRandom((input.seed ?? 42) + 1));
  const allPairs = mode === 'link' ? maxMatches * (n - maxMatches) : (n * (n - 1)) / 2;
  const judge = (fm: FittedModel): Omit<ModelCheck, 'fallback'> =>
    checkModel({
      anchorProbabilities: anchors.map(
        (p) =>
          scoreWith(
            fm,
            prepared[blocking.pairs[p * 2]!]!,
            prepared[blocking.pairs[p * 2 + 1]!]!,
            levels.subarray(p * C, p * C + C),
          ).probability,
      ),
      randomProbabilities: randomPairs.map(([a, b]) => {
        comparisonLevels(comparisons, prepared[a]!, prepared[b]!, buffer);
        return scoreWith(fm, prepared[a]!, prepared[b]!, buffer).probability;
      }),
      threshold,
      expectedRandomMatchRate: Math.min(1, (fm.lambda * blocking.count) / Math.max(1, allPairs)),
    });
  const verdict = judge(model);
  let check: ModelCheck = { ...verdict, fallback: null };
  if (!verdict.ok) {
    // the fitted model is implausible: fall back to the constrained prior m with λ fitted to it, and say so
    const priorMs = comparisons.map((cmp, c) =>
      constrainM(cmp, priorM(cmp.levels.length), u[c]!, input.identityElseMax),
    );
    const fallback = fitted(
      priorMs,
      fitLambda(comparisons, levels, blocking.count, priorMs, u, maxLambdaFor(blocking.count)).lambda,
    );
    const second = judge(fallback);
    if (second.ok) {
      model = fallback;
      check = { ...verdict, fallback: 'prior' };
    } else {
      // no better model to fall back to: keep the fitted one and say both failed
      check.reasons.push(`the prior model fails the check too (${second.reasons.join('; ')}), so the fit is kept`);
    }
  }
  // people's decisions recalibrate the weights (after the fit, so they move the boundary where they disagree)
  if (labelled.length > 0) {
    const raw = labelled.map(({ a, b, levels: lv }) => scoreLevels(model, prepared[a]!, prepared[b]!, lv).weight);
    model.calibration = fitCalibration(
      raw,
      labelled.map((x) => x.match),
    );
  }
  lap('em');

  const scoreOf = (
    a: PreparedRecord,
    b: PreparedRecord,
    lv: Int8Array,
    contributions?: FieldContribution[],
  ): { weight: number; probability: number; rule: string | null } => scoreWith(model, a, b, lv, contributions);

  const edges: ScoredEdge[] = [];
  const cache = new PairIndex();
  const candidateProbability = new Float64Array(blocking.count);
  for (let p = 0; p < blocking.count; p++) {
    const ia = blocking.pairs[p * 2]!;
    const ib = blocking.pairs[p * 2 + 1]!;
    const s = scoreOf(prepared[ia]!, prepared[ib]!, levels.subarray(p * C, p * C + C));
    cache.set(pairKey(ia, ib), s.probability);
    candidateProbability[p] = s.probability;
    if (s.probability >= threshold) edges.push({ a: ia, b: ib, probability: s.probability, weight: s.weight });
  }
  lap('score');
  progress('cluster', `${edges.length} pairs above threshold ${threshold}`);

  const scorePair = (ia: number, ib: number): number => {
    const key = pairKey(ia, ib);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const a = prepared[ia]!;
    const b = prepared[ib]!;
    if (mode === 'link' && a.side === b.side) return Number.NaN;
    comparisonLevels(comparisons, a, b, buffer);
    const p = scoreOf(a, b, buffer).probability;
    cache.set(key, p);
    return p;
  };

  let clusterIndexes: number[][];
  let refusedMerges = 0;
  const pairIndexes: [number, number][] = [];
  if (mode === 'link' && (input as LinkInput).oneToOne !== false) {
    // decisions first: a confirmed link is taken whatever its score, a rejected one never
    const rejected = new Set(labels.cannotLink.map(([a, b]) => pairKey(a, b)));
    const confirmed = labels.mustLink.map(([a, b]) => ({ a, b, probability: 1, weight: Number.MAX_VALUE }));
    const chosen = oneToOneAssignment(
      [...confirmed, ...edges.filter((e) => !rejected.has(pairKey(e.a, e.b)))],
      threshold,
    );
    const inPair = new Set<number>();
    clusterIndexes = [];
    for (const e of chosen) {
      const [l, r] = prepared[e.a]!.side === 0 ? [e.a, e.b] : [e.b, e.a];
      pairIndexes.push([l, r]);
      clusterIndexes.push([l, r]);
      inPair.add(l);
      inPair.add(r);
    }
    for (let i = 0; i < n; i++) if (!inPair.has(i)) clusterIndexes.push([i]);
  } else {
    const clustering = clusterByAverageLinkage(
      n,
      edges,
      (a, b) => {
        const p = scorePair(a, b);
        return Number.isNaN(p) ? threshold : p;
      },
      {
        threshold,
        ...(labels.mustLink.length + labels.cannotLink.length > 0 ? { constraints: labels } : {}),
      },
    );
    clusterIndexes = clustering.clusters;
    refusedMerges = clustering.refusedMerges;
    for (const cluster of clusterIndexes) {
      for (let x = 0; x < cluster.length; x++) {
        for (let y = x + 1; y < cluster.length; y++) {
          const a = prepared[cluster[x]!]!;
          const b = prepared[cluster[y]!]!;
          if (mode === 'link') {
            if (a.side === b.side) continue;
            pairIndexes.push(a.side === 0 ? [a.index, b.index] : [b.index, a.index]);
          } else pairIndexes.push(a.id < b.id ? [a.index, b.index] : [b.index, a.index]);
        }
      }
    }
  }
  lap('cluster');

  const explain = input.explain ?? true;
  const priorWeight = Math.log2(model.lambda / (1 - model.lambda));
  const describePair = (ia: number, ib: number): MatchedPair => {
    const a = prepared[ia]!;
    const b = prepared[ib]!;
    comparisonLevels(comparisons, a, b, buffer);
    const contributions: FieldContribution[] | undefined = explain ? [] : undefined;
    const s = scoreOf(a, b, buffer, contributions);
    const pair: MatchedPair = { id1: a.id, id2: b.id, probability: s.probability, weight: s.weight };
    if (explain) {
      pair.explanation = {
        weight: s.weight,
        probability: s.probability,
        priorWeight,
        fields: contributions!.filter((f) => f.level !== null),
        rules: s.rule ? [s.rule] : [],
      };
    }
    return pair;
  };
  const pairs = pairIndexes.map(([ia, ib]) => describePair(ia, ib));
  const review = reviewCandidates(
    blocking.pairs,
    candidateProbability,
    levels,
    C,
    threshold,
    new Set([...labels.mustLink, ...labels.cannotLink].map(([a, b]) => pairKey(a, b))),
    pairKey,
    input.reviewSize ?? 50,
  ).map(({ a, b, uncertainty }) => {
    const [l, r] =
      mode === 'link' ? (prepared[a]!.side === 0 ? [a, b] : [b, a]) : records[a]!.id < records[b]!.id ? [a, b] : [b, a];
    return { ...describePair(l, r), uncertainty };
  });
  const golden = input.goldenRecords;
  const clusters: ResolvedCluster[] = clusterIndexes.map((members, k) => {
    const clusterId = `c${String(k + 1).padStart(6, '0')}`;
    const cluster: ResolvedCluster = { clusterId, recordIds: members.map((i) => records[i]!.id) };
    if (golden && members.length > 1) {
      cluster.golden = buildGoldenRecord(
        clusterId,
        members.map((i) => records[i]!),
        golden === true ? {} : golden,
      );
    }
    return cluster;
  });
  lap('explain');
  timings.total = Math.round((now() - started) * 10) / 10;

  return {
    pairs,
    review,
    clusters,
    model: {
      lambda: model.lambda,
      check,
      calibration: (model.calibration as Calibration | null | undefined) ?? null,
      emIterations: model.emIterations,
      emConverged: model.emConverged,
      trainingSessions: trained.sessions,
      comparisons: comparisons.map((c, ci) => ({
        field: c.field,
        levels: c.levels.map((label, l) => ({
          label,
          m: model.m[ci]![l]!,
          u: model.u[ci]![l]!,
          weight: Math.log2(model.m[ci]![l]! / model.u[ci]![l]!),
        })),
      })),
    },
    stats: {
      records: n,
      candidatePairs: blocking.count,
      candidatePairsByRule: blocking.perRule,
      oversizedBlocks: blocking.oversizedBlocks,
      pairsAboveThreshold: edges.length,
      matchedPairs: pairs.length,
      clusters: clusters.length,
      multiRecordClusters: clusters.filter((c) => c.recordIds.length > 1).length,
      refusedMerges,
      threshold,
      timingsMs: timings,
    },
  };
}

/** Decisions as record indexes; in link mode the first id is a left record and the second a right one. */
function labelIndexes(
  constraints: ResolveConstraints | undefined,
  records: readonly InputRecord[],
  sides: readonly (0 | 1)[],
): { mustLink: [number, number][]; cannotLink: [number, number][] } {
  const indexOf = [new Map<string, number>(), new Map<string, number>()] as const;
  records.forEach((r, i) => {
    indexOf[sides[i]!].set(r.id, i);
  });
  const link = sides.includes(1);
  const toIndexes = (pairs: readonly (readonly [string, string])[] | undefined): [number, number][] =>
    (pairs ?? []).flatMap(([x, y]) => {
      const a = indexOf[0].get(x);
      const b = indexOf[link ? 1 : 0].get(y);
      return a === undefined || b === undefined || a === b ? [] : [[a, b] as [number, number]];
    });
  return { mustLink: toIndexes(constraints?.mustLink), cannotLink: toIndexes(constraints?.cannotLink) };
}

/**
 * Uncertainty sampling with diversity: candidate pairs ranked by how close their probability is to the threshold
 * (in weight, so 0.4 and 0.6 around 0.5 are equally uncertain), taking at most one pair per comparison pattern per
 * round, because pairs with the same pattern get the same score and one answer about them teaches the model what
 * the others would.
 */
function reviewCandidates(
  pairs: Uint32Array,
  probability: Float64Array,
  levels: Int8Array,
  width: number,
  threshold: number,
  decided: Set<number>,
  pairKey: (a: number, b: number) => number,
  size: number,
): { a: number; b: number; uncertainty: number }[] {
  if (size <= 0) return [];
  const logit = (p: number): number => Math.log2(p / (1 - p));
  const centre = logit(threshold);
  const ranked: { p: number; distance: number }[] = [];
  for (let p = 0; p < probability.length; p++) {
    const pr = Math.min(1 - 1e-12, Math.max(1e-12, probability[p]!));
    const distance = Math.abs(logit(pr) - centre);
    // beyond 10 bits from the threshold (about 1 : 1000) a pair is not uncertain
    if (distance > 10 || decided.has(pairKey(pairs[p * 2]!, pairs[p * 2 + 1]!))) continue;
    ranked.push({ p, distance });
  }
  ranked.sort((x, y) => x.distance - y.distance || x.p - y.p);
  const chosen: { a: number; b: number; uncertainty: number }[] = [];
  const taken = new Set<number>();
  for (let round = 1; chosen.length < size && taken.size < ranked.length; round++) {
    const perPattern = new Map<string, number>();
    for (const { p, distance } of ranked) {
      if (chosen.length >= size) break;
      const key = levels.subarray(p * width, p * width + width).join(',');
      const seen = perPattern.get(key) ?? 0;
      if (seen >= round) continue;
      perPattern.set(key, seen + 1);
      if (taken.has(p)) continue;
      taken.add(p);
      chosen.push({ a: pairs[p * 2]!, b: pairs[p * 2 + 1]!, uncertainty: Math.pow(2, -distance) });
    }
  }
  return chosen;
}
