/**
 * Identity resolution from the command line.
 *   dedup: npx tsx scripts/resolve.ts --kind person --input records.csv --map given_name=firstName,surname=lastName --output pairs.csv
 *   link:  npx tsx scripts/resolve.ts --kind person --left a.csv --right b.csv --map ... --output pairs.csv [--clusters clusters.csv]
 * Writes matched pairs as `id_1,id_2,score`; exits non-zero with a message on bad input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import {
  type EntityKind,
  type InputRecord,
  ResolutionInputError,
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
}

const USAGE = `usage: resolve --kind person|organization (--input records.csv | --left a.csv --right b.csv)
               --map column=attribute,... --output pairs.csv [--clusters clusters.csv] [--id rec_id]
               [--threshold 0.5] [--country US]`;

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
  const known = new Set(['kind', 'input', 'left', 'right', 'map', 'id', 'output', 'clusters', 'threshold', 'country']);
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
  };
}

export function runCli(argv: readonly string[], log: (line: string) => void): ResolveResult {
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
  };
  let result: ResolveResult;
  if (args.input) {
    const records = loadRecords(args.input, mapping, args.id);
    progress('read', `${records.length} records from ${args.input}`);
    result = resolve({ ...common, mode: 'dedup', records });
  } else {
    const left = loadRecords(args.left!, mapping, args.id, 'left');
    const right = loadRecords(args.right!, mapping, args.id, 'right');
    progress('read', `${left.length} + ${right.length} records`);
    result = resolve({ ...common, mode: 'link', left, right });
  }
  writeFileSync(args.output, pairsCsv(result));
  if (args.clusters) writeFileSync(args.clusters, clustersCsv(result));
  const s = result.stats;
  log(
    `[resolve] ${s.records} records, ${s.candidatePairs} candidate pairs, ${s.matchedPairs} matched pairs, ${s.multiRecordClusters} multi-record clusters, ${s.timingsMs.total} ms; wrote ${args.output}${args.clusters ? ` and ${args.clusters}` : ''}`,
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
