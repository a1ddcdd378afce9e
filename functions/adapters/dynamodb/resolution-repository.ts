import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  DeleteCommand,
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
import { ConflictError, TransientError } from '../../domain/errors.js';
import type { MutationRecord } from '../../domain/ports.js';
import {
  CHANGE_LIMITS,
  ChangeTooLargeError,
  type ClusterChange,
  type ClusterState,
  type PairDecisionRecord,
  type ResolutionStore,
  type ReviewQueueRecord,
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
export const CLUSTER_PAGE_SIZE = CHANGE_LIMITS.membersPerPage;
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
const TRANSACTION_LIMIT = CHANGE_LIMITS.items;
/** Bytes of one TransactWriteItems (4 MB), with room left for the audit record and events. */
const TRANSACTION_BYTES = CHANGE_LIMITS.bytes;
/** Reads of a cluster that overlapped a change before giving up (TransientError: the delivery retries). */
const CLUSTER_READ_ATTEMPTS = 4;
/** Follow-up transactions (new clusters, pointer deletes) in flight at once after an over-limit change. */
const OVERFLOW_CONCURRENCY = 8;
/** Members a follow-up transaction adds to a new cluster, each with its pointer (and the head and ≤ 2 pages). */
const GROWTH_MEMBERS = 90;

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
    /**
     * `readOnly`: for functions bound to the table read-only (ListMatches, GetEntitySources): a stale pointer is
     * treated as "in no cluster" but left for a writer to heal, since their role may not delete it.
     */
    private readonly options: { readOnly?: boolean } = {},
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
    if (cluster?.members.includes(entityId)) return cluster;
    // a stale pointer (a leave whose pointer delete has not landed): the entity is in no cluster; heal it
    if (!this.options.readOnly) await this.healPointer(tenantId, pointer);
    return undefined;
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
  ): { writes: ItemWrite[]; after: StoredCluster | undefined } {
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
      return {
        writes: [
          { Delete: { TableName: T, Key: keys.cluster(tenantId, c.clusterId), ...condition } },
          ...[...oldPages.keys()].map(deletePage),
        ],
        after: undefined,
      };
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
    const pages = new Map([...layout].filter(([, ms]) => ms.length > 0));
    const members = [...pages.entries()].sort(([a], [b]) => a - b).flatMap(([, ms]) => ms);
    return {
      writes: [{ Put: { TableName: T, Item: head, ...condition } }, ...pageWrites],
      after: { state: { clusterId: c.clusterId, type: c.type, members, version }, pages, pageVersions },
    };
  }

  async applyChange(tenantId: string, change: ClusterChange, mutation: MutationRecord): Promise<void> {
    try {
      await this.applyOnce(tenantId, change, mutation);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // A pointer expected absent may be stale (it names a cluster that no longer lists the entity: a leave
      // whose pointer delete had not landed, or never did because the writer crashed). Heal it and try once more.
      const absent = change.pointers.filter((p) => p.expectedClusterId === null).map((p) => p.entityId);
      if ((await this.healStalePointers(tenantId, absent)) === 0) throw error;
      await this.applyOnce(tenantId, change, mutation);
    }
  }

  private pointerWrite(tenantId: string, p: ClusterChange['pointers'][number], at: string): ItemWrite {
    const T = this.tableName;
    const condition =
      p.expectedClusterId === null
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
          // a fresh value per write, so healing a stale pointer never deletes one written after it was read
          writeId: randomUUID(),
          updatedAt: at,
        },
        ...condition,
      },
    };
  }

  /**
   * Order of a change (every step conditioned, so a repeated or overtaken step changes nothing):
   * 1. one audited transaction: the existing clusters' heads and changed pages (version-conditioned), the
   *    decisions, the audit record and the events; with them, as far as they fit, the new clusters and the
   *    pointers of the entities that join a cluster (conditioned on the cluster they pointed to), then the
   *    pointers of entities that leave for no cluster;
   * 2. each new cluster that did not fit, grown in transactions that write its head, pages and the pointers
   *    of the members they add (a member whose pointer moved meanwhile stops the growth: it stays where the
   *    concurrent write put it);
   * 3. the remaining leave pointers, each deleted if it still names the cluster it was read with.
   * An entity a cluster lists always has its pointer on that cluster (both are written in one transaction);
   * a pointer that names a cluster not listing the entity is stale and is healed where it is met.
   */
  private async applyOnce(tenantId: string, change: ClusterChange, mutation: MutationRecord): Promise<void> {
    const T = this.tableName;
    const at = mutation.audit.at;
    // The layouts the changed clusters start from; the head conditions in the transaction check the versions again.
    const stored = await Promise.all(
      change.clusters.map((c) => (c.expectedVersion === 0 ? undefined : this.readCluster(tenantId, c.clusterId))),
    );
    const joinsOf = new Map<string, ClusterChange['pointers']>();
    for (const p of change.pointers) {
      if (p.clusterId === null) continue;
      const list = joinsOf.get(p.clusterId);
      if (list) list.push(p);
      else joinsOf.set(p.clusterId, [p]);
    }
    const main: ItemWrite[] = [];
    const created: { cluster: ClusterChange['clusters'][number]; writes: ItemWrite[] }[] = [];
    change.clusters.forEach((c, k) => {
      if (c.expectedVersion > 0 && stored[k]?.state.version !== c.expectedVersion)
        throw new ConflictError(`cluster ${c.clusterId} changed since it was read`);
      const { writes } = this.clusterWrites(tenantId, c, stored[k], at);
      if (c.expectedVersion === 0 && c.members.length > 0) created.push({ cluster: c, writes });
      else {
        main.push(...writes);
        for (const p of joinsOf.get(c.clusterId) ?? []) main.push(this.pointerWrite(tenantId, p, at));
        joinsOf.delete(c.clusterId);
      }
    });
    for (const c of created) joinsOf.delete(c.cluster.clusterId);
    // joins into a cluster the change does not write (not made by the domain, but kept conditioned)
    for (const ps of joinsOf.values()) for (const p of ps) main.push(this.pointerWrite(tenantId, p, at));
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
    // room left beside the audit record, outbox events, idempotency marker and chain head
    const fixed = 3 + mutation.events.length;
    let bytes = JSON.stringify(main).length + JSON.stringify(mutation.events).length;
    if (fixed + main.length > TRANSACTION_LIMIT || bytes > TRANSACTION_BYTES) {
      throw new ChangeTooLargeError(
        `the cluster change rewrites ${main.length} items of existing clusters with ${mutation.events.length} events (${bytes} bytes), more than one transaction holds`,
        { details: [{ field: 'clusters', message: 'change too large for one transaction' }] },
      );
    }
    const later: ClusterChange['clusters'] = [];
    for (const { cluster, writes } of created) {
      const items = [
        ...writes,
        ...this.joinsIn(change, cluster.clusterId).map((p) => this.pointerWrite(tenantId, p, at)),
      ];
      const size = JSON.stringify(items).length;
      if (
        later.length === 0 &&
        fixed + main.length + items.length <= TRANSACTION_LIMIT &&
        bytes + size <= TRANSACTION_BYTES
      ) {
        main.push(...items);
        bytes += size;
      } else later.push(cluster);
    }
    const leaves = change.pointers.filter((p) => p.clusterId === null);
    const room = Math.max(0, TRANSACTION_LIMIT - fixed - main.length);
    const inMain = leaves.slice(0, room);
    await this.writer.commit(tenantId, [...main, ...inMain.map((p) => this.pointerWrite(tenantId, p, at))], mutation);
    await inParallel(later, OVERFLOW_CONCURRENCY, (c) =>
      this.growNewCluster(tenantId, c, this.joinsIn(change, c.clusterId), at),
    );
    await this.deletePointers(tenantId, leaves.slice(inMain.length));
  }

  private joinsIn(change: ClusterChange, clusterId: string): ClusterChange['pointers'] {
    return change.pointers.filter((p) => p.clusterId === clusterId);
  }

  /**
   * A new cluster written after the audited transaction, in transactions of at most GROWTH_MEMBERS members
   * each with their pointers (conditioned on the cluster each pointed to). A failed condition stops it: the
   * members not yet added stay alone, and the next batch links them.
   */
  private async growNewCluster(
    tenantId: string,
    c: ClusterChange['clusters'][number],
    joins: ClusterChange['pointers'],
    at: string,
  ): Promise<void> {
    const pointerOf = new Map(joins.map((p) => [p.entityId, p]));
    let stored: StoredCluster | undefined;
    let version = 0;
    for (let i = 0; i < c.members.length; ) {
      // the first transaction must create a cluster of two or more
      const end = c.members.length - i - GROWTH_MEMBERS < 2 ? c.members.length : i + GROWTH_MEMBERS;
      const members = c.members.slice(0, end);
      const { writes, after } = this.clusterWrites(tenantId, { ...c, members, expectedVersion: version }, stored, at);
      const pointers = c.members
        .slice(i, end)
        .flatMap((m) => (pointerOf.has(m) ? [this.pointerWrite(tenantId, pointerOf.get(m)!, at)] : []));
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: [...writes, ...pointers] as never }));
      } catch (error) {
        if (cancellationCodes(error)?.includes('ConditionalCheckFailed')) return;
        translateDynamoError(error, 'write new cluster');
      }
      stored = after;
      version++;
      i = end;
    }
  }

  /** Pointer deletes that follow a change, each only while it still names the cluster it was read with. */
  private async deletePointers(tenantId: string, pointers: ClusterChange['pointers']): Promise<void> {
    const batches: ClusterChange['pointers'][] = [];
    for (let i = 0; i < pointers.length; i += TRANSACTION_LIMIT) batches.push(pointers.slice(i, i + TRANSACTION_LIMIT));
    await inParallel(batches, OVERFLOW_CONCURRENCY, async (batch) => {
      const at = new Date().toISOString();
      try {
        await this.client.send(
          new TransactWriteCommand({ TransactItems: batch.map((p) => this.pointerWrite(tenantId, p, at)) as never }),
        );
      } catch (error) {
        if (!cancellationCodes(error)?.includes('ConditionalCheckFailed'))
          translateDynamoError(error, 'delete cluster pointers');
        // one of them moved or was healed meanwhile: delete the others one by one
        await inParallel(batch, OVERFLOW_CONCURRENCY, async (p) => {
          const write = this.pointerWrite(tenantId, p, at).Delete!;
          try {
            await this.client.send(new DeleteCommand(write as never));
          } catch (e) {
            if ((e as Error)?.name !== 'ConditionalCheckFailedException')
              translateDynamoError(e, 'delete cluster pointer');
          }
        });
      }
    });
  }

  /**
   * Deletes the pointers among these entities that name a cluster which does not list the entity (stale: left
   * by a leave whose pointer delete has not landed or never will). Conditioned on the pointer's write id, so a
   * pointer written after it was read stands. Returns how many were deleted.
   */
  private async healStalePointers(tenantId: string, entityIds: readonly string[]): Promise<number> {
    let healed = 0;
    const found: Record<string, unknown>[] = [];
    const unique = [...new Set(entityIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let requested: Record<string, unknown>[] = unique
        .slice(i, i + 100)
        .map((id) => keys.clusterPointer(tenantId, id));
      for (let attempt = 0; requested.length > 0; attempt++) {
        try {
          const res = await this.client.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: requested, ConsistentRead: true } } }),
          );
          found.push(...(res.Responses?.[this.tableName] ?? []));
          requested = (res.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        } catch (error) {
          translateDynamoError(error, 'get cluster pointers');
        }
        if (requested.length > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      }
    }
    for (const pointer of found) {
      const cluster = await this.readCluster(tenantId, String(pointer.clusterId));
      if (!cluster?.state.members.includes(String(pointer.entityId)) && (await this.healPointer(tenantId, pointer)))
        healed++;
    }
    return healed;
  }

  private async healPointer(tenantId: string, pointer: Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.clusterPointer(tenantId, String(pointer.entityId)),
          ...(pointer.writeId === undefined
            ? {
                ConditionExpression: '#c = :c AND attribute_not_exists(#w)',
                ExpressionAttributeNames: { '#c': 'clusterId', '#w': 'writeId' },
                ExpressionAttributeValues: { ':c': pointer.clusterId },
              }
            : {
                ConditionExpression: '#c = :c AND #w = :w',
                ExpressionAttributeNames: { '#c': 'clusterId', '#w': 'writeId' },
                ExpressionAttributeValues: { ':c': pointer.clusterId, ':w': pointer.writeId },
              }),
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error)?.name === 'ConditionalCheckFailedException') return false;
      translateDynamoError(error, 'heal cluster pointer');
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

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
