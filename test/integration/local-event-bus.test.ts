import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptJsonLinesError } from '../../local/durable-files.js';
import { LocalEventBus, type LocalEventBusOptions } from '../../local/event-bus.js';
import { busStateFiles, type BusEvent, type DeadLetter } from '../../local/event-bus-state.js';
import type { BusLogEntry } from '../../local/event-deliveries.js';
import type { JournalRecord } from '../../local/event-journal.js';
import { runCli } from '../../scripts/bus-dead-letters.js';
import { exitOf, ROOT } from '../../scripts/lib/spawn-platform.js';
import { CHILD_BUS_RULES } from '../support/bus-rules.js';
import { eventually } from '../support/local-platform.js';

const started: LocalEventBus[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && !c.signalCode) c.kill('SIGKILL');
  await Promise.all(started.splice(0).map((b) => b.stop()));
});

const transient = (message: string) => Object.assign(new Error(message), { name: 'TransientError' });

interface Harness {
  bus: LocalEventBus;
  dataDir: string;
  stateDir: string;
  /** Calls of the function target: the event's detail.eventId and when. */
  calls: Array<{ eventId: string; at: number }>;
  logs: BusLogEntry[];
  /** What the function target does with each call (default: takes the event). */
  behave: (fn: (call: number) => Promise<void> | void) => void;
}

/** A bus on the test rules whose function target is scripted, with fast retries (20 ms doubling to 80 ms, no jitter). */
async function aBus(options: Partial<LocalEventBusOptions> & { dataDir?: string } = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'modos-bus-'));
  const calls: Harness['calls'] = [];
  const logs: BusLogEntry[] = [];
  let behaviour: (call: number) => Promise<void> | void = () => undefined;
  const bus = new LocalEventBus({
    busName: 'test-bus',
    rules: CHILD_BUS_RULES,
    logFile: join(dataDir, 'events.jsonl'),
    stateDir: join(dataDir, 'bus'),
    resolveFunction: async () => async (event) => {
      calls.push({ eventId: String(event.detail.eventId), at: performance.now() });
      await behaviour(calls.length);
    },
    backoff: { baseMs: 20, maxMs: 80 },
    random: () => 1,
    redrivePollMs: 20,
    log: (e) => logs.push(e),
    ...options,
  });
  await bus.start(0);
  started.push(bus);
  return { bus, dataDir, stateDir: join(dataDir, 'bus'), calls, logs, behave: (fn) => (behaviour = fn) };
}

async function stop(h: Harness): Promise<void> {
  await h.bus.stop();
  started.splice(started.indexOf(h.bus), 1);
}

const clientOf = (endpoint: string) =>
  new EventBridgeClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

const aThing = (eventId = randomUUID()): PutEventsRequestEntry => ({
  Source: 'test.things',
  DetailType: 'thing.happened',
  Detail: JSON.stringify({ eventId, tenantId: 't1' }),
  EventBusName: 'test-bus',
});

/** Puts the entries; returns the detail.eventIds the bus acknowledged. */
async function put(endpoint: string, entries: PutEventsRequestEntry[]): Promise<string[]> {
  const res = await clientOf(endpoint).send(new PutEventsCommand({ Entries: entries }));
  return entries.flatMap((e, i) => (res.Entries?.[i]?.EventId ? [JSON.parse(e.Detail!).eventId as string] : []));
}

const readLines = <T>(file: string): T[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as T)
    : [];
const journalOf = (h: Harness) => readLines<JournalRecord>(busStateFiles(h.stateDir).journal);
const deadLettersOf = (h: Harness) => readLines<DeadLetter>(busStateFiles(h.stateDir).deadLetters);
const loggedIds = (h: Harness) => readLines<{ eventId: string }>(join(h.dataDir, 'events.jsonl')).map((l) => l.eventId);

function anEvent(eventId = randomUUID()): BusEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'thing.happened',
    source: 'test.things',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { eventId, tenantId: 't1' },
  };
}

const functionTarget = { kind: 'function', function: 'Health' } as const;

function writeState(stateDir: string, journal: unknown[], deadLetters: unknown[] = []): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(
    busStateFiles(stateDir).journal,
    journal.map((r) => (typeof r === 'string' ? r : JSON.stringify(r) + '\n')).join(''),
  );
  writeFileSync(busStateFiles(stateDir).deadLetters, deadLetters.map((l) => JSON.stringify(l) + '\n').join(''));
}

function aDeadLetter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  const at = new Date().toISOString();
  return {
    id: randomUUID(),
    rule: 'ThingsToFunction',
    target: functionTarget,
    event: anEvent(),
    error: { name: 'TransientError', message: 'down' },
    reason: 'retry-attempts-exhausted',
    attempts: 186,
    firstAttemptAt: at,
    lastAttemptAt: at,
    deadLetteredAt: at,
    ...overrides,
  };
}

const quiet = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
};

describe('local event bus: journal', () => {
  it('answers PutEvents only once every matched delivery of the event is in the journal', async () => {
    const h = await aBus({ startPaused: true });
    const [eventId] = await put(h.bus.endpoint, [aThing()]);

    const accepted = journalOf(h).filter(
      (r): r is Extract<JournalRecord, { type: 'accepted' }> => r.type === 'accepted',
    );
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.event.detail.eventId).toBe(eventId);
    expect(accepted[0]!.deliveries.map((d) => d.rule).sort()).toEqual(['EveryEventLogged', 'ThingsToFunction']);
    expect(h.calls).toEqual([]);
  });

  it('delivers after a restart what a stopped bus had accepted but not delivered', async () => {
    const first = await aBus({ startPaused: true });
    const [eventId] = await put(first.bus.endpoint, [aThing()]);
    await stop(first);

    const second = await aBus({ dataDir: first.dataDir });
    await second.bus.drain();
    expect(second.calls.map((c) => c.eventId)).toEqual([eventId]);
    expect(loggedIds(second)).toEqual([eventId]);
    expect(second.bus.pendingDeliveries()).toEqual([]);
  });

  it('after a kill -9 at any moment, delivers every event it had acknowledged', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-bus-kill-'));
    const delivered = join(dataDir, 'delivered.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/bus-child.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        BUS_STATE_DIR: join(dataDir, 'bus'),
        BUS_DELIVERED_LOG: delivered,
        BUS_EVENT_LOG: join(dataDir, 'events.jsonl'),
        BUS_TARGET_MS: '300',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const endpoint = await eventually(() => /"endpoint":"([^"]+)"/.exec(out)?.[1], 20_000);

    // Puts keep coming while the process is killed: the ones answered before it died are acknowledged.
    const acknowledged: string[] = [];
    let killed = false;
    const putter = async () => {
      for (let i = 0; i < 200; i++) {
        const ids = await put(endpoint, [aThing(), aThing(), aThing()]).catch(() => undefined);
        if (!ids) break;
        acknowledged.push(...ids);
        if (acknowledged.length >= 60 && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([putter(), putter(), putter(), putter()]);
    await exitOf(child);
    expect(killed).toBe(true);
    const beforeRestart = new Set(readLines<{ eventId: string }>(delivered).map((l) => l.eventId));
    expect(acknowledged.filter((id) => !beforeRestart.has(id)).length).toBeGreaterThan(0);

    const h = await aBus({ dataDir });
    await h.bus.drain();
    const after = new Set(h.calls.map((c) => c.eventId));
    expect(acknowledged.filter((id) => !beforeRestart.has(id) && !after.has(id))).toEqual([]);
    const logged = new Set(loggedIds(h));
    expect(acknowledged.filter((id) => !logged.has(id))).toEqual([]);
  }, 60_000);

  it('ignores a journal line torn by a crash in the middle of an append, and delivers what came before it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-bus-torn-'));
    const event = anEvent();
    writeState(join(dataDir, 'bus'), [
      {
        type: 'accepted',
        at: Date.now(),
        event,
        deliveries: [{ id: randomUUID(), rule: 'ThingsToFunction', target: functionTarget }],
      },
      '{"type":"accepted","at":1,"event":{"ver',
    ]);

    const h = await aBus({ dataDir });
    await h.bus.drain();
    expect(h.calls.map((c) => c.eventId)).toEqual([event.detail.eventId]);
  });

  it('refuses to start on a journal line that does not parse and is not the last (never drops what was acknowledged)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-bus-corrupt-'));
    writeState(join(dataDir, 'bus'), [
      'not json\n',
      { type: 'accepted', at: Date.now(), event: anEvent(), deliveries: [] },
    ]);
    await expect(aBus({ dataDir })).rejects.toBeInstanceOf(CorruptJsonLinesError);
  });

  it('compacts the journal to the pending deliveries on start and when it grows past the threshold', async () => {
    const h = await aBus({ compactJournalAfterBytes: 4_000 });
    for (let i = 0; i < 20; i++) {
      await put(h.bus.endpoint, [aThing(), aThing()]);
      await h.bus.drain();
    }
    // 40 events, each ~1 KB of journal over its life: without compaction the file would be far larger.
    expect(statSync(busStateFiles(h.stateDir).journal).size).toBeLessThan(4_000 + 3_000);
    await stop(h);

    const again = await aBus({ dataDir: h.dataDir, startPaused: true });
    expect(statSync(busStateFiles(again.stateDir).journal).size).toBe(0);
    const [pendingId] = await put(again.bus.endpoint, [aThing()]);
    await stop(again);
    const third = await aBus({ dataDir: h.dataDir, startPaused: true });
    expect(
      third.bus
        .pendingDeliveries()
        .map((d) => [d.rule, d.event.detail.eventId])
        .sort(),
    ).toEqual([
      ['EveryEventLogged', pendingId],
      ['ThingsToFunction', pendingId],
    ]);
  });
});

describe('local event bus: retries and dead letters', () => {
  it('retries a failing target with exponential backoff until it takes the event', async () => {
    const h = await aBus();
    h.behave((n) => {
      if (n <= 4) throw transient(`attempt ${n}`);
    });
    const [eventId] = await put(h.bus.endpoint, [aThing()]);
    await h.bus.drain({ withinMs: 5_000 });

    expect(h.calls.map((c) => c.eventId)).toEqual([eventId, eventId, eventId, eventId, eventId]);
    const gaps = h.calls.slice(1).map((c, i) => c.at - h.calls[i]!.at);
    // random() = 1: d = min(80, 20 · 2^(n-1)) after failure n (less up to 2 ms of clock granularity).
    for (const [i, d] of [20, 40, 80, 80].entries()) expect(gaps[i]).toBeGreaterThanOrEqual(d - 2);
    const records = journalOf(h);
    expect(records.filter((r) => r.type === 'failed').map((r) => (r as { attempt: number }).attempt)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(records.filter((r) => r.type === 'delivered').map((r) => (r as { attempt: number }).attempt)).toEqual([
      1, 5,
    ]);
    expect(h.logs.filter((l) => l.level === 'WARN')).toHaveLength(4);
    expect(h.bus.pendingDeliveries()).toEqual([]);
  });

  it('dead-letters what still fails after the retry attempts, with rule, target, event, error, attempts and attempt times', async () => {
    const h = await aBus({ retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 } });
    h.behave(() => {
      throw transient('table unavailable');
    });
    const t0 = Date.now();
    const [eventId] = await put(h.bus.endpoint, [aThing()]);
    await h.bus.drain({ withinMs: 5_000 });

    expect(h.calls).toHaveLength(3);
    const letters = deadLettersOf(h);
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(letter).toMatchObject({
      rule: 'ThingsToFunction',
      target: functionTarget,
      error: { name: 'TransientError', message: 'table unavailable' },
      reason: 'retry-attempts-exhausted',
      attempts: 3,
    });
    expect(letter!.event.detail.eventId).toBe(eventId);
    expect(Date.parse(letter!.firstAttemptAt)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(Date.parse(letter!.lastAttemptAt) - Date.parse(letter!.firstAttemptAt)).toBeGreaterThanOrEqual(20 + 40 - 2);
    expect(h.logs.filter((l) => l.level === 'ERROR').map((l) => l.deadLetterId)).toEqual([letter!.id]);
    // the other rule's target took the event: dead letters are per target
    expect(loggedIds(h)).toEqual([eventId]);
    expect(h.bus.pendingDeliveries()).toEqual([]);
  });

  it('dead-letters at once when the next retry would come after the maximum event age', async () => {
    const h = await aBus({
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 0.1 },
      backoff: { baseMs: 500, maxMs: 500 },
    });
    h.behave(() => {
      throw transient('down');
    });
    await put(h.bus.endpoint, [aThing()]);
    await h.bus.drain({ withinMs: 2_000 });

    expect(h.calls).toHaveLength(1);
    expect(deadLettersOf(h)).toEqual([expect.objectContaining({ reason: 'maximum-event-age-exceeded', attempts: 1 })]);
  });

  it('drain waits for what is due and in flight, not for a retry scheduled after a failure', async () => {
    const h = await aBus({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    h.behave(async (n) => {
      await new Promise((r) => setTimeout(r, 150));
      if (n === 1) throw transient('once');
    });
    const t0 = Date.now();
    await put(h.bus.endpoint, [aThing()]);
    await h.bus.drain();

    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(h.calls).toHaveLength(1);
    expect(loggedIds(h)).toHaveLength(1);
    const [pending] = h.bus.pendingDeliveries();
    expect(pending).toMatchObject({ rule: 'ThingsToFunction', attempts: 1 });
    expect(pending!.nextAt - Date.now()).toBeGreaterThan(20_000);
  });

  it('drain waits for a slow target to finish', async () => {
    const h = await aBus();
    h.behave(() => new Promise((r) => setTimeout(r, 300)));
    await put(h.bus.endpoint, [aThing()]);
    await h.bus.drain();
    expect(h.bus.pendingDeliveries()).toEqual([]);
    expect(journalOf(h).filter((r) => r.type === 'delivered')).toHaveLength(2);
  });
});

describe('local event bus: crash windows of dead-lettering and redrive', () => {
  it('does not deliver again what was dead-lettered just before a crash that lost the journal record saying so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-bus-dl-'));
    const letter = aDeadLetter();
    writeState(
      join(dataDir, 'bus'),
      [
        {
          type: 'accepted',
          at: Date.now(),
          event: letter.event,
          deliveries: [{ id: letter.id, rule: letter.rule, target: letter.target }],
        },
      ],
      [letter],
    );

    const h = await aBus({ dataDir });
    await h.bus.drain();
    expect(h.calls).toEqual([]);
    expect(deadLettersOf(h).map((l) => l.id)).toEqual([letter.id]);
    expect(h.bus.pendingDeliveries()).toEqual([]);
  });

  it('finishes a redrive cut short by a crash: the dead letter leaves the file and the event is delivered once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-bus-rd-'));
    const letter = aDeadLetter();
    const other = aDeadLetter();
    writeState(
      join(dataDir, 'bus'),
      [
        {
          type: 'accepted',
          at: Date.now(),
          event: letter.event,
          deliveries: [{ id: randomUUID(), rule: letter.rule, target: letter.target, redriveOf: letter.id }],
        },
      ],
      [letter, other],
    );

    const h = await aBus({ dataDir });
    await h.bus.drain();
    expect(h.calls.map((c) => c.eventId)).toEqual([letter.event.detail.eventId]);
    expect(deadLettersOf(h).map((l) => l.id)).toEqual([other.id]);
  });
});

describe('bus:dead-letters command', () => {
  async function withDeadLetters(): Promise<{ h: Harness; eventIds: string[] }> {
    const h = await aBus({ retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 3600 } });
    h.behave(() => {
      throw transient('not yet');
    });
    const eventIds = await put(h.bus.endpoint, [aThing(), aThing()]);
    await h.bus.drain();
    expect(deadLettersOf(h)).toHaveLength(2);
    h.behave(() => undefined);
    return { h, eventIds };
  }

  it('lists dead letters, filtered by rule or id, as text or as JSON lines', async () => {
    const { h, eventIds } = await withDeadLetters();
    const text = quiet();
    expect(await runCli(['--data-dir', h.dataDir], text.io)).toBe(0);
    expect(text.out).toHaveLength(2);
    expect(text.out[0]).toMatch(
      /ThingsToFunction -> function:Health\s+thing\.happened .*attempts=1\s+retry-attempts-exhausted .*TransientError: not yet/,
    );

    const [first] = deadLettersOf(h);
    const json = quiet();
    expect(await runCli(['--data-dir', h.dataDir, '--json', '--id', first!.id], json.io)).toBe(0);
    expect(json.out.map((l) => JSON.parse(l))).toEqual([first]);
    const none = quiet();
    expect(await runCli(['--data-dir', h.dataDir, '--rule', 'EveryEventLogged'], none.io)).toBe(0);
    expect(none.out).toEqual([]);
    expect(eventIds).toHaveLength(2);
  });

  it('re-drives through the running bus: the events are delivered again and leave the dead-letter file', async () => {
    const { h, eventIds } = await withDeadLetters();
    const cli = quiet();
    expect(await runCli(['--data-dir', h.dataDir, '--redrive', '--rule', 'ThingsToFunction'], cli.io)).toBe(0);
    expect(cli.err.join('\n')).toMatch(/2 dead letter\(s\) re-driven; the running platform is delivering them/);

    await eventually(() => h.calls.length === 4);
    await h.bus.drain();
    expect(
      h.calls
        .slice(2)
        .map((c) => c.eventId)
        .sort(),
    ).toEqual([...eventIds].sort());
    expect(deadLettersOf(h)).toEqual([]);
    const redriven = journalOf(h).flatMap((r) =>
      r.type === 'accepted' ? r.deliveries.filter((d) => d.redriveOf) : [],
    );
    expect(redriven).toHaveLength(2);
  });

  it('queues a redrive while the platform is stopped, and its next start delivers it', async () => {
    const { h, eventIds } = await withDeadLetters();
    await stop(h);
    const [one] = deadLettersOf(h).filter((l) => l.event.detail.eventId === eventIds[0]);
    const cli = quiet();
    expect(await runCli(['--data-dir', h.dataDir, '--redrive', '--event', one!.event.id], cli.io)).toBe(0);
    expect(cli.err.join('\n')).toMatch(/1 dead letter\(s\) queued for redrive; the platform is not running/);

    const again = await aBus({ dataDir: h.dataDir });
    await again.bus.drain();
    expect(again.calls.map((c) => c.eventId)).toEqual([eventIds[0]]);
    expect(deadLettersOf(again).map((l) => l.event.detail.eventId)).toEqual([eventIds[1]]);
  });

  it('refuses unknown options with the usage (exit code 2)', async () => {
    const cli = quiet();
    expect(await runCli(['--nope'], cli.io)).toBe(2);
    expect(cli.err.join('\n')).toMatch(/usage: npm run -s bus:dead-letters/);
  });
});
