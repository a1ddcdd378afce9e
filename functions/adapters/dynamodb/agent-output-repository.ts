import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { OUTPUT_STATUSES, Output, type OutputStatus } from '../../../schemas/agents.js';
import { DailyLimitExceededError } from '../../domain/agents/outputs/errors.js';
import type {
  DailyOutputCount,
  OutputListQuery,
  OutputRepository,
  StoredOutput,
} from '../../domain/agents/outputs/ports.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { cancellationCodes, translateDynamoError } from './errors.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter } from './mutation-writer.js';

/** Items are validated on read, so an old or corrupt item fails loudly instead of flowing on. */
const OutputItem = Output.extend({
  proposer: z.object({ userId: z.string(), roles: z.array(z.string()) }),
  webhook_url: z.string().optional(),
  sealed_webhook_secret: z.string().startsWith('enc1.').optional(),
  content_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  content_size: z.number().int().min(0),
  approval_timeout_seconds: z.number().int().min(1),
  tool: z.string().optional(),
  skill_description: z.string().optional(),
  version: z.number().int().min(1),
});
const RefItem = z.object({ created_at: z.string() });
const CounterItem = z.object({
  agent_id: z.string(),
  date: z.string(),
  output_count: z.number().int(),
  limit: z.number().int(),
  reset_at: z.string(),
});

const strip = (item: Record<string, unknown>) => {
  const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, entityType, schemaVersion, ...rest } = item;
  return rest;
};
const parseOutput = (item: Record<string, unknown>) => OutputItem.parse(strip(item)) as StoredOutput;

/** The agent-only listing's cursor: where the merged statuses stopped (creation time and id), bound to the agent. */
const MergeCursor = z.strictObject({
  a: z.string(),
  c: z.string().regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/),
  i: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
});

const invalidCursor = () =>
  new ValidationError('cursor is not valid for this query', {
    details: [{ field: 'cursor', message: 'invalid cursor' }],
  });

/**
 * Outputs (seed 004 keys with the tenant prefix: functions/adapters/dynamodb/keys.ts) and the agents' daily output
 * counters. A proposal is one transaction: the counter's conditional increment, the output item, its reference item,
 * the audit record and the outbox event; a status change is a conditional put of the item (version and status read).
 */
export class DynamoAgentOutputRepository implements OutputRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  private item(tenantId: string, o: StoredOutput) {
    return {
      ...keys.agentOutput(tenantId, o.created_at, o.id),
      ...keys.agentOutputIndexes(tenantId, o.agent_id, o.status, o.created_at, o.id),
      entityType: ITEM_TYPES.agentOutput,
      schemaVersion: 1,
      ...o,
    };
  }

  async create(
    tenantId: string,
    output: StoredOutput,
    counter: { day: string; limit: number; resetAt: string },
    mutation: MutationRecord,
  ): Promise<void> {
    const expiresAt = Math.floor(Date.parse(counter.resetAt) / 1000) + 86_400;
    try {
      await this.writer.commit(
        tenantId,
        [
          {
            // Seed 004 AgentDailyUsage: counted only while below the limit, atomically with the output's writes.
            Update: {
              TableName: this.tableName,
              Key: keys.agentDailyOutputs(tenantId, output.agent_id, counter.day),
              UpdateExpression:
                'SET #type = :type, #sv = :sv, #agent = :agent, #date = :date, #limit = :limit, #reset = :reset, #ttl = :ttl ADD #count :one',
              ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
              ExpressionAttributeNames: {
                '#type': 'entityType',
                '#sv': 'schemaVersion',
                '#agent': 'agent_id',
                '#date': 'date',
                '#limit': 'limit',
                '#reset': 'reset_at',
                '#ttl': 'expiresAt',
                '#count': 'output_count',
              },
              ExpressionAttributeValues: {
                ':type': ITEM_TYPES.agentDailyOutputs,
                ':sv': 1,
                ':agent': output.agent_id,
                ':date': counter.day,
                ':limit': counter.limit,
                ':reset': counter.resetAt,
                ':ttl': expiresAt,
                ':one': 1,
              },
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: this.item(tenantId, output),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.agentOutputRef(tenantId, output.id),
                entityType: ITEM_TYPES.agentOutputRef,
                schemaVersion: 1,
                created_at: output.created_at,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
        mutation,
      );
    } catch (error) {
      // The writer reports any failed item condition as a conflict; the counter's (the first item) is the limit.
      if (error instanceof ConflictError && cancellationCodes(error.cause)?.[0] === 'ConditionalCheckFailed') {
        throw new DailyLimitExceededError(
          `agent ${output.agent_id} reached its daily output limit of ${counter.limit} for ${counter.day}`,
          { resetAt: counter.resetAt, cause: error },
        );
      }
      throw error;
    }
  }

  private async getItem(key: { PK: string; SK: string }, what: string) {
    try {
      return (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })))
        .Item;
    } catch (error) {
      translateDynamoError(error, what);
    }
  }

  async get(tenantId: string, id: string): Promise<StoredOutput | undefined> {
    const ref = await this.getItem(keys.agentOutputRef(tenantId, id), 'get output reference');
    if (!ref) return undefined;
    const item = await this.getItem(keys.agentOutput(tenantId, RefItem.parse(ref).created_at, id), 'get output');
    return item ? parseOutput(item) : undefined;
  }

  async save(tenantId: string, output: StoredOutput, fromStatus: OutputStatus, mutation?: MutationRecord) {
    const put = {
      TableName: this.tableName,
      Item: this.item(tenantId, output),
      ConditionExpression: '#v = :expected AND #s = :from',
      ExpressionAttributeNames: { '#v': 'version', '#s': 'status' },
      ExpressionAttributeValues: { ':expected': output.version - 1, ':from': fromStatus },
    };
    if (mutation) return this.writer.commit(tenantId, [{ Put: put }], mutation);
    await this.writer.put(put, 'save output');
  }

  async dailyCount(tenantId: string, agentId: string, day: string): Promise<DailyOutputCount | undefined> {
    const item = await this.getItem(keys.agentDailyOutputs(tenantId, agentId, day), 'get daily output count');
    if (!item) return undefined;
    const c = CounterItem.parse(item);
    return { agentId: c.agent_id, day: c.date, count: c.output_count, limit: c.limit, resetAt: c.reset_at };
  }

  private async query(input: Omit<QueryCommandInput, 'TableName'>, what: string) {
    try {
      return await this.client.send(
        new QueryCommand({ TableName: this.tableName, ScanIndexForward: false, ...input } as QueryCommandInput),
      );
    } catch (error) {
      translateDynamoError(error, what);
    }
  }

  async list(tenantId: string, q: OutputListQuery): Promise<Page<StoredOutput>> {
    if (q.agentId && !q.status) return this.listOfAgent(tenantId, q.agentId, q.limit, q.cursor);
    let input: Omit<QueryCommandInput, 'TableName'>;
    if (q.agentId && q.status) {
      const partition = keys.agentOutputsOfAgentPartition(tenantId, q.agentId);
      input = {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :status)',
        ExpressionAttributeValues: { ':pk': partition, ':status': `STATUS#${q.status}#` },
        ExclusiveStartKey: decodeCursor(q.cursor, { index: 'GSI1', partition }),
      };
    } else if (q.status) {
      const partition = keys.agentOutputsOfStatusPartition(tenantId, q.status);
      input = {
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ExclusiveStartKey: decodeCursor(q.cursor, { index: 'GSI2', partition }),
      };
    } else {
      const partition = keys.agentOutputsPartition(tenantId);
      input = {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :output)',
        ExpressionAttributeValues: { ':pk': partition, ':output': 'OUTPUT#' },
        ExclusiveStartKey: decodeCursor(q.cursor, { partition }),
      };
    }
    const out = await this.query({ ...input, Limit: q.limit }, 'list outputs');
    return { items: (out.Items ?? []).map(parseOutput), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /**
   * An agent's outputs of every status, newest first, from the seed's (agent, status, created_at) index alone: one
   * query per status from where the last page stopped, merged by creation time. Six small queries instead of a second
   * index per agent; an output that changes status between two pages may show on both or neither, as in any listing
   * of a changing index.
   */
  private async listOfAgent(tenantId: string, agentId: string, limit: number, cursor?: string) {
    const partition = keys.agentOutputsOfAgentPartition(tenantId, agentId);
    let after: { c: string; i: string } | undefined;
    if (cursor !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw invalidCursor();
      }
      const checked = MergeCursor.safeParse(parsed);
      if (!checked.success || checked.data.a !== agentId) throw invalidCursor();
      after = checked.data;
    }
    const pages = await Promise.all(
      OUTPUT_STATUSES.map((status) => {
        const lo = `STATUS#${status}#`;
        return this.query(
          {
            IndexName: 'GSI1',
            KeyConditionExpression: after
              ? 'GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi'
              : 'GSI1PK = :pk AND begins_with(GSI1SK, :lo)',
            ExpressionAttributeValues: {
              ':pk': partition,
              ':lo': lo,
              ...(after ? { ':hi': `${lo}${after.c}#${after.i}` } : {}),
            },
            // BETWEEN includes the cursor's own item: one more than a page, and it is dropped below.
            Limit: limit + 1,
          },
          'list outputs of an agent',
        );
      }),
    );
    const order = (o: StoredOutput) => `${o.created_at}#${o.id}`;
    const stop = after ? `${after.c}#${after.i}` : undefined;
    const candidates = pages
      .flatMap((p) => (p.Items ?? []).map(parseOutput))
      .filter((o) => stop === undefined || order(o) < stop)
      .sort((a, b) => (order(a) < order(b) ? 1 : order(a) > order(b) ? -1 : 0));
    const items = candidates.slice(0, limit);
    const more = candidates.length > limit || pages.some((p) => p.LastEvaluatedKey);
    const last = items.at(-1);
    const nextCursor =
      more && last
        ? Buffer.from(JSON.stringify({ a: agentId, c: last.created_at, i: last.id })).toString('base64url')
        : null;
    return { items, nextCursor };
  }
}
