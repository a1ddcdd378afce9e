import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { SignalRuleBody } from '../../../schemas/signals.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import type { SignalRuleStore, StoredSignalRule } from '../../domain/signals/use-cases/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './errors.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter, ItemWrite } from './mutation-writer.js';

/**
 * A rule item (latest or a version), validated on every read. The body is kept as the JSON text accepted: event
 * patterns hold numbers and strings DynamoDB's types would change (a number with more digits than a double keeps,
 * an empty string in a set), and the rule must match tomorrow exactly as it was saved.
 */
const RuleItem = z.object({
  entityType: z.enum([ITEM_TYPES.signalRule, ITEM_TYPES.signalRuleVersion]),
  schemaVersion: z.literal(1),
  ruleId: z.string(),
  body: z.string(),
  version: z.number().int().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
  authorRoles: z.array(z.string()).optional(),
});

function ruleFromItem(item: Record<string, unknown>): StoredSignalRule {
  const r = RuleItem.parse(item);
  return {
    body: SignalRuleBody.parse(JSON.parse(r.body)),
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
    ...(r.authorRoles ? { authorRoles: r.authorRoles } : {}),
  };
}

/**
 * Signal rules in the single table (keys.ts: SIGRULES, SIGRULE). The tenant's live rules share one partition with
 * its head, so the detector reads the whole set with one consistent Query (no index lag: a rule saved is a rule the
 * next event sees) and checks it is current with one GetItem of the head, whose version every change moves in its
 * transaction. Versions stay in each rule's own partition; a deleted rule leaves a tombstone with its last version,
 * so an id used again goes on counting and no older version is overwritten.
 */
export class DynamoSignalRuleRepository implements SignalRuleStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private items(tenantId: string, rule: StoredSignalRule) {
    const body = {
      schemaVersion: 1,
      tenantId,
      ruleId: rule.body.id,
      body: JSON.stringify(rule.body),
      version: rule.version,
      createdAt: rule.createdAt,
      updatedAt: rule.updatedAt,
      createdBy: rule.createdBy,
      updatedBy: rule.updatedBy,
      ...(rule.authorRoles ? { authorRoles: rule.authorRoles } : {}),
    };
    return {
      latest: { ...keys.signalRule(tenantId, rule.body.id), entityType: ITEM_TYPES.signalRule, ...body },
      version: {
        ...keys.signalRuleVersion(tenantId, rule.body.id, rule.version),
        entityType: ITEM_TYPES.signalRuleVersion,
        ...body,
      },
    };
  }

  /** Moves the rule set's version (every change of a rule does, in its transaction). */
  private headMove(tenantId: string): ItemWrite {
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.signalRuleSetHead(tenantId),
        UpdateExpression: 'SET #v = if_not_exists(#v, :zero) + :one, #type = :type, #sv = :sv',
        ExpressionAttributeNames: { '#v': 'version', '#type': 'entityType', '#sv': 'schemaVersion' },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':type': ITEM_TYPES.signalRuleSetHead, ':sv': 1 },
      },
    };
  }

  async create(tenantId: string, rule: StoredSignalRule, lastVersion: number, mutation: MutationRecord): Promise<void> {
    const { latest, version } = this.items(tenantId, rule);
    const tombstone = keys.signalRuleTombstone(tenantId, rule.body.id);
    await this.writer.commit(
      tenantId,
      [
        { Put: { TableName: this.tableName, Item: latest, ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: this.tableName, Item: version, ConditionExpression: 'attribute_not_exists(PK)' } },
        // The id's history as read: none, or the tombstone of the version this one follows (gone with it).
        lastVersion === 0
          ? {
              ConditionCheck: {
                TableName: this.tableName,
                Key: tombstone,
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            }
          : {
              Delete: {
                TableName: this.tableName,
                Key: tombstone,
                ConditionExpression: '#last = :last',
                ExpressionAttributeNames: { '#last': 'lastVersion' },
                ExpressionAttributeValues: { ':last': lastVersion },
              },
            },
        this.headMove(tenantId),
      ],
      mutation,
    );
  }

  private async getItem(key: Record<string, string>, what: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })))
        .Item;
    } catch (error) {
      translateDynamoError(error, what);
    }
  }

  async get(tenantId: string, id: string, version?: number): Promise<StoredSignalRule | undefined> {
    const key = version === undefined ? keys.signalRule(tenantId, id) : keys.signalRuleVersion(tenantId, id, version);
    const item = await this.getItem(key, 'get signal rule');
    return item ? ruleFromItem(item) : undefined;
  }

  async lastDeletedVersion(tenantId: string, id: string): Promise<number> {
    const item = await this.getItem(keys.signalRuleTombstone(tenantId, id), 'get signal rule tombstone');
    return item ? z.number().int().min(1).parse(item.lastVersion) : 0;
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<StoredSignalRule>> {
    const partition = keys.signalRulesPartition(tenantId);
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :rule)',
          ExpressionAttributeValues: { ':pk': partition, ':rule': 'RULE#' },
          Limit: query.limit,
          ExclusiveStartKey: decodeCursor(query.cursor, { partition }),
        }),
      );
      return { items: (out.Items ?? []).map(ruleFromItem), nextCursor: encodeCursor(out.LastEvaluatedKey) };
    } catch (error) {
      translateDynamoError(error, 'list signal rules');
    }
  }

  async update(
    tenantId: string,
    rule: StoredSignalRule,
    expectedVersion: number,
    mutation: MutationRecord,
  ): Promise<void> {
    const { latest, version } = this.items(tenantId, rule);
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: latest,
            ConditionExpression: 'attribute_exists(PK) AND #v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        { Put: { TableName: this.tableName, Item: version, ConditionExpression: 'attribute_not_exists(PK)' } },
        this.headMove(tenantId),
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
            Key: keys.signalRule(tenantId, id),
            ConditionExpression: 'attribute_exists(PK) AND #v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.signalRuleTombstone(tenantId, id),
              entityType: ITEM_TYPES.signalRuleTombstone,
              schemaVersion: 1,
              tenantId,
              ruleId: id,
              lastVersion: expectedVersion,
            },
          },
        },
        this.headMove(tenantId),
      ],
      mutation,
    );
  }

  async ruleSetVersion(tenantId: string): Promise<number> {
    const item = await this.getItem(keys.signalRuleSetHead(tenantId), 'get signal rule set head');
    return item ? z.number().int().min(0).parse(item.version) : 0;
  }

  async allRules(tenantId: string): Promise<StoredSignalRule[]> {
    const rules: StoredSignalRule[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :rule)',
            ExpressionAttributeValues: { ':pk': keys.signalRulesPartition(tenantId), ':rule': 'RULE#' },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        rules.push(...(out.Items ?? []).map(ruleFromItem));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      translateDynamoError(error, 'read signal rules');
    }
    return rules;
  }
}
