/**
 * Identity resolution from the command line.
 *   dedup: npx tsx scripts/resolve.ts --kind person --input records.csv --map given_name=firstName,surname=lastName --output pairs.csv
 *   link:  npx tsx scripts/resolve.ts --kind person --left a.csv --right b.csv --map ... --output pairs.csv [--clusters clusters.csv]
 *   review: ... --review 20 [--review-output review.csv] [--labels labels.csv]
 * Writes matched pairs as `id_1,id_2,score`; with `--review N` also the N undecided pairs whose answers would teach the
 * model most, with both records' mapped attributes side by side (to stdout unless --review-output); `--labels` reads
 * answers (`id_1,id_2,match`) and resolves with them as must-link / cannot-link. Exits non-zero with a message on bad input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import {
  type Attribute,
  type EntityKind,
  type InputRecord,
  ResolutionInputError,
  type ResolveConstraints,
  type ResolveResult,
  resolve,
} from '../functions/domain/resolution/engine/index.js';
import {
  type ColumnMapping,
  checkMappingAgainstHeader,
  parseColumnMapping,
  rowsToRecords,
} from '../functions/domain/resolution/mapping.js';

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  readonly code = 'CLI_USAGE';
}

export interface CsvTable {
  header: string[];
  rows: Record<string, string>[];
}

/** Reads a UTF-8 CSV with a header row (RFC 4180 quoting); throws a readable error on a missing file or bad CSV. */
export function readCsv(path: string): CsvTable {
  if (!existsSync(path)) throw new ResolutionInputError(`file not found: ${path}`);
  let rows: string[][];
  try {
    rows = parse(readFileSync(path, 'utf8'), {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }) as string[][];
  } catch (err) {
    throw new ResolutionInputError(`${path}: not valid CSV (${(err as Error).message})`, { cause: err });
  }
  const [header, ...body] = rows;
  if (!header || header.length === 0) throw new ResolutionInputError(`${path}: empty file, no header row`);
  return {
    header,
    rows: body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']))),
  };
}

export function loadRecords(path: string, mapping: ColumnMapping, idColumn: string, source?: string): InputRecord[] {
  const table = readCsv(path);
  checkMappingAgainstHeader(mapping, table.header, idColumn, path);
  return rowsToRecords(table.rows, mapping, idColumn, source);
}

const csvCell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function pairsCsv(result: ResolveResult): string {
  const lines = ['id_1,id_2,score'];
  for (const p of result.pairs) lines.push(`${csvCell(p.id1)},${csvCell(p.id2)},${p.probability.toFixed(6)}`);
  return `${lines.join('\n')}\n`;
}

export function clustersCsv(result: ResolveResult): string {
  const lines = ['cluster_id,rec_id'];
  for (const c of result.clusters) for (const id of c.recordIds) lines.push(`${c.clusterId},${csvCell(id)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The review sheet: per proposed pair its ids, probability and uncertainty, then each mapped attribute of both
 * records side by side (`lastName_1,lastName_2`), and an empty `match` column to fill in and pass back as --labels.
 */
export function reviewCsv(
  result: ResolveResult,
  mapping: ColumnMapping,
  first: ReadonlyMap<string, InputRecord>,
  second: ReadonlyMap<string, InputRecord>,
  size: number,
): string {
  const attributes = [...new Set(mapping.map((m) => m.attribute))];
  const header = ['id_1', 'id_2', 'probability', 'uncertainty', ...attributes.flatMap((a) => [`${a}_1`, `${a}_2`])];
  const lines = [[...header, 'match'].join(',')];
  const value = (r: InputRecord | undefined, a: Attribute): string => csvCell(r?.attributes[a] ?? '');
  for (const p of result.review.slice(0, size)) {
    const [a, b] = [first.get(p.id1), second.get(p.id2)];
    lines.push(
      [
        csvCell(p.id1),
        csvCell(p.id2),
        p.probability.toFixed(6),
        p.uncertainty.toFixed(6),
        ...attributes.flatMap((attr) => [value(a, attr), value(b, attr)]),
        '',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

const ANSWERS = new Map<string, boolean>([
  ...['yes', 'y', '1', 'true'].map((a) => [a, true] as const),
  ...['no', 'n', '0', 'false'].map((a) => [a, false] as const),
]);

/**
 * Reads answers `id_1,id_2,match` from one or more files (other columns ignored, so a filled-in review sheet is a
 * labels file; the answers of several rounds can stay in their own files). `match` is
 * yes/no, y/n, 1/0 or true/false in any case; an empty cell is an unanswered pair and is skipped. In link mode
 * id_1 is a left record and id_2 a right one (a reversed pair is turned round). A row with an unknown id, an
 * unreadable answer, a pair of one record or an answer contradicting an earlier row fails naming its line.
 */
export function readLabels(
  paths: readonly string[],
  first: ReadonlySet<string>,
  second: ReadonlySet<string>,
  link: boolean,
): ResolveConstraints & { skipped: number } {
  const mustLink: [string, string][] = [];
  const cannotLink: [string, string][] = [];
  const seen = new Map<string, boolean>();
  let skipped = 0;
  for (const path of paths) {
    for (const { x, y, answer, at } of labelRows(path, first, second, link)) {
      if (answer === null) {
        skipped++;
        continue;
      }
      const key = link || x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`;
      const before = seen.get(key);
      if (before !== undefined && before !== answer)
        throw new ResolutionInputError(`${at}: contradicts an earlier answer on ${x} / ${y}`);
      if (before !== undefined) continue;
      seen.set(key, answer);
      (answer ? mustLink : cannotLink).push([x, y]);
    }
  }
  return { mustLink, cannotLink, skipped };
}

function labelRows(
  path: string,
  first: ReadonlySet<string>,
  second: ReadonlySet<string>,
  link: boolean,
): { x: string; y: string; answer: boolean | null; at: string }[] {
  if (!existsSync(path)) throw new ResolutionInputError(`file not found: ${path}`);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(readFileSync(path, 'utf8'), {
      bom: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof rows;
  } catch (err) {
    throw new ResolutionInputError(`${path}: not valid CSV (${(err as Error).message})`, { cause: err });
  }
  const [head, ...body] = rows;
  const header = head?.record ?? [];
  const column = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new ResolutionInputError(`${path}: the header needs id_1, id_2 and match (has ${header.join(', ')})`);
    return i;
  };
  const [c1, c2, cm] = [column('id_1'), column('id_2'), column('match')];
  return body.map(({ record, info }) => {
    const at = `${path} line ${info.lines}`;
    let [x, y] = [record[c1]?.trim() ?? '', record[c2]?.trim() ?? ''];
    const raw = (record[cm] ?? '').trim();
    if (raw === '') return { x, y, answer: null, at };
    const answer = ANSWERS.get(raw.toLowerCase());
    if (answer === undefined) throw new ResolutionInputError(`${at}: match "${raw}" is not yes/no, 1/0 or true/false`);
    if (link && !(first.has(x) && second.has(y)) && first.has(y) && second.has(x)) [x, y] = [y, x];
    for (const [id, ids, side] of [
      [x, first, link ? 'the left table' : 'the input'],
      [y, second, link ? 'the right table' : 'the input'],
    ] as const)
      if (!ids.has(id)) throw new ResolutionInputError(`${at}: id "${id}" is not in ${side}`);
    if (!link && x === y) throw new ResolutionInputError(`${at}: id_1 and id_2 are the same record`);
    return { x, y, answer, at };
  });
}

interface CliArgs {
  kind: EntityKind;
  input?: string;
  left?: string;
  right?: string;
  map: string;
  id: string;
  output: string;
  clusters?: string;
  threshold?: number;
  country?: string;
  review?: number;
  reviewOutput?: string;
  labels?: string;
}

const USAGE = `usage: resolve --kind person|organization (--input records.csv | --left a.csv --right b.csv)
               --map column=attribute,... --output pairs.csv [--clusters clusters.csv] [--id rec_id]
               [--threshold 0.5] [--country US]
               [--review N [--review-output review.csv]] [--labels labels.csv[,more.csv]]`;

function parseArgs(argv: readonly string[]): CliArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') throw new CliUsageError(USAGE);
    if (!a.startsWith('--')) throw new CliUsageError(`unexpected argument "${a}"\n${USAGE}`);
    const eq = a.indexOf('=');
    const [key, value] = eq > 0 ? [a.slice(2, eq), a.slice(eq + 1)] : [a.slice(2), argv[++i]];
    if (value === undefined || value.startsWith('--')) throw new CliUsageError(`--${key} needs a value\n${USAGE}`);
    values.set(key, value);
  }
  const known = new Set([
    'kind',
    'input',
    'left',
    'right',
    'map',
    'id',
    'output',
    'clusters',
    'threshold',
    'country',
    'review',
    'review-output',
    'labels',
  ]);
  for (const k of values.keys()) if (!known.has(k)) throw new CliUsageError(`unknown option --${k}\n${USAGE}`);
  const kind = values.get('kind');
  if (kind !== 'person' && kind !== 'organization')
    throw new CliUsageError(`--kind must be person or organization\n${USAGE}`);
  const map = values.get('map');
  if (!map) throw new CliUsageError(`--map is required\n${USAGE}`);
  const output = values.get('output');
  if (!output) throw new CliUsageError(`--output is required\n${USAGE}`);
  const input = values.get('input');
  const left = values.get('left');
  const right = values.get('right');
  if (input ? left || right : !(left && right))
    throw new CliUsageError(`give either --input (dedup) or both --left and --right (link)\n${USAGE}`);
  const threshold = values.has('threshold') ? Number(values.get('threshold')) : undefined;
  if (threshold !== undefined && !(threshold > 0 && threshold < 1))
    throw new CliUsageError('--threshold must be a number between 0 and 1');
  const review = values.has('review') ? Number(values.get('review')) : undefined;
  if (review !== undefined && !(Number.isInteger(review) && review >= 1))
    throw new CliUsageError('--review must be a whole number of pairs, 1 or more');
  if (values.has('review-output') && review === undefined)
    throw new CliUsageError(`--review-output needs --review N\n${USAGE}`);
  return {
    kind,
    input,
    left,
    right,
    map,
    id: values.get('id') ?? 'rec_id',
    output,
    clusters: values.get('clusters'),
    threshold,
    country: values.get('country'),
    review,
    reviewOutput: values.get('review-output'),
    labels: values.get('labels'),
  };
}

/**
 * Runs the CLI. `log` takes progress lines (stderr); `out` takes what goes to stdout: the review sheet when
 * `--review` has no `--review-output` (the pairs and clusters always go to their files).
 */
export function runCli(
  argv: readonly string[],
  log: (line: string) => void,
  out: (text: string) => void = (text) => process.stdout.write(text),
): ResolveResult {
  const args = parseArgs(argv);
  const mapping = parseColumnMapping(args.map, args.kind);
  const started = performance.now();
  const progress = (stage: string, detail: string): void =>
    log(`[resolve] ${((performance.now() - started) / 1000).toFixed(1)}s ${stage}: ${detail}`);
  const common = {
    kind: args.kind,
    threshold: args.threshold,
    defaultCountry: args.country as never,
    explain: false,
    onProgress: progress,
    ...(args.review !== undefined ? { reviewSize: args.review } : {}),
  };
  const byId = (records: readonly InputRecord[]) => new Map(records.map((r) => [r.id, r]));
  const answers = (first: Map<string, InputRecord>, second: Map<string, InputRecord>, link: boolean) => {
    if (!args.labels) return {};
    const { mustLink, cannotLink, skipped } = readLabels(
      args.labels.split(',').filter((f) => f !== ''),
      new Set(first.keys()),
      new Set(second.keys()),
      link,
    );
    progress(
      'labels',
      `${mustLink?.length} match, ${cannotLink?.length} no match${skipped ? `, ${skipped} unanswered skipped` : ''}`,
    );
    return { constraints: { mustLink, cannotLink } };
  };
  let result: ResolveResult;
  let sides: [Map<string, InputRecord>, Map<string, InputRecord>];
  if (args.input) {
    const records = loadRecords(args.input, mapping, args.id);
    progress('read', `${records.length} records from ${args.input}`);
    const all = byId(records);
    sides = [all, all];
    result = resolve({ ...common, ...answers(all, all, false), mode: 'dedup', records });
  } else {
    const left = loadRecords(args.left!, mapping, args.id, 'left');
    const right = loadRecords(args.right!, mapping, args.id, 'right');
    progress('read', `${left.length} + ${right.length} records`);
    sides = [byId(left), byId(right)];
    result = resolve({ ...common, ...answers(sides[0], sides[1], true), mode: 'link', left, right });
  }
  writeFileSync(args.output, pairsCsv(result));
  if (args.clusters) writeFileSync(args.clusters, clustersCsv(result));
  if (args.review !== undefined) {
    const sheet = reviewCsv(result, mapping, sides[0], sides[1], args.review);
    if (args.reviewOutput) writeFileSync(args.reviewOutput, sheet);
    else out(sheet);
  }
  const check = result.model.check;
  log(
    check.ok
      ? `[resolve] model check: ok (${check.anchors} near-certain pairs${check.anchorRecall !== null ? `, ${(check.anchorRecall * 100).toFixed(0)} % scored as matches` : ''}; ${(check.randomMatchRate * 100).toFixed(2)} % of random pairs)`
      : `[resolve] model check: IMPLAUSIBLE FIT, ${check.fallback === 'prior' ? 'fell back to the prior model' : 'kept'}: ${check.reasons.join('; ')}`,
  );
  if (result.model.calibration)
    log(
      `[resolve] calibrated on ${result.model.calibration.labels} answers: ${result.model.calibration.offset >= 0 ? '+' : ''}${result.model.calibration.offset.toFixed(2)} bits`,
    );
  const s = result.stats;
  log(
    `[resolve] ${s.records} records, ${s.candidatePairs} candidate pairs, ${s.matchedPairs} matched pairs, ${s.multiRecordClusters} multi-record clusters, ${s.timingsMs.total} ms; wrote ${args.output}${args.clusters ? ` and ${args.clusters}` : ''}${args.review !== undefined ? `; ${Math.min(args.review, result.review.length)} pairs to review ${args.reviewOutput ? `in ${args.reviewOutput}` : 'on stdout'}` : ''}`,
  );
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    runCli(process.argv.slice(2), (line) => process.stderr.write(`${line}\n`));
  } catch (err) {
    const e = err as Error & { code?: string };
    process.stderr.write(`resolve: ${e.name === 'CliUsageError' ? '' : `${e.name}: `}${e.message}\n`);
    process.exit(e.name === 'CliUsageError' ? 2 : 1);
  }
}
