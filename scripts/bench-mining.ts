/**
 * npm run bench:mining — throughput of process mining on the largest shared log and on generated large logs:
 *   import (the file through readEventLogFile), discovery (directly-follows graph with durations, heuristics miner,
 *   inductive miner IMf 0.2), and conformance (token replay and alignments) of the log on its reference model when
 *   the folder has one (a .pnml whose name starts the log's name) and on the net the inductive miner discovered.
 * The generated logs are random runs of a seeded random workflow net (local/synthetic/process-models.ts) with noise,
 * written to a temporary CSV first so their import is measured too; several sizes show how the cost scales.
 * Replay and alignments handle each distinct variant once, so the variant count is printed beside every log.
 * Options: --log <file> (instead of the largest shared log), --traces 10000,100000 (generated sizes; 0 for none),
 * --seed 1, --activities 20, --noise 0.1, --max-states 2000 (the alignments' budget per trace on the generated logs:
 * a net the miner makes of a noisy log can have parts where a trace's search needs far more, and those traces are
 * then counted as timed out instead of holding the benchmark for hours), --align-seconds 120 (alignments of one
 * log on one net stop after this long, most frequent variants first, and report the rate over what they did).
 * Prints a table and one JSON line.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Aligner, alignLog } from '../functions/domain/mining/conformance/alignments.js';
import { replayLog } from '../functions/domain/mining/conformance/token-replay.js';
import { directlyFollows, heuristicsMiner } from '../functions/domain/mining/discovery.js';
import { discoverPetriNet } from '../functions/domain/mining/inductive.js';
import type { EventLog } from '../functions/domain/mining/log.js';
import type { PetriNet } from '../functions/domain/mining/petri-net.js';
import { readPnml } from '../functions/domain/mining/pnml.js';
import { generateProcessModel, playOutSequences } from '../local/synthetic/process-models.js';
import { formatOfPath, readEventLogFile } from './lib/event-log-file.js';

const { values } = parseArgs({
  options: {
    log: { type: 'string' },
    traces: { type: 'string', default: '10000,100000' },
    seed: { type: 'string', default: '1' },
    activities: { type: 'string', default: '20' },
    noise: { type: 'string', default: '0.1' },
    'max-states': { type: 'string', default: '2000' },
    'align-seconds': { type: 'string', default: '120' },
  },
});
/** The alignments' state budget per trace on the generated logs (the library default is 200 000). */
const GENERATED_MAX_STATES = Number(values['max-states']);
/** Time after which the alignments of one log on one net stop and report the rate over the variants done. */
const ALIGN_SECONDS = Number(values['align-seconds']);

/**
 * Aligns the variants of `log` on `net`, most frequent first, until done or `seconds` have passed; the rate counts
 * the events of the traces whose variant was aligned. Returns null when every variant was done (measure the whole).
 */
function alignWithin(log: EventLog, net: PetriNet, seconds: number, maxStates: number | undefined) {
  const counts = new Map<string, { activities: string[]; traces: number }>();
  for (const t of log.traces) {
    const activities = t.events.map((e) => e.activity);
    const key = JSON.stringify(activities);
    const v = counts.get(key);
    if (v) v.traces++;
    else counts.set(key, { activities, traces: 1 });
  }
  const variants = [...counts.values()].sort((a, b) => b.traces - a.traces);
  const aligner = new Aligner(net, maxStates === undefined ? {} : { maxStates });
  const start = performance.now();
  aligner.modelRunCost();
  let done = 0;
  let events = 0;
  let timedOut = 0;
  for (const v of variants) {
    if ((performance.now() - start) / 1000 > seconds) break;
    const a = aligner.alignVariant(v.activities);
    done++;
    events += v.activities.length * v.traces;
    if (a.alignmentTimedOut) timedOut += v.traces;
  }
  if (done === variants.length) return null;
  return { seconds: (performance.now() - start) / 1000, events, done, variants: variants.length, timedOut };
}
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATASETS = resolve(ROOT, '../shared/datasets/process-mining');

interface Row {
  log: string;
  step: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  note?: string;
}
const rows: Row[] = [];

/** Runs `fn` until at least `minMs` have passed (at least once) and returns its result and the time of one run. */
async function timed<T>(fn: () => T | Promise<T>, minMs = 300): Promise<{ result: T; seconds: number }> {
  let runs = 0;
  let result: T;
  const start = performance.now();
  do {
    result = await fn();
    runs++;
  } while (performance.now() - start < minMs);
  return { result, seconds: (performance.now() - start) / 1000 / runs };
}

const heapMb = () => Math.round(process.memoryUsage().heapUsed / 2 ** 20);

/** Keeps the row for the table and prints it at once, so a long run shows its progress. */
function record(log: string, step: string, events: number, seconds: number, note?: string): void {
  rows.push({ log, step, events, seconds, eventsPerSecond: events / seconds, ...(note ? { note } : {}) });
  const rate = Math.round(events / seconds).toLocaleString('en-US');
  console.error(`[bench:mining] ${log}: ${step}: ${rate} events/s${note ? ` (${note})` : ''}, heap ${heapMb()} MB`);
}

const eventsOf = (log: EventLog) => log.traces.reduce((s, t) => s + t.events.length, 0);
const fixed = (x: number) => x.toFixed(4);

function logFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return logFiles(path);
    return formatOfPath(path) ? [path] : [];
  });
}

/** The reference model of a log: a .pnml in its folder whose name starts the log's name (a12.pnml for a12f0n00). */
function referenceModelOf(path: string): string | undefined {
  const stem = basename(path).replace(/\.(xes|csv)(\.gz)?$/i, '');
  const models = readdirSync(dirname(path))
    .filter((f) => f.endsWith('.pnml') && stem.startsWith(f.slice(0, -'.pnml'.length)))
    .sort((a, b) => b.length - a.length);
  return models[0] ? join(dirname(path), models[0]) : undefined;
}

async function benchLog(
  name: string,
  path: string,
  reference: PetriNet | undefined,
  minMs: number,
  maxStates?: number,
): Promise<void> {
  const imported = await timed(() => readEventLogFile(path), minMs);
  const log = imported.result;
  const events = eventsOf(log);
  const variants = new Set(log.traces.map((t) => JSON.stringify(t.events.map((e) => e.activity)))).size;
  const label = `${name} (${log.traces.length} cases, ${events} events, ${variants} variants)`;
  record(label, 'import', events, imported.seconds);
  record(label, 'directly-follows graph', events, (await timed(() => directlyFollows(log), minMs)).seconds);
  record(label, 'heuristics miner', events, (await timed(() => heuristicsMiner(log), minMs)).seconds);
  const discovered = await timed(() => discoverPetriNet(log, { noiseThreshold: 0.2 }), minMs);
  record(label, 'inductive miner (IMf 0.2)', events, discovered.seconds);
  const models: [string, PetriNet][] = [['discovered net', discovered.result]];
  if (reference) models.unshift(['reference model', reference]);
  for (const [modelName, net] of models) {
    const tbr = await timed(() => replayLog(log, net), minMs);
    record(label, `token replay on ${modelName}`, events, tbr.seconds, `log fitness ${fixed(tbr.result.logFitness)}`);
    const partial = alignWithin(log, net, ALIGN_SECONDS, maxStates);
    if (partial) {
      const note = `stopped after ${ALIGN_SECONDS} s: ${partial.done} of ${partial.variants} variants, ${partial.timedOut} traces timed out`;
      record(label, `alignments on ${modelName}`, partial.events, partial.seconds, note);
      continue;
    }
    const aligned = await timed(() => alignLog(log, net, maxStates === undefined ? {} : { maxStates }), minMs);
    const a = aligned.result;
    const timedOut = a.timedOutTraces > 0 ? `, ${a.timedOutTraces} timed out` : '';
    record(
      label,
      `alignments on ${modelName}`,
      events,
      aligned.seconds,
      `log fitness ${fixed(a.logFitness)}${timedOut}`,
    );
  }
}

console.log(
  `modos bench:mining — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);

// 1. The largest shared log (most events), or --log.
let largest: { path: string; events: number } | undefined;
if (values.log) largest = { path: values.log, events: 0 };
else {
  for (const path of logFiles(DATASETS)) {
    const events = eventsOf(await readEventLogFile(path));
    if (!largest || events > largest.events) largest = { path, events };
  }
}
if (largest) {
  const modelPath = referenceModelOf(largest.path);
  const reference = modelPath ? readPnml(await readFile(modelPath, 'utf8')) : undefined;
  const name = `${basename(largest.path)}${modelPath ? ` / ${basename(modelPath)}` : ''}`;
  await benchLog(name, largest.path, reference, 500);
}

// 2. Generated logs: random runs of one seeded random net, with noise.
const sizes = values.traces
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
if (sizes.length > 0) {
  const seed = Number(values.seed);
  const model = generateProcessModel({ seed, activities: Number(values.activities) });
  const dir = mkdtempSync(join(tmpdir(), 'modos-bench-mining-'));
  try {
    for (const traces of sizes) {
      const sequences = playOutSequences(model.net, { seed: seed + traces, traces, noise: Number(values.noise) });
      const path = join(dir, `generated-${traces}.csv`);
      const start = Date.UTC(2024, 0, 1);
      const lines = ['case_id,activity,timestamp'];
      sequences.forEach((activities, n) => {
        activities.forEach((a, i) => {
          lines.push(`c${n + 1},${a},${new Date(start + (n + i) * 60_000).toISOString()}`);
        });
      });
      writeFileSync(path, `${lines.join('\n')}\n`);
      lines.length = 0;
      sequences.length = 0;
      const name = `generated ${traces} traces, seed ${seed}, noise ${values.noise} / its net`;
      await benchLog(name, path, model.net, 0, GENERATED_MAX_STATES);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const width = Math.max(...rows.map((r) => r.step.length));
let current = '';
for (const r of rows) {
  if (r.log !== current) {
    current = r.log;
    console.log(`\n${current}`);
  }
  const rate = Math.round(r.eventsPerSecond).toLocaleString('en-US').padStart(12);
  const ms = (r.seconds * 1000).toFixed(1).padStart(10);
  console.log(`  ${r.step.padEnd(width)}  ${rate} events/s  ${ms} ms${r.note ? `  (${r.note})` : ''}`);
}
console.log(`\n${JSON.stringify({ bench: 'mining', rows })}`);
