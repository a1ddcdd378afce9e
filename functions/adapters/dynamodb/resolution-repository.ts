import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Entity } from '../../../schemas/entity.js';
import { ResolutionRun, ResolvableType } from '../../../schemas/resolution.js';
import type { MutationRecord } from '../../domain/ports.js';
import type {
  ClusterChange,
  ClusterState,
  PairDecisionRecord,
  ResolutionStore,
  ReviewQueueRecord,
} from '../../domain/resolution/store.js';
import type { StoredModel } from '../../domain/resolution/stored-model.js';
import { entityFromItem } from './entity-repository.js';
import { translateDynamoError } from './errors.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter, ItemWrite } from './mutation-writer.js';

const StoredModelSchema = z.object({
  type: ResolvableType,
  source: z.enum(['default', 'fitted']),
  lambda: z.number().gt(0).lt(1),
  threshold: z.number().gt(0).lt(1),
  fields: z.record(z.string(), z.object({ m: z.array(z.number()), u: z.array(z.number()) })),
  dropped: z.array(z.string()),
  termFrequencies: z.record(z.string(), z.record(z.string(), z.number())),
  trainedAt: z.string().optional(),
  runId: z.string().optional(),
  records: z.number().optional(),
});
const ClusterItem = z.object({
  clusterId: z.string(),
  type: ResolvableType,
  members: z.array(z.string()).min(2),
  version: z.number().int().min(1),
});
const ReviewQueueSchema = z.object({
  type: ResolvableType,
  runId: z.string(),
  createdAt: z.string(),
  pairs: z.array(
    z.object({
      id1: z.string(),
      id2: z.string(),
      probability: z.number(),
      weight: z.number(),
      uncertainty: z.number(),
    }),
  ),
});
const DecisionItem = z.object({
  entityId: z.string(),
  otherId: z.string(),
  type: ResolvableType,
  decision: z.enum(['confirm', 'reject']),
  decidedBy: z.string(),
  decidedAt: z.string(),
});

/** Transaction items kept free for the audit record, outbox events and the chain head. */
const TRANSACTION_LIMIT = 100;

/**
 * Identity resolution in the single table (keys.ts: ERKEY, ERMODEL, ERCLUSTER, ERMEMBER, ERDECISION, ERRUN,
 * ERREVIEW).
 * Cluster items are the source of truth and carry the optimistic-locking version; pointer items
 * (entity → cluster) are their reverse index and are conditioned on the cluster they pointed to.
 */
export class DynamoResolutionStore implements ResolutionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private async query(
    input: Omit<QueryCommandInput, 'TableName'>,
    what: string,
    all = true,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.client.send(
          new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: start }),
        );
        items.push(...(out.Items ?? []));
        start = all ? out.LastEvaluatedKey : undefined;
      } while (start);
      return items;
    } catch (error) {
      translateDynamoError(error, what);
    }
  }

  async candidates(
    tenantId: string,
    type: ResolvableType,
    keyHashes: readonly string[],
    cap: number,
  ): Promise<{ ids: string[]; hotKeys: number }> {
    let hotKeys = 0;
    const ids = new Set<string>();
    const lists = await Promise.all(
      keyHashes.map((k) =>
        this.query(
          {
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': keys.resolutionKeyPartition(tenantId, type, k) },
            ProjectionExpression: 'SK',
            Limit: cap + 1,
          },
          'query resolution keys',
          false,
        ),
      ),
    );
    for (const items of lists) {
      if (items.length > cap) {
        hotKeys++;
        continue;
      }
      for (const i of items) ids.add(String(i.SK));
    }
    return { ids: [...ids], hotKeys };
  }

  private keyItems(tenantId: string, type: ResolvableType, entityId: string, keyHashes: readonly string[]) {
    return keyHashes.map((k) => ({
      ...keys.resolutionKey(tenantId, type, k, entityId),
      entityType: ITEM_TYPES.resolutionKey,
      schemaVersion: 1,
      tenantId,
    }));
  }

  async index(tenantId: string, type: ResolvableType, entityId: string, keyHashes: readonly string[]): Promise<void> {
    const items = this.keyItems(tenantId, type, entityId, keyHashes);
    for (let i = 0; i < items.length; i += 25) {
      let requests: unknown[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        try {
          const out = await this.client.send(
            new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }),
          );
          requests = out.UnprocessedItems?.[this.tableName] ?? [];
        } catch (error) {
          translateDynamoError(error, 'write resolution keys');
        }
        if (requests.length > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      }
    }
  }

  async getEntities(tenantId: string, ids: readonly string[]): Promise<Entity[]> {
    const unique = [...new Set(ids)];
    const out: Entity[] = [];
    for (let i = 0; i < unique.length; i += 100) {
      let requested: Record<string, unknown>[] = unique.slice(i, i + 100).map((id) => keys.entity(tenantId, id));
      for (let attempt = 0; requested.length > 0; attempt++) {
        try {
          const res = await this.client.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: requested } } }),
          );
          for (const item of res.Responses?.[this.tableName] ?? []) out.push(entityFromItem(item));
          requested = (res.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        } catch (error) {
          translateDynamoError(error, 'get entities');
        }
        if (requested.length > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      }
    }
    const order = new Map(unique.map((id, k) => [id, k]));
    return out.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  }

  async listEntities(
    tenantId: string,
    type: ResolvableType,
    onPage?: (loaded: number) => Promise<void> | void,
  ): Promise<Entity[]> {
    const out: Entity[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const res = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'GSI2',
            KeyConditionExpression: 'GSI2PK = :pk',
            ExpressionAttributeValues: { ':pk': keys.entitiesOfTypePartition(tenantId, type) },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of res.Items ?? []) out.push(entityFromItem(item));
        start = res.LastEvaluatedKey;
        await onPage?.(out.length);
      } while (start);
    } catch (error) {
      translateDynamoError(error, 'list entities of a type');
    }
    return out;
  }

  async getModel(tenantId: string, type: ResolvableType): Promise<StoredModel | undefined> {
    const item = await this.get(keys.resolutionModel(tenantId, type), 'get resolution model');
    return item ? StoredModelSchema.parse(JSON.parse(String(item.model))) : undefined;
  }

  async putModel(tenantId: string, model: StoredModel): Promise<void> {
    await this.writer.put(
      {
        TableName: this.tableName,
        Item: {
          ...keys.resolutionModel(tenantId, model.type),
          entityType: ITEM_TYPES.resolutionModel,
          schemaVersion: 1,
          tenantId,
          model: JSON.stringify(model),
        },
      },
      'put resolution model',
    );
  }

  private async get(key: Record<string, string>, what: string): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return out.Item;
    } catch (error) {
      translateDynamoError(error, what);
    }
  }

  async clusterOf(tenantId: string, entityId: string): Promise<ClusterState | undefined> {
    const pointer = await this.get(keys.clusterPointer(tenantId, entityId), 'get cluster pointer');
    if (!pointer) return undefined;
    const item = await this.get(keys.cluster(tenantId, String(pointer.clusterId)), 'get cluster');
    return item ? ClusterItem.parse(item) : undefined;
  }

  async listClusters(tenantId: string, type: ResolvableType): Promise<ClusterState[]> {
    const items = await this.query(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.clustersPartition(tenantId, type) },
      },
      'list clusters',
    );
    return items.map((i) => ClusterItem.parse(i));
  }

  async decisionsOf(tenantId: string, entityId: string): Promise<PairDecisionRecord[]> {
    const items = await this.query(
      {
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.pairDecisionsPartition(tenantId, entityId) },
        ConsistentRead: true,
      },
      'list pair decisions',
    );
    return items.map((i) => DecisionItem.parse(i));
  }

  async listDecisions(tenantId: string, type: ResolvableType): Promise<PairDecisionRecord[]> {
    const items = await this.query(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.pairDecisionsOfTypePartition(tenantId, type) },
      },
      'list pair decisions of a type',
    );
    return items.map((i) => DecisionItem.parse(i));
  }

  async applyChange(tenantId: string, change: ClusterChange, mutation: MutationRecord): Promise<void> {
    const T = this.tableName;
    const main: ItemWrite[] = [];
    for (const c of change.clusters) {
      if (c.members.length === 0) {
        main.push({
          Delete: {
            TableName: T,
            Key: keys.cluster(tenantId, c.clusterId),
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': c.expectedVersion },
          },
        });
        continue;
      }
      const Item = {
        ...keys.cluster(tenantId, c.clusterId),
        ...keys.clusterIndex(tenantId, c.type, c.clusterId),
        entityType: ITEM_TYPES.cluster,
        schemaVersion: 1,
        tenantId,
        clusterId: c.clusterId,
        type: c.type,
        members: c.members,
        version: c.expectedVersion + 1,
        updatedAt: mutation.audit.at,
      };
      main.push(
        c.expectedVersion === 0
          ? { Put: { TableName: T, Item, ConditionExpression: 'attribute_not_exists(PK)' } }
          : {
              Put: {
                TableName: T,
                Item,
                ConditionExpression: '#v = :v',
                ExpressionAttributeNames: { '#v': 'version' },
                ExpressionAttributeValues: { ':v': c.expectedVersion },
              },
            },
      );
    }
    for (const d of change.decisions ?? []) {
      main.push({
        Put: {
          TableName: T,
          Item: {
            ...keys.pairDecision(tenantId, d.entityId, d.otherId),
            ...(d.entityId < d.otherId ? keys.pairDecisionIndex(tenantId, d.type, d.entityId, d.otherId) : {}),
            entityType: ITEM_TYPES.pairDecision,
            schemaVersion: 1,
            tenantId,
            ...d,
          },
        },
      });
    }
    if (change.index) {
      for (const Item of this.keyItems(tenantId, change.index.type, change.index.entityId, change.index.keys))
        main.push({ Put: { TableName: T, Item } });
    }
    const pointerWrite = (p: ClusterChange['pointers'][number], conditioned: boolean): ItemWrite => {
      const condition = !conditioned
        ? {}
        : p.expectedClusterId === null
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: '#c = :c',
              ExpressionAttributeNames: { '#c': 'clusterId' },
              ExpressionAttributeValues: { ':c': p.expectedClusterId },
            };
      if (p.clusterId === null)
        return { Delete: { TableName: T, Key: keys.clusterPointer(tenantId, p.entityId), ...condition } };
      return {
        Put: {
          TableName: T,
          Item: {
            ...keys.clusterPointer(tenantId, p.entityId),
            entityType: ITEM_TYPES.clusterPointer,
            schemaVersion: 1,
            tenantId,
            entityId: p.entityId,
            clusterId: p.clusterId,
            updatedAt: mutation.audit.at,
          },
          ...condition,
        },
      };
    };
    // room left beside the audit record, outbox events, idempotency marker and chain head
    const room = TRANSACTION_LIMIT - 3 - mutation.events.length - main.length;
    const inMain = change.pointers.slice(0, Math.max(0, room));
    const overflow = change.pointers.slice(inMain.length);
    await this.writer.commit(tenantId, [...main, ...inMain.map((p) => pointerWrite(p, true))], mutation);
    // Very large changes (batch runs): the cluster items, which are the truth, were in the audited
    // transaction; the remaining reverse pointers follow unconditioned.
    for (let i = 0; i < overflow.length; i += TRANSACTION_LIMIT) {
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: overflow.slice(i, i + TRANSACTION_LIMIT).map((p) => pointerWrite(p, false)) as never,
          }),
        );
      } catch (error) {
        translateDynamoError(error, 'write cluster pointers');
      }
    }
  }

  async createRun(tenantId: string, run: ResolutionRun, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.runItem(tenantId, run),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
      mutation,
    );
  }

  async getRun(tenantId: string, id: string): Promise<ResolutionRun | undefined> {
    const item = await this.get(keys.resolutionRun(tenantId, id), 'get resolution run');
    return item ? ResolutionRun.parse(JSON.parse(String(item.run))) : undefined;
  }

  async saveRun(tenantId: string, run: ResolutionRun): Promise<void> {
    await this.writer.put({ TableName: this.tableName, Item: this.runItem(tenantId, run) }, 'save resolution run');
  }

  async putReviewQueue(tenantId: string, queue: ReviewQueueRecord): Promise<void> {
    await this.writer.put(
      {
        TableName: this.tableName,
        Item: {
          ...keys.resolutionReviewQueue(tenantId, queue.type),
          entityType: ITEM_TYPES.resolutionReviewQueue,
          schemaVersion: 1,
          tenantId,
          runId: queue.runId,
          queue: JSON.stringify(queue),
        },
      },
      'put review queue',
    );
  }

  async getReviewQueue(tenantId: string, type: ResolvableType): Promise<ReviewQueueRecord | undefined> {
    const item = await this.get(keys.resolutionReviewQueue(tenantId, type), 'get review queue');
    return item ? ReviewQueueSchema.parse(JSON.parse(String(item.queue))) : undefined;
  }

  private runItem(tenantId: string, run: ResolutionRun) {
    return {
      ...keys.resolutionRun(tenantId, run.id),
      entityType: ITEM_TYPES.resolutionRun,
      schemaVersion: 1,
      tenantId,
      status: run.status,
      run: JSON.stringify(run),
    };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
