import type { ResolvableType } from '../../../schemas/resolution.js';
import { sha256Hex } from '../shared/hash.js';
import { type Comparison, comparisonsFor } from './engine/comparisons.js';
import {
  type FieldContribution,
  type FittedModel,
  comparisonLevels,
  scoreLevels,
  termFrequencyTables,
} from './engine/model.js';
import { prepareRecords } from './engine/prepare.js';
import { holderTables } from './engine/model-checks.js';
import { type HoldersOf, type MatchExplanation, type ResolveResult, withDeterministicRules } from './engine/resolve.js';
import type { InputRecord } from './engine/types.js';

/**
 * Fellegi-Sunter parameters of one tenant and entity type, as stored for incremental resolution.
 * Term frequencies are keyed by a hash of the standardised value, so the item holds no attribute values.
 */
export interface StoredModel {
  type: ResolvableType;
  source: 'default' | 'fitted';
  lambda: number;
  threshold: number;
  /** m and u per comparison level, by field. Fields missing here use the priors below. */
  fields: Record<string, { m: number[]; u: number[] }>;
  /** Fields the fit dropped because nearly every pair agrees on them (no evidence). */
  dropped: string[];
  /** field → value hash → relative frequency of the value (most frequent values only). */
  termFrequencies: Record<string, Record<string, number>>;
  /** field → value hash → distinct names holding the value, for identifiers held under several names. */
  holders?: Record<string, Record<string, number>>;
  /** Offset (bits) the batch calibrated on people's decisions. */
  calibrationOffset?: number;
  trainedAt?: string;
  runId?: string;
  records?: number;
}

export const DEFAULT_THRESHOLD = 0.5;
/** Prior share of matches among candidate pairs before a batch has fitted one. */
const DEFAULT_LAMBDA = 0.05;
/** Term-frequency entries kept per field: the common values are the ones whose weight the adjustment lowers. */
const MAX_TF_VALUES = 2000;

/** Chance that two different entities agree exactly on the field (u of the exact level), before any data is seen. */
const DEFAULT_U_EXACT: Record<string, number> = {
  firstName: 0.01,
  middleName: 0.05,
  lastName: 0.005,
  birthDate: 0.0005,
  age: 0.05,
  gender: 0.5,
  email: 0.0001,
  phone: 0.0001,
  street: 0.0005,
  city: 0.05,
  postcode: 0.005,
  state: 0.1,
  country: 0.3,
  employer: 0.01,
  text: 0.001,
  name: 0.001,
  domain: 0.0002,
};

/** Priors of one comparison: m puts most mass on agreement, u on disagreement (scaled from the exact level). */
export function defaultParameters(cmp: Pick<Comparison, 'field' | 'levels'>): { m: number[]; u: number[] } {
  const k = cmp.levels.length;
  const u0 = DEFAULT_U_EXACT[cmp.field] ?? 0.01;
  if (k === 2) return { m: [0.9, 0.1], u: [u0, 1 - u0] };
  const m = [0.7, ...Array.from({ length: k - 2 }, () => 0.27 / (k - 2)), 0.03];
  const mid = Array.from({ length: k - 2 }, (_, l) => Math.min(0.2, u0 * 5 ** (l + 1)));
  const rest = 1 - u0 - mid.reduce((s, x) => s + x, 0);
  return { m, u: [u0, ...mid, rest] };
}

export function defaultModel(type: ResolvableType): StoredModel {
  return {
    type,
    source: 'default',
    lambda: DEFAULT_LAMBDA,
    threshold: DEFAULT_THRESHOLD,
    fields: {},
    dropped: [],
    termFrequencies: {},
  };
}

export const valueHash = (value: string): string => sha256Hex(value).slice(0, 16);

/** The parameters a batch fitted, for later incremental scoring (term frequencies from the same records). */
export function storedModelFrom(
  type: ResolvableType,
  records: readonly InputRecord[],
  result: ResolveResult,
  meta: { trainedAt: string; runId: string },
): StoredModel {
  const fields: StoredModel['fields'] = {};
  for (const c of result.model.comparisons)
    fields[c.field] = { m: c.levels.map((l) => l.m), u: c.levels.map((l) => l.u) };
  const prepared = prepareRecords(
    type,
    records,
    records.map(() => 0 as const),
  );
  const present = comparisonsFor(type, prepared);
  const used = present.filter((c) => fields[c.field]);
  const tables = termFrequencyTables(used, prepared);
  const termFrequencies: StoredModel['termFrequencies'] = {};
  used.forEach((c, i) => {
    const table = tables[i];
    if (!table) return;
    const top = [...table.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_TF_VALUES);
    termFrequencies[c.field] = Object.fromEntries(top.map(([v, f]) => [valueHash(v), f]));
  });
  const holderTablesByField = holderTables(type, used, prepared);
  const holders: NonNullable<StoredModel['holders']> = {};
  used.forEach((c, i) => {
    const table = holderTablesByField[i];
    if (!table || table.size === 0) return;
    const top = [...table.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_TF_VALUES);
    holders[c.field] = Object.fromEntries(top.map(([v, k]) => [valueHash(v), k]));
  });
  return {
    type,
    source: 'fitted',
    ...(Object.keys(holders).length > 0 ? { holders } : {}),
    ...(result.model.calibration ? { calibrationOffset: result.model.calibration.offset } : {}),
    lambda: result.model.lambda,
    threshold: result.stats.threshold,
    fields,
    dropped: present.filter((c) => !fields[c.field]).map((c) => c.field),
    termFrequencies,
    trainedAt: meta.trainedAt,
    runId: meta.runId,
    records: records.length,
  };
}

/** A term-frequency table looked up by value hash (the stored model keeps no values). */
class HashedFrequencies extends Map<string, number> {
  override get(value: string): number | undefined {
    return super.get(valueHash(value));
  }
}

export interface PairScore {
  probability: number;
  weight: number;
  explanation: MatchExplanation;
}

/**
 * Scores pairs among a small set of records (a new entity and its candidates, or one cluster) with a stored
 * model: the engine's standardisation, comparison levels, term-frequency adjustment and deterministic rules.
 */
export function pairScorer(model: StoredModel, records: readonly InputRecord[]): (i: number, j: number) => PairScore {
  const kind = model.type;
  const prepared = prepareRecords(
    kind,
    records,
    records.map(() => 0 as const),
  );
  const dropped = new Set(model.dropped);
  const comparisons = comparisonsFor(kind, prepared).filter((c) => !dropped.has(c.field));
  const params = comparisons.map((c) => {
    const stored = model.fields[c.field];
    return stored && stored.m.length === c.levels.length ? stored : defaultParameters(c);
  });
  const fitted: FittedModel = {
    lambda: model.lambda,
    comparisons,
    m: params.map((p) => p.m),
    u: params.map((p) => p.u),
    emIterations: 0,
    emConverged: true,
    termFrequencies: comparisons.map((c) => {
      const table = model.termFrequencies[c.field];
      return table && c.termFrequency ? new HashedFrequencies(Object.entries(table)) : null;
    }),
    holders: comparisons.map((c) => {
      const table = model.holders?.[c.field];
      return table ? new HashedFrequencies(Object.entries(table)) : null;
    }),
    calibration: model.calibrationOffset !== undefined ? { slope: 1, offset: model.calibrationOffset } : null,
  };
  const holdersOf: HoldersOf = (c, r) => {
    const table = fitted.holders?.[c];
    const cmp = comparisons[c]!;
    return table && cmp.exactValue ? (table.get(cmp.exactValue(r)) ?? 1) : 1;
  };
  const priorWeight = Math.log2(model.lambda / (1 - model.lambda));
  const levels = new Int8Array(comparisons.length);
  const cache = new Map<string, PairScore>();
  return (i, j) => {
    const key = i < j ? `${i}:${j}` : `${j}:${i}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const a = prepared[Math.min(i, j)]!;
    const b = prepared[Math.max(i, j)]!;
    comparisonLevels(comparisons, a, b, levels);
    const contributions: FieldContribution[] = [];
    const s = withDeterministicRules(
      kind,
      comparisons,
      levels,
      scoreLevels(fitted, a, b, levels, contributions),
      a,
      b,
      holdersOf,
    );
    const score: PairScore = {
      probability: s.probability,
      weight: s.weight,
      explanation: {
        weight: s.weight,
        probability: s.probability,
        priorWeight,
        fields: contributions.filter((f) => f.level !== null),
        rules: s.rule ? [s.rule] : [],
      },
    };
    cache.set(key, score);
    return score;
  };
}

/** Scores `target` against each of `others` (same order). */
export function scoreAgainst(model: StoredModel, target: InputRecord, others: readonly InputRecord[]): PairScore[] {
  if (others.length === 0) return [];
  const score = pairScorer(model, [target, ...others]);
  return others.map((_, k) => score(0, k + 1));
}

/**
 * Blocking keys of one record, stored beside the entity so incremental resolution finds candidates with a
 * few Queries. Keys are hashed: the index holds no attribute values. Unlike the batch rules they use no
 * corpus statistics, so they stay stable as the tenant's data grows.
 */
export function indexKeysFor(type: ResolvableType, record: InputRecord): string[] {
  const [r] = prepareRecords(type, [record], [0]);
  if (!r) return [];
  const raw: string[] = [];
  const add = (prefix: string, value: string): void => {
    if (value !== '') raw.push(`${prefix}:${value}`);
  };
  add('email', r.email);
  add('phone', r.phone);
  if (type === 'person') {
    add('dob', r.dob);
    if (r.firstDm && r.lastDm)
      add('names', r.firstDm < r.lastDm ? `${r.firstDm}|${r.lastDm}` : `${r.lastDm}|${r.firstDm}`);
    if (r.lastDm && r.year) add('last+year', `${r.lastDm}|${r.year}`);
    if (r.postcode && r.lastDm) add('postcode+last', `${r.postcode}|${r.lastDm}`);
    if (r.emailLocal.length >= 4) add('email-local', r.emailLocal);
  } else {
    add('domain', r.domain);
    add('name', r.orgName);
    add('name-metaphone', r.orgNameDm);
    for (const t of r.orgNameTokens.filter((t) => t.length >= 2).slice(0, 5)) add('name-token', t);
  }
  return [...new Set(raw)].map((k) => sha256Hex(`${type}:${k}`).slice(0, 32));
}
