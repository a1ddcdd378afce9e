import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Message, Session, type UsageRow } from '../../../schemas/agents.js';
import type {
  MemoryItem,
  MemoryStore,
  SessionRepository,
  StoredMessage,
  StoredSession,
  UsageLedger,
} from '../../domain/agents/runtime/ports.js';
import type { LlmUsage } from '../../domain/agents/llm.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './errors.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter } from './mutation-writer.js';

/** Items validated on every read, so an old or corrupt item fails loudly. */
const SessionItem = Session.extend({
  entityType: z.literal(ITEM_TYPES.agentSession),
  schemaVersion: z.literal(1),
  version: z.number().int().min(1),
});
const MessageItem = Message.extend({
  entityType: z.literal(ITEM_TYPES.sessionMessage),
  schemaVersion: z.literal(1),
  seq: z.number().int().min(1),
});
const MemoryRow = z.object({
  entityType: z.literal(ITEM_TYPES.agentMemory),
  id: z.string(),
  scopeKey: z.string(),
  text: z.string(),
  createdAt: z.string(),
  expiresAtIso: z.string(),
});
const UsageItem = z.object({
  entityType: z.literal(ITEM_TYPES.modelUsage),
  date: z.string(),
  agent_id: z.string(),
  model: z.string(),
  calls: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cache_creation_input_tokens: z.number().int(),
  cache_read_input_tokens: z.number().int(),
  /** Millionths of a US dollar, added atomically as integers (no float drift across calls). */
  cost_micro_usd: z.number().int(),
});

const strip = <T extends Record<string, unknown>>(item: T, ...names: string[]) => {
  const out = { ...item } as Record<string, unknown>;
  for (const n of ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'entityType', 'schemaVersion', 'expiresAt', ...names]) delete out[n];
  return out;
};

/**
 * Sessions, their messages, agent memories and model usage in the single table (keys.ts: SESSION, MEMORY, USAGE).
 * A turn is one transaction: both messages and the session item conditioned on its version (with the audit record).
 */
export class DynamoAgentSessionStore implements SessionRepository, MemoryStore, UsageLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private sessionItem(tenantId: string, s: StoredSession) {
    return {
      ...keys.agentSession(tenantId, s.id),
      ...keys.agentSessionIndex(tenantId, s.agent_id, s.started_at, s.id),
      entityType: ITEM_TYPES.agentSession,
      schemaVersion: 1,
      ...s,
    };
  }

  async create(tenantId: string, session: StoredSession, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.sessionItem(tenantId, session),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
      mutation,
    );
  }

  async get(tenantId: string, id: string): Promise<StoredSession | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.agentSession(tenantId, id), ConsistentRead: true }),
      );
      return out.Item ? (strip(SessionItem.parse(out.Item)) as unknown as StoredSession) : undefined;
    } catch (error) {
      translateDynamoError(error, 'get session');
    }
  }

  async appendTurn(
    tenantId: string,
    session: StoredSession,
    expectedVersion: number,
    messages: readonly StoredMessage[],
    mutation: MutationRecord,
  ): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.sessionItem(tenantId, session),
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        ...messages.map((m) => ({
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.sessionMessage(tenantId, m.session_id, m.seq),
              entityType: ITEM_TYPES.sessionMessage,
              schemaVersion: 1,
              ...m,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        })),
      ],
      mutation,
    );
  }

  async listMessages(
    tenantId: string,
    sessionId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<StoredMessage>> {
    const partition = keys.sessionPartition(tenantId, sessionId);
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :msg)',
          ExpressionAttributeValues: { ':pk': partition, ':msg': 'MSG#' },
          Limit: query.limit,
          ExclusiveStartKey: decodeCursor(query.cursor, { partition }),
        }),
      );
      return {
        items: (out.Items ?? []).map((i) => strip(MessageItem.parse(i)) as unknown as StoredMessage),
        nextCursor: encodeCursor(out.LastEvaluatedKey),
      };
    } catch (error) {
      translateDynamoError(error, 'list messages');
    }
  }

  async recentMessages(tenantId: string, sessionId: string, limit: number): Promise<StoredMessage[]> {
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :msg)',
          ExpressionAttributeValues: { ':pk': keys.sessionPartition(tenantId, sessionId), ':msg': 'MSG#' },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map((i) => strip(MessageItem.parse(i)) as unknown as StoredMessage).reverse();
    } catch (error) {
      translateDynamoError(error, 'read recent messages');
    }
  }

  async recall(tenantId: string, scopeKey: string, limit: number, now: Date): Promise<MemoryItem[]> {
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk',
          // TTL deletes within days, not at the expiry: an expired item is skipped here.
          FilterExpression: 'expiresAtIso > :now',
          ExpressionAttributeValues: { ':pk': keys.memoryPartition(tenantId, scopeKey), ':now': now.toISOString() },
          ScanIndexForward: false,
          Limit: limit * 4,
        }),
      );
      return (out.Items ?? [])
        .map((i) => MemoryRow.parse(i))
        .slice(0, limit)
        .map((m) => ({
          id: m.id,
          scopeKey: m.scopeKey,
          text: m.text,
          createdAt: m.createdAt,
          expiresAt: m.expiresAtIso,
        }));
    } catch (error) {
      translateDynamoError(error, 'recall memories');
    }
  }

  async remember(tenantId: string, item: MemoryItem): Promise<void> {
    await this.writer.put(
      {
        TableName: this.tableName,
        Item: {
          ...keys.agentMemory(tenantId, item.scopeKey, item.createdAt, item.id),
          entityType: ITEM_TYPES.agentMemory,
          schemaVersion: 1,
          id: item.id,
          scopeKey: item.scopeKey,
          text: item.text,
          createdAt: item.createdAt,
          expiresAtIso: item.expiresAt,
          expiresAt: Math.ceil(Date.parse(item.expiresAt) / 1000),
        },
      },
      'remember',
    );
  }

  async record(
    tenantId: string,
    entry: { date: string; agentId: string; model: string; usage: LlmUsage; costUsd: number },
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.modelUsage(tenantId, entry.date, entry.agentId, entry.model),
          UpdateExpression:
            'SET entityType = :type, schemaVersion = :one, #date = :date, agent_id = :agent, model = :model ' +
            'ADD calls :one, input_tokens :in, output_tokens :out, cache_creation_input_tokens :cw, ' +
            'cache_read_input_tokens :cr, cost_micro_usd :cost',
          ExpressionAttributeNames: { '#date': 'date' },
          ExpressionAttributeValues: {
            ':type': ITEM_TYPES.modelUsage,
            ':one': 1,
            ':date': entry.date,
            ':agent': entry.agentId,
            ':model': entry.model,
            ':in': entry.usage.inputTokens,
            ':out': entry.usage.outputTokens,
            ':cw': entry.usage.cacheCreationInputTokens,
            ':cr': entry.usage.cacheReadInputTokens,
            ':cost': Math.round(entry.costUsd * 1e6),
          },
        }),
      );
    } catch (error) {
      translateDynamoError(error, 'record model usage');
    }
  }

  async list(tenantId: string, query: { days: readonly string[]; agentId?: string }): Promise<UsageRow[]> {
    const rows: UsageRow[] = [];
    try {
      for (const date of query.days) {
        let startKey: Record<string, unknown> | undefined;
        do {
          const out = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: query.agentId ? 'PK = :pk AND begins_with(SK, :agent)' : 'PK = :pk',
              ExpressionAttributeValues: {
                ':pk': keys.usagePartition(tenantId, date),
                ...(query.agentId ? { ':agent': `AGENT#${query.agentId}#` } : {}),
              },
              ExclusiveStartKey: startKey,
            }),
          );
          for (const i of out.Items ?? []) {
            const { entityType, cost_micro_usd, ...u } = UsageItem.parse(i);
            rows.push({ ...u, cost_usd: cost_micro_usd / 1e6 });
          }
          startKey = out.LastEvaluatedKey;
        } while (startKey);
      }
    } catch (error) {
      translateDynamoError(error, 'list model usage');
    }
    return rows;
  }
}
