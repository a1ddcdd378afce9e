/**
 * The shape of a generated data set and the assembly both generators share: how many records each entity
 * gets (dedup), which entities each snapshot holds (link), shuffling, opaque ids, and the trap log.
 */
import { DEFAULT_DEDUP_SOURCES, DEFAULT_LINK_SOURCES, type SourceFormat } from './formats.js';
import type { Rng } from './random.js';

export type SyntheticKind = 'person' | 'organization';
export type SyntheticMode = 'dedup' | 'link';

export interface SyntheticRecord {
  /** Opaque: assigned after the rows are shuffled, so neither id nor row order tells the entity. */
  id: string;
  source: string;
  /** The truth: records of one entity share this id. */
  entityId: string;
  /** Provenance: `<entityId>-<n>`, the n-th record written of the entity. */
  origId: string;
  /** Column → value as the source wrote it; '' when the source left it empty. */
  attributes: Record<string, string>;
}

/** One occurrence of a trap: the entities it involves and their records, plus what was changed. */
export interface TrapInstance {
  trap: string;
  entityIds: string[];
  recordIds: string[];
  detail?: Record<string, string>;
}

/**
 * How often a trap occurred: `affected / eligible` is the observed rate, to compare with the option. Group traps
 * (families, sites…) count member entities over all entities; record traps count changed records (or, for
 * `missing`, emptied cells) over the records (cells) that could carry them.
 */
export interface TrapCount {
  instances: number;
  affected: number;
  eligible: number;
}

interface DatasetBase {
  kind: SyntheticKind;
  seed: number;
  columns: readonly string[];
  entities: number;
  traps: TrapInstance[];
  trapCounts: Record<string, TrapCount>;
  /** The trap rates in effect (defaults merged with the options). */
  rates: Record<string, number>;
}

export interface DedupDataset extends DatasetBase {
  mode: 'dedup';
  records: SyntheticRecord[];
}

export interface LinkDataset extends DatasetBase {
  mode: 'link';
  left: SyntheticRecord[];
  right: SyntheticRecord[];
  /** `[leftId, rightId]`: one pair per entity present in both snapshots (1:1). */
  truthPairs: [string, string][];
}

export type SyntheticDataset = DedupDataset | LinkDataset;

export interface CommonOptions {
  mode: SyntheticMode;
  /** Dedup: rows of the table. Link: rows of both snapshots together (split in halves). */
  records: number;
  seed: number;
  /** Link: share of the smaller snapshot's records that have a match in the other. Default 0.1. */
  overlap?: number;
  /** Dedup: share of entities written more than once. Default 0.4. */
  duplicateRate?: number;
  /** Dedup: most records of one entity. Default 5. */
  maxRecordsPerEntity?: number;
  /** Source systems and their formats (dedup: any number, drawn by weight; link: exactly two). */
  sources?: readonly SourceFormat[];
  /** Ages are counted back from this year. Default 2025 (fixed, so output never depends on the clock). */
  referenceYear?: number;
}

export class SyntheticOptionsError extends Error {
  override readonly name = 'SyntheticOptionsError';
  readonly code = 'SYNTHETIC_OPTIONS_INVALID';
}

export const DEFAULT_OVERLAP = 0.1;
export const DEFAULT_DUPLICATE_RATE = 0.4;
export const DEFAULT_MAX_RECORDS_PER_ENTITY = 5;
export const DEFAULT_REFERENCE_YEAR = 2025;

/** Throws SyntheticOptionsError unless `value` is a number in [0, 1]. */
export function checkRate(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1))
    throw new SyntheticOptionsError(`${name} must be a number in [0, 1], got ${value}`);
}

/** Merges trap rates with their defaults and refuses unknown names, rates outside [0, 1] and group shares > 0.9. */
export function mergeRates<T extends string>(
  defaults: Readonly<Record<T, number>>,
  given: Partial<Record<string, number>> | undefined,
  groupTraps: readonly NoInfer<T>[],
): Record<T, number> {
  const rates: Record<T, number> = { ...defaults };
  for (const [name, value] of Object.entries(given ?? {})) {
    if (!(name in defaults))
      throw new SyntheticOptionsError(`unknown trap "${name}" (known: ${Object.keys(defaults).join(', ')})`);
    if (value === undefined) continue;
    checkRate(`trap ${name}`, value);
    rates[name as T] = value;
  }
  const groupShare = groupTraps.reduce((s, t) => s + rates[t], 0);
  if (groupShare > 0.9)
    throw new SyntheticOptionsError(`the group traps together take ${groupShare} of the entities (at most 0.9)`);
  return rates;
}

/** Counts and remembers trap occurrences while records are drafted; ids are filled in once they exist. */
export class TrapLog {
  private readonly pending: {
    trap: string;
    entityIds: string[];
    records: SyntheticRecord[] | null;
    detail?: Record<string, string>;
  }[] = [];
  private readonly counts = new Map<string, TrapCount>();
  private readonly groupTraps: ReadonlySet<string>;

  /** Group traps count member entities over all entities; record traps count what `eligible` declares. */
  constructor(groupTraps: readonly string[], recordTraps: readonly string[]) {
    this.groupTraps = new Set(groupTraps);
    for (const t of [...groupTraps, ...recordTraps]) this.counts.set(t, { instances: 0, affected: 0, eligible: 0 });
  }

  private count(trap: string): TrapCount {
    const c = this.counts.get(trap);
    if (!c) throw new Error(`trap ${trap} was not declared`);
    return c;
  }

  /** A group of distinct entities built to look alike; its records are all records of those entities. */
  group(trap: string, entityIds: string[], detail?: Record<string, string>): void {
    const c = this.count(trap);
    c.instances++;
    c.affected += entityIds.length;
    this.pending.push({ trap, entityIds, records: null, ...(detail ? { detail } : {}) });
  }

  eligible(trap: string, n = 1): void {
    this.count(trap).eligible += n;
  }

  /** A change made to one record; `affected` is 1 except for traps counted per cell. */
  record(trap: string, record: SyntheticRecord, detail?: Record<string, string>, affected = 1): void {
    const c = this.count(trap);
    c.instances++;
    c.affected += affected;
    this.pending.push({ trap, entityIds: [record.entityId], records: [record], ...(detail ? { detail } : {}) });
  }

  /**
   * The `missing` trap on one record: each optional field still present and not already changed by another trap is
   * emptied with probability `rate` (in `fields` order, so the same seed draws the same cells). Returns the emptied
   * fields; `present` is updated in place.
   */
  dropFields<F extends string>(
    record: SyntheticRecord,
    fields: readonly F[],
    present: Record<F, boolean>,
    touched: ReadonlySet<string>,
    rng: Rng,
    rate: number,
  ): F[] {
    const emptied: F[] = [];
    for (const f of fields) {
      if (!present[f] || touched.has(f)) continue;
      this.eligible('missing');
      if (rng.chance(rate)) {
        present[f] = false;
        emptied.push(f);
      }
    }
    if (emptied.length > 0) this.record('missing', record, { fields: emptied.join(',') }, emptied.length);
    return emptied;
  }

  finish(
    entities: number,
    recordsOf: (entityId: string) => readonly SyntheticRecord[],
  ): { traps: TrapInstance[]; trapCounts: Record<string, TrapCount> } {
    for (const t of this.groupTraps) this.count(t).eligible = entities;
    const traps = this.pending.map((p): TrapInstance => {
      const records = p.records ?? p.entityIds.flatMap((e) => recordsOf(e));
      return {
        trap: p.trap,
        entityIds: p.entityIds,
        recordIds: records.map((r) => r.id),
        ...(p.detail ? { detail: p.detail } : {}),
      };
    });
    return { traps, trapCounts: Object.fromEntries(this.counts) };
  }
}

/**
 * Plans trap groups so that each trap's members make up `rate` of about `entities` entities, without ever
 * planning more than `entities` in all (small data sets get fewer or no groups rather than half groups).
 */
export function planGroups<E>(
  entities: number,
  specs: readonly { rate: number; minSize: number; maxSize: number; build: (size: number) => E[] }[],
  rng: Rng,
): E[] {
  const planned: E[] = [];
  for (const spec of specs) {
    const target = Math.round(spec.rate * entities);
    let members = 0;
    while (members < target) {
      const size = Math.max(spec.minSize, Math.min(rng.int(spec.minSize, spec.maxSize), target - members));
      if (planned.length + size > entities) break;
      const group = spec.build(size);
      planned.push(...group);
      members += group.length;
    }
  }
  return planned;
}

/**
 * What a kind-specific generator gives the assembly: the trap groups, plain entities, and how an entity is
 * written by a source (`duplicate` = a later record of an entity already written, where record traps apply).
 */
export interface EntityGenerator<E extends { id: string }> {
  columns: readonly string[];
  /** Builds the trap groups for a data set of about `entities` entities. */
  planGroups(entities: number): E[];
  plain(): E;
  render(entity: E, source: SourceFormat, duplicate: boolean, record: SyntheticRecord): void;
}

export interface AssemblyInput<E extends { id: string }> {
  kind: SyntheticKind;
  options: CommonOptions;
  rng: Rng;
  log: TrapLog;
  generator: EntityGenerator<E>;
  rates: Record<string, number>;
}

/** Checks the options shared by both kinds; throws SyntheticOptionsError. */
export function validateCommonOptions(options: CommonOptions): void {
  if (options.mode !== 'dedup' && options.mode !== 'link')
    throw new SyntheticOptionsError(`mode must be dedup or link, got ${String(options.mode)}`);
  if (!(Number.isInteger(options.records) && options.records >= 2))
    throw new SyntheticOptionsError(`records must be an integer ≥ 2, got ${options.records}`);
  if (!(Number.isInteger(options.seed) && options.seed >= 0 && options.seed < 2 ** 32))
    throw new SyntheticOptionsError(`seed must be an integer in [0, 2^32), got ${options.seed}`);
  checkRate('overlap', options.overlap ?? DEFAULT_OVERLAP);
  checkRate('duplicateRate', options.duplicateRate ?? DEFAULT_DUPLICATE_RATE);
  const max = options.maxRecordsPerEntity ?? DEFAULT_MAX_RECORDS_PER_ENTITY;
  if (!(Number.isInteger(max) && max >= 1)) throw new SyntheticOptionsError(`maxRecordsPerEntity must be ≥ 1`);
  if (options.sources) {
    if (options.sources.length === 0) throw new SyntheticOptionsError('sources must not be empty');
    if (options.mode === 'link' && options.sources.length !== 2)
      throw new SyntheticOptionsError('link mode needs exactly two sources');
  }
}

/** Records of one entity: 1, or with probability `duplicateRate` 2 + a geometric tail (halving), capped. */
function recordCount(rng: Rng, duplicateRate: number, max: number): number {
  if (max < 2 || !rng.chance(duplicateRate)) return 1;
  let n = 2;
  while (n < max && rng.chance(0.5)) n++;
  return n;
}

function expectedRecordCount(duplicateRate: number, max: number): number {
  if (max < 2) return 1;
  let tail = 0;
  for (let k = 2; k <= max; k++) tail += k * (k < max ? 0.5 ** (k - 1) : 0.5 ** (max - 2));
  return 1 - duplicateRate + duplicateRate * tail;
}

const idWidth = (n: number): number => Math.max(6, String(n).length);

function assignIds(records: SyntheticRecord[], prefix: string, rng: Rng): void {
  rng.shuffle(records);
  const width = idWidth(records.length);
  for (let i = 0; i < records.length; i++) records[i]!.id = `${prefix}${String(i + 1).padStart(width, '0')}`;
}

function draft(entityId: string, n: number, source: string): SyntheticRecord {
  return { id: '', source, entityId, origId: `${entityId}-${n}`, attributes: {} };
}

export function assemble<E extends { id: string }>(input: AssemblyInput<E>): SyntheticDataset {
  const { options, rng, log, generator } = input;
  const base = { kind: input.kind, seed: options.seed, columns: generator.columns, rates: input.rates };
  if (options.mode === 'dedup') return { ...base, mode: 'dedup', ...assembleDedup(input) };
  return { ...base, mode: 'link', ...assembleLink(options, rng, log, generator) };
}

function assembleDedup<E extends { id: string }>({
  options,
  rng,
  log,
  generator,
}: AssemblyInput<E>): Omit<DedupDataset, 'kind' | 'seed' | 'columns' | 'rates' | 'mode'> {
  const sources = options.sources ?? DEFAULT_DEDUP_SOURCES;
  const cumulative = new Float64Array(sources.length);
  let w = 0;
  for (let i = 0; i < sources.length; i++) cumulative[i] = w += Math.max(0, sources[i]!.weight);
  if (w <= 0) throw new SyntheticOptionsError('the sources need a positive weight');
  const duplicateRate = options.duplicateRate ?? DEFAULT_DUPLICATE_RATE;
  const max = options.maxRecordsPerEntity ?? DEFAULT_MAX_RECORDS_PER_ENTITY;
  const target = options.records;
  const planned = generator.planGroups(Math.max(1, Math.round(target / expectedRecordCount(duplicateRate, max))));
  const records: SyntheticRecord[] = [];
  const byEntity = new Map<string, SyntheticRecord[]>();
  const write = (entity: E, count: number): void => {
    const own: SyntheticRecord[] = [];
    for (let n = 0; n < count; n++) {
      const source = sources[rng.pickCumulative(cumulative)]!;
      const r = draft(entity.id, n, source.name);
      generator.render(entity, source, n > 0, r);
      own.push(r);
      records.push(r);
    }
    byEntity.set(entity.id, own);
  };
  // Every planned entity keeps at least one record, so a trap group is never cut in half by the size limit.
  const groups = planned.slice(0, target);
  for (let i = 0; i < groups.length; i++) {
    const room = target - records.length - (groups.length - i - 1);
    write(groups[i]!, Math.min(recordCount(rng, duplicateRate, max), room));
  }
  while (records.length < target) {
    write(generator.plain(), Math.min(recordCount(rng, duplicateRate, max), target - records.length));
  }
  assignIds(records, 'r', rng);
  const finished = log.finish(byEntity.size, (e) => byEntity.get(e) ?? []);
  return { records, entities: byEntity.size, ...finished };
}

function assembleLink<E extends { id: string }>(
  options: CommonOptions,
  rng: Rng,
  log: TrapLog,
  generator: EntityGenerator<E>,
): Omit<LinkDataset, 'kind' | 'seed' | 'columns' | 'rates' | 'mode'> {
  const [sourceA, sourceB] = (options.sources ?? DEFAULT_LINK_SOURCES) as readonly [SourceFormat, SourceFormat];
  const nA = Math.floor(options.records / 2);
  const nB = options.records - nA;
  const shared = Math.round((options.overlap ?? DEFAULT_OVERLAP) * Math.min(nA, nB));
  const total = nA + nB - shared;
  const entities = generator.planGroups(total).slice(0, total);
  while (entities.length < total) entities.push(generator.plain());
  // Sides are dealt after the groups are built, so a family or a set of sites spreads over both snapshots.
  rng.shuffle(entities);
  const left: SyntheticRecord[] = [];
  const right: SyntheticRecord[] = [];
  const byEntity = new Map<string, SyntheticRecord[]>();
  const pairs: [SyntheticRecord, SyntheticRecord][] = [];
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i]!;
    const inA = i < nA;
    const inB = i < shared || i >= nA;
    const own: SyntheticRecord[] = [];
    if (inA) {
      const a = draft(e.id, 0, sourceA.name);
      generator.render(e, sourceA, false, a);
      left.push(a);
      own.push(a);
    }
    if (inB) {
      const b = draft(e.id, inA ? 1 : 0, sourceB.name);
      generator.render(e, sourceB, inA, b);
      right.push(b);
      own.push(b);
      if (inA) pairs.push([own[0]!, b]);
    }
    byEntity.set(e.id, own);
  }
  assignIds(left, 'a', rng);
  assignIds(right, 'b', rng);
  const truthPairs = pairs.map(([a, b]): [string, string] => [a.id, b.id]).sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const finished = log.finish(entities.length, (e) => byEntity.get(e) ?? []);
  return { left, right, truthPairs, entities: entities.length, ...finished };
}
