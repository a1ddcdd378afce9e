import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { SyncRun } from '../../../schemas/connectors.js';
import { ConflictError } from '../../domain/errors.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import type {
  EntityWrite,
  ObjectCursor,
  SourceRecordState,
  StoredEntityState,
  SyncRunRecord,
  SyncStore,
} from '../../domain/connectors/sync/store.js';
import { entityFromItem, entityItem } from './entity-repository.js';
import { translateDynamoError } from './errors.js';
import { indexPage } from './index-page.js';
import { ITEM_TYPES, keys } from './keys.js';
import { DynamoMutationWriter, type ItemWrite } from './mutation-writer.js';
import { SourceRecordItem } from './sync-items.js';

const ObjectPassSchema = z.object({
  object: z.string(),
  position: z.string().nullable(),
  maxModifiedAt: z.string().nullable(),
  phase: z.enum(['pages', 'deletions', 'done']),
  deletionPosition: z.string().nullable(),
  deletionsSince: z.string().nullable(),
  pageNo: z.number().int(),
  read: z.number().int(),
  forceFullNext: z.boolean().optional(),
  restarts: z.number().int().optional(),
  failedAttempts: z.number().int().optional(),
  restartSeq: z.number().int().optional(),
});

/** A run item's `run` attribute (the whole record as JSON), validated on read. */
const SyncRunRecordSchema = SyncRun.extend({
  seq: z.number().int(),
  passes: z.array(ObjectPassSchema),
  pageSize: z.number().int(),
  waitUntil: z.string().nullable().optional(),
});

const CursorItem = z.object({
  object: z.string(),
  watermark: z.string().nullable(),
  lastFullPassAt: z.string().nullable(),
  lastPassAt: z.string().nullable(),
});

/** Relation items (two per relation) written inside an entity's transaction; see writeEntity. */
export const RELATION_ITEMS_IN_TRANSACTION = 90;

/** DynamoDB's limit on the items of one transaction. */
const MAX_TRANSACTION_ITEMS = 100;
/**
 * Entities one transaction carries at most: fewer round trips than one each, while a transaction that fails a
 * condition (a rare race with an API patch) costs only this many retried one by one.
 */
export const MAX_ENTITIES_PER_TRANSACTION = 25;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sync runs, cursors, and the entities a sync writes with their source records and relations (keys.ts). A changed
 * entity is one transaction (entity + source record + relation items + audit + outbox) through the mutation writer.
 */
export class DynamoSyncStore implements SyncStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private runPut(tenantId: string, run: SyncRunRecord, condition: 'new' | number): ItemWrite {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.syncRun(tenantId, run.runId),
          ...keys.syncRunIndex(tenantId, run.connectorId, run.startedAt, run.runId),
          entityType: ITEM_TYPES.syncRun,
          schemaVersion: 1,
          tenantId,
          seq: run.seq,
          status: run.status,
          run: JSON.stringify(run),
        },
        ...(condition === 'new'
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: '#seq = :seq',
              ExpressionAttributeNames: { '#seq': 'seq' },
              ExpressionAttributeValues: { ':seq': condition },
            }),
      },
    };
  }

  private fromRunItem(item: Record<string, unknown>): SyncRunRecord {
    return SyncRunRecordSchema.parse(JSON.parse(String(item.run))) as SyncRunRecord;
  }

  async beginRun(tenantId: string, run: SyncRunRecord, mutation: MutationRecord, takeOverFrom?: string): Promise<void> {
    const lock: ItemWrite = {
      Update: {
        TableName: this.tableName,
        Key: keys.connector(tenantId, run.connectorId),
        UpdateExpression: 'SET #active = :run',
        // The connector exists and no run holds it (or the one that holds it is the stale run being taken over).
        ConditionExpression: takeOverFrom
          ? 'attribute_exists(PK) AND #active = :stale'
          : 'attribute_exists(PK) AND (attribute_not_exists(#active) OR #active = :none)',
        ExpressionAttributeNames: { '#active': 'activeRunId' },
        ExpressionAttributeValues: {
          ':run': run.runId,
          ...(takeOverFrom ? { ':stale': takeOverFrom } : { ':none': null }),
        },
      },
    };
    try {
      await this.writer.commit(tenantId, [this.runPut(tenantId, run, 'new'), lock], mutation);
    } catch (error) {
      if (error instanceof ConflictError) {
        throw new ConflictError(`a sync of connector ${run.connectorId} is running, or the connector is gone`, {
          cause: error,
          details: [{ field: 'id', message: 'the connector is being synced' }],
        });
      }
      throw error;
    }
  }

  async getRun(tenantId: string, runId: string): Promise<SyncRunRecord | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.syncRun(tenantId, runId), ConsistentRead: true }),
      );
      return out.Item ? this.fromRunItem(out.Item) : undefined;
    } catch (error) {
      translateDynamoError(error, 'get sync run');
    }
  }

  async listRuns(
    tenantId: string,
    connectorId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<SyncRunRecord>> {
    const partition = keys.syncRunsPartition(tenantId, connectorId);
    const page = await indexPage(this.client, this.tableName, 'GSI1', partition, query, 'list sync runs');
    return { items: page.items.map((i) => this.fromRunItem(i)), nextCursor: page.nextCursor };
  }

  async saveRun(tenantId: string, run: SyncRunRecord, expectedSeq: number): Promise<void> {
    const put = this.runPut(tenantId, run, expectedSeq).Put!;
    await this.writer.put(put as Parameters<DynamoMutationWriter['put']>[0], 'checkpoint sync run');
  }

  async finishRun(
    tenantId: string,
    run: SyncRunRecord,
    expectedSeq: number,
    cursors: ObjectCursor[],
    mutation: MutationRecord,
  ): Promise<void> {
    const release: ItemWrite = {
      Update: {
        TableName: this.tableName,
        Key: keys.connector(tenantId, run.connectorId),
        UpdateExpression: 'SET #active = :none, #last = :last',
        ConditionExpression: 'attribute_exists(PK) AND #active = :run',
        ExpressionAttributeNames: { '#active': 'activeRunId', '#last': 'lastRun' },
        ExpressionAttributeValues: {
          ':none': null,
          ':run': run.runId,
          ':last': { runId: run.runId, status: run.status, finishedAt: run.finishedAt },
        },
      },
    };
    const cursorPuts: ItemWrite[] = cursors.map((c) => ({
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.connectorCursor(tenantId, run.connectorId, c.object),
          entityType: ITEM_TYPES.connectorCursor,
          schemaVersion: 1,
          ...c,
        },
      },
    }));
    try {
      await this.writer.commit(tenantId, [this.runPut(tenantId, run, expectedSeq), release, ...cursorPuts], mutation);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // The connector was deleted or its lock taken over (a stale run): finish the run alone.
      await this.writer.commit(tenantId, [this.runPut(tenantId, run, expectedSeq)], mutation);
    }
  }

  async cursors(tenantId: string, connectorId: string): Promise<ObjectCursor[]> {
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
          ExpressionAttributeValues: { ':pk': keys.connectorPartition(tenantId, connectorId), ':sk': 'CURSOR#' },
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map((i) => CursorItem.parse(i));
    } catch (error) {
      translateDynamoError(error, 'read connector cursors');
    }
  }

  async loadEntities(
    tenantId: string,
    refs: { entityId: string; connectorId: string; namespace: string; sourceId: string }[],
  ): Promise<Map<string, StoredEntityState>> {
    const wanted = new Map<string, Record<string, string>>();
    for (const r of refs) {
      const entityKey = keys.entity(tenantId, r.entityId);
      const sourceKey = keys.sourceRecord(tenantId, r.entityId, r.connectorId, r.namespace, r.sourceId);
      wanted.set(`${entityKey.PK}|${entityKey.SK}`, entityKey);
      wanted.set(`${sourceKey.PK}|${sourceKey.SK}`, sourceKey);
    }
    const found: Record<string, unknown>[] = [];
    const all = [...wanted.values()];
    for (let i = 0; i < all.length; i += 100) {
      let requested: Record<string, unknown>[] = all.slice(i, i + 100);
      for (let attempt = 0; requested.length > 0; attempt++) {
        try {
          const res = await this.client.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: requested, ConsistentRead: true } } }),
          );
          found.push(...(res.Responses?.[this.tableName] ?? []));
          requested = (res.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        } catch (error) {
          translateDynamoError(error, 'load synced entities');
        }
        if (requested.length > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      }
    }
    const states = new Map<string, StoredEntityState>();
    for (const item of found) {
      if (item.entityType === ITEM_TYPES.entity) {
        const entity = entityFromItem(item);
        states.set(entity.id, { ...states.get(entity.id), entity });
      } else if (item.entityType === ITEM_TYPES.sourceRecord) {
        const source = sourceFromItem(item);
        states.set(source.entityId, { ...states.get(source.entityId), source });
      }
    }
    return states;
  }

  async writeEntity(tenantId: string, write: EntityWrite, mutation: MutationRecord): Promise<void> {
    const { inTransaction, after } = this.entityItems(tenantId, write);
    await this.writer.commit(tenantId, inTransaction, mutation);
    await this.writeAfter(after);
  }

  async writeEntities(
    tenantId: string,
    batch: readonly { write: EntityWrite; mutation: MutationRecord }[],
  ): Promise<{ conflicts: string[] }> {
    const prepared = batch.map((b) => ({ ...b, ...this.entityItems(tenantId, b.write) }));
    // Transactions of as many entities as fit in MAX_TRANSACTION_ITEMS (their items, audit records, events, the head).
    const chunks: (typeof prepared)[] = [];
    let chunk: typeof prepared = [];
    let size = 1;
    for (const p of prepared) {
      const cost = p.inTransaction.length + DynamoMutationWriter.chainItemsOf(p.mutation);
      if (chunk.length > 0 && (size + cost > MAX_TRANSACTION_ITEMS || chunk.length >= MAX_ENTITIES_PER_TRANSACTION)) {
        chunks.push(chunk);
        chunk = [];
        size = 1;
      }
      chunk.push(p);
      size += cost;
    }
    if (chunk.length > 0) chunks.push(chunk);
    const conflicts: string[] = [];
    for (const group of chunks) {
      try {
        await this.writer.commitMany(
          tenantId,
          group.map((g) => ({ writes: g.inTransaction, mutation: g.mutation })),
        );
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // Some entity of the transaction lost a race: commit them one by one to find which.
        for (const g of group) {
          try {
            await this.writer.commit(tenantId, g.inTransaction, g.mutation);
          } catch (single) {
            if (!(single instanceof ConflictError)) throw single;
            conflicts.push(g.write.entity.id);
            continue;
          }
          await this.writeAfter(g.after);
        }
        continue;
      }
      for (const g of group) await this.writeAfter(g.after);
    }
    return { conflicts };
  }

  private async writeAfter(after: readonly ItemWrite[]): Promise<void> {
    for (const rest of after) {
      if (rest.Put) await this.writer.put(rest.Put as Parameters<DynamoMutationWriter['put']>[0], 'write relation');
      else await this.writer.delete(rest.Delete as Parameters<DynamoMutationWriter['delete']>[0], 'delete relation');
    }
  }

  /** A changed entity's items: those of its transaction, and relation items beyond what one transaction holds. */
  private entityItems(tenantId: string, write: EntityWrite): { inTransaction: ItemWrite[]; after: ItemWrite[] } {
    const { entity, source } = write;
    const at = source.syncedAt;
    const entityPut: ItemWrite = {
      Put: {
        TableName: this.tableName,
        Item: entityItem(tenantId, entity),
        ...(write.expectedVersion === null
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': write.expectedVersion },
            }),
      },
    };
    const sourcePut: ItemWrite = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.sourceRecord(tenantId, entity.id, source.connectorId, source.namespace, source.sourceId),
          ...keys.sourceRecordIndex(tenantId, source.connectorId, source.namespace, source.sourceId, source.role),
          entityType: ITEM_TYPES.sourceRecord,
          schemaVersion: 1,
          tenantId,
          ...source,
        },
        ...(write.expectedSourceHash === null
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: '#h = :h',
              ExpressionAttributeNames: { '#h': 'contentHash' },
              ExpressionAttributeValues: { ':h': write.expectedSourceHash },
            }),
      },
    };
    const relationWrites: ItemWrite[] = [];
    for (const r of write.addRelations) {
      const base = { entityType: ITEM_TYPES.relation, schemaVersion: 1, kind: r.kind, connectorId: source.connectorId };
      relationWrites.push(
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.relationOut(tenantId, r.from, r.kind, r.to),
              ...base,
              direction: 'out',
              entityId: r.from,
              otherId: r.to,
              syncedAt: at,
            },
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.relationIn(tenantId, r.to, r.kind, r.from),
              ...base,
              direction: 'in',
              entityId: r.to,
              otherId: r.from,
              syncedAt: at,
            },
          },
        },
      );
    }
    for (const r of write.removeRelations) {
      relationWrites.push(
        { Delete: { TableName: this.tableName, Key: keys.relationOut(tenantId, r.from, r.kind, r.to) } },
        { Delete: { TableName: this.tableName, Key: keys.relationIn(tenantId, r.to, r.kind, r.from) } },
      );
    }
    // One transaction holds 100 items: the entity, its source record, the audit record, its event and the chain head
    // leave room for RELATION_ITEMS_IN_TRANSACTION relation items; a record stating more relations (a deal with
    // dozens of contacts) has the rest written right after, each an idempotent put or delete.
    return {
      inTransaction: [entityPut, sourcePut, ...relationWrites.slice(0, RELATION_ITEMS_IN_TRANSACTION)],
      after: relationWrites.slice(RELATION_ITEMS_IN_TRANSACTION),
    };
  }

  async *sourceRecords(tenantId: string, connectorId: string, namespace: string): AsyncIterable<SourceRecordState> {
    let startKey: Record<string, unknown> | undefined;
    do {
      let out: QueryCommandOutput;
      try {
        out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'GSI1',
            KeyConditionExpression: 'GSI1PK = :pk',
            ExpressionAttributeValues: { ':pk': keys.sourceRecordsOfConnector(tenantId, connectorId, namespace) },
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        translateDynamoError(error, 'list source records');
      }
      for (const item of out.Items ?? []) yield sourceFromItem(item);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
}

function sourceFromItem(item: Record<string, unknown>): SourceRecordState {
  const { entityType: _t, schemaVersion: _v, ...state } = SourceRecordItem.parse(item);
  return state;
}
