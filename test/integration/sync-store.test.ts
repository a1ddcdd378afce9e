/**
 * The DynamoDB sync store on DynamoDB Local: changed entities packed into transactions of many (each with its own
 * audit record in one hash-chained lane and its event), the fallback one by one when an entity lost a race, relation
 * items, the run lock and checkpoints.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditReader } from '../../functions/adapters/dynamodb/audit-reader.js';
import { entityItem } from '../../functions/adapters/dynamodb/entity-repository.js';
import { ITEM_TYPES, keys } from '../../functions/adapters/dynamodb/keys.js';
import { DynamoMutationWriter } from '../../functions/adapters/dynamodb/mutation-writer.js';
import { DynamoSyncStore } from '../../functions/adapters/dynamodb/sync-store.js';
import { DynamoResolutionStore } from '../../functions/adapters/dynamodb/resolution-repository.js';
import { verifyLane } from '../../functions/domain/audit/audit-chain.js';
import type { NormalisedRecord } from '../../functions/domain/connectors/ports.js';
import { emptyCounts } from '../../functions/domain/connectors/sync/runs.js';
import type { SyncRunRecord } from '../../functions/domain/connectors/sync/store.js';
import { planEntity, refsOfPage, type UpsertContext } from '../../functions/domain/connectors/sync/upsert.js';
import { ConflictError } from '../../functions/domain/errors.js';
import { ensureTable, startDynamoLocal, type LocalDynamo } from '../../local/dynamodb.js';

const TABLE = 'sync-store-test';
const T = 'tenant-sync';
const LANES = 2;
let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;
let store: DynamoSyncStore;

beforeAll(async () => {
  dynamo = await startDynamoLocal(mkdtempSync(join(tmpdir(), 'modos-sync-store-')), { inMemory: true });
  await ensureTable(dynamo.client, TABLE);
  doc = DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  store = new DynamoSyncStore(
    doc,
    TABLE,
    new DynamoMutationWriter(doc, { tableName: TABLE, lanes: LANES, outboxTtlDays: 1 }),
  );
});
afterAll(async () => dynamo?.stop());

const ctx = (runSeq = 1): UpsertContext => ({
  connectorId: 'c1',
  system: 'salesforce',
  object: 'Contact',
  runId: 'run-1',
  runSeq,
  passRestartSeq: 0,
  at: '2026-11-30T12:00:00.000Z',
  requestId: 'run-1',
  actor: 'u-admin',
});

const contact = (i: number, email = `p${i}@x.example`): NormalisedRecord => {
  const ref = { namespace: 'Contact', sourceId: `003${i}`, role: 'person' as const };
  return {
    sourceId: `003${i}`,
    modifiedAt: '2026-11-29T10:00:00.000Z',
    deleted: false,
    entities: [{ ref, type: 'person', attributes: { fullName: `Person ${i}`, email, source: 'salesforce' } }],
    relations: [{ kind: 'works-at', from: ref, to: { namespace: 'Account', sourceId: 'A1', role: 'organization' } }],
  };
};

async function plan(records: NormalisedRecord[], runSeq = 1) {
  const stored = await store.loadEntities(T, refsOfPage('c1', records));
  return records.map((r) => {
    const p = planEntity(r, r.entities[0]!, stored.get(refsOfPage('c1', [r])[0]!.entityId), ctx(runSeq));
    return { write: p.write!, mutation: p.mutation!, outcome: p.outcome };
  });
}

async function partition(pk: string) {
  const out = await doc.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  return out.Items ?? [];
}

describe('DynamoDB sync store', () => {
  it('writes 60 changed entities in transactions of many, each audited in a chain that verifies, each with its event', async () => {
    const batch = await plan(Array.from({ length: 60 }, (_, i) => contact(i)));
    expect(batch.every((b) => b.outcome === 'created')).toBe(true);

    expect(await store.writeEntities(T, batch)).toEqual({ conflicts: [] });

    const loaded = await store.loadEntities(
      T,
      refsOfPage(
        'c1',
        Array.from({ length: 60 }, (_, i) => contact(i)),
      ),
    );
    expect([...loaded.values()].filter((s) => s.entity && s.source)).toHaveLength(60);
    const outbox = await partition(`T#${T}#OUTBOX`);
    expect(outbox.filter((o) => o.detailType === 'entity.created')).toHaveLength(60);
    const reader = new DynamoAuditReader(doc, TABLE);
    let audited = 0;
    for (let lane = 0; lane < LANES; lane++) {
      const records = await reader.lane(T, lane);
      audited += records.length;
      expect(verifyLane(T, lane, records)).toBeUndefined();
    }
    expect(audited).toBe(60);
    const person = batch[0]!.write.entity.id;
    const org = batch[0]!.write.addRelations[0]!.to;
    expect((await partition(keys.entityPartition(T, person))).map((i) => i.SK)).toContain(`REL#OUT#works-at#${org}`);
    expect(
      (await partition(keys.entityPartition(T, org))).filter((i) => i.entityType === ITEM_TYPES.relation),
    ).toHaveLength(60);
  });

  it('commits the others and returns the entity that someone changed since it was read', async () => {
    const batch = await plan(
      [contact(0, 'new0@x.example'), contact(1, 'new1@x.example'), contact(2, 'new2@x.example')],
      2,
    );
    // An API patch of entity 1 between the read and the write.
    const raced = {
      ...batch[1]!.write.entity,
      version: batch[1]!.write.expectedVersion! + 1,
      attributes: { patched: true },
    };
    await doc.send(new PutCommand({ TableName: TABLE, Item: entityItem(T, raced) }));

    const result = await store.writeEntities(T, batch);

    expect(result.conflicts).toEqual([batch[1]!.write.entity.id]);
    const after = await store.loadEntities(T, refsOfPage('c1', [contact(0), contact(1), contact(2)]));
    expect(after.get(batch[0]!.write.entity.id)?.entity?.attributes.email).toBe('new0@x.example');
    expect(after.get(batch[2]!.write.entity.id)?.entity?.attributes.email).toBe('new2@x.example');
    expect(after.get(batch[1]!.write.entity.id)?.entity?.attributes).toEqual({ patched: true });
  });

  it('takes the connector lock with a run, refuses a second, checkpoints on the sequence, and releases at the end', async () => {
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...keys.connector(T, 'c1'), entityType: ITEM_TYPES.connector, activeRunId: null, version: 1 },
      }),
    );
    const run: SyncRunRecord = {
      runId: 'run-9',
      connectorId: 'c1',
      system: 'salesforce',
      status: 'queued',
      full: false,
      trigger: 'api',
      requestedBy: 'u',
      startedAt: '2026-11-30T12:00:00.000Z',
      updatedAt: '2026-11-30T12:00:00.000Z',
      finishedAt: null,
      counts: emptyCounts(),
      objects: [],
      progress: 0,
      gaps: [],
      error: null,
      seq: 1,
      passes: [],
      pageSize: 100,
    };
    const m = {
      audit: {
        action: 'connector.sync.start',
        actor: 'u',
        resourceType: 'connector',
        resourceId: 'c1',
        at: run.startedAt,
        requestId: 'r',
        beforeHash: null,
        afterHash: null,
      },
      events: [],
    };
    await store.beginRun(T, run, m);
    await expect(store.beginRun(T, { ...run, runId: 'run-10' }, m)).rejects.toBeInstanceOf(ConflictError);
    await store.saveRun(T, { ...run, seq: 2, status: 'running' }, 1);
    await expect(store.saveRun(T, { ...run, seq: 2 }, 1)).rejects.toBeInstanceOf(ConflictError);
    await store.finishRun(
      T,
      { ...run, seq: 3, status: 'succeeded' },
      2,
      [{ object: 'Contact', watermark: 'w', lastPassAt: 'p', lastFullPassAt: null }],
      m,
    );
    expect((await store.getRun(T, 'run-9'))?.status).toBe('succeeded');
    expect(await store.cursors(T, 'c1')).toEqual([
      { object: 'Contact', watermark: 'w', lastPassAt: 'p', lastFullPassAt: null },
    ]);
    const connector = (await partition(keys.connectorPartition(T, 'c1'))).find((i) => i.SK === 'CONNECTOR');
    expect(connector).toMatchObject({ activeRunId: null, lastRun: { runId: 'run-9', status: 'succeeded' } });
  });

  it('leaves a stale cluster pointer for a writer to heal when read by a read-only function (GetEntitySources)', async () => {
    const writer = new DynamoMutationWriter(doc, { tableName: TABLE, lanes: LANES, outboxTtlDays: 1 });
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          ...keys.clusterPointer(T, 'e-stale'),
          entityType: ITEM_TYPES.clusterPointer,
          entityId: 'e-stale',
          clusterId: 'gone',
        },
      }),
    );
    const pointerItems = async () => (await partition(keys.clusterPointer(T, 'e-stale').PK)).length;

    expect(
      await new DynamoResolutionStore(doc, TABLE, writer, { readOnly: true }).clusterOf(T, 'e-stale'),
    ).toBeUndefined();
    expect(await pointerItems()).toBe(1);
    expect(await new DynamoResolutionStore(doc, TABLE, writer).clusterOf(T, 'e-stale')).toBeUndefined();
    expect(await pointerItems()).toBe(0);
  });
});
