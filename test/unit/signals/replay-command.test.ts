import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { dedupeAndSort, replay, replayRule } from '../../../functions/domain/signals/engine.js';
import type { SignalEvent } from '../../../functions/domain/signals/types.js';
import { readEventLogFile } from '../../../scripts/lib/event-log-file.js';
import { doubled, shuffled } from '../../../scripts/lib/gen-signal-logs.js';
import { loadRulesFile, logToSignalEvents, runSignalsReplay } from '../../../scripts/signals-replay.js';
import { referenceFiredKeys } from '../../support/signals-reference.js';

// Shared datasets are read in place (../shared relative to the project root), never copied into the project.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DATA = resolve(ROOT, '../shared/datasets');
const XES = join(DATA, 'process-mining/roadtraffic-100/roadtraffic100traces.xes');
const CSV = join(DATA, 'process-mining/roadtraffic-100/roadtraffic100traces.csv');
const A12 = join(DATA, 'process-mining/synthetic-a12-a22/a12/a12f0n00.xes.gz');
const RULES = join(ROOT, 'docs/examples/signals/roadtraffic-rules.json');

interface ExpectedSignals {
  signals: Record<string, { matching_cases: number; sample_case_ids: string[] }>;
}
const expected = JSON.parse(
  readFileSync(join(DATA, 'signals/roadtraffic100_expected_signals.json'), 'utf8'),
) as ExpectedSignals;
/** `S1_sequence` → `S1`: the rule ids of docs/examples/signals/roadtraffic-rules.json. */
const expectedCounts = Object.fromEntries(
  Object.entries(expected.signals).map(([name, s]) => [name.split('_')[0] as string, s.matching_cases]),
);

let dir: string;
const write = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signals-replay-'));
});

describe('signals:replay on roadtraffic-100', () => {
  it('has the five expected signals, so a truncated file cannot pass', () => {
    expect(Object.keys(expectedCounts)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
  });

  it('reproduces the expected counts from the XES log', async () => {
    expect(await runSignalsReplay(['--log', XES, '--rules', RULES])).toEqual(expectedCounts);
  });

  it('reproduces the expected counts from the CSV log', async () => {
    expect(await runSignalsReplay([`--log=${CSV}`, `--rules=${RULES}`])).toEqual(expectedCounts);
  });

  it('fires for every sample case the dataset names, and agrees with the reference evaluator key by key', async () => {
    const rules = await loadRulesFile(RULES);
    const bodies = (JSON.parse(readFileSync(RULES, 'utf8')) as { rules: unknown[] }).rules;
    const events = logToSignalEvents(await readEventLogFile(XES), true);
    const ordered = dedupeAndSort(events);
    for (const [name, signal] of Object.entries(expected.signals)) {
      const index = rules.findIndex((r) => r.id === name.split('_')[0]);
      const rule = rules[index]!;
      const fired = new Set<string>();
      replayRule(rule, ordered, (m) => fired.add(m.key));
      for (const id of signal.sample_case_ids) expect(fired.has(id), `${rule.id} ${id}`).toBe(true);
      expect([...fired].sort()).toEqual([...referenceFiredKeys(bodies[index], events)].sort());
    }
  });

  it('gives the same counts when the events arrive shuffled and every event twice', async () => {
    const rules = await loadRulesFile(RULES);
    const events = logToSignalEvents(await readEventLogFile(CSV), true);
    for (const seed of [1, 2, 3]) {
      expect(replay(rules, shuffled(doubled(events), seed))).toEqual(expectedCounts);
    }
  });

  it('puts the case, the activity, the time and the other attributes into the entity change event', async () => {
    const log = await readEventLogFile(XES);
    const events = logToSignalEvents(log, true);
    const trace = log.traces[0]!;
    const source = trace.events[0]!;
    const first = events[0] as SignalEvent;
    expect(source.resource).toBeDefined();
    expect(first).toEqual({
      id: source.id,
      time: source.time,
      event: {
        source: 'modos.replay',
        'detail-type': 'entity.updated',
        time: new Date(source.time as number).toISOString(),
        detail: {
          ...source.attributes,
          'org:resource': source.resource,
          'lifecycle:transition': source.lifecycle,
          entityId: trace.caseId,
          activity: source.activity,
        },
      },
    });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });
});

describe('signals:replay inputs', () => {
  it('accepts a rules file that is a plain array', async () => {
    const rules = write(
      'array.json',
      JSON.stringify([{ id: 'P', name: 'p', kind: 'match', match: { detail: { activity: ['Payment'] } } }]),
    );
    const result = await runSignalsReplay(['--log', CSV, '--rules', rules]);
    expect(Object.keys(result)).toEqual(['P']);
    expect(result.P).toBeGreaterThan(0);
  });

  it('refuses a rule the API would refuse, naming the rule and the field', async () => {
    const rules = write(
      'bad.json',
      JSON.stringify({ rules: [{ id: 'X', name: 'x', kind: 'inactivity', longerThan: 'P0D' }] }),
    );
    await expect(runSignalsReplay(['--log', CSV, '--rules', rules])).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringContaining('rules[0] (X): longerThan:'),
    });
    const twice = write(
      'twice.json',
      JSON.stringify([
        { id: 'X', name: 'x', kind: 'match', match: { a: [1] } },
        { id: 'X', name: 'y', kind: 'match', match: { a: [2] } },
      ]),
    );
    await expect(runSignalsReplay(['--log', CSV, '--rules', twice])).rejects.toThrow(/id X is used twice/);
    await expect(runSignalsReplay(['--log', CSV])).rejects.toThrow(/--rules/);
    await expect(runSignalsReplay(['--log', CSV, '--rules', RULES, '--window', '3'])).rejects.toThrow(
      /unknown argument/,
    );
  });

  it('refuses a log without timestamps for timed rules, and replays it for match and repetition', async () => {
    const timed = write('timed.json', JSON.stringify([{ id: 'G', name: 'g', kind: 'inactivity', longerThan: 'P1D' }]));
    await expect(runSignalsReplay(['--log', A12, '--rules', timed])).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringMatching(/has no timestamp, and rules G need event times/),
    });
    const untimed = write(
      'untimed.json',
      JSON.stringify([
        { id: 'R', name: 'r', kind: 'repetition', match: { detail: { activity: [{ prefix: '' }] } }, atLeast: 3 },
        { id: 'M', name: 'm', kind: 'match', match: { detail: { activity: [{ prefix: '' }] } } },
      ]),
    );
    const result = await runSignalsReplay(['--log', A12, '--rules', untimed]);
    const log = await readEventLogFile(A12);
    // Cases are keys; every event matches, so R counts the cases of 3 events or more and M the non-empty ones.
    const perCase = new Map<string, number>();
    for (const t of log.traces) perCase.set(t.caseId, (perCase.get(t.caseId) ?? 0) + t.events.length);
    const sizes = [...perCase.values()];
    expect(result).toEqual({ R: sizes.filter((n) => n >= 3).length, M: sizes.filter((n) => n >= 1).length });
    expect(result.M).toBeGreaterThan(0);
  });

  it('runs as an npm script: one JSON line on stdout; one line on stderr and exit code 2 on bad input', async () => {
    const run = promisify(execFile);
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const ok = await run(tsx, ['scripts/signals-replay.ts', '--log', XES, '--rules', RULES], { cwd: ROOT });
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(ok.stdout)).toEqual(expectedCounts);
    const failed = await run(tsx, ['scripts/signals-replay.ts', '--log', join(dir, 'missing.xes'), '--rules', RULES], {
      cwd: ROOT,
    }).catch((err: { code: number; stderr: string; stdout: string }) => err);
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
    expect((failed as { stdout: string }).stdout).toBe('');
  });
});
