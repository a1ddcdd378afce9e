import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TARGET_RETRY } from '../../functions/platform/manifest.js';
import { readJsonLines } from '../../local/durable-files.js';
import type { BusEvent } from '../../local/event-bus-state.js';
import { retryDelayMs } from '../../local/event-deliveries.js';
import { journalSnapshot, pendingDeliveries, type JournalRecord } from '../../local/event-journal.js';

const anEvent = (): BusEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'entity.created',
  source: 'modos.entities',
  account: '000000000000',
  time: '2025-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventId: randomUUID() },
});

const fn = { kind: 'function', function: 'ResolveEntity' } as const;

/** Two events, three deliveries: one delivered after a failure, one failed twice and pending, one never attempted. */
function aHistory(): JournalRecord[] {
  const [e1, e2] = [anEvent(), anEvent()];
  return [
    {
      type: 'accepted',
      at: 1000,
      event: e1,
      deliveries: [
        { id: 'a', rule: 'Log', target: { kind: 'log' } },
        { id: 'b', rule: 'Resolve', target: fn },
      ],
    },
    { type: 'delivered', id: 'a', at: 1001, attempt: 1 },
    {
      type: 'failed',
      id: 'b',
      at: 1010,
      attempt: 1,
      firstAttemptAt: 1005,
      lastAttemptAt: 1005,
      error: { name: 'TransientError', message: 'x' },
      nextAt: 2000,
    },
    { type: 'accepted', at: 1500, event: e2, deliveries: [{ id: 'c', rule: 'Resolve', target: fn, redriveOf: 'old' }] },
    {
      type: 'failed',
      id: 'b',
      at: 2010,
      attempt: 2,
      firstAttemptAt: 1005,
      lastAttemptAt: 2001,
      error: { name: 'TransientError', message: 'y' },
      nextAt: 4000,
    },
  ];
}

describe('event journal replay', () => {
  it('keeps what is neither delivered nor dead-lettered, with its attempt state', () => {
    const pending = pendingDeliveries(aHistory());
    expect([...pending.keys()]).toEqual(['b', 'c']);
    expect(pending.get('b')).toMatchObject({
      rule: 'Resolve',
      acceptedAt: 1000,
      attempts: 2,
      firstAttemptAt: 1005,
      lastAttemptAt: 2001,
      nextAt: 4000,
      lastError: { message: 'y' },
    });
    expect(pending.get('c')).toMatchObject({ attempts: 0, nextAt: 1500, redriveOf: 'old' });
  });

  it('changes nothing when a record is seen again, so a compaction may run between any two appends', () => {
    const history = aHistory();
    const once = pendingDeliveries(history);
    // A snapshot, then every record again (a compaction followed by records queued before it).
    const twice = pendingDeliveries([...journalSnapshot(once.values()), ...history]);
    expect(twice).toEqual(once);
    expect(pendingDeliveries([...history, ...history])).toEqual(once);
  });

  it('never revives a settled delivery whose accepted record comes again', () => {
    const history = aHistory();
    expect(pendingDeliveries([...history, history[0]!]).has('a')).toBe(false);
  });

  it('rebuilds exactly the pending deliveries from a snapshot', () => {
    const pending = pendingDeliveries(aHistory());
    expect(pendingDeliveries(journalSnapshot(pending.values()))).toEqual(pending);
  });
});

describe('retry delay', () => {
  const backoff = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles from the base, between half and all of the step', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, backoff, () => 0))).toEqual([500, 1_000, 2_000]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, backoff, () => 1))).toEqual([1_000, 2_000, 4_000]);
  });

  it('is capped at maxMs however many attempts failed', () => {
    expect(retryDelayMs(7, backoff, () => 1)).toBe(60_000);
    expect(retryDelayMs(185, backoff, () => 1)).toBe(60_000);
    expect(retryDelayMs(185, backoff, () => 0)).toBe(30_000);
  });

  it('with the manifest policy, 185 retries take hours, within the 24-hour maximum event age', () => {
    const { localBackoff, retryPolicy } = EVENT_TARGET_RETRY;
    const total = (random: () => number) =>
      Array.from({ length: retryPolicy.maximumRetryAttempts }, (_, i) =>
        retryDelayMs(i + 1, localBackoff, random),
      ).reduce((a, b) => a + b);
    expect(total(() => 0) / 3_600_000).toBeGreaterThan(1);
    expect(total(() => 1)).toBeLessThan(retryPolicy.maximumEventAgeSeconds * 1000);
  });
});

describe('JSON lines reading', () => {
  it('drops a last line cut short by a crash, and keeps the complete ones', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jsonl-')), 'x.jsonl');
    writeFileSync(file, '{"a":1}\n{"a":2}\n{"a":');
    expect(readJsonLines(file)).toEqual([{ a: 1 }, { a: 2 }]);
    writeFileSync(file, '{"a":1}\n');
    expect(readJsonLines(file)).toEqual([{ a: 1 }]);
  });
});
