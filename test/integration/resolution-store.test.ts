import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys, ITEM_TYPES } from '../../functions/adapters/dynamodb/keys.js';
import { DynamoMutationWriter } from '../../functions/adapters/dynamodb/mutation-writer.js';
import { CLUSTER_PAGE_SIZE, DynamoResolutionStore } from '../../functions/adapters/dynamodb/resolution-repository.js';
import { ConflictError } from '../../functions/domain/errors.js';
import type { MutationRecord } from '../../functions/domain/ports.js';
import { boundEventIds } from '../../functions/domain/resolution/event-ids.js';
import { executeResolutionRun, planBatchChanges, writeBatchPlans } from '../../functions/domain/resolution/runs.js';
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
    // a new cluster larger than one transaction is grown in transactions that each carry their members' pointers
    expect(read).toMatchObject({ clusterId: 'big', type: 'person', members: ids });
    const v = read!.version;
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
        clusters: [{ clusterId: 'big', type: 'person', members: [...ids, extra], expectedVersion: v }],
        pointers: [{ entityId: extra, clusterId: 'big', expectedClusterId: null }],
      },
      mutation(),
    );
    const pages = (await partition(t, 'big')).filter((i) => String(i.SK).startsWith('PAGE#'));
    expect(pages.filter((p) => p.clusterVersion === v + 1).map((p) => p.page)).toEqual([
      Math.floor(BIG / CLUSTER_PAGE_SIZE),
    ]);
    expect((await store.clusterOf(t, extra))?.members).toHaveLength(BIG + 1);

    // a change read at an older version is refused, whatever page it touches
    await expect(
      store.applyChange(
        t,
        {
          clusters: [{ clusterId: 'big', type: 'person', members: ids.slice(1), expectedVersion: v }],
          pointers: [{ entityId: ids[0]!, clusterId: null, expectedClusterId: 'big' }],
        },
        mutation(),
      ),
    ).rejects.toBeInstanceOf(ConflictError);

    const listed = await store.listClusters(t, 'person');
    expect(listed.map((c) => [c.clusterId, c.members.length, c.version])).toEqual([['big', BIG + 1, v + 1]]);
  }, 60_000);

  it(`runs a batch over a stored cluster of ${BIG} members and writes its split in steps`, async () => {
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

  const queryAll = async (pk: string) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  };
  const pointerOf = async (tenantId: string, entityId: string) =>
    (
      await doc.send(
        new GetCommand({ TableName: TABLE, Key: keys.clusterPointer(tenantId, entityId), ConsistentRead: true }),
      )
    ).Item?.clusterId as string | undefined;
  /** Every stored cluster's members point at it, and no entity is in two clusters. */
  const expectConsistent = async (tenantId: string, entityIds: readonly string[]) => {
    const clusters = await store.listClusters(tenantId, 'person');
    const clusterOfMember = new Map<string, string>();
    for (const c of clusters)
      for (const m of c.members) {
        expect(clusterOfMember.has(m), `${m} in two clusters`).toBe(false);
        clusterOfMember.set(m, c.clusterId);
      }
    const pointers = await Promise.all(entityIds.map((id) => pointerOf(tenantId, id)));
    entityIds.forEach((id, k) => {
      expect(pointers[k], id).toBe(clusterOfMember.get(id));
    });
    return clusters;
  };
  const aRun = (id: string) => ({
    id,
    type: 'person' as const,
    status: 'QUEUED' as const,
    requestedBy: 'u',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    progress: { phase: 'queued' as const, entities: 0, changesWritten: 0, changesTotal: 0 },
  });

  it('runs a batch that splits one stored cluster of 400 into 200 clusters (more events than one transaction holds)', async () => {
    const t = 'split-400';
    // 200 pairs of twins, stored as one chained cluster
    const entities = Array.from({ length: 400 }, (_, i) => aPerson(1_000 + i - (i % 2)));
    await writeEntities(t, entities);
    const ids = entities.map((e) => e.id);
    await store.applyChange(
      t,
      {
        clusters: [{ clusterId: 'chain', type: 'person', members: ids, expectedVersion: 0 }],
        pointers: ids.map((entityId) => ({ entityId, clusterId: 'chain', expectedClusterId: null })),
      },
      mutation(),
    );
    let n = 0;
    const deps: ResolutionDeps = {
      store,
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      ids: { newId: () => `s-${++n}` },
    };
    await store.createRun(t, aRun('run-split'), mutation());
    const auditBefore = (await queryAll(keys.auditPartition(t))).length;

    const run = await executeResolutionRun(t, 'run-split', 'r', deps);

    expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
    expect(run.result).toMatchObject({ entities: 400, clusters: 200, mergedEvents: 199, splitEvents: 1, conflicts: 0 });
    const clusters = await expectConsistent(t, ids);
    expect(clusters.map((c) => c.members.length)).toEqual(new Array(200).fill(2));
    for (let i = 0; i < 400; i += 2)
      expect((await store.clusterOf(t, ids[i]!))?.members.sort()).toEqual([ids[i]!, ids[i + 1]!].sort());
    // audited in several transactions (one record each), with every event in the outbox
    const audits = (await queryAll(keys.auditPartition(t))).filter((a) => a.action === 'entity.resolve.batch');
    expect(audits.length + auditBefore).toBeGreaterThan(auditBefore + 2);
    const details = (await queryAll(keys.outbox(t, 'x').PK)).map((o) => JSON.parse(String(o.detail)));
    expect(details.filter((d) => d.payload?.reason === 'batch' && d.payload.resultingClusters)).toHaveLength(1);
    expect(details.filter((d) => d.payload?.reason === 'batch' && d.payload.memberIds)).toHaveLength(199);
  }, 60_000);

  it('merges 150 stored clusters into one, rewriting more than 95 pages of existing clusters, in steps', async () => {
    const t = 'merge-150';
    const stored = Array.from({ length: 150 }, (_, k) => ({
      clusterId: `c${String(k).padStart(3, '0')}`,
      members: [randomUUID(), randomUUID(), randomUUID()],
    }));
    for (const c of stored)
      await store.applyChange(
        t,
        {
          clusters: [{ clusterId: c.clusterId, type: 'person', members: c.members, expectedVersion: 0 }],
          pointers: c.members.map((entityId) => ({ entityId, clusterId: c.clusterId, expectedClusterId: null })),
        },
        mutation(),
      );
    const all = stored.flatMap((c) => c.members);
    const deps: ResolutionDeps = {
      store,
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      ids: { newId: () => randomUUID() },
    };
    const plans = planBatchChanges('person', await store.listClusters(t, 'person'), [all], [], 'run-m', deps);
    expect(plans).toHaveLength(1);

    const out = await writeBatchPlans(t, plans, 'r', deps);

    expect(out.conflicts).toBe(0);
    expect(out.transactions).toBeGreaterThan(5);
    const clusters = await expectConsistent(t, all);
    expect(clusters.map((c) => [c.clusterId, c.members.length])).toEqual([['c000', 450]]);
    // a second run finds nothing to write
    expect(planBatchChanges('person', await store.listClusters(t, 'person'), [all], [], 'run-n', deps)).toEqual([]);
  }, 60_000);

  it('heals a stale pointer: the entity reads as alone and can be linked', async () => {
    const t = 'stale';
    const [a, b, x] = [randomUUID(), randomUUID(), randomUUID()];
    await store.applyChange(
      t,
      {
        clusters: [{ clusterId: 'c1', type: 'person', members: [a, b], expectedVersion: 0 }],
        pointers: [a, b].map((entityId) => ({ entityId, clusterId: 'c1', expectedClusterId: null })),
      },
      mutation(),
    );
    // a pointer left by a leave whose delete never landed (the writer crashed): c1 does not list x
    const stale = {
      ...keys.clusterPointer(t, x),
      entityType: ITEM_TYPES.clusterPointer,
      tenantId: t,
      entityId: x,
      clusterId: 'c1',
    };
    await doc.send(new PutCommand({ TableName: TABLE, Item: stale }));
    // a link that reads x as alone is not refused for ever
    await store.applyChange(
      t,
      {
        clusters: [{ clusterId: 'c1', type: 'person', members: [a, b, x], expectedVersion: 1 }],
        pointers: [{ entityId: x, clusterId: 'c1', expectedClusterId: null }],
      },
      mutation(),
    );
    expect((await store.clusterOf(t, x))?.members).toEqual([a, b, x]);
    // and a read heals it too
    const y = randomUUID();
    await doc.send(new PutCommand({ TableName: TABLE, Item: { ...stale, ...keys.clusterPointer(t, y), entityId: y } }));
    expect(await store.clusterOf(t, y)).toBeUndefined();
    expect(await pointerOf(t, y)).toBeUndefined();
  }, 30_000);
});
