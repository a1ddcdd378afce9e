/**
 * End-to-end entity-resolution benchmark on every data set in shared/datasets/er (blocking included).
 * The only per-data-set input is the column mapping; ground truth is read only to score the output.
 *   npx tsx scripts/bench-er.ts [--only name-substring]
 * Data location: $MODOS_SHARED_DIR/datasets/er, else ../shared/datasets/er relative to the project root.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EntityKind, resolve } from '../functions/domain/resolution/engine/index.js';
import { parseColumnMapping } from '../functions/domain/resolution/mapping.js';
import { loadRecords, readCsv } from './resolve.js';

interface Dataset {
  name: string;
  dir: string;
  kind: EntityKind;
  mode: 'dedup' | 'link';
  map: string;
}

const FEBRL_MAP =
  'given_name=firstName,surname=lastName,street_number=street,address_1=street,address_2=street,suburb=city,postcode=postcode,state=state,date_of_birth=birthDate';

const DATASETS: Dataset[] = [
  { name: 'febrl1', dir: 'person-febrl/febrl1', kind: 'person', mode: 'dedup', map: FEBRL_MAP },
  { name: 'febrl3', dir: 'person-febrl/febrl3', kind: 'person', mode: 'dedup', map: FEBRL_MAP },
  { name: 'febrl4', dir: 'person-febrl/febrl4', kind: 'person', mode: 'link', map: FEBRL_MAP },
  {
    name: 'splink-fake-1000',
    dir: 'person-splink-fake-1000',
    kind: 'person',
    mode: 'dedup',
    map: 'first_name=firstName,surname=lastName,dob=birthDate,city=city,email=email',
  },
  {
    name: 'michigan-voters-1500',
    dir: 'person-michigan-voters-1500',
    kind: 'person',
    mode: 'link',
    map: 'firstname=firstName,middlename=middleName,lastname=lastName,birthyear=birthYear,gender=gender,street_name=street,extension=street,city=city,state=state,zip=postcode',
  },
  { name: 'patstat-nl', dir: 'org-patstat-nl', kind: 'organization', mode: 'dedup', map: 'name=name,coauthors=text' },
  {
    name: 'restaurants',
    dir: 'org-restaurants-fodors-zagat',
    kind: 'organization',
    mode: 'dedup',
    map: 'name=name,addr=street,city=city,phone=phone',
  },
  {
    name: 'dblp-acm',
    dir: 'biblio-dblp-acm',
    kind: 'organization',
    mode: 'link',
    map: 'title=name,authors=text,year=text',
  },
];

function dataRoot(): string {
  const env = process.env.MODOS_SHARED_DIR;
  if (env) return join(env, 'datasets', 'er');
  const projectRoot = resolvePath(dirname(fileURLToPath(import.meta.url)), '..');
  return resolvePath(projectRoot, '..', 'shared', 'datasets', 'er');
}

const key = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

function truthPairs(dir: string, mode: 'dedup' | 'link'): { pairs: Set<string>; clusters: Map<string, string> | null } {
  if (mode === 'link') {
    const t = readCsv(join(dir, 'truth_pairs.csv'));
    return { pairs: new Set(t.rows.map((r) => key(`L:${r.a_rec_id}`, `R:${r.b_rec_id}`))), clusters: null };
  }
  const c = readCsv(join(dir, 'truth_clusters.csv'));
  const clusters = new Map(c.rows.map((r) => [r.rec_id!, r.entity_id!]));
  const byEntity = new Map<string, string[]>();
  for (const [rec, ent] of clusters) byEntity.set(ent, [...(byEntity.get(ent) ?? []), rec]);
  const pairs = new Set<string>();
  for (const members of byEntity.values()) {
    for (let i = 0; i < members.length; i++)
      for (let j = i + 1; j < members.length; j++) pairs.add(key(members[i]!, members[j]!));
  }
  return { pairs, clusters };
}

function bCubed(predicted: readonly string[][], truth: Map<string, string>): { precision: number; recall: number } {
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

const f3 = (x: number): string => x.toFixed(3);
const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;

function main(): void {
  const only = process.argv.indexOf('--only') >= 0 ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const root = dataRoot();
  if (!existsSync(root)) {
    process.stderr.write(`bench-er: data sets not found at ${root} (set MODOS_SHARED_DIR)\n`);
    process.exit(1);
  }
  process.stdout.write(`data: ${root}\n`);
  process.stdout.write(
    `${['dataset', 'task', 'records', 'cand.pairs', 'pred.pairs', 'P', 'R', 'F1', 'B3-P', 'B3-R', 'thr', 'engine ms', 'rec/s', 'RSS', 'heap'].join('\t')}\n`,
  );
  for (const ds of DATASETS) {
    if (only && !ds.name.includes(only)) continue;
    const dir = join(root, ds.dir);
    const mapping = parseColumnMapping(ds.map, ds.kind);
    const log = (stage: string, detail: string): void => {
      process.stderr.write(`  [${ds.name}] ${stage}: ${detail}\n`);
    };
    let predicted: Set<string>;
    let result;
    let predictedClusters: string[][] = [];
    if (ds.mode === 'link') {
      const left = loadRecords(join(dir, 'source_a.csv'), mapping, 'rec_id', 'left');
      const right = loadRecords(join(dir, 'source_b.csv'), mapping, 'rec_id', 'right');
      result = resolve({ kind: ds.kind, mode: 'link', left, right, explain: false, onProgress: log });
      predicted = new Set(result.pairs.map((p) => key(`L:${p.id1}`, `R:${p.id2}`)));
    } else {
      const records = loadRecords(join(dir, 'records.csv'), mapping, 'rec_id');
      result = resolve({ kind: ds.kind, mode: 'dedup', records, explain: false, onProgress: log });
      predicted = new Set(result.pairs.map((p) => key(p.id1, p.id2)));
      predictedClusters = result.clusters.map((c) => c.recordIds);
    }
    const truth = truthPairs(dir, ds.mode);
    let tp = 0;
    for (const p of predicted) if (truth.pairs.has(p)) tp++;
    const precision = predicted.size === 0 ? 0 : tp / predicted.size;
    const recall = tp / truth.pairs.size;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    const b3 = truth.clusters ? bCubed(predictedClusters, truth.clusters) : null;
    const mem = process.memoryUsage();
    const s = result.stats;
    const perSecond = Math.round(s.records / (s.timingsMs.total! / 1000));
    process.stdout.write(
      `${[
        ds.name,
        ds.mode,
        s.records,
        s.candidatePairs,
        predicted.size,
        f3(precision),
        f3(recall),
        f3(f1),
        b3 ? f3(b3.precision) : '-',
        b3 ? f3(b3.recall) : '-',
        s.threshold,
        s.timingsMs.total,
        perSecond,
        mb(mem.rss),
        mb(mem.heapUsed),
      ].join('\t')}\n`,
    );
    if (process.argv.includes('--verbose')) {
      process.stdout.write(
        `  timings ${JSON.stringify(s.timingsMs)}\n  rules ${JSON.stringify(s.candidatePairsByRule)}\n  lambda ${result.model.lambda.toFixed(4)} em ${result.model.emIterations} it, refused merges ${s.refusedMerges}\n`,
      );
      for (const t of result.model.trainingSessions)
        process.stdout.write(
          `  session ${t.rule}: ${t.pairs} pairs, lambda ${t.lambda.toFixed(3)}, ${t.iterations} it, fields ${t.fieldsEstimated.join('/')}\n`,
        );
      for (const c of result.model.comparisons) {
        process.stdout.write(
          `  ${c.field}: ${c.levels.map((l) => `${l.label.slice(0, 14)} m=${l.m.toFixed(3)} u=${l.u.toExponential(1)} w=${l.weight.toFixed(1)}`).join(' | ')}\n`,
        );
      }
    }
  }
}

main();
