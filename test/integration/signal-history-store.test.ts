/**
 * The signal history on DynamoDB Local: one item per event in its UTC day's partition (TTL 31 days after its time),
 * the first copy of an id kept, and reads of [from, to] across day partitions and DynamoDB's pages, newest first
 * until a bound, which then drop the instant at which they stopped.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { DynamoSignalHistory } from '../../functions/adapters/dynamodb/signal-history.js';
import type { HistoryEntry } from '../../functions/domain/signals/use-cases/ports.js';
import { ensureTable, startDynamoLocal, type LocalDynamo } from '../../local/dynamodb.js';

const TABLE = 'signal-history-test';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOV30 = Date.parse('2026-11-30T00:00:00.000Z');
const UNBOUNDED = { maxEvents: 50_000, maxBytes: 1 << 30 };
let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;
let history: DynamoSignalHistory;

beforeAll(async () => {
  dynamo = await startDynamoLocal(mkdtempSync(join(tmpdir(), 'modos-signal-history-')), { inMemory: true });
  await ensureTable(dynamo.client, TABLE);
  doc = DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  history = new DynamoSignalHistory(doc, TABLE);
});
afterAll(async () => dynamo?.stop());

const anEntry = (id: string, time: number, extra: Record<string, unknown> = {}, trimmed = false): HistoryEntry => ({
  event: {
    id,
    time,
    event: {
      source: 'modos.entities',
      'detail-type': 'entity.updated',
      detail: { entityId: `deal-${id}`, activity: 'entity.updated', payload: { entity: { attributes: extra } } },
    },
  },
  trimmed,
});

describe('the signal history in the table', () => {
  it('stores an event in its UTC day partition, with its JSON and a TTL 31 days after its time', async () => {
    const t = NOV30 - 1;
    await history.record('h-a', [anEntry('e1', t, { stage: 'won', amount: 0.1 })]);
    const { Item } = await doc.send(
      new GetCommand({
        TableName: TABLE,
        Key: keys.signalHistoryEvent('h-a', '2026-11-29', new Date(t).toISOString(), 'e1'),
      }),
    );
    expect(Item).toMatchObject({
      PK: 'T#h-a#SIGHIST#2026-11-29',
      SK: '2026-11-29T23:59:59.999Z#e1',
      entityType: 'SignalHistoryEvent',
      schemaVersion: 1,
      eventId: 'e1',
      time: t,
      trimmed: false,
      expiresAt: Math.ceil((t + 31 * DAY) / 1000),
    });
    expect(JSON.parse(Item!.event as string)).toEqual(anEntry('e1', t, { stage: 'won', amount: 0.1 }).event.event);
  });

  it('keeps the first copy of an event id', async () => {
    await history.record('h-b', [anEntry('e1', NOV30, { copy: 1 })]);
    await history.record('h-b', [anEntry('e1', NOV30, { copy: 2 }), anEntry('e2', NOV30 + 1)]);
    const read = await history.read('h-b', { from: NOV30 - DAY, to: NOV30 + DAY, ...UNBOUNDED });
    expect(read.events.map((e) => [e.id, (e.event.detail as any).payload.entity.attributes.copy])).toEqual([
      ['e1', 1],
      ['e2', undefined],
    ]);
  });

  it("reads [from, to] across day partitions in time order, the tenant's only, counting trimmed events", async () => {
    await history.record('h-c', [
      anEntry('before', NOV30 - 3 * DAY - 1),
      anEntry('d1', NOV30 - 3 * DAY),
      anEntry('d2', NOV30 - 2 * DAY + HOUR, {}, true),
      anEntry('d3b', NOV30 + HOUR),
      anEntry('d3a', NOV30 + HOUR),
      anEntry('at-to', NOV30 + 2 * HOUR),
      anEntry('after', NOV30 + 2 * HOUR + 1),
    ]);
    await history.record('h-other', [anEntry('x', NOV30 + HOUR)]);
    const read = await history.read('h-c', { from: NOV30 - 3 * DAY, to: NOV30 + 2 * HOUR, ...UNBOUNDED });
    expect(read.events.map((e) => e.id)).toEqual(['d1', 'd2', 'd3a', 'd3b', 'at-to']);
    expect(read).toMatchObject({ trimmed: 1, truncated: false, from: NOV30 - 3 * DAY });
  });

  it('stops at its event bound: the newest kept, the split instant dropped, from after it', async () => {
    await history.record('h-d', [
      anEntry('a', NOV30 + 1 * HOUR),
      anEntry('b1', NOV30 + 2 * HOUR),
      anEntry('b2', NOV30 + 2 * HOUR),
      anEntry('c', NOV30 + 3 * HOUR),
      anEntry('d', NOV30 + 4 * HOUR),
    ]);
    const query = { from: NOV30, to: NOV30 + DAY, maxBytes: 1 << 30 };
    expect(await history.read('h-d', { ...query, maxEvents: 3 })).toMatchObject({
      truncated: true,
      from: NOV30 + 2 * HOUR + 1,
      events: [{ id: 'c' }, { id: 'd' }],
    });
    // Exactly as many as there are: nothing left out.
    const all = await history.read('h-d', { ...query, maxEvents: 5 });
    expect(all).toMatchObject({ truncated: false, from: NOV30 });
    expect(all.events).toHaveLength(5);
  });

  it('follows DynamoDB pages and stops at its byte bound', async () => {
    // 90 events of about 14 KB: more than one 1 MB page.
    const notes = 'n'.repeat(14_000);
    const entries = Array.from({ length: 90 }, (_, i) =>
      anEntry(`p${String(i).padStart(2, '0')}`, NOV30 + i * 1000, { notes }),
    );
    await history.record('h-e', entries);
    const all = await history.read('h-e', { from: NOV30, to: NOV30 + DAY, ...UNBOUNDED });
    expect(all.events.map((e) => e.id)).toEqual(entries.map((e) => e.event.id));
    const size = JSON.stringify(entries[0]!.event.event).length;
    const bounded = await history.read('h-e', {
      from: NOV30,
      to: NOV30 + DAY,
      maxEvents: 50_000,
      maxBytes: size * 10 + 5,
    });
    expect(bounded).toMatchObject({ truncated: true, from: NOV30 + 79 * 1000 + 1 });
    expect(bounded.events.map((e) => e.id)).toEqual(entries.slice(80).map((e) => e.event.id));
  });
});
