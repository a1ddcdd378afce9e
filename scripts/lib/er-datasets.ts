/**
 * The entity-resolution evaluation sets and how they are scored, shared by `bench:er`, `bench:er-labels`, the
 * leave-one-dataset-out table and the test that guards every set's F1.
 * A set is the shared data sets' common format in a folder (records.csv + truth_clusters.csv for dedup; source_a.csv,
 * source_b.csv + truth_pairs.csv for link); the only per-set input is a column mapping. Truth is read to score only.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type EntityKind,
  type InputRecord,
  type ResolveConstraints,
  type ResolveResult,
  normaliseText,
  resolve,
  standardiseDate,
} from '../../functions/domain/resolution/engine/index.js';
import { parseColumnMapping } from '../../functions/domain/resolution/mapping.js';
import { loadRecords, readCsv } from '../resolve.js';

/** One entity kind of a set: its mapping, and (for mixed sets) the value of the split column that selects it. */
export interface DatasetPart {
  kind: EntityKind;
  map: string;
  when?: string;
}

export interface Dataset {
  name: string;
  /** Folder under the data root. */
  dir: string;
  mode: 'dedup' | 'link';
  parts: DatasetPart[];
  /** Column that says which part a record belongs to (mixed person/organisation sets). */
  splitColumn?: string;
  /** Where the set comes from: shared (published) or generated here (seeded, in the repo). */
  origin: 'shared' | 'generated';
}

const FEBRL_MAP =
  'given_name=firstName,surname=lastName,street_number=street,address_1=street,address_2=street,suburb=city,postcode=postcode,state=state,date_of_birth=birthDate';

const one = (kind: EntityKind, map: string): DatasetPart[] => [{ kind, map }];

/** Every published set in shared/datasets/er, with the one column mapping each needs. */
export const SHARED_DATASETS: Dataset[] = [
  { name: 'febrl1', dir: 'person-febrl/febrl1', mode: 'dedup', parts: one('person', FEBRL_MAP), origin: 'shared' },
  { name: 'febrl3', dir: 'person-febrl/febrl3', mode: 'dedup', parts: one('person', FEBRL_MAP), origin: 'shared' },
  { name: 'febrl4', dir: 'person-febrl/febrl4', mode: 'link', parts: one('person', FEBRL_MAP), origin: 'shared' },
  {
    name: 'splink-fake-1000',
    dir: 'person-splink-fake-1000',
    mode: 'dedup',
    parts: one('person', 'first_name=firstName,surname=lastName,dob=birthDate,city=city,email=email'),
    origin: 'shared',
  },
  {
    name: 'michigan-voters-1500',
    dir: 'person-michigan-voters-1500',
    mode: 'link',
    parts: one(
      'person',
      'firstname=firstName,middlename=middleName,lastname=lastName,birthyear=birthYear,gender=gender,street_name=street,extension=street,city=city,state=state,zip=postcode',
    ),
    origin: 'shared',
  },
  {
    name: 'essnet-census-cis',
    dir: 'person-essnet-census-cis',
    mode: 'link',
    parts: one(
      'person',
      'pername1=firstName,pername2=lastName,sex=gender,dob_day=birthDate,dob_mon=birthDate,dob_year=birthDate,enumcap=street,enumpc=postcode',
    ),
    origin: 'shared',
  },
  {
    name: 'patstat-nl',
    dir: 'org-patstat-nl',
    mode: 'dedup',
    parts: one('organization', 'name=name,coauthors=text'),
    origin: 'shared',
  },
  {
    name: 'restaurants',
    dir: 'org-restaurants-fodors-zagat',
    mode: 'dedup',
    parts: one('organization', 'name=name,addr=street,city=city,phone=phone'),
    origin: 'shared',
  },
  {
    name: 'affiliations',
    dir: 'org-affiliations-leipzig',
    mode: 'dedup',
    parts: one('organization', 'affiliation=name'),
    origin: 'shared',
  },
  {
    name: 'dblp-acm',
    dir: 'biblio-dblp-acm',
    mode: 'link',
    parts: one('organization', 'title=name,authors=text,year=text'),
    origin: 'shared',
  },
  {
    name: 'senzing-mixed',
    dir: 'mixed-senzing-truthset',
    mode: 'dedup',
    splitColumn: 'record_type',
    parts: [
      {
        kind: 'person',
        when: 'PERSON',
        map: 'name_full=fullName,name_first=firstName,name_middle=middleName,name_last=lastName,gender=gender,date_of_birth=birthDate,addr_full=street,addr_line1=street,addr_city=city,addr_state=state,addr_postal_code=postcode,addr_country=country,phone_number=phone,email_address=email,employer=employer',
      },
      {
        kind: 'organization',
        when: 'ORGANIZATION',
        map: 'name_org=name,name_org_aka=text,addr_full=street,addr_line1=street,addr_city=city,addr_state=state,addr_postal_code=postcode,addr_country=country,phone_number=phone,email_address=email',
      },
    ],
    origin: 'shared',
  },
];

const projectRoot = resolvePath(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** shared/datasets/er: $MODOS_SHARED_DIR/datasets/er, else ../shared/datasets/er next to the project. */
export function sharedDataRoot(): string {
  const env = process.env.MODOS_SHARED_DIR;
  if (env) return join(env, 'datasets', 'er');
  return resolvePath(projectRoot, '..', 'shared', 'datasets', 'er');
}

export const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
const L = (id: string): string => `L:${id}`;
const R = (id: string): string => `R:${id}`;

export interface LoadedPart {
  part: DatasetPart;
  records?: InputRecord[];
  left?: InputRecord[];
  right?: InputRecord[];
}

export interface LoadedDataset {
  dataset: Dataset;
  parts: LoadedPart[];
  /** True pairs as pairKey (link: `L:<a>` / `R:<b>`). */
  truthPairs: Set<string>;
  /** Dedup: record → true entity. */
  truthClusters: Map<string, string> | null;
}

export function loadDataset(dataset: Dataset, root: string): LoadedDataset {
  const dir = join(root, dataset.dir);
  if (!existsSync(dir)) throw new Error(`data set ${dataset.name} not found at ${dir}`);
  const parts: LoadedPart[] = dataset.parts.map((part) => {
    const mapping = parseColumnMapping(part.map, part.kind);
    const select = (records: InputRecord[], file: string): InputRecord[] => {
      if (!dataset.splitColumn || part.when === undefined) return records;
      const rows = readCsv(join(dir, file)).rows;
      const keep = new Set(rows.filter((r) => r[dataset.splitColumn!] === part.when).map((r) => r.rec_id));
      return records.filter((r) => keep.has(r.id));
    };
    if (dataset.mode === 'link')
      return {
        part,
        left: select(loadRecords(join(dir, 'source_a.csv'), mapping, 'rec_id', 'left'), 'source_a.csv'),
        right: select(loadRecords(join(dir, 'source_b.csv'), mapping, 'rec_id', 'right'), 'source_b.csv'),
      };
    return { part, records: select(loadRecords(join(dir, 'records.csv'), mapping, 'rec_id'), 'records.csv') };
  });
  if (dataset.mode === 'link') {
    const t = readCsv(join(dir, 'truth_pairs.csv'));
    return {
      dataset,
      parts,
      truthPairs: new Set(t.rows.map((r) => pairKey(L(r.a_rec_id!), R(r.b_rec_id!)))),
      truthClusters: null,
    };
  }
  const c = readCsv(join(dir, 'truth_clusters.csv'));
  const clusters = new Map(c.rows.map((r) => [r.rec_id!, r.entity_id!]));
  return { dataset, parts, truthPairs: pairsOfClusters(groupBy(clusters)), truthClusters: clusters };
}

/** The records of each key (entity), in first-seen order. */
export function groupBy(assignment: ReadonlyMap<string, string>): string[][] {
  const byKey = new Map<string, string[]>();
  for (const [id, k] of assignment) {
    const list = byKey.get(k);
    if (list) list.push(id);
    else byKey.set(k, [id]);
  }
  return [...byKey.values()];
}

function pairsOfClusters(clusters: readonly (readonly string[])[]): Set<string> {
  const pairs = new Set<string>();
  for (const members of clusters)
    for (let i = 0; i < members.length; i++)
      for (let j = i + 1; j < members.length; j++) pairs.add(pairKey(members[i]!, members[j]!));
  return pairs;
}

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  predicted: number;
  truePositives: number;
}

export function scorePairs(predicted: ReadonlySet<string>, truth: ReadonlySet<string>): Scores {
  let tp = 0;
  for (const p of predicted) if (truth.has(p)) tp++;
  const precision = predicted.size === 0 ? 1 : tp / predicted.size;
  const recall = truth.size === 0 ? 1 : tp / truth.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, predicted: predicted.size, truePositives: tp };
}

export function bCubed(
  predicted: readonly string[][],
  truth: Map<string, string>,
): { precision: number; recall: number } {
  // Every record must be in both: a record without a true entity would be scored as one big entity, and
  // records the output left out would not count at all.
  const seen = predicted.flat();
  const missing = seen.filter((id) => !truth.has(id));
  if (missing.length) throw new Error(`B-cubed: ${missing.length} records have no true entity (first ${missing[0]})`);
  if (new Set(seen).size !== truth.size)
    throw new Error(`B-cubed: the clusters hold ${new Set(seen).size} records, the truth ${truth.size}`);
  const truthSize = new Map<string, number>();
  for (const ent of truth.values()) truthSize.set(ent, (truthSize.get(ent) ?? 0) + 1);
  let p = 0;
  let r = 0;
  let n = 0;
  for (const cluster of predicted) {
    const counts = new Map<string, number>();
    for (const id of cluster) counts.set(truth.get(id)!, (counts.get(truth.get(id)!) ?? 0) + 1);
    for (const id of cluster) {
      const overlap = counts.get(truth.get(id)!)!;
      p += overlap / cluster.length;
      r += overlap / truthSize.get(truth.get(id)!)!;
      n++;
    }
  }
  return { precision: p / n, recall: r / n };
}

export interface RunOptions {
  threshold?: number;
  /** Decisions per part index, as the engine takes them (record ids; link: left id first). */
  constraints?: (ResolveConstraints | undefined)[];
  reviewSize?: number;
  onProgress?: (stage: string, detail: string) => void;
  /** Extra engine options (the leave-one-out grid passes its candidate settings here). */
  engine?: Record<string, unknown>;
}

export interface DatasetRun {
  results: ResolveResult[];
  /** Predicted pairs as pairKey, over every part. */
  predicted: Set<string>;
  clusters: string[][];
  scores: Scores;
  bCubed: { precision: number; recall: number } | null;
  records: number;
  candidatePairs: number;
  engineMs: number;
}

/** Resolves every part of a loaded set end to end and scores the union of the parts' pairs. */
export function runDataset(loaded: LoadedDataset, options: RunOptions = {}): DatasetRun {
  const results: ResolveResult[] = [];
  const predicted = new Set<string>();
  const clusters: string[][] = [];
  loaded.parts.forEach((lp, k) => {
    const common = {
      kind: lp.part.kind,
      explain: false,
      ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      ...(options.constraints?.[k] ? { constraints: options.constraints[k] } : {}),
      ...(options.reviewSize !== undefined ? { reviewSize: options.reviewSize } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.engine ?? {}),
    };
    if (loaded.dataset.mode === 'link') {
      const result = resolve({ ...common, mode: 'link', left: lp.left!, right: lp.right! });
      for (const p of result.pairs) predicted.add(pairKey(L(p.id1), R(p.id2)));
      results.push(result);
    } else {
      const result = resolve({ ...common, mode: 'dedup', records: lp.records! });
      for (const p of result.pairs) predicted.add(pairKey(p.id1, p.id2));
      for (const c of result.clusters) clusters.push(c.recordIds);
      results.push(result);
    }
  });
  const scores = scorePairs(predicted, loaded.truthPairs);
  return {
    results,
    predicted,
    clusters,
    scores,
    bCubed: loaded.truthClusters ? bCubed(clusters, loaded.truthClusters) : null,
    records: results.reduce((s, r) => s + r.stats.records, 0),
    candidatePairs: results.reduce((s, r) => s + r.stats.candidatePairs, 0),
    engineMs: results.reduce((s, r) => s + (r.stats.timingsMs.total ?? 0), 0),
  };
}

/**
 * The exact-match floor of a set, computed here rather than copied: records agree when their normalised identity
 * fields are all equal and filled — for people first name, last name (or full name) and birth date (or year), for
 * organisations the name. What a plain exact rule finds; a matcher must beat it on precision and on recall.
 */
export function exactMatchFloor(loaded: LoadedDataset): Scores {
  const predicted = new Set<string>();
  const keyOf = (r: InputRecord, kind: EntityKind): string | null => {
    const a = r.attributes;
    const v = (x: string | null | undefined): string => normaliseText(x);
    const parts =
      kind === 'organization'
        ? [v(a.name)]
        : [
            v(a.firstName) && v(a.lastName) ? `${v(a.firstName)} ${v(a.lastName)}` : v(a.fullName),
            standardiseDate(a.birthDate) || v(a.birthYear),
          ];
    return parts.every((p) => p !== '') ? parts.join('|') : null;
  };
  for (const lp of loaded.parts) {
    const kind = lp.part.kind;
    if (loaded.dataset.mode === 'link') {
      const right = new Map<string, string[]>();
      for (const r of lp.right!) {
        const k = keyOf(r, kind);
        if (k !== null) right.set(k, [...(right.get(k) ?? []), r.id]);
      }
      for (const l of lp.left!) {
        const k = keyOf(l, kind);
        for (const id of k === null ? [] : (right.get(k) ?? [])) predicted.add(pairKey(L(l.id), R(id)));
      }
    } else {
      const groups = new Map<string, string[]>();
      for (const r of lp.records!) {
        const k = keyOf(r, kind);
        if (k !== null) groups.set(k, [...(groups.get(k) ?? []), r.id]);
      }
      for (const p of pairsOfClusters([...groups.values()])) predicted.add(p);
    }
  }
  return scorePairs(predicted, loaded.truthPairs);
}
