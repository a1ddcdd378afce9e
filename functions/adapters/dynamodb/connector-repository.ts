import { DeleteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { ConnectorSettings, ConnectorSystem } from '../../../schemas/connectors.js';
import type { ConnectorRecord, ConnectorStore } from '../../domain/connectors/store.js';
import type {
  ProvenanceReader,
  RelationQuery,
  RelationView,
  SourceRecordView,
} from '../../domain/connectors/provenance.js';
import { ValidationError } from '../../domain/errors.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './errors.js';
import { indexPage } from './index-page.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter, ItemWrite } from './mutation-writer.js';
import { RelationItem, SourceRecordItem } from './sync-items.js';

/** A connector item, validated on every read so an old or corrupt item fails loudly instead of flowing on. */
const ConnectorItem = z.object({
  entityType: z.literal(ITEM_TYPES.connector),
  schemaVersion: z.literal(1),
  id: z.string(),
  system: ConnectorSystem,
  name: z.string(),
  baseUrl: z.string(),
  credentialsKind: z.enum(['client_credentials', 'refresh_token', 'access_token']),
  /** Only ever the SecretBox's output: a value in clear here would be a defect, refused on read. */
  sealedCredentials: z.string().startsWith('enc1.'),
  settings: ConnectorSettings,
  schedule: z.string().nullable(),
  enabled: z.boolean(),
  // A sync takes and releases its lock with an update of these two alone (sync-store.ts).
  activeRunId: z.string().nullable().default(null),
  lastRun: z
    .object({ runId: z.string(), status: z.string(), finishedAt: z.string().nullable() })
    .nullable()
    .default(null),
  version: z.number().int().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function connectorFromItem(item: Record<string, unknown>): ConnectorRecord {
  const { entityType: _type, schemaVersion: _v, ...record } = ConnectorItem.parse(item);
  return record;
}

/** The fields the API changes: a PATCH updates only these, so it never undoes a sync's lock or lastRun. */
const API_FIELDS = [
  'name',
  'baseUrl',
  'credentialsKind',
  'sealedCredentials',
  'settings',
  'schedule',
  'enabled',
  'version',
  'updatedAt',
] as const satisfies readonly (keyof ConnectorRecord)[];

/** Items of the connector's partition deleted in its delete transaction (100 less the audit record and lane head). */
const DELETE_IN_TRANSACTION = 90;

/**
 * Connectors in the single table (keys.ts: CONNECTOR, CONNECTORS) and the provenance items syncs write in entity
 * partitions (SOURCE#, REL#). Credentials are stored only as sealed by the domain; this adapter never opens them.
 */
export class DynamoConnectorRepository implements ConnectorStore, ProvenanceReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  async create(tenantId: string, connector: ConnectorRecord, mutation: MutationRecord): Promise<void> {
    const item = {
      ...keys.connector(tenantId, connector.id),
      ...keys.connectorIndex(tenantId, connector.createdAt, connector.id),
      entityType: ITEM_TYPES.connector,
      schemaVersion: 1,
      tenantId,
      ...connector,
    };
    await this.writer.commit(
      tenantId,
      [{ Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } }],
      mutation,
    );
  }

  async get(tenantId: string, id: string): Promise<ConnectorRecord | undefined> {
    try {
      // Strongly consistent: a read-modify-write (PATCH, DELETE, a sync's start) must see the latest version and lock.
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.connector(tenantId, id), ConsistentRead: true }),
      );
      return out.Item ? connectorFromItem(out.Item) : undefined;
    } catch (error) {
      translateDynamoError(error, 'get connector');
    }
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<ConnectorRecord>> {
    const page = await indexPage(
      this.client,
      this.tableName,
      'GSI1',
      keys.connectorsPartition(tenantId),
      query,
      'list connectors',
    );
    return { items: page.items.map(connectorFromItem), nextCursor: page.nextCursor };
  }

  async update(
    tenantId: string,
    connector: ConnectorRecord,
    expectedVersion: number,
    mutation: MutationRecord,
    options: { resetSession?: boolean } = {},
  ): Promise<void> {
    const session = options.resetSession
      ? [keys.connectorToken(tenantId, connector.id), keys.connectorBreaker(tenantId, connector.id)].map((Key) => ({
          Delete: { TableName: this.tableName, Key },
        }))
      : [];
    const names = Object.fromEntries(API_FIELDS.map((f, i) => [`#f${i}`, f]));
    const values = Object.fromEntries(API_FIELDS.map((f, i) => [`:f${i}`, connector[f]]));
    await this.writer.commit(
      tenantId,
      [
        {
          Update: {
            TableName: this.tableName,
            Key: keys.connector(tenantId, connector.id),
            UpdateExpression: `SET ${API_FIELDS.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
            ConditionExpression: 'attribute_exists(PK) AND #v = :expected',
            ExpressionAttributeNames: { ...names, '#v': 'version' },
            ExpressionAttributeValues: { ...values, ':expected': expectedVersion },
          },
        },
        ...session,
      ],
      mutation,
    );
  }

  async delete(tenantId: string, id: string, expectedVersion: number, mutation: MutationRecord): Promise<void> {
    const partition = keys.connectorPartition(tenantId, id);
    let others: Record<string, string>[];
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': partition },
          ProjectionExpression: 'PK, SK',
          ConsistentRead: true,
        }),
      );
      others = (out.Items ?? [])
        .map((i) => ({ PK: String(i.PK), SK: String(i.SK) }))
        .filter((k) => k.SK !== keys.connector(tenantId, id).SK);
    } catch (error) {
      translateDynamoError(error, 'list connector items');
    }
    const writes: ItemWrite[] = [
      {
        Delete: {
          TableName: this.tableName,
          Key: keys.connector(tenantId, id),
          // The version read, and no sync holding the lock (a sync takes it without changing the version).
          ConditionExpression:
            'attribute_exists(PK) AND #v = :expected AND (attribute_not_exists(#active) OR #active = :none)',
          ExpressionAttributeNames: { '#v': 'version', '#active': 'activeRunId' },
          ExpressionAttributeValues: { ':expected': expectedVersion, ':none': null },
        },
      },
      // Token, breaker and cursors go with it; nothing of them is worth keeping without the connector.
      ...others.slice(0, DELETE_IN_TRANSACTION).map((Key) => ({ Delete: { TableName: this.tableName, Key } })),
    ];
    await this.writer.commit(tenantId, writes, mutation);
    // More items than one transaction holds (not made by today's syncs): bookkeeping, removed after it.
    for (const Key of others.slice(DELETE_IN_TRANSACTION)) {
      try {
        await this.client.send(new DeleteCommand({ TableName: this.tableName, Key }));
      } catch (error) {
        translateDynamoError(error, 'delete connector item');
      }
    }
  }

  async sourcesOf(
    tenantId: string,
    entityId: string,
    limit: number,
  ): Promise<{ items: SourceRecordView[]; more: boolean }> {
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
          ExpressionAttributeValues: { ':pk': keys.entityPartition(tenantId, entityId), ':sk': 'SOURCE#' },
          Limit: limit + 1,
        }),
      );
      const items = (out.Items ?? []).map((i) => SourceRecordItem.parse(i));
      return {
        items: items.slice(0, limit).map((s) => ({
          entityId: s.entityId,
          connectorId: s.connectorId,
          system: s.system,
          object: s.object,
          sourceId: s.sourceId,
          syncedAt: s.syncedAt,
          modifiedAt: s.modifiedAt,
          deletedAt: s.deletedAt,
          attributes: s.attributes,
        })),
        more: items.length > limit || out.LastEvaluatedKey !== undefined,
      };
    } catch (error) {
      translateDynamoError(error, 'read source records');
    }
  }

  /**
   * Relations are read as ranges of the entity's partition in sort-key order: `REL#` for all of them, one
   * direction's prefix, or, for one kind in both directions, that kind's incoming range and then its outgoing one.
   * The cursor is the last key read, so the range it lies in says where the next page goes on; a page that ends
   * exactly at the end of a range continues at the start of the next (its prefix as the start key).
   */
  async relationsOf(tenantId: string, entityId: string, query: RelationQuery): Promise<Page<RelationView>> {
    const partition = keys.entityPartition(tenantId, entityId);
    const kind = query.kind ? `${query.kind}#` : '';
    const ranges = query.direction
      ? [`REL#${query.direction.toUpperCase()}#${kind}`]
      : kind
        ? [`REL#IN#${kind}`, `REL#OUT#${kind}`]
        : ['REL#'];
    const start = decodeCursor(query.cursor, { partition });
    let range = start ? ranges.findIndex((prefix) => start.SK!.startsWith(prefix)) : 0;
    if (range < 0)
      throw new ValidationError('cursor is not valid for this query', {
        details: [{ field: 'cursor', message: 'invalid cursor' }],
      });
    const items: RelationView[] = [];
    let startKey: Record<string, string> | undefined = start;
    try {
      for (; range < ranges.length; range++) {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
            ExpressionAttributeValues: { ':pk': partition, ':sk': ranges[range] },
            Limit: query.limit - items.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const i of out.Items ?? []) {
          const r = RelationItem.parse(i);
          items.push({
            kind: r.kind,
            direction: r.direction,
            entityId: r.entityId,
            otherId: r.otherId,
            connectorId: r.connectorId,
            syncedAt: r.syncedAt,
          });
        }
        if (out.LastEvaluatedKey) return { items, nextCursor: encodeCursor(out.LastEvaluatedKey) };
        startKey = undefined;
        if (items.length >= query.limit) {
          const next = ranges[range + 1];
          return { items, nextCursor: next ? encodeCursor({ PK: partition, SK: next }) : null };
        }
      }
      return { items, nextCursor: null };
    } catch (error) {
      translateDynamoError(error, 'read relations');
    }
  }
}
