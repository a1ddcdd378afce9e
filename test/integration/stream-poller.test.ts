import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { ensureTable, startDynamoLocal, type LocalDynamo } from '../../local/dynamodb.js';
import { LocalStreamPoller } from '../../local/stream-poller.js';
import { eventually } from '../support/local-platform.js';

let dynamo: LocalDynamo;
const dir = mkdtempSync(join(tmpdir(), 'modos-poller-'));

beforeAll(async () => {
  dynamo = await startDynamoLocal(join(dir, 'db'), { inMemory: true });
  await ensureTable(dynamo.client, 'poller-test');
});
afterAll(async () => dynamo?.stop());

const put = (sk: string) =>
  dynamo.client.send(
    new PutItemCommand({
      TableName: 'poller-test',
      Item: { PK: { S: 'T#t#OUTBOX' }, SK: { S: sk }, entityType: { S: 'OutboxEvent' } },
    }),
  );

describe('local stream poller (the Lambda event source mapping of the local runtime)', () => {
  it('retries a failing record a bounded number of times, then sends it to the on-failure file and moves on', async () => {
    const seen: string[] = [];
    const onFailureFile = join(dir, 'on-failure.jsonl');
    const poller = new LocalStreamPoller(
      dynamo.client,
      dynamo.endpoint,
      'poller-test',
      async (event: DynamoDBStreamEvent) => {
        const failures = [];
        for (const r of event.Records) {
          const sk = r.dynamodb!.NewImage!.SK!.S!;
          seen.push(sk);
          if (sk === 'poison') failures.push({ itemIdentifier: r.dynamodb!.SequenceNumber! });
        }
        return { batchItemFailures: failures.slice(0, 1) };
      },
      join(dir, 'checkpoint.json'),
      { intervalMs: 10, retryAttempts: 3, onFailureFile, filter: { eventName: ['INSERT'] } },
    );
    await put('first');
    await put('poison');
    await put('after');
    await poller.start();
    await eventually(() => existsSync(onFailureFile), 15_000);
    // After the poison record is set aside, the records behind it are delivered once more and then done.
    await eventually(() => seen.lastIndexOf('after') > seen.lastIndexOf('poison'), 5_000);
    await new Promise((r) => setTimeout(r, 200));
    await poller.stop();

    expect(seen.filter((s) => s === 'poison')).toHaveLength(4);
    expect(seen.filter((s) => s === 'first')).toHaveLength(1);
    expect(existsSync(onFailureFile)).toBe(true);
    const failed = readFileSync(onFailureFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ attempts: 4 });
  });
});
