import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { makeHandler } from '../../functions/handlers/outbox-publisher.js';
import { entrySize } from '../../functions/adapters/eventbridge/outbox-publisher.js';

const client = new EventBridgeClient({ region: 'us-east-1' });
const eb = mockClient(client);
const handler = makeHandler(
  () => client,
  () => 'bus-1',
);

const outboxRecord = (n: number, entityType = 'OutboxEvent', eventName: 'INSERT' | 'MODIFY' = 'INSERT') => ({
  eventName,
  dynamodb: {
    SequenceNumber: String(100 + n),
    NewImage: marshall({
      PK: 'T#a#OUTBOX',
      SK: `e${n}`,
      entityType,
      source: 'modos.entities',
      detailType: 'entity.created',
      detail: JSON.stringify({ n }),
    }),
  },
});

const streamEvent = (records: unknown[]) => ({ Records: records }) as unknown as DynamoDBStreamEvent;

describe('outbox publisher', () => {
  beforeEach(() => eb.reset());

  it('publishes inserted outbox items in PutEvents batches of at most 10', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map(() => ({ EventId: 'x' })),
    }));

    const out = await handler(streamEvent(Array.from({ length: 23 }, (_, i) => outboxRecord(i))));

    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls[0]!.args[0].input.Entries![0]).toEqual({
      EventBusName: 'bus-1',
      Source: 'modos.entities',
      DetailType: 'entity.created',
      Detail: '{"n":0}',
    });
    expect(out.batchItemFailures).toEqual([]);
  });

  it('splits a batch so that no PutEvents call carries more than 256 KB', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map(() => ({ EventId: 'x' })),
    }));
    const big = (n: number) => ({
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: String(200 + n),
        NewImage: marshall({
          PK: 'T#a#OUTBOX',
          SK: `b${n}`,
          entityType: 'OutboxEvent',
          source: 'modos.entities',
          detailType: 'entity.created',
          detail: JSON.stringify({ blob: 'x'.repeat(100_000) }),
        }),
      },
    });

    await handler(streamEvent([big(1), big(2), big(3), big(4), big(5)]));

    const sizes = eb
      .commandCalls(PutEventsCommand)
      .map((c) => c.args[0].input.Entries!.reduce((n, e) => n + entrySize(e), 0));
    expect(sizes.length).toBe(3);
    for (const s of sizes) expect(s).toBeLessThanOrEqual(256 * 1024);
  });

  it('ignores modified items and items that are not outbox events', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });

    await handler(streamEvent([outboxRecord(1, 'Entity'), outboxRecord(2, 'OutboxEvent', 'MODIFY'), outboxRecord(3)]));

    const entries = eb.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries!);
    expect(entries.map((e) => e.Detail)).toEqual(['{"n":3}']);
  });

  it('reports the records whose entries failed so the stream retries them', async () => {
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }],
    });

    const out = await handler(streamEvent([outboxRecord(1), outboxRecord(2)]));

    expect(out.batchItemFailures).toEqual([{ itemIdentifier: '102' }]);
  });

  it('reports the whole batch when the bus call itself fails', async () => {
    eb.on(PutEventsCommand).rejects(new Error('network'));

    const out = await handler(streamEvent([outboxRecord(1), outboxRecord(2)]));

    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['101', '102']);
  });
});
