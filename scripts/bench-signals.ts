// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern), not a thenable.
/**
 * bench:signals: the signal engine on every log in ../shared/datasets/process-mining/ and on a large generated stream.
 *   npm run -s bench:signals [-- --events 1000000 --keys 100000 --seed 1]
 * For each log: the counts of its rules on replay, the same counts again with the events shuffled (seeded) and with
 * every event twice, and events/s of replay and of the online path (applyEvent per event in time order, as the
 * detector runs it). roadtraffic-100 runs the five rules of docs/examples/signals/roadtraffic-rules.json and must
 * give exactly the counts of ../shared/datasets/signals/roadtraffic100_expected_signals.json; the other logs run one
 * rule of each kind over their two most frequent activities, with the median time between a case's consecutive events
 * as the window (match and repetition only for a log without times). Then the same on a generated stream (default
 * 1,000,000 events over 100,000 entities in a year, seven rules of the six kinds). The latency from an entity write to
 * signal.detected on the local platform comes from platformLatency(). Prints a table, then one JSON line.
 * Exit code 1 when a count differs from the expected one or between orders.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEvent, advance, dedupeAndSort, emptyKeyState, replay } from '../functions/domain/signals/engine.js';
import { type CompiledSignalRule, compileSignalRule } from '../functions/domain/signals/rules.js';
import type { KeyState, SignalEvent } from '../functions/domain/signals/types.js';
import type { SignalRuleBodyInput } from '../schemas/signals.js';
import { readEventLogFile } from './lib/event-log-file.js';
import { doubled, shuffled, uniformStream } from './lib/gen-signal-logs.js';
import { UsageError } from './lib/log-flags.js';
import { measureSignalLatency } from './lib/signal-latency.js';
import { loadRulesFile, logToSignalEvents } from './signals-replay.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MINING = resolve(ROOT, '../shared/datasets/process-mining');
const EXPECTED = resolve(ROOT, '../shared/datasets/signals/roadtraffic100_expected_signals.json');
const ROADTRAFFIC_RULES = resolve(ROOT, 'docs/examples/signals/roadtraffic-rules.json');

/** Latency from an entity write to its signal.detected event on the local platform, in milliseconds. */
export interface PlatformLatency {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

// ------------------------------------------------------------------------------------------------------------------
// platformLatency(): the local-platform measurement (scripts/lib/signal-latency.ts): starts the local platform, writes
// entities that fire a rule, and times entity write → signal.detected.
// ------------------------------------------------------------------------------------------------------------------
export async function platformLatency(): Promise<PlatformLatency> {
  return measureSignalLatency();
}

interface Args {
  events: number;
  keys: number;
  seed: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { events: 1_000_000, keys: 100_000, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = inline ?? argv[++i];
    const n = Number(value);
    if (!['--events', '--keys', '--seed'].includes(flag as string)) throw new UsageError(`unknown argument ${arg}`);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive integer`);
    args[(flag as string).slice(2) as keyof Args] = n;
  }
  return args;
}

function logFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...logFiles(path));
    else if (/\.(xes|xes\.gz|csv)$/i.test(name)) out.push(path);
  }
  return out;
}

const activity = (name: string): Record<string, unknown> => ({ detail: { activity: [name] } });

/**
 * One rule of each kind over the log's two most frequent activities, windowed by the median time between a case's
 * consecutive events (whole seconds, at least one): a workload shaped by the log, not tuned to it.
 */
function rulesForLog(events: readonly SignalEvent[], timed: boolean): CompiledSignalRule[] {
  const counts = new Map<string, number>();
  const byCase = new Map<string, number[]>();
  for (const e of events) {
    const detail = e.event.detail as { activity: string; entityId: string };
    counts.set(detail.activity, (counts.get(detail.activity) ?? 0) + 1);
    const times = byCase.get(detail.entityId) ?? [];
    times.push(e.time);
    byCase.set(detail.entityId, times);
  }
  const [a, b] = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([name]) => name);
  const first = a as string;
  const second = b ?? first;
  const bodies: SignalRuleBodyInput[] = [
    { id: 'match', name: `${first}`, kind: 'match', match: activity(first) },
    { id: 'repetition', name: `2 × ${first}`, kind: 'repetition', match: activity(first), atLeast: 2 },
  ];
  if (timed) {
    const gaps: number[] = [];
    for (const times of byCase.values()) {
      times.sort((x, y) => x - y);
      for (let i = 1; i < times.length; i++) gaps.push((times[i] as number) - (times[i - 1] as number));
    }
    gaps.sort((x, y) => x - y);
    const median = gaps.length > 0 ? (gaps[Math.floor(gaps.length / 2)] as number) : 1000;
    const within = `PT${Math.max(1, Math.round(median / 1000))}S`;
    bodies.push(
      { id: 'sequence', name: 's', kind: 'sequence', first: activity(first), then: activity(second), within },
      { id: 'absence', name: 'a', kind: 'absence', first: activity(first), missing: activity(second), within },
      { id: 'count', name: 'c', kind: 'count', match: activity(first), atLeast: 2, within },
      { id: 'inactivity', name: 'i', kind: 'inactivity', longerThan: within, fireAtDeadline: true },
    );
  }
  return bodies.map((body) => compileSignalRule(body));
}

/** Rules of the six kinds for the generated stream (activities A..E, windows of days to a month). */
function streamRules(): CompiledSignalRule[] {
  const bodies: SignalRuleBodyInput[] = [
    { id: 'match', name: 'm', kind: 'match', match: activity('A') },
    { id: 'sequence', name: 's', kind: 'sequence', first: activity('A'), then: activity('B'), within: 'P7D' },
    { id: 'absence', name: 'a', kind: 'absence', first: activity('A'), missing: activity('B'), within: 'P14D' },
    { id: 'count', name: 'c', kind: 'count', match: activity('C'), atLeast: 3, within: 'P1M' },
    { id: 'repetition', name: 'r', kind: 'repetition', match: activity('D'), atLeast: 4 },
    { id: 'inactivity', name: 'i', kind: 'inactivity', longerThan: 'P60D' },
    { id: 'inactivity-deadline', name: 'id', kind: 'inactivity', longerThan: 'P30D', fireAtDeadline: true },
  ];
  return bodies.map((body) => compileSignalRule(body));
}

/**
 * Runs `work` until at least `minMs` have passed; returns the runs per second of wall time and of this process's CPU
 * time (user + system). On a shared machine the second is what the engine would do with a core to itself.
 */
function rate(work: () => void, minMs = 300): { wall: number; cpu: number } {
  let runs = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let elapsed = 0;
  do {
    work();
    runs++;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { wall: (runs * 1000) / elapsed, cpu: (runs * 1000) / Math.max(cpuMs, 0.001) };
}

/**
 * The detector's path: each event applied to its key's state in time order, evaluated just before its own instant
 * (other events of that instant may follow, so a deadline at it is not yet passed); every deadline at the end.
 */
function online(rules: readonly CompiledSignalRule[], ordered: readonly SignalEvent[]): Record<string, number> {
  const fired: Record<string, number> = {};
  for (const rule of rules) {
    const states = new Map<string, KeyState>();
    const keys = new Set<string>();
    for (const e of ordered) {
      const key = rule.keyOf(e.event);
      if (key === null) continue;
      const r = applyEvent(rule, states.get(key) ?? emptyKeyState(), e, e.time - 1);
      states.set(key, r.state);
      if (r.matches.length > 0) keys.add(key);
    }
    for (const [key, state] of states) {
      if (advance(rule, state, Number.POSITIVE_INFINITY).matches.length > 0) keys.add(key);
    }
    fired[rule.id] = keys.size;
  }
  return fired;
}

interface Row {
  log: string;
  events: number;
  keys: number;
  rules: number;
  replayEventsPerSecond: number;
  onlineEventsPerSecond: number;
  replayEventsPerCpuSecond: number;
  onlineEventsPerCpuSecond: number;
  fired: Record<string, number>;
  checks: string;
  ok: boolean;
}

function same(a: Record<string, number>, b: Record<string, number>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function measure(
  name: string,
  events: SignalEvent[],
  rules: CompiledSignalRule[],
  seed: number,
  expected: Record<string, number> | null,
  minMs: number,
): Row {
  const fired = replay(rules, events);
  const problems: string[] = [];
  if (expected && !same(fired, expected)) problems.push(`expected ${JSON.stringify(expected)}`);
  if (!same(replay(rules, shuffled(events, seed)), fired)) problems.push('shuffled differs');
  if (!same(replay(rules, doubled(events)), fired)) problems.push('doubled differs');
  const ordered = dedupeAndSort(events);
  const onlineFired = online(rules, ordered);
  if (!same(onlineFired, fired)) problems.push(`online ${JSON.stringify(onlineFired)}`);
  const replayRate = rate(() => replay(rules, events), minMs);
  const onlineRate = rate(() => online(rules, ordered), minMs);
  const keys = new Set(events.map((e) => (e.event.detail as { entityId: string }).entityId)).size;
  const checks =
    problems.length === 0
      ? `${expected ? 'expected counts; ' : ''}shuffled, doubled and online the same`
      : problems.join('; ');
  return {
    log: name,
    events: events.length,
    keys,
    rules: rules.length,
    replayEventsPerSecond: Math.round(replayRate.wall * events.length),
    onlineEventsPerSecond: Math.round(onlineRate.wall * events.length),
    replayEventsPerCpuSecond: Math.round(replayRate.cpu * events.length),
    onlineEventsPerCpuSecond: Math.round(onlineRate.cpu * events.length),
    fired,
    checks,
    ok: problems.length === 0,
  };
}

function printTable(rows: Row[]): void {
  const head = [
    'log',
    'events',
    'keys',
    'rules',
    'replay ev/s',
    'cpu',
    'online ev/s',
    'cpu',
    'keys fired per rule',
    'checks',
  ];
  const body = rows.map((r) => [
    r.log,
    r.events.toLocaleString('en-US'),
    r.keys.toLocaleString('en-US'),
    String(r.rules),
    r.replayEventsPerSecond.toLocaleString('en-US'),
    r.replayEventsPerCpuSecond.toLocaleString('en-US'),
    r.onlineEventsPerSecond.toLocaleString('en-US'),
    r.onlineEventsPerCpuSecond.toLocaleString('en-US'),
    Object.entries(r.fired)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
    `${r.ok ? 'ok' : 'FAILED'}: ${r.checks}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 1 && i <= 7 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ');
  console.log(line(head));
  for (const row of body) console.log(line(row));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const expectedJson = JSON.parse(readFileSync(EXPECTED, 'utf8')) as {
    signals: Record<string, { matching_cases: number }>;
  };
  const roadtrafficExpected = Object.fromEntries(
    Object.entries(expectedJson.signals).map(([name, s]) => [name.split('_')[0] as string, s.matching_cases]),
  );
  const roadtrafficRules = await loadRulesFile(ROADTRAFFIC_RULES);

  const rows: Row[] = [];
  for (const path of logFiles(MINING)) {
    const name = relative(MINING, path);
    let events: SignalEvent[];
    let timed: boolean;
    try {
      const log = await readEventLogFile(path);
      timed = log.traces.every((t) => t.events.every((e) => e.time !== null));
      events = logToSignalEvents(log, false);
    } catch (err) {
      console.log(`${name}: not replayed (${(err as Error).message})`);
      continue;
    }
    if (events.length === 0) continue;
    const isRoadtraffic = /roadtraffic100traces\.(xes|csv)$/.test(path);
    const rules = isRoadtraffic ? roadtrafficRules : rulesForLog(events, timed);
    rows.push(measure(name, events, rules, args.seed, isRoadtraffic ? roadtrafficExpected : null, 300));
  }

  const t0 = performance.now();
  const stream = uniformStream({ seed: args.seed, events: args.events, keys: args.keys, days: 365 });
  const generatedMs = performance.now() - t0;
  const rules = streamRules();
  const big = measure(
    `generated (seed ${args.seed}, ${args.events.toLocaleString('en-US')} events, 365 days)`,
    stream,
    rules,
    args.seed,
    null,
    0,
  );
  rows.push(big);
  // Per rule on the stream: where the time goes.
  const perRule: Record<string, { wall: number; cpu: number }> = {};
  for (const rule of rules) {
    const r = rate(() => replay([rule], stream), 0);
    perRule[rule.id] = { wall: Math.round(r.wall * stream.length), cpu: Math.round(r.cpu * stream.length) };
  }

  const latency = await platformLatency();
  console.log(
    'bench:signals: the signal engine in process (events/s = events of the log through all its rules, per second of wall time and of CPU time)',
  );
  printTable(rows);
  console.log(
    `generated stream: made in ${Math.round(generatedMs)} ms; replay events/s per rule (wall / cpu): ${Object.entries(
      perRule,
    )
      .map(([k, v]) => `${k} ${v.wall.toLocaleString('en-US')} / ${v.cpu.toLocaleString('en-US')}`)
      .join(', ')}`,
  );
  console.log(
    `local platform, entity write → signal.detected: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, max ${latency.maxMs} ms (${latency.samples} samples)`,
  );
  const ok = rows.every((r) => r.ok);
  console.log(
    JSON.stringify({
      bench: 'signals',
      ok,
      logs: rows.map(({ checks: _checks, ...row }) => row),
      streamReplayEventsPerSecondPerRule: perRule,
      platformLatency: latency,
    }),
  );
  if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  const e = err as Error;
  process.stderr.write(`bench:signals: ${e.name === 'UsageError' ? e.message : (e.stack ?? String(err))}\n`);
  process.exit(e.name === 'UsageError' ? 2 : 1);
});
