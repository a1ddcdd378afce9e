/**
 * The read routes of runs and of the audit trail on the local platform: GET /workflows/executions (filters, pages,
 * refusals), GET /audit with its filters (a sparse filter pages through a bounded read), and GET /audit/verification,
 * which must find a record altered or removed in DynamoDB Local behind the API's back, and continues only from a cursor
 * it issued to the tenant.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_TYPES, keys } from '../../functions/adapters/dynamodb/keys.js';
import { genesisHash, linkAudit } from '../../functions/domain/audit/audit-chain.js';
import type { AuditEntry } from '../../functions/domain/ports.js';
import type { LocalPlatform } from '../../local/platform.js';
import { AUDIT_FILTER_READ_LIMIT, type AuditRecord, type AuditVerification } from '../../schemas/audit.js';
import type { ExecutionSummary } from '../../schemas/workflow.js';
import { type ApiResponse, apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

const T = 'ra-a';
let platform: LocalPlatform;
let doc: DynamoDBDocumentClient;
let alice: ReturnType<typeof apiClient>;
let bob: ReturnType<typeof apiClient>;
let operator: ReturnType<typeof apiClient>;
let analyst: ReturnType<typeof apiClient>;

beforeAll(async () => {
  platform = await startTestPlatform();
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: platform.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
  );
  const as = async (userId: string, roles: string[], tenantId = T) =>
    apiClient(platform.url, await platform.token({ tenantId, roles, userId }));
  alice = await as('alice', ['admin']);
  bob = await as('bob', ['admin']);
  operator = await as('otto', ['operator']);
  analyst = await as('ann', ['analyst']);
});

afterAll(async () => {
  doc?.destroy();
  await platform?.stop();
});

/** Writes items straight to the table, behind the API's back. */
async function putAll(items: Record<string, unknown>[]) {
  for (let i = 0; i < items.length; i += 25)
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [platform.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
}

const operatorOf = async (tenantId: string) =>
  apiClient(platform.url, await platform.token({ tenantId, roles: ['operator'], userId: 'o' }));

async function newEntity(client = alice) {
  const res = await client.post('/api/v1/entities', { type: 'ticket', attributes: { n: 1 } });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number };
}

async function aWorkflow(steps: unknown[]) {
  const res = await alice.post('/api/v1/workflows', { name: 'runs list', steps });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function execute(workflowId: string) {
  const res = await alice.post('/api/v1/workflows/execute', {
    workflowId,
    input: { entityId: (await newEntity()).id },
  });
  expect(res.status).toBe(202);
  return res.body.executionId as string;
}

const touch = { id: 'touch', tool: 'entity.update', input: { entityId: '$.input.entityId', attributes: { t: 1 } } };
const ids = (page: { items: ExecutionSummary[] }) => page.items.map((r) => r.executionId);

describe('GET /workflows/executions', () => {
  let plain: string;
  let gated: string;
  const done: string[] = [];
  const waiting: string[] = [];

  beforeAll(async () => {
    plain = await aWorkflow([touch]);
    gated = await aWorkflow([{ ...touch, approval: { required: true, timeoutSeconds: 600 } }]);
    for (let i = 0; i < 2; i++) done.push(await execute(plain));
    for (let i = 0; i < 2; i++) waiting.push(await execute(gated));
    await eventually(async () => {
      const page = (await alice.get('/api/v1/workflows/executions?limit=100')).body as { items: ExecutionSummary[] };
      const status = new Map(page.items.map((r) => [r.executionId, r.status]));
      return (
        done.every((id) => status.get(id) === 'SUCCEEDED') &&
        waiting.every((id) => status.get(id) === 'WAITING_FOR_APPROVAL')
      );
    }, 20_000);
  });

  it("lists the tenant's runs newest first as a list shows them, for anyone who may read workflows", async () => {
    const res = await operator.get('/api/v1/workflows/executions');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([...waiting].reverse().concat([...done].reverse()));
    const succeeded = res.body.items.find((r: ExecutionSummary) => r.executionId === done[0])!;
    expect(succeeded).toMatchObject({
      workflowId: plain,
      workflowVersion: 1,
      status: 'SUCCEEDED',
      startedBy: 'alice',
      redrives: 0,
      progress: { done: 1, total: 1 },
      trigger: { kind: 'api', id: 'alice' },
    });
    expect(succeeded.stoppedAt! >= succeeded.startedAt).toBe(true);
    expect(succeeded).not.toHaveProperty('input');
    expect(succeeded).not.toHaveProperty('steps');
    const gate = res.body.items.find((r: ExecutionSummary) => r.executionId === waiting[0])!;
    expect(gate).toMatchObject({ status: 'WAITING_FOR_APPROVAL', stoppedAt: null, progress: { done: 0, total: 1 } });
    expect(gate.currentStep).toMatchObject({
      id: 'touch',
      status: 'WAITING_FOR_APPROVAL',
      approvalId: expect.stringMatching(/^apr_/),
    });
    const pending = await alice.get('/api/v1/approvals?status=pending&limit=100');
    expect(pending.body.items.map((a: { id: string }) => a.id)).toContain(gate.currentStep!.approvalId);
  });

  it('filters by workflow and by status, together too', async () => {
    const ofPlain = await alice.get(`/api/v1/workflows/executions?workflowId=${plain}`);
    expect(ids(ofPlain.body)).toEqual([...done].reverse());
    const waitingAll = await alice.get('/api/v1/workflows/executions?status=WAITING_FOR_APPROVAL');
    expect(ids(waitingAll.body)).toEqual([...waiting].reverse());
    const none = await alice.get(`/api/v1/workflows/executions?workflowId=${plain}&status=WAITING_FOR_APPROVAL`);
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });

  it('pages with a cursor, filtered or not, each run once', async () => {
    for (const filter of ['', `&workflowId=${gated}`]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse<{ items: ExecutionSummary[]; nextCursor: string | null }> = await alice.get(
          `/api/v1/workflows/executions?limit=1${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(1);
        seen.push(...ids(res.body));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(filter ? [...waiting].reverse() : [...waiting].reverse().concat([...done].reverse()));
    }
  });

  it("shows no other tenant's runs", async () => {
    const other = apiClient(platform.url, await platform.token({ tenantId: 'ra-b', roles: ['admin'], userId: 'z' }));
    expect((await other.get('/api/v1/workflows/executions')).body).toEqual({ items: [], nextCursor: null });
    const mine = (await alice.get('/api/v1/workflows/executions?limit=1')).body.nextCursor as string;
    const replayed = await other.get(`/api/v1/workflows/executions?cursor=${encodeURIComponent(mine)}`);
    expect(replayed.status).toBe(400);
    expect(replayed.body.error.details).toEqual([{ field: 'cursor', message: 'invalid cursor' }]);
  });

  it.each([
    ['status=DONE', 'query.status'],
    ['limit=0', 'query.limit'],
    ['limit=1000', 'query.limit'],
    ['workflowId=a%20b', 'query.workflowId'],
    ['cursor=not-a-cursor', 'cursor'],
  ])('refuses ?%s with 400 naming %s', async (query, field) => {
    const res = await alice.get(`/api/v1/workflows/executions?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('refuses a role that may not read workflows', async () => {
    const res = await analyst.get('/api/v1/workflows/executions');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('missing permission workflows:read');
  });
});

describe('GET /audit filters', () => {
  let e1: string;

  beforeAll(async () => {
    e1 = (await newEntity(alice)).id;
    const patched = await bob.patch(`/api/v1/entities/${e1}`, { version: 1, attributes: { n: 2 } });
    expect(patched.status).toBe(200);
    await newEntity(bob);
  });

  it('gives the records of one resource, of one actor, of one action, and of them combined', async () => {
    const ofE1 = (await operator.get(`/api/v1/audit?resourceType=entity&resourceId=${e1}`)).body.items as AuditRecord[];
    expect(ofE1.map((r) => [r.action, r.actor])).toEqual([
      ['entity.update', 'bob'],
      ['entity.create', 'alice'],
    ]);
    const byBob = (await operator.get('/api/v1/audit?actor=bob&limit=100')).body.items as AuditRecord[];
    expect(byBob.length).toBe(2);
    expect(byBob.every((r) => r.actor === 'bob')).toBe(true);
    const bobsCreates = (await operator.get('/api/v1/audit?actor=bob&action=entity.create')).body
      .items as AuditRecord[];
    expect(bobsCreates.map((r) => r.resourceType)).toEqual(['entity']);
    expect((await operator.get('/api/v1/audit?actor=nobody')).body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a filter it cannot match and a field it does not know, naming them', async () => {
    for (const [query, field] of [
      ['actor=a%01b', 'query.actor'],
      ['resourceType=', 'query.resourceType'],
      ['resource=e1', 'query.resource'],
    ]) {
      const res = await operator.get(`/api/v1/audit?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await analyst.get('/api/v1/audit?actor=bob')).status).toBe(403);
  });

  it('answers a sparse filter with a short page and a cursor after a bounded read, and finds the match on', async () => {
    // A trail longer than one filtered read, its one match the oldest record (written straight to the table).
    const tenant = 'ra-bulk';
    const total = AUDIT_FILTER_READ_LIMIT + 150;
    const records = Array.from({ length: total }, (_, i) => {
      const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      return {
        ...keys.audit(tenant, at, `bulk-${i}`),
        entityType: ITEM_TYPES.audit,
        schemaVersion: 1,
        tenantId: tenant,
        id: `bulk-${i}`,
        action: 'entity.update',
        actor: i === 0 ? 'needle' : 'hay',
        resourceType: 'entity',
        resourceId: `e-${i}`,
        at,
        requestId: `req-${i}`,
        beforeHash: null,
        afterHash: null,
        lane: 0,
        seq: i + 1,
        prevHash: 'p',
        hash: 'h',
      };
    });
    await putAll(records);
    const reader = await operatorOf(tenant);
    const first = await reader.get('/api/v1/audit?actor=needle&limit=10');
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await reader.get(`/api/v1/audit?actor=needle&limit=10&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((r: AuditRecord) => r.id)).toEqual(['bulk-0']);
    expect(second.body.nextCursor).toBeNull();
    // Unfiltered, the same trail pages by `limit` as before.
    const page = await reader.get('/api/v1/audit?limit=3');
    expect(page.body.items.map((r: AuditRecord) => r.id)).toEqual([
      `bulk-${total - 1}`,
      `bulk-${total - 2}`,
      `bulk-${total - 3}`,
    ]);
  });
});

describe('GET /audit/verification', () => {
  const verification = async () => {
    const res = await operator.get('/api/v1/audit/verification');
    expect(res.status).toBe(200);
    return res.body as AuditVerification;
  };

  it("verifies the tenant's chain, every lane through its head", async () => {
    const result = await verification();
    expect(result).toMatchObject({ verified: true, complete: true, nextCursor: null });
    expect(result.lanes.map((l) => l.lane)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    const held = result.lanes.reduce((n, l) => n + l.headSeq, 0);
    expect(held).toBeGreaterThan(10);
    expect(result.records).toBe(held);
    for (const lane of result.lanes) expect(lane).toMatchObject({ verified: true, lastSeq: lane.headSeq });
  });

  it('reports a record altered in the table as a hash mismatch, and one removed as missing or a gap', async () => {
    const trail: AuditRecord[] = (await alice.get('/api/v1/audit?limit=100')).body.items;
    const victim = trail.find((r) => r.action === 'entity.update' && r.actor === 'bob')!;
    await doc.send(
      new UpdateCommand({
        TableName: platform.tableName,
        Key: keys.audit(T, victim.at, victim.id),
        UpdateExpression: 'SET actor = :m',
        ExpressionAttributeValues: { ':m': 'mallory' },
      }),
    );
    let result = await verification();
    expect(result.verified).toBe(false);
    expect(result.lanes[victim.lane]).toMatchObject({
      verified: false,
      lastSeq: victim.seq - 1,
      break: { seq: victim.seq, recordId: victim.id, reason: 'hash-mismatch' },
    });
    expect(result.lanes.filter((l) => !l.verified).map((l) => l.lane)).toEqual([victim.lane]);

    // Removing the newest record of another lane leaves its head counting a record that is not there.
    const other = result.lanes.find((l) => l.lane !== victim.lane && l.headSeq > 0)!;
    const newest = trail.find((r) => r.lane === other.lane && r.seq === other.headSeq)!;
    await doc.send(new DeleteCommand({ TableName: platform.tableName, Key: keys.audit(T, newest.at, newest.id) }));
    result = await verification();
    expect(result.lanes[other.lane]!.break).toEqual({ seq: newest.seq, recordId: null, reason: 'missing' });
  });

  /** A lane 0 of `count` chained records and its head, written straight to the table for the tenant. */
  async function aLongLane(tenant: string, count: number) {
    let prev = genesisHash(tenant, 0);
    const items: Record<string, unknown>[] = [];
    for (let seq = 1; seq <= count; seq++) {
      const entry: AuditEntry = {
        action: 'entity.update',
        actor: 'hay',
        resourceType: 'entity',
        resourceId: `e-${seq}`,
        at: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
        requestId: `req-${seq}`,
        beforeHash: null,
        afterHash: null,
      };
      const link = linkAudit(entry, 0, seq, prev);
      prev = link.hash;
      items.push({
        ...keys.audit(tenant, entry.at, `${tenant}-${seq}`),
        ...keys.auditLaneIndex(tenant, 0, seq),
        entityType: ITEM_TYPES.audit,
        schemaVersion: 1,
        tenantId: tenant,
        id: `${tenant}-${seq}`,
        ...entry,
        ...link,
      });
    }
    items.push({
      ...keys.auditHead(tenant, 0),
      entityType: ITEM_TYPES.auditHead,
      schemaVersion: 1,
      seq: count,
      hash: prev,
    });
    await putAll(items);
    const reader = await operatorOf(tenant);
    return { reader, items: items as unknown as AuditRecord[] };
  }

  it("continues only from a cursor it issued to the tenant: a hand-made one or another tenant's is refused", async () => {
    const count = 1_050;
    const [{ reader }, { reader: other }] = await Promise.all([aLongLane('ra-vc', count), aLongLane('ra-vd', count)]);
    const first = await reader.get('/api/v1/audit/verification');
    expect(first.status).toBe(200);
    const firstBody = first.body as AuditVerification;
    expect(firstBody).toMatchObject({ verified: true, complete: false, recordsPerLane: 1_000 });
    expect(firstBody.lanes[0]).toMatchObject({ fromSeq: 1, lastSeq: 1_000, headSeq: count, complete: false });
    const cursor = firstBody.nextCursor!;

    // "Lane 0 verified through 1,040": valid JSON of the right shape for a real lane, without and with a MAC segment.
    const claim = Buffer.from(JSON.stringify({ l: [[0, 1_040]] })).toString('base64url');
    for (const forged of [claim, `${claim}.${cursor.split('.')[1]}`, `${claim}.${'A'.repeat(43)}`]) {
      const res = await reader.get(`/api/v1/audit/verification?cursor=${forged}`);
      expect(res.status, forged).toBe(400);
      expect(res.body.error.details).toEqual([{ field: 'cursor', message: 'invalid cursor' }]);
    }
    // The other tenant's lane 0 has the same length: only the cursor's tenant binding refuses it.
    const stolen = await other.get(`/api/v1/audit/verification?cursor=${cursor}`);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.details).toEqual([{ field: 'cursor', message: 'invalid cursor' }]);

    const second = await reader.get(`/api/v1/audit/verification?cursor=${cursor}`);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ verified: true, complete: true, nextCursor: null });
    expect(second.body.lanes).toEqual([
      { lane: 0, fromSeq: 1_000, records: 51, lastSeq: count, headSeq: count, verified: true, complete: true },
    ]);
  });

  it('leaves a record altered behind a cursor to the next verification from the genesis, which finds it', async () => {
    const { reader, items } = await aLongLane('ra-ve', 1_020);
    const first = (await reader.get('/api/v1/audit/verification')).body as AuditVerification;
    const victim = items[9]!;
    await doc.send(
      new UpdateCommand({
        TableName: platform.tableName,
        Key: keys.audit('ra-ve', victim.at, victim.id),
        UpdateExpression: 'SET actor = :m',
        ExpressionAttributeValues: { ':m': 'mallory' },
      }),
    );
    // The continued call checks records 1,000-1,020 only: records 1-999 were verified by the first call, before.
    const continued = await reader.get(`/api/v1/audit/verification?cursor=${first.nextCursor}`);
    expect(continued.body).toMatchObject({ verified: true, complete: true });
    expect(continued.body.lanes[0]).toMatchObject({ fromSeq: 1_000, lastSeq: 1_020 });
    const again = (await reader.get('/api/v1/audit/verification')).body as AuditVerification;
    expect(again.lanes[0]).toMatchObject({
      fromSeq: 1,
      verified: false,
      lastSeq: 9,
      break: { seq: 10, recordId: victim.id, reason: 'hash-mismatch' },
    });
  });

  it('refuses a cursor it did not issue, and a role without audit:read', async () => {
    const res = await operator.get('/api/v1/audit/verification?cursor=eyJsIjpbWzAsOTk5OTk5XV19');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'cursor', message: 'invalid cursor' }]);
    expect((await analyst.get('/api/v1/audit/verification')).status).toBe(403);
  });
});
