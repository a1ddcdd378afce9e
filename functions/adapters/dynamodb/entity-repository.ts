import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity, type EntityType } from '../../../schemas/entity.js';
import type { EntityRepository, MutationRecord, Page } from '../../domain/ports.js';
import { translateDynamoError } from './errors.js';
import { indexPage } from './index-page.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter } from './mutation-writer.js';

/** Entities in the single table; reads are validated with zod so a corrupt item fails loudly. */
export class DynamoEntityRepository implements EntityRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private toItem(tenantId: string, entity: Entity) {
    return entityItem(tenantId, entity);
  }

  private fromItem(item: Record<string, unknown>): Entity {
    return entityFromItem(item);
  }

  async create(tenantId: string, entity: Entity, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.toItem(tenantId, entity),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
      mutation,
    );
  }

  async update(tenantId: string, entity: Entity, expectedVersion: number, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.toItem(tenantId, entity),
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
      ],
      mutation,
    );
  }

  async get(tenantId: string, id: string): Promise<Entity | undefined> {
    try {
      // Strongly consistent: a read-modify-write (PATCH, workflow steps) must see the latest version.
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.entity(tenantId, id), ConsistentRead: true }),
      );
      return out.Item ? this.fromItem(out.Item) : undefined;
    } catch (error) {
      translateDynamoError(error, 'get entity');
    }
  }

  async list(tenantId: string, query: { type?: EntityType; limit: number; cursor?: string }): Promise<Page<Entity>> {
    const page = query.type
      ? await indexPage(
          this.client,
          this.tableName,
          'GSI2',
          keys.entitiesOfTypePartition(tenantId, query.type),
          query,
          'list entities',
        )
      : await indexPage(this.client, this.tableName, 'GSI1', keys.entitiesPartition(tenantId), query, 'list entities');
    return { items: page.items.map((i) => this.fromItem(i)), nextCursor: page.nextCursor };
  }
}

/** The table item of an entity (the one shape every writer of entities uses). */
export function entityItem(tenantId: string, entity: Entity) {
  return {
    ...keys.entity(tenantId, entity.id),
    ...keys.entityIndexes(tenantId, entity.type, entity.createdAt, entity.id),
    entityType: ITEM_TYPES.entity,
    schemaVersion: 1,
    tenantId,
    ...entity,
  };
}

/** An entity item of the table as the Entity contract (validated: an old or corrupt item fails loudly). */
export function entityFromItem(item: Record<string, unknown>): Entity {
  return Entity.parse({
    id: item.id,
    type: item.type,
    attributes: item.attributes,
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  });
}
