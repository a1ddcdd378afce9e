import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import type { Entity } from '../../../schemas/entity.js';
import { ResolutionRun, ResolvableType } from '../../../schemas/resolution.js';
import { ConflictError, TransientError, ValidationError } from '../../domain/errors.js';
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
import { cancellationCodes, translateDynamoError } from './errors.js';
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
  holders: z.record(z.string(), z.record(z.string(), z.number().int().min(2))).optional(),
  calibrationOffset: z.number().optional(),
  trainedAt: z.string().optional(),
  runId: z.string().optional(),
  records: z.number().optional(),
});
/** Members per page item: about 40 KB of ids, so ~85 pages (~85 000 members) fit in one 4 MB transaction. */
export const CLUSTER_PAGE_SIZE = 1000;
/** Cluster head: the optimistic-locking version, the member count and the version each member page was written at. */
const ClusterHead = z.object({
  clusterId: z.string(),
  type: ResolvableType,
  version: z.number().int().min(1),
  memberCount: z.number().int().min(2),
  pages: z.record(z.string().regex(/^\d+$/), z.number().int().min(1)),
});
/** Schema version 1 kept the members in the cluster item itself; such an item is read, and paged on its next change. */
const LegacyClusterItem = z.object({
  clusterId: z.string(),
  type: ResolvableType,
  members: z.array(z.string()).min(2),
  version: z.number().int().min(1),
});
const ClusterPage = z.object({
  clusterId: z.string(),
  page: z.number().int().min(0),
  clusterVersion: z.number().int().min(1),
  members: z.array(z.string()).min(1).max(CLUSTER_PAGE_SIZE),
});
const KeySetItem = z.object({
  entityId: z.string(),
  type: ResolvableType,
  keys: z.array(z.string()),
  entityVersion: z.number().int().optional(),
  revision: z.number().int().min(1),
});

/** A cluster as stored: its state plus the page layout a change starts from. */
interface StoredCluster {
  state: ClusterState;
  /** Page number → members (none for a legacy item: its members all move to pages on the next change). */
  pages: Map<number, string[]>;
  pageVersions: Record<string, number>;
}

/** A read that overlapped a cluster change (a page newer or older than its head says): read again. */
const TORN = Symbol('torn');

/**
 * Assembles a cluster from its head and page items. Every change bumps the head's version and records in it
 * the version each page was written at, so a read that overlapped a change is detected and not returned.
 */
function assembleCluster(items: readonly Record<string, unknown>[]): StoredCluster | undefined | typeof TORN {
  const headItem = items.find((i) => i.SK === 'CLUSTER');
  if (!headItem) return items.length > 0 ? TORN : undefined;
  if (headItem.schemaVersion === 1) {
    const legacy = LegacyClusterItem.parse(headItem);
    return { state: legacy, pages: new Map(), pageVersions: {} };
  }
  const head = ClusterHead.parse(headItem);
  const pages = new Map<number, string[]>();
  for (const item of items) {
    if (item === headItem) continue;
    const page = ClusterPage.parse(item);
    if (head.pages[String(page.page)] !== page.clusterVersion) return TORN;
    pages.set(page.page, page.members);
  }
  if (pages.size !== Object.keys(head.pages).length) return TORN;
  const members = [...pages.entries()].sort(([a], [b]) => a - b).flatMap(([, m]) => m);
  if (members.length !== head.memberCount) return TORN;
  return {
    state: { clusterId: head.clusterId, type: head.type, members, version: head.version },
    pages,
    pageVersions: head.pages,
  };
}

/**
 * The page layout after a change: members that stay keep their page, members that left are taken out, and
 * new members fill pages with room, then new pages. Only pages whose content changed are written.
 */
function layoutPages(old: ReadonlyMap<number, readonly string[]>, members: readonly string[]): Map<number, string[]> {
  const keep = new Set(members);
  const layout = new Map<number, string[]>();
  const placed = new Set<string>();
  for (const [n, ms] of [...old.entries()].sort(([a], [b]) => a - b)) {
    const kept = ms.filter((m) => keep.has(m));
    for (const m of kept) placed.add(m);
    layout.set(n, kept);
  }
  const added = [...keep].filter((m) => !placed.has(m));
  let next = 0;
  for (const ms of layout.values()) {
    while (ms.length < CLUSTER_PAGE_SIZE && next < added.length) ms.push(added[next++]!);
  }
  let page = old.size === 0 ? 0 : Math.max(...old.keys()) + 1;
  for (; next < added.length; next += CLUSTER_PAGE_SIZE)
    layout.set(page++, added.slice(next, next + CLUSTER_PAGE_SIZE));
  return layout;
}

const sameMembers = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((m, k) => m === b[k]);
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

/** Items of one TransactWriteItems. */
const TRANSACTION_LIMIT = 100;
/** Bytes of one TransactWriteItems (4 MB), with room left for the audit record and events. */
const TRANSACTION_BYTES = 3_500_000;
/** Reads of a cluster that overlapped a change before giving up (TransientError: the delivery retries). */
const CLUSTER_READ_ATTEMPTS = 4;
/** Unconditioned pointer transactions in flight at once after an over-limit change. */
const OVERFLOW_CONCURRENCY = 8;

/**
 * Identity resolution in the single table (keys.ts: ERKEY, ERMODEL, ERCLUSTER, ERMEMBER, ERDECISION, ERRUN,
 * ERREVIEW).
 * A cluster is its head item (version, member count, page versions) and its member pages in one partition,
 * so membership is not bounded by one item's size; head and changed pages are written in one transaction
 * conditioned on the head's version and are the source of truth. Pointer items (entity → cluster) are their
 * reverse index and are conditioned on the cluster they pointed to.
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

  private keyItem(tenantId: string, type: ResolvableType, entityId: string, keyHash: string) {
    return {
      ...keys.resolutionKey(tenantId, type, keyHash, entityId),
      entityType: ITEM_TYPES.resolutionKey,
      schemaVersion: 1,
      tenantId,
    };
  }

  async index(
    tenantId: string,
    type: ResolvableType,
    entityId: string,
    keyHashes: readonly string[],
    entityVersion?: number,
  ): Promise<void> {
    const T = this.tableName;
    const wanted = [...new Set(keyHashes)];
    for (let attempt = 1; ; attempt++) {
      const found = await this.get(keys.resolutionKeySet(tenantId, entityId), 'get resolution key set');
      const set = found ? KeySetItem.parse(found) : undefined;
      // keys filed for a newer state of the entity stand
      if (set?.entityVersion !== undefined && entityVersion !== undefined && set.entityVersion > entityVersion) return;
      const had = new Set(set?.keys ?? []);
      // without a key set (an entity indexed before key sets existed) every key is put again, which is idempotent
      const puts = wanted.filter((k) => !had.has(k));
      const deletes = [...had].filter((k) => !wanted.includes(k));
      if (set && puts.length === 0 && deletes.length === 0 && set.entityVersion === entityVersion) return;
      const setItem = {
        ...keys.resolutionKeySet(tenantId, entityId),
        entityType: ITEM_TYPES.resolutionKeySet,
        schemaVersion: 1,
        tenantId,
        entityId,
        type,
        keys: wanted,
        ...(entityVersion !== undefined ? { entityVersion } : {}),
        revision: (set?.revision ?? 0) + 1,
      };
      const writes: ItemWrite[] = [
        {
          Put: {
            TableName: T,
            Item: setItem,
            ...(set
              ? {
                  ConditionExpression: '#r = :r',
                  ExpressionAttributeNames: { '#r': 'revision' },
                  ExpressionAttributeValues: { ':r': set.revision },
                }
              : { ConditionExpression: 'attribute_not_exists(PK)' }),
          },
        },
        ...puts.map((k) => ({ Put: { TableName: T, Item: this.keyItem(tenantId, type, entityId, k) } })),
        ...deletes.map((k) => ({
          Delete: { TableName: T, Key: keys.resolutionKey(tenantId, set!.type, k, entityId) },
        })),
      ];
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: writes as never }));
        return;
      } catch (error) {
        const codes = cancellationCodes(error);
        // another delivery re-indexed the entity between our read and write: read again
        const raced = codes?.[0] === 'ConditionalCheckFailed' || codes?.includes('TransactionConflict');
        if (!codes || !raced) translateDynamoError(error, 'write resolution keys');
        if (attempt >= 4) throw new ConflictError('resolution keys changed concurrently', { cause: error });
        await sleep(5 * 2 ** attempt * Math.random());
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

  /** The cluster's head and pages, read with one consistent Query, and again while the read overlaps a change. */
  private async readCluster(tenantId: string, clusterId: string): Promise<StoredCluster | undefined> {
    for (let attempt = 1; ; attempt++) {
      const items = await this.query(
        {
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.clusterPartition(tenantId, clusterId) },
          ConsistentRead: true,
        },
        'get cluster',
      );
      const cluster = assembleCluster(items);
      if (cluster !== TORN) return cluster;
      if (attempt >= CLUSTER_READ_ATTEMPTS)
        throw new TransientError(`cluster ${clusterId} was changing during ${attempt} reads`);
      await sleep(10 * attempt);
    }
  }

  async clusterOf(tenantId: string, entityId: string): Promise<ClusterState | undefined> {
    const pointer = await this.get(keys.clusterPointer(tenantId, entityId), 'get cluster pointer');
    if (!pointer) return undefined;
    const cluster = (await this.readCluster(tenantId, String(pointer.clusterId)))?.state;
    // a pointer lagging behind an over-limit change can name a cluster that no longer lists the entity
    return cluster?.members.includes(entityId) ? cluster : undefined;
  }

  async listClusters(tenantId: string, type: ResolvableType): Promise<ClusterState[]> {
    // Heads and their pages come from one index Query; a cluster the (eventually consistent) index shows
    // part-way through a change is read again from the table.
    const items = await this.query(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.clustersPartition(tenantId, type) },
      },
      'list clusters',
    );
    const byCluster = new Map<string, Record<string, unknown>[]>();
    for (const item of items) {
      const id = String(item.clusterId);
      const group = byCluster.get(id);
      if (group) group.push(item);
      else byCluster.set(id, [item]);
    }
    const out: ClusterState[] = [];
    for (const [id, group] of byCluster) {
      const assembled = assembleCluster(group);
      const cluster = assembled === TORN ? await this.readCluster(tenantId, id) : assembled;
      if (cluster) out.push(cluster.state);
    }
    return out;
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

  /** Head and page writes of one cluster after the change, from the layout it had (none for a new cluster). */
  private clusterWrites(
    tenantId: string,
    c: ClusterChange['clusters'][number],
    stored: StoredCluster | undefined,
    at: string,
  ): ItemWrite[] {
    const T = this.tableName;
    const version = c.expectedVersion + 1;
    const oldPages = stored?.pages ?? new Map<number, string[]>();
    const condition =
      c.expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : {
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': c.expectedVersion },
          };
    const deletePage = (n: number): ItemWrite => ({
      Delete: { TableName: T, Key: keys.clusterPage(tenantId, c.clusterId, n) },
    });
    if (c.members.length === 0)
      return [
        { Delete: { TableName: T, Key: keys.cluster(tenantId, c.clusterId), ...condition } },
        ...[...oldPages.keys()].map(deletePage),
      ];
    const layout = layoutPages(oldPages, c.members);
    const pageVersions: Record<string, number> = {};
    const pageWrites: ItemWrite[] = [];
    for (const n of new Set([...oldPages.keys(), ...layout.keys()])) {
      const members = layout.get(n) ?? [];
      if (members.length === 0) {
        if (oldPages.has(n)) pageWrites.push(deletePage(n));
      } else if (stored && sameMembers(oldPages.get(n), members)) {
        pageVersions[String(n)] = stored.pageVersions[String(n)]!;
      } else {
        pageVersions[String(n)] = version;
        pageWrites.push({
          Put: {
            TableName: T,
            Item: {
              ...keys.clusterPage(tenantId, c.clusterId, n),
              ...keys.clusterPageIndex(tenantId, c.type, c.clusterId, n),
              entityType: ITEM_TYPES.clusterPage,
              schemaVersion: 1,
              tenantId,
              clusterId: c.clusterId,
              page: n,
              clusterVersion: version,
              members,
            },
          },
        });
      }
    }
    const head = {
      ...keys.cluster(tenantId, c.clusterId),
      ...keys.clusterIndex(tenantId, c.type, c.clusterId),
      entityType: ITEM_TYPES.cluster,
      schemaVersion: 2,
      tenantId,
      clusterId: c.clusterId,
      type: c.type,
      version,
      memberCount: new Set(c.members).size,
      pages: pageVersions,
      updatedAt: at,
    };
    return [{ Put: { TableName: T, Item: head, ...condition } }, ...pageWrites];
  }

  async applyChange(tenantId: string, change: ClusterChange, mutation: MutationRecord): Promise<void> {
    const T = this.tableName;
    // The layouts the changed clusters start from; the head conditions in the transaction check the versions again.
    const stored = await Promise.all(
      change.clusters.map((c) => (c.expectedVersion === 0 ? undefined : this.readCluster(tenantId, c.clusterId))),
    );
    // Changes of existing clusters (the conflict points) go in the audited transaction; new clusters too, as
    // far as they fit, and each of the others in one follow-up transaction (fresh ids: nothing to conflict with).
    const main: ItemWrite[] = [];
    const created: ItemWrite[][] = [];
    change.clusters.forEach((c, k) => {
      if (c.expectedVersion > 0 && stored[k]?.state.version !== c.expectedVersion)
        throw new ConflictError(`cluster ${c.clusterId} changed since it was read`);
      const writes = this.clusterWrites(tenantId, c, stored[k], mutation.audit.at);
      if (c.expectedVersion === 0) created.push(writes);
      else main.push(...writes);
    });
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
    const fixed = 3 + mutation.events.length;
    let bytes = JSON.stringify(main).length + JSON.stringify(mutation.events).length;
    if (fixed + main.length > TRANSACTION_LIMIT || bytes > TRANSACTION_BYTES) {
      throw new ValidationError(
        `the cluster change rewrites ${main.length} items of existing clusters (${bytes} bytes), more than one transaction holds`,
        { details: [{ field: 'clusters', message: 'change too large for one transaction' }] },
      );
    }
    const later: ItemWrite[][] = [];
    for (const writes of created) {
      const size = JSON.stringify(writes).length;
      if (
        later.length === 0 &&
        fixed + main.length + writes.length <= TRANSACTION_LIMIT &&
        bytes + size <= TRANSACTION_BYTES
      ) {
        main.push(...writes);
        bytes += size;
      } else later.push(writes);
    }
    const room = later.length > 0 ? 0 : TRANSACTION_LIMIT - fixed - main.length;
    const inMain = change.pointers.slice(0, Math.max(0, room));
    const overflow = change.pointers.slice(inMain.length);
    await this.writer.commit(tenantId, [...main, ...inMain.map((p) => pointerWrite(p, true))], mutation);
    // Very large changes (batch runs): the existing clusters' heads and pages, which are the truth, were in the
    // audited transaction; the new clusters that did not fit follow, then the remaining reverse pointers, unconditioned.
    await inParallel(later, OVERFLOW_CONCURRENCY, async (items) => {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items as never }));
      } catch (error) {
        translateDynamoError(error, 'write new clusters');
      }
    });
    const batches: ItemWrite[][] = [];
    for (let i = 0; i < overflow.length; i += TRANSACTION_LIMIT)
      batches.push(overflow.slice(i, i + TRANSACTION_LIMIT).map((p) => pointerWrite(p, false)));
    await inParallel(batches, OVERFLOW_CONCURRENCY, async (items) => {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items as never }));
      } catch (error) {
        translateDynamoError(error, 'write cluster pointers');
      }
    });
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

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
