import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Trigger } from '../../../schemas/triggers.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import type { HookRateLimiter, TriggerRecord, TriggerStore } from '../../domain/triggers/ports.js';
import { translateDynamoError } from './errors.js';
import { indexPage } from './index-page.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter } from './mutation-writer.js';

/** A trigger item, validated on every read so an old or corrupt item fails loudly instead of flowing on. */
const TriggerItem = Trigger.extend({
  entityType: z.literal(ITEM_TYPES.trigger),
  schemaVersion: z.literal(1),
  roles: z.array(z.string()),
  /** Only ever the SecretBox's output: a secret in clear here would be a defect, refused on read. */
  sealedSecret: z.string().startsWith('enc1.').nullable(),
});

function triggerFromItem(item: Record<string, unknown>): TriggerRecord {
  const { entityType: _type, schemaVersion: _v, ...record } = TriggerItem.parse(item);
  return record;
}

/** Workflow triggers in the single table (keys.ts: TRIGGER, TRIGGERS); secrets are stored only as sealed. */
export class DynamoTriggerStore implements TriggerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private item(tenantId: string, t: TriggerRecord) {
    return {
      ...keys.trigger(tenantId, t.id),
      ...keys.triggerIndex(tenantId, t.createdAt, t.id),
      entityType: ITEM_TYPES.trigger,
      schemaVersion: 1,
      ...t,
    };
  }

  async create(tenantId: string, record: TriggerRecord, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.item(tenantId, record),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
      mutation,
    );
  }

  async get(tenantId: string, id: string): Promise<TriggerRecord | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.trigger(tenantId, id), ConsistentRead: true }),
      );
      return out.Item ? triggerFromItem(out.Item) : undefined;
    } catch (error) {
      translateDynamoError(error, 'get trigger');
    }
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<TriggerRecord>> {
    const page = await indexPage(
      this.client,
      this.tableName,
      'GSI1',
      keys.triggersPartition(tenantId),
      query,
      'list triggers',
    );
    return { items: page.items.map(triggerFromItem), nextCursor: page.nextCursor };
  }

  async update(tenantId: string, record: TriggerRecord, expectedVersion: number, mutation: MutationRecord) {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.item(tenantId, record),
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
      ],
      mutation,
    );
  }

  async delete(tenantId: string, id: string, expectedVersion: number, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.trigger(tenantId, id),
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
      ],
      mutation,
    );
  }
}

/**
 * A hook's rate in the table: one counter item per hook and minute (ADD on condition that it is below the limit),
 * removed by TTL an hour after its minute. One conditional write per request, the same for every instance of the
 * function, which an in-memory bucket per instance would not be.
 */
export class DynamoHookRateLimiter implements HookRateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly perMinute: number,
  ) {}

  async take(tenantId: string, triggerId: string, now: Date): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const minute = Math.floor(now.getTime() / 60_000);
    const retryAfterSeconds = Math.max(1, Math.ceil(((minute + 1) * 60_000 - now.getTime()) / 1000));
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.hookRateWindow(tenantId, triggerId, minute),
          UpdateExpression: 'ADD #n :one SET entityType = :type, schemaVersion = :v, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
          ExpressionAttributeNames: { '#n': 'requests' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': this.perMinute,
            ':type': ITEM_TYPES.hookRateWindow,
            ':v': 1,
            ':expires': Math.floor(now.getTime() / 1000) + 3600,
          },
        }),
      );
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (error) {
      if ((error as Error)?.name === 'ConditionalCheckFailedException') return { allowed: false, retryAfterSeconds };
      translateDynamoError(error, 'count hook request');
    }
  }
}
