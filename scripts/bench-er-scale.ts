/**
 * Scale curve of the identity-resolution engine on generated person dedup records (local/synthetic).
 *   npm run -s bench:er-scale -- [--sizes 10000,100000,1000000] [--seed 1] [--timeout 20] [--heap 16000]
 *                                [--kind person|organization]
 * Each size runs in its own child process (so its peak RSS is its own) with `--max-old-space-size=<heap>` MB, and
 * is stopped after `--timeout` minutes. Prints one row per size: candidate pairs, time per stage
 * (result.stats.timingsMs), total seconds, records/s, peak RSS, heap, and pairwise and B-cubed P/R against the
 * generator's truth; then, per size, recall by record trap and false merges by look-alike group trap.
 * A size that runs out of memory or time is reported as such. Progress goes to stderr.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolve } from '../functions/domain/resolution/engine/index.js';
import { parseColumnMapping, rowsToRecords } from '../functions/domain/resolution/mapping.js';
import { bCubed, groupBy, pairKey } from './lib/er-datasets.js';
import {
  type DedupDataset,
  SUGGESTED_MAPPINGS,
  type SyntheticKind,
  generateOrganizations,
  generatePeople,
} from '../local/synthetic/index.js';

interface Args {
  sizes: number[];
  seed: number;
  timeoutMin: number;
  heapMb: number;
  kind: SyntheticKind;
}

interface TrapRecall {
  truePairs: number;
  found: number;
}

interface ChildResult {
  records: number;
  entities: number;
  generateMs: number;
  candidatePairs: number;
  predictedPairs: number;
  truePairs: number;
  truePositives: number;
  b3: { precision: number; recall: number };
  timingsMs: Record<string, number>;
  maxRssBytes: number;
  heapUsedBytes: number;
  /** Per record trap: true pairs with a record carrying it, and how many of them were found. */
  recallByTrap: Record<string, TrapRecall>;
  /** Per look-alike group trap: cross-entity record pairs inside a group, and how many were (wrongly) matched. */
  falseMergesByGroup: Record<string, { pairs: number; matched: number }>;
  /** False-positive pairs not explained by a group trap. */
  otherFalsePositives: number;
}

const USAGE =
  'usage: bench:er-scale [--sizes 10000,100000,1000000] [--seed 1] [--timeout 20 (minutes)] [--heap 16000 (MB)] [--kind person]';

function parseArgs(argv: readonly string[]): Args & { child?: number } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') fail(USAGE);
    if (!a.startsWith('--')) fail(`unexpected argument "${a}"\n${USAGE}`);
    const eq = a.indexOf('=');
    const [key, value] = eq > 0 ? [a.slice(2, eq), a.slice(eq + 1)] : [a.slice(2), argv[++i]];
    if (value === undefined) fail(`--${key} needs a value\n${USAGE}`);
    values.set(key, value);
  }
  for (const k of values.keys())
    if (!['sizes', 'seed', 'timeout', 'heap', 'kind', 'child'].includes(k)) fail(`unknown option --${k}\n${USAGE}`);
  const sizes = (values.get('sizes') ?? '10000,100000,1000000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !(Number.isInteger(n) && n >= 2))) fail(`--sizes must be integers ≥ 2\n${USAGE}`);
  const number = (key: string, fallback: number): number => {
    const n = Number(values.get(key) ?? fallback);
    if (!(Number.isFinite(n) && n >= 0)) fail(`--${key} must be a non-negative number\n${USAGE}`);
    return n;
  };
  const kind = values.get('kind') ?? 'person';
  if (kind !== 'person' && kind !== 'organization') fail(`--kind must be person or organization\n${USAGE}`);
  const args: Args & { child?: number } = {
    sizes,
    seed: number('seed', 1),
    timeoutMin: number('timeout', 20),
    heapMb: number('heap', 16000),
    kind,
  };
  if (values.has('child')) args.child = number('child', 0);
  return args;
}

function fail(message: string): never {
  process.stderr.write(`bench-er-scale: ${message}\n`);
  process.exit(2);
}

/** The child: generate in memory, resolve, score; one JSON line on stdout. */
function runChild(size: number, args: Args): void {
  const started = performance.now();
  const log = (line: string): void => {
    process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)}s ${line}\n`);
  };
  // Also on an uncaught error, so a failed size still reports how far it got and what memory it held.
  process.on('exit', (code) => {
    if (code !== 0) log(`FAILED-AT peak RSS ${process.resourceUsage().maxRSS * 1024}`);
  });
  const options = { mode: 'dedup' as const, records: size, seed: args.seed };
  let dataset: DedupDataset | null = (
    args.kind === 'person' ? generatePeople(options) : generateOrganizations(options)
  ) as DedupDataset;
  const generateMs = performance.now() - started;
  log(`generated ${dataset.records.length} records of ${dataset.entities} entities`);
  const mapping = parseColumnMapping(SUGGESTED_MAPPINGS[args.kind], args.kind);
  const records = rowsToRecords(
    dataset.records.map((r) => ({ ...r.attributes, rec_id: r.id })),
    mapping,
    'rec_id',
  );
  for (let i = 0; i < records.length; i++) records[i]!.source = dataset.records[i]!.source;
  const truth = new Map(dataset.records.map((r) => [r.id, r.entityId]));
  const entities = dataset.entities;
  // Trap membership by record, kept for the breakdown; the rest of the data set is released before resolving.
  const recordTraps = new Map<string, string[]>();
  const groupOf = new Map<string, { trap: string; group: number }[]>();
  dataset.traps.forEach((t, i) => {
    const isGroup = t.entityIds.length > 1;
    for (const id of t.recordIds) {
      if (isGroup) groupOf.set(id, [...(groupOf.get(id) ?? []), { trap: t.trap, group: i }]);
      else recordTraps.set(id, [...(recordTraps.get(id) ?? []), t.trap]);
    }
  });
  const groups = dataset.traps.filter((t) => t.entityIds.length > 1);
  dataset = null;

  const result = resolve({
    kind: args.kind,
    mode: 'dedup',
    records,
    explain: false,
    onProgress: (stage, detail) => log(`${stage}: ${detail}`),
  });
  const heapUsedBytes = process.memoryUsage().heapUsed;

  const predicted = new Set<string>();
  let truePositives = 0;
  let otherFalsePositives = 0;
  const falseMergesByGroup: ChildResult['falseMergesByGroup'] = {};
  for (const g of groups) {
    const f = (falseMergesByGroup[g.trap] ??= { pairs: 0, matched: 0 });
    for (let i = 0; i < g.recordIds.length; i++)
      for (let j = i + 1; j < g.recordIds.length; j++)
        if (truth.get(g.recordIds[i]!) !== truth.get(g.recordIds[j]!)) f.pairs++;
  }
  for (const p of result.pairs) {
    predicted.add(pairKey(p.id1, p.id2));
    if (truth.get(p.id1) === truth.get(p.id2)) {
      truePositives++;
      continue;
    }
    const g1 = groupOf.get(p.id1) ?? [];
    const shared = (groupOf.get(p.id2) ?? []).filter((g) => g1.some((h) => h.group === g.group));
    if (shared.length === 0) otherFalsePositives++;
    for (const g of shared) falseMergesByGroup[g.trap]!.matched++;
  }
  let truePairs = 0;
  const recallByTrap: Record<string, TrapRecall> = { none: { truePairs: 0, found: 0 } };
  for (const ids of groupBy(truth)) {
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++) {
        truePairs++;
        const found = predicted.has(pairKey(ids[i]!, ids[j]!));
        const traps = new Set([...(recordTraps.get(ids[i]!) ?? []), ...(recordTraps.get(ids[j]!) ?? [])]);
        if (traps.size === 0) traps.add('none');
        for (const t of traps) {
          const r = (recallByTrap[t] ??= { truePairs: 0, found: 0 });
          r.truePairs++;
          if (found) r.found++;
        }
      }
  }
  const out: ChildResult = {
    records: records.length,
    entities,
    generateMs: Math.round(generateMs),
    candidatePairs: result.stats.candidatePairs,
    predictedPairs: predicted.size,
    truePairs,
    truePositives,
    b3: bCubed(
      result.clusters.map((c) => c.recordIds),
      truth,
    ),
    timingsMs: result.stats.timingsMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes,
    recallByTrap,
    falseMergesByGroup,
    otherFalsePositives,
  };
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

type Outcome =
  | { size: number; ok: true; result: ChildResult; wallMs: number }
  | { size: number; ok: false; reason: string };

function runSize(size: number, args: Args): Promise<Outcome> {
  const script = fileURLToPath(import.meta.url);
  const childArgs = [
    ...process.execArgv,
    `--max-old-space-size=${args.heapMb}`,
    script,
    '--child',
    String(size),
    '--seed',
    String(args.seed),
    '--kind',
    args.kind,
  ];
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, childArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let tail: string[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, args.timeoutMin * 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    let partial = '';
    child.stderr.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) process.stderr.write(`  [${size}] ${line}\n`);
      tail = [...tail, ...lines].slice(-40);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line && code === 0) {
        done({ size, ok: true, result: JSON.parse(line.slice(7)) as ChildResult, wallMs });
        return;
      }
      const text = tail.join('\n');
      let reason: string;
      if (timedOut) reason = `timeout after ${args.timeoutMin} min`;
      else if (/heap out of memory|Allocation failed|invalid array length|Invalid string length/i.test(text))
        reason = `out of memory (heap limit ${args.heapMb} MB): ${text
          .split('\n')
          .find((l) => /memory|Allocation|length/i.test(l))
          ?.trim()}`;
      else if (signal === 'SIGKILL') reason = 'killed (SIGKILL: likely the system OOM killer)';
      else {
        // An uncaught error prints "file.ts:line", the source line, a caret, then "SomeError: message".
        const error = tail.find((l) => /^\w*Error\b/.test(l.trim()))?.trim();
        const at = tail
          .find((l) => /\.ts:\d+$/.test(l.trim()))
          ?.trim()
          .replace(/^.*\/(functions|scripts|local)\//, '$1/');
        const peak = tail.map((l) => /^([\d.]+)s FAILED-AT peak RSS (\d+)/.exec(l.trim())).find((m) => m);
        const where = peak ? `, after ${Number(peak[1]).toFixed(0)} s at ${gb(Number(peak[2]))} peak RSS` : '';
        reason = `exit ${code ?? signal}: ${error ?? tail.slice(-3).join(' | ')}${at ? ` (at ${at})` : ''}${where}`;
      }
      done({ size, ok: false, reason });
    });
  });
}

const f3 = (x: number): string => x.toFixed(3);
const gb = (bytes: number): string =>
  bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(2)} GB` : `${(bytes / (1 << 20)).toFixed(0)} MB`;
const sec = (ms: number): string => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);

function printTable(outcomes: readonly Outcome[]): void {
  const stages: string[] = [];
  for (const o of outcomes)
    if (o.ok) for (const s of Object.keys(o.result.timingsMs)) if (s !== 'total' && !stages.includes(s)) stages.push(s);
  const header = [
    'records',
    'cand.pairs',
    'pred.pairs',
    ...stages.map((s) => `${s} s`),
    'total s',
    'rec/s',
    'peak RSS',
    'heap',
    'P',
    'R',
    'F1',
    'B3-P',
    'B3-R',
  ];
  process.stdout.write(`${header.join('\t')}\n`);
  for (const o of outcomes) {
    if (!o.ok) {
      process.stdout.write(`${o.size}\tFAILED: ${o.reason}\n`);
      continue;
    }
    const r = o.result;
    const total = r.timingsMs.total ?? Object.values(r.timingsMs).reduce((a, b) => a + b, 0);
    const p = r.predictedPairs === 0 ? 0 : r.truePositives / r.predictedPairs;
    const rec = r.truePairs === 0 ? 0 : r.truePositives / r.truePairs;
    const f1 = p + rec === 0 ? 0 : (2 * p * rec) / (p + rec);
    process.stdout.write(
      `${[
        r.records,
        r.candidatePairs,
        r.predictedPairs,
        ...stages.map((s) => (r.timingsMs[s] === undefined ? '-' : sec(r.timingsMs[s]!))),
        sec(total),
        Math.round(r.records / (total / 1000)),
        gb(r.maxRssBytes),
        gb(r.heapUsedBytes),
        f3(p),
        f3(rec),
        f3(f1),
        f3(r.b3.precision),
        f3(r.b3.recall),
      ].join('\t')}\n`,
    );
  }
  for (const o of outcomes) {
    if (!o.ok) continue;
    const r = o.result;
    const recall = Object.entries(r.recallByTrap)
      .map(([t, x]) => `${t} ${x.truePairs ? f3(x.found / x.truePairs) : '-'} (${x.truePairs})`)
      .join(', ');
    const merges = Object.entries(r.falseMergesByGroup)
      .map(([t, x]) => `${t} ${x.matched}/${x.pairs}`)
      .join(', ');
    process.stdout.write(
      `\n${r.records} records (${r.entities} entities, generated in ${sec(r.generateMs)} s, child wall ${sec(o.wallMs)} s)\n` +
        `  recall by record trap (pairs touching a record with it): ${recall}\n` +
        `  false merges inside look-alike groups (matched/cross-entity pairs): ${merges}; other false positives ${r.otherFalsePositives}\n`,
    );
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child !== undefined) {
    runChild(args.child, args);
    return;
  }
  process.stdout.write(
    `machine: ${availableParallelism()} cores, ${gb(totalmem())} RAM, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}; ${args.kind} dedup, seed ${args.seed}, heap limit ${args.heapMb} MB, timeout ${args.timeoutMin} min\n`,
  );
  const outcomes: Outcome[] = [];
  for (const size of args.sizes) {
    process.stderr.write(`bench-er-scale: ${size} records\n`);
    outcomes.push(await runSize(size, args));
  }
  printTable(outcomes);
}

await main();
