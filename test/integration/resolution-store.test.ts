import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys, ITEM_TYPES } from '../../functions/adapters/dynamodb/keys.js';
import { DynamoMutationWriter } from '../../functions/adapters/dynamodb/mutation-writer.js';
import { CLUSTER_PAGE_SIZE, DynamoResolutionStore } from '../../functions/adapters/dynamodb/resolution-repository.js';
import { ConflictError } from '../../functions/domain/errors.js';
import type { MutationRecord } from '../../functions/domain/ports.js';
import { boundEventIds } from '../../functions/domain/resolution/event-ids.js';
import { executeResolutionRun } from '../../functions/domain/resolution/runs.js';
import type { ResolutionDeps } from '../../functions/domain/resolution/store.js';
import type { Entity } from '../../schemas/entity.js';
import { MAX_EVENT_IDS } from '../../schemas/resolution.js';
import { ensureTable, startDynamoLocal, type LocalDynamo } from '../../local/dynamodb.js';

const TABLE = 'resolution-store-test';
const BIG = 9_500;
let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;
let store: DynamoResolutionStore;

beforeAll(async () => {
  dynamo = await startDynamoLocal(mkdtempSync(join(tmpdir(), 'modos-er-store-')), { inMemory: true });
  await ensureTable(dynamo.client, TABLE);
  doc = DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  store = new DynamoResolutionStore(
    doc,
    TABLE,
    new DynamoMutationWriter(doc, { tableName: TABLE, lanes: 4, outboxTtlDays: 1 }),
  );
});
afterAll(async () => dynamo?.stop());

const mutation = (events: MutationRecord['events'] = []): MutationRecord => ({
  audit: {
    action: 'entity.resolve.batch',
    actor: 'system:resolution',
    resourceType: 'entity-cluster',
    resourceId: 'c',
    at: '2026-01-01T00:00:00.000Z',
    requestId: 'r',
    beforeHash: null,
    afterHash: 'h',
  },
  events,
});
const partition = async (tenantId: string, clusterId: string) =>
  (
    await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.clusterPartition(tenantId, clusterId) },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

async function writeEntities(tenantId: string, entities: Entity[]) {
  const items = entities.map((e) => ({
    ...keys.entity(tenantId, e.id),
    ...keys.entityIndexes(tenantId, e.type, e.createdAt, e.id),
    entityType: ITEM_TYPES.entity,
    schemaVersion: 1,
    tenantId,
    ...e,
  }));
  const chunks: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let k = w; k < chunks.length; k += 8)
        await doc.send(
          new BatchWriteCommand({ RequestItems: { [TABLE]: chunks[k]!.map((Item) => ({ PutRequest: { Item } })) } }),
        );
    }),
  );
}

/** A pseudo-random pronounceable word per (salt, i): names that share no blocking key by accident. */
const word = (i: number, salt: number) => {
  const h = createHash('sha256').update(`${salt}:${i}`).digest();
  let w = '';
  for (let k = 0; k < 4; k++) w += 'bcdfghjklmnprstvz'[h[2 * k]! % 17]! + 'aeiou'[h[2 * k + 1]! % 5]!;
  return w[0]!.toUpperCase() + w.slice(1);
};
const aPerson = (j: number): Entity => ({
  id: randomUUID(),
  type: 'person',
  attributes: {
    firstName: word(j, 1),
    lastName: word(j, 2),
    email: `${word(j, 3).toLowerCase()}@example.com`,
    birthDate: `19${50 + (j % 50)}-${String(1 + (j % 12)).padStart(2, '0')}-${String(1 + (j % 28)).padStart(2, '0')}`,
  },
  version: 1,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

describe('cluster membership in member pages (DynamoDB Local)', () => {
  it(`round-trips a cluster of ${BIG} members, beyond what one 400 KB item holds, and rewrites only the pages a change touches`, async () => {
    const t = 'pages';
    const ids = Array.from({ length: BIG }, () => randomUUID());
    await store.applyChange(
      t,
      {
        clusters: [{ clusterId: 'big', type: 'person', members: ids, expectedVersion: 0 }],
        pointers: ids.map((entityId) => ({ entityId, clusterId: 'big', expectedClusterId: null })),
      },
      mutation([
        boundEventIds({
          name: 'entity.merged',
          payload: { type: 'person', clusterId: 'big', entityIds: ids, memberIds: ids, reason: 'batch', actor: 'x' },
        }),
      ]),
    );

    const read = await store.clusterOf(t, ids[4321]!);
    expect(read).toEqual({ clusterId: 'big', type: 'person', members: ids, version: 1 });
    const items = await partition(t, 'big');
    expect(items.filter((i) => i.SK === 'CLUSTER')).toHaveLength(1);
    expect(items.filter((i) => String(i.SK).startsWith('PAGE#'))).toHaveLength(Math.ceil(BIG / CLUSTER_PAGE_SIZE));
    expect(Math.max(...items.map((i) => JSON.stringify(i).length))).toBeLessThan(60_000);
    expect((await store.clusterOf(t, ids[BIG - 1]!))?.clusterId).toBe('big');

    // one more member: the head and the last page are written, the other pages keep their version
    const extra = randomUUID();
    await store.applyChange(
      t,
      {
        clusters: [{ clusterId: 'big', type: 'person', members: [...ids, extra], expectedVersion: 1 }],
        pointers: [{ entityId: extra, clusterId: 'big', expectedClusterId: null }],
      },
      mutation(),
    );
    const pages = (await partition(t, 'big')).filter((i) => String(i.SK).startsWith('PAGE#'));
    expect(pages.filter((p) => p.clusterVersion === 2).map((p) => p.page)).toEqual([
      Math.floor(BIG / CLUSTER_PAGE_SIZE),
    ]);
    expect((await store.clusterOf(t, extra))?.members).toHaveLength(BIG + 1);

    // a change read at an older version is refused, whatever page it touches
    await expect(
      store.applyChange(
        t,
        {
          clusters: [{ clusterId: 'big', type: 'person', members: ids.slice(1), expectedVersion: 1 }],
          pointers: [{ entityId: ids[0]!, clusterId: null, expectedClusterId: 'big' }],
        },
        mutation(),
      ),
    ).rejects.toBeInstanceOf(ConflictError);

    const listed = await store.listClusters(t, 'person');
    expect(listed.map((c) => [c.clusterId, c.members.length, c.version])).toEqual([['big', BIG + 1, 2]]);
  }, 60_000);

  it(`runs a batch over a stored cluster of ${BIG} members and writes its split through the transaction-limit path`, async () => {
    const t = 'batch';
    // 200 distinct people but for 30 pairs of twins, and records with nothing the matcher reads (they take the
    // engine no time, and keep the test fast): the batch breaks the stored cluster up
    const entities: Entity[] = Array.from({ length: BIG }, (_, i) =>
      i < 200 ? aPerson(i < 60 ? i - (i % 2) : i) : { ...aPerson(i), attributes: { notes: `n${i}` } },
    );
    await writeEntities(t, entities);
    const ids = entities.map((e) => e.id);
    await store.applyChange(
      t,
      {
        clusters: [{ clusterId: 'wrong', type: 'person', members: ids, expectedVersion: 0 }],
        pointers: ids.map((entityId) => ({ entityId, clusterId: 'wrong', expectedClusterId: null })),
      },
      mutation(),
    );
    let n = 0;
    const deps: ResolutionDeps = {
      store,
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      ids: { newId: () => `id-${++n}` },
    };
    await store.createRun(
      t,
      {
        id: 'run-1',
        type: 'person',
        status: 'QUEUED',
        requestedBy: 'u',
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
        progress: { phase: 'queued', entities: 0, changesWritten: 0, changesTotal: 0 },
      },
      mutation(),
    );

    const run = await executeResolutionRun(t, 'run-1', 'r', deps);

    expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
    expect(run.result).toMatchObject({ entities: BIG, clusters: 30, mergedEvents: 29, splitEvents: 1, conflicts: 0 });
    // one pair keeps the stored cluster's id (its largest overlap, ties by id); the others have new clusters
    for (let i = 0; i < 60; i += 2)
      expect((await store.clusterOf(t, ids[i]!))?.members.sort()).toEqual([ids[i]!, ids[i + 1]!].sort());
    for (const id of [ids[60]!, ids[5000]!, ids[BIG - 1]!]) expect(await store.clusterOf(t, id)).toBeUndefined();
    expect((await store.listClusters(t, 'person')).map((c) => c.members.length)).toEqual(new Array(30).fill(2));
    const outbox =
      (
        await doc.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': keys.outbox(t, 'x').PK },
          }),
        )
      ).Items ?? [];
    const split = outbox.map((o) => JSON.parse(String(o.detail))).find((d) => d.payload?.clusterId === 'wrong');
    expect(split.payload).toMatchObject({ reason: 'batch', entityCount: BIG - 2, resultingClusterCount: BIG - 30 });
    expect(split.payload.entityIds).toHaveLength(MAX_EVENT_IDS);
    expect(JSON.stringify(split).length).toBeLessThan(64 * 1024);
  }, 120_000);
});
