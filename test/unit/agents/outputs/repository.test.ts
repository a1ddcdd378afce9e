import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoAgentOutputRepository } from '../../../../functions/adapters/dynamodb/agent-output-repository.js';
import { keys } from '../../../../functions/adapters/dynamodb/keys.js';
import { DynamoMutationWriter } from '../../../../functions/adapters/dynamodb/mutation-writer.js';
import { DailyLimitExceededError } from '../../../../functions/domain/agents/outputs/errors.js';
import type { StoredOutput } from '../../../../functions/domain/agents/outputs/ports.js';
import { ConflictError, ValidationError } from '../../../../functions/domain/errors.js';
import type { MutationRecord } from '../../../../functions/domain/ports.js';
import { OUTPUT_STATUSES, type OutputStatus } from '../../../../schemas/agents.js';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(doc);
const AGENT = '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f';

const anOutput = (over: Partial<StoredOutput> = {}): StoredOutput => ({
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  tenant_id: 'tenant-a',
  agent_id: AGENT,
  session_id: '0c4e8a2b-7d1f-4b3a-8e6c-5f9d2a1b3c4e',
  content_type: 'json',
  content_preview: '{}',
  s3_key: `${AGENT}/a1b2c3d4-0000-4000-8000-000000000001.json`,
  status: 'pending',
  skill_used: 'update_account',
  is_automatable: true,
  offline: false,
  approval_id: 'apr_abcdefabcdef',
  webhook_attempts: 0,
  created_at: '2026-02-03T04:05:06.000Z',
  updated_at: '2026-02-03T04:05:06.000Z',
  proposer: { userId: 'ada', roles: ['admin'] },
  content_sha256: 'a'.repeat(64),
  content_size: 2,
  approval_timeout_seconds: 604_800,
  tool: 'entity.update',
  skill_description: 'Updates attributes of an account.',
  version: 1,
  ...over,
});

const aMutation = (): MutationRecord => ({
  audit: {
    action: 'agent.output.propose',
    actor: 'ada',
    resourceType: 'agent_output',
    resourceId: 'x',
    at: '2026-02-03T04:05:06.000Z',
    requestId: 'r',
    beforeHash: null,
    afterHash: 'f'.repeat(64),
  },
  events: [],
});

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const counter = { day: '2026-02-03', limit: 5, resetAt: '2026-02-04T00:00:00.000Z' };
const item = (o: StoredOutput) => ({
  ...keys.agentOutput('tenant-a', o.created_at, o.id),
  ...keys.agentOutputIndexes('tenant-a', o.agent_id, o.status, o.created_at, o.id),
  entityType: 'AgentOutput',
  schemaVersion: 1,
  ...o,
});

describe('DynamoAgentOutputRepository', () => {
  let repo: DynamoAgentOutputRepository;
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({});
    repo = new DynamoAgentOutputRepository(
      doc,
      't',
      new DynamoMutationWriter(doc, { tableName: 't', lanes: 1, outboxTtlDays: 7 }),
    );
  });

  it('counts, stores the item and its reference in one transaction, the counter conditional on the limit and expiring a day after its reset', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await repo.create('tenant-a', anOutput(), counter, aMutation());
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    const [count, put, ref] = items;
    expect(count!.Update).toMatchObject({
      Key: { PK: `T#tenant-a#AGENT#${AGENT}`, SK: 'DATE#2026-02-03' },
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
    });
    expect(count!.Update!.ExpressionAttributeValues).toMatchObject({
      ':limit': 5,
      ':one': 1,
      ':ttl': Date.parse('2026-02-05T00:00:00.000Z') / 1000,
    });
    expect(put!.Put!.Item).toMatchObject({
      PK: 'T#tenant-a#OUTPUTS',
      SK: 'OUTPUT#2026-02-03T04:05:06.000Z#a1b2c3d4-0000-4000-8000-000000000001',
      GSI1PK: `T#tenant-a#AGENT#${AGENT}`,
      GSI1SK: 'STATUS#pending#2026-02-03T04:05:06.000Z#a1b2c3d4-0000-4000-8000-000000000001',
      GSI2PK: 'T#tenant-a#OUTPUTS#STATUS#pending',
    });
    expect(ref!.Put!.Item).toMatchObject({ PK: 'T#tenant-a#OUTPUT#a1b2c3d4-0000-4000-8000-000000000001', SK: 'REF' });
    // Every partition key, of the table and of the indexes, starts with the tenant.
    for (const i of items) {
      const written = (i.Put?.Item ?? i.Update?.Key) as Record<string, string>;
      for (const k of ['PK', 'GSI1PK', 'GSI2PK'])
        if (written[k]) expect(written[k]!.startsWith('T#tenant-a#')).toBe(true);
    }
  });

  it('answers DailyLimitExceededError when the counter condition failed, ConflictError when the id exists', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None', 'None', 'None', 'None']));
    await expect(repo.create('tenant-a', anOutput(), counter, aMutation())).rejects.toBeInstanceOf(
      DailyLimitExceededError,
    );
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed', 'None', 'None', 'None']));
    const error = await repo.create('tenant-a', anOutput(), counter, aMutation()).catch((e) => e);
    expect(error, String(error)).toBeInstanceOf(ConflictError);
    expect(error).not.toBeInstanceOf(DailyLimitExceededError);
  });

  it('finds an output by id through its reference, and validates what it reads', async () => {
    const o = anOutput();
    ddb.on(GetCommand, { Key: keys.agentOutputRef('tenant-a', o.id) }).resolves({ Item: { created_at: o.created_at } });
    ddb.on(GetCommand, { Key: keys.agentOutput('tenant-a', o.created_at, o.id) }).resolves({ Item: item(o) });
    expect(await repo.get('tenant-a', o.id)).toEqual(o);
    ddb
      .on(GetCommand, { Key: keys.agentOutput('tenant-a', o.created_at, o.id) })
      .resolves({ Item: { ...item(o), status: 'lost' } });
    await expect(repo.get('tenant-a', o.id)).rejects.toThrow();
    expect(await repo.get('tenant-a', 'other')).toBeUndefined();
  });

  it('saves a status change conditionally on the version and status read, moving both index keys', async () => {
    ddb.on(PutCommand).resolves({});
    await repo.save('tenant-a', anOutput({ status: 'approved', version: 2 }), 'pending');
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.ConditionExpression).toBe('#v = :expected AND #s = :from');
    expect(put.ExpressionAttributeValues).toEqual({ ':expected': 1, ':from': 'pending' });
    expect(put.Item).toMatchObject({
      GSI1SK: expect.stringMatching(/^STATUS#approved#/),
      GSI2PK: 'T#tenant-a#OUTPUTS#STATUS#approved',
    });
  });

  it.each([
    [{}, undefined, 'PK = :pk AND begins_with(SK, :output)', 'T#tenant-a#OUTPUTS'],
    [{ status: 'pending' as OutputStatus }, 'GSI2', 'GSI2PK = :pk', 'T#tenant-a#OUTPUTS#STATUS#pending'],
    [
      { agentId: AGENT, status: 'manual' as OutputStatus },
      'GSI1',
      'GSI1PK = :pk AND begins_with(GSI1SK, :status)',
      `T#tenant-a#AGENT#${AGENT}`,
    ],
  ])('lists %j with one query newest first, never a scan', async (filter, index, condition, partition) => {
    ddb.on(QueryCommand).resolves({ Items: [item(anOutput())] });
    const page = await repo.list('tenant-a', { ...filter, limit: 10 });
    const q = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(q).toMatchObject({ KeyConditionExpression: condition, ScanIndexForward: false, Limit: 10 });
    expect(q.IndexName).toBe(index);
    expect(q.ExpressionAttributeValues![':pk']).toBe(partition);
    expect(page.items).toHaveLength(1);
  });

  describe("an agent's outputs of every status", () => {
    const stamp = (n: number) => `2026-02-03T04:05:${String(n).padStart(2, '0')}.000Z`;
    const outputs = Array.from({ length: 12 }, (_, n) =>
      anOutput({
        id: `a1b2c3d4-0000-4000-8000-${String(n).padStart(12, '0')}`,
        created_at: stamp(n),
        status: OUTPUT_STATUSES[n % OUTPUT_STATUSES.length]!,
      }),
    );
    /** Answers each status's query as DynamoDB would from the GSI1 items: the key condition, newest first, Limit. */
    const serveIndex = () =>
      ddb.on(QueryCommand).callsFake((input) => {
        const values = input.ExpressionAttributeValues as Record<string, string>;
        const rows = outputs
          .map((o) => ({ o, sk: `STATUS#${o.status}#${o.created_at}#${o.id}` }))
          .filter(({ sk }) => sk.startsWith(values[':lo']!) && (values[':hi'] === undefined || sk <= values[':hi']))
          .sort((a, b) => (a.sk < b.sk ? 1 : -1));
        const page = rows.slice(0, input.Limit);
        return {
          Items: page.map(({ o }) => item(o)),
          ...(rows.length > input.Limit ? { LastEvaluatedKey: { x: 1 } } : {}),
        };
      });

    it('merges the statuses newest first, page after page, each output once', async () => {
      serveIndex();
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await repo.list('tenant-a', { agentId: AGENT, limit: 5, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((o) => o.created_at));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(outputs.map((o) => o.created_at).reverse());
      expect(ddb.commandCalls(QueryCommand).every((c) => c.args[0].input.IndexName === 'GSI1')).toBe(true);
    });

    it("refuses a cursor of another agent's listing or one that was altered", async () => {
      serveIndex();
      const page = await repo.list('tenant-a', { agentId: AGENT, limit: 5 });
      await expect(
        repo.list('tenant-a', { agentId: '1c2a3b4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', limit: 5, cursor: page.nextCursor! }),
      ).rejects.toBeInstanceOf(ValidationError);
      const forged = Buffer.from(JSON.stringify({ a: AGENT, c: "2026' OR 1=1", i: 'x' })).toString('base64url');
      await expect(repo.list('tenant-a', { agentId: AGENT, limit: 5, cursor: forged })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(repo.list('tenant-a', { agentId: AGENT, limit: 5, cursor: '%%%' })).rejects.toBeInstanceOf(
        ValidationError,
      );
    });
  });
});
