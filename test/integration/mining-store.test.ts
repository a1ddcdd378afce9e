/**
 * The mining adapters on DynamoDB Local: the job store (one write with audit and event, newest-first listing with
 * the API's cursor, saves only of jobs that exist) and the trace reader (runs of a workflow since an instant with
 * their gates, entity histories from the audit trail with the attributes the outbox still names, the bounds).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEntityRepository } from '../../functions/adapters/dynamodb/entity-repository.js';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { DynamoMiningJobStore } from '../../functions/adapters/dynamodb/mining-job-store.js';
import { DynamoMiningTraceReader } from '../../functions/adapters/dynamodb/mining-trace-reader.js';
import { DynamoMutationWriter } from '../../functions/adapters/dynamodb/mutation-writer.js';
import {
  DynamoApprovalRepository,
  DynamoRunRepository,
} from '../../functions/adapters/dynamodb/workflow-repositories.js';
import { createEntity, updateEntity } from '../../functions/domain/entities/entity-use-cases.js';
import { ConflictError } from '../../functions/domain/errors.js';
import type { RequestContext } from '../../functions/domain/ports.js';
import type { RunState, StoredApproval } from '../../functions/domain/workflows/ports.js';
import type { MiningJob } from '../../schemas/mining-api.js';
import { ensureTable, startDynamoLocal, type LocalDynamo } from '../../local/dynamodb.js';
import { sequentialIds } from '../fakes/clock-and-ids.js';

const TABLE = 'mining-store-test';
let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;
let writer: DynamoMutationWriter;

beforeAll(async () => {
  dynamo = await startDynamoLocal(mkdtempSync(join(tmpdir(), 'modos-mining-store-')), { inMemory: true });
  await ensureTable(dynamo.client, TABLE);
  doc = DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  writer = new DynamoMutationWriter(doc, { tableName: TABLE, lanes: 2, outboxTtlDays: 1 });
}, 60_000);
afterAll(async () => dynamo?.stop());

const aJob = (n: number): MiningJob => ({
  id: `mlog_job${String(n).padStart(4, '0')}`,
  name: `log-${n}.csv`,
  format: 'csv',
  compressed: false,
  size: 10,
  sha256: 'ab'.repeat(32),
  options: {},
  settings: { noiseThreshold: 0.2, dependencyThreshold: 0.5 },
  status: 'queued',
  progress: { phase: 'queued', events: 0 },
  error: null,
  summary: null,
  uploadedBy: 'u',
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  updatedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  completedAt: null,
});

const audit = (id: string) => ({
  action: 'mining.log.upload',
  actor: 'u',
  resourceType: 'mining-log',
  resourceId: id,
  at: '2026-01-01T00:00:00.000Z',
  requestId: 'r',
  beforeHash: null,
  afterHash: null,
});

describe('mining job store', () => {
  it('writes a job with its audit record and event, lists newest first with a cursor, and saves only jobs that exist', async () => {
    const store = new DynamoMiningJobStore(doc, TABLE, writer);
    for (let n = 1; n <= 3; n++) {
      const job = aJob(n);
      await store.create('js', job, {
        audit: audit(job.id),
        events: [
          {
            name: 'mining.log.uploaded',
            payload: { jobId: job.id, format: 'csv', compressed: false, size: 10, uploadedBy: 'u' },
          },
        ],
      });
    }
    await expect(store.create('js', aJob(1), { audit: audit('x'), events: [] })).rejects.toBeInstanceOf(ConflictError);
    const outbox = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.outboxPartition('js') },
      }),
    );
    expect(outbox.Items!.filter((i) => i.detailType === 'mining.log.uploaded')).toHaveLength(3);

    const first = await store.list('js', { limit: 2 });
    expect(first.items.map((j) => j.id)).toEqual(['mlog_job0003', 'mlog_job0002']);
    const second = await store.list('js', { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((j) => j.id)).toEqual(['mlog_job0001']);
    expect((await store.list('other', { limit: 10 })).items).toEqual([]);

    await store.save('js', { ...aJob(2), status: 'running', progress: { phase: 'reading', events: 0 } });
    expect(await store.get('js', 'mlog_job0002')).toMatchObject({ status: 'running', progress: { phase: 'reading' } });
    await expect(store.save('js', aJob(9))).rejects.toBeInstanceOf(ConflictError);
    const item = await doc.send(new GetCommand({ TableName: TABLE, Key: keys.miningJob('js', 'mlog_job0001') }));
    expect(item.Item!.expiresAt).toBe(Date.UTC(2026, 0, 1, 0, 1) / 1000 + 90 * 86_400);
  });
});

const run = (n: number, workflowId: string, gated: boolean): RunState => {
  const at = (m: number) => new Date(Date.UTC(2026, 1, 1, n, m)).toISOString();
  return {
    executionId: `run_trace${String(n).padStart(3, '0')}`,
    workflowId,
    workflowVersion: 1,
    status: 'SUCCEEDED',
    input: {},
    steps: [
      { id: 'a', tool: 'entity.update', status: 'SUCCEEDED', attempts: 1, completedAt: at(1), output: { big: 'x' } },
      {
        id: 'b',
        tool: 'http.webhook',
        status: 'SUCCEEDED',
        attempts: 1,
        completedAt: at(5),
        ...(gated ? { approvalId: `apr_trace${n}` } : {}),
      },
    ],
    startedAt: at(0),
    updatedAt: at(5),
    completedAt: at(5),
    startedBy: 'u',
    redrives: 0,
    tenantId: 'wt',
    definition: [],
    generation: 1,
    revision: 1,
  };
};

const anApproval = (n: number): StoredApproval => ({
  id: `apr_trace${n}`,
  executionId: `run_trace${String(n).padStart(3, '0')}`,
  workflowId: 'wf',
  stepId: 'b',
  tool: 'http.webhook',
  status: 'approved',
  notification: 'none',
  requestedAt: new Date(Date.UTC(2026, 1, 1, n, 2)).toISOString(),
  expiresAt: new Date(Date.UTC(2026, 1, 2)).toISOString(),
  roles: ['approver'],
  decidedAt: new Date(Date.UTC(2026, 1, 1, n, 4)).toISOString(),
  decidedBy: 'anna',
  tenantId: 'wt',
  generation: 1,
  taskToken: 'token',
  callbackNonce: 'nonce',
  version: 1,
});

describe('mining trace reader', () => {
  it("reads a workflow's runs newest first from an instant, with each gate's decision, and says when it left runs out", async () => {
    const runs = new DynamoRunRepository(doc, TABLE, writer);
    const approvals = new DynamoApprovalRepository(doc, TABLE, writer);
    for (let n = 1; n <= 6; n++) {
      await runs.create('wt', run(n, n === 3 ? 'other' : 'wf', n % 2 === 0), {
        audit: { ...audit(`r${n}`), action: 'workflow.execute' },
        events: [],
      });
      if (n % 2 === 0) await approvals.createOrGet('wt', anApproval(n), { audit: audit(`a${n}`), events: [] });
    }
    const reader = new DynamoMiningTraceReader(doc, TABLE);
    const all = await reader.workflowRuns('wt', { workflowId: 'wf', limit: 10 });
    expect(all.runs.map((r) => r.executionId)).toEqual([
      'run_trace006',
      'run_trace005',
      'run_trace004',
      'run_trace002',
      'run_trace001',
    ]);
    expect(all.truncated).toBe(false);
    expect(all.runs[0]!.steps[1]!.approval).toEqual({
      status: 'approved',
      requestedAt: '2026-02-01T06:02:00.000Z',
      decidedAt: '2026-02-01T06:04:00.000Z',
      decidedBy: 'anna',
    });
    expect(all.runs[1]!.steps[1]!.approval).toBeUndefined();
    const since = await reader.workflowRuns('wt', { workflowId: 'wf', since: '2026-02-01T04:00:00.000Z', limit: 2 });
    expect(since.runs.map((r) => r.executionId)).toEqual(['run_trace006', 'run_trace005']);
    expect(since.truncated).toBe(true);
  });

  it('reads entity histories from the audit trail, naming the attributes updates changed while the outbox keeps them', async () => {
    const entities = new DynamoEntityRepository(doc, TABLE, writer);
    let t = Date.UTC(2026, 2, 1);
    const deps = { entities, clock: { now: () => new Date((t += 60_000)) }, ids: sequentialIds('ent') };
    const ctx: RequestContext = { principal: { tenantId: 'et', userId: 'u', roles: ['admin'] }, requestId: 'q' };
    const deal = await createEntity({ type: 'deal', attributes: { stage: 'new' } }, ctx, deps);
    const person = await createEntity({ type: 'person', attributes: { firstName: 'Ada' } }, ctx, deps);
    await updateEntity(deal.id, { version: 1, attributes: { stage: 'won', amount: 5 } }, ctx, deps);
    await updateEntity(person.id, { version: 1, attributes: { lastName: 'L' } }, ctx, deps);

    const reader = new DynamoMiningTraceReader(doc, TABLE);
    const all = await reader.entityHistories('et', { limit: 10 });
    expect(all.truncated).toBe(false);
    expect(all.histories.map((h) => [h.entityId, h.entityType])).toEqual([
      [person.id, 'person'],
      [deal.id, 'deal'],
    ]);
    expect(all.histories[1]!.changes.map((c) => [c.action, c.changed])).toEqual([
      ['entity.create', undefined],
      ['entity.update', ['amount', 'stage']],
    ]);
    const deals = await reader.entityHistories('et', { entityType: 'deal', limit: 10 });
    expect(deals.histories.map((h) => h.entityId)).toEqual([deal.id]);
    const newest = await reader.entityHistories('et', { limit: 1 });
    expect(newest).toMatchObject({ truncated: true, histories: [{ entityId: person.id }] });
    const late = await reader.entityHistories('et', {
      since: new Date(Date.UTC(2026, 2, 1, 0, 3)).toISOString(),
      limit: 10,
    });
    expect(late.histories.map((h) => h.changes.map((c) => c.action))).toEqual([['entity.update'], ['entity.update']]);
    // With no outbox read at all, an update is still an event, without its attributes.
    const blind = new DynamoMiningTraceReader(doc, TABLE, { maxOutboxItems: 0 });
    const unnamed = await blind.entityHistories('et', { entityType: 'deal', limit: 10 });
    expect(unnamed.histories[0]!.changes.map((c) => c.changed)).toEqual([undefined, undefined]);
  });
});
