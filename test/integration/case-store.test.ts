/**
 * The case and trigger adapters against DynamoDB Local: the one open case per key (claimed in the case's
 * transaction), facet items that keep filtered lists exact across changes, pages and cursors, the signal markers
 * that make a redelivered signal change nothing, and the hook rate window.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCaseStore } from '../../functions/adapters/dynamodb/case-repository.js';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { DynamoMutationWriter } from '../../functions/adapters/dynamodb/mutation-writer.js';
import { DynamoHookRateLimiter, DynamoTriggerStore } from '../../functions/adapters/dynamodb/trigger-repository.js';
import { updateCase } from '../../functions/domain/cases/case-use-cases.js';
import type { CaseRecord } from '../../functions/domain/cases/ports.js';
import { recordSignalOnCase } from '../../functions/domain/cases/signal-cases.js';
import { ConflictError, ValidationError } from '../../functions/domain/errors.js';
import type { MutationRecord } from '../../functions/domain/ports.js';
import { MAX_CASE_SIGNALS } from '../../schemas/cases.js';
import { ensureTable, startDynamoLocal, type LocalDynamo } from '../../local/dynamodb.js';
import { aContext } from '../support/builders.js';
import { aSignal } from '../unit/cases/builders.js';

const TABLE = 'case-store-test';
let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;
let writer: DynamoMutationWriter;
let cases: DynamoCaseStore;

beforeAll(async () => {
  dynamo = await startDynamoLocal(mkdtempSync(join(tmpdir(), 'modos-cases-')), { inMemory: true });
  await ensureTable(dynamo.client, TABLE);
  doc = DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  writer = new DynamoMutationWriter(doc, { tableName: TABLE, lanes: 4, outboxTtlDays: 1 });
  cases = new DynamoCaseStore(doc, TABLE, writer);
});
afterAll(async () => dynamo?.stop());

let n = 0;
const signalDeps = () => ({
  cases,
  idempotency: { find: (t: string, k: string) => writer.findIdempotent(t, k) },
  clock: { now: () => new Date(Date.UTC(2026, 1, 3, 4, 0, n++)) },
  ids: { newId: () => `id-${n++}-${Math.random().toString(36).slice(2, 10)}` },
});
const record = (tenantId: string, overrides: Parameters<typeof aSignal>[0] = {}) =>
  recordSignalOnCase(tenantId, aSignal(overrides), 'req', signalDeps());
const outbox = async (tenantId: string) =>
  (
    await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `T#${tenantId}#OUTBOX` },
      }),
    )
  ).Items ?? [];

describe('cases in DynamoDB', () => {
  it('opens one case per key, lands later signals on it, and a redelivered signal writes nothing', async () => {
    const signal = aSignal({ caseKey: 'r:e-1' });
    const deps = signalDeps();
    const first = await recordSignalOnCase('t-one', signal, 'req', deps);
    const second = await record('t-one', { caseKey: 'r:e-1' });
    const again = await recordSignalOnCase('t-one', signal, 'req', deps);

    expect(first.outcome).toBe('opened');
    expect(second).toEqual({ outcome: 'updated', caseId: first.caseId });
    expect(again).toEqual({ outcome: 'duplicate', caseId: first.caseId });
    expect((await cases.get('t-one', first.caseId!))!.signalCount).toBe(2);
    expect((await outbox('t-one')).map((o) => o.detailType).sort()).toEqual(['case.opened', 'case.updated']);
  });

  it('keeps one open case per key when many signals of it arrive at once', async () => {
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => record('t-race', { caseKey: 'r:hot' })));
    expect(outcomes.filter((o) => o.outcome === 'opened')).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.caseId)).size).toBe(1);
    expect((await cases.openCaseOf('t-race', 'r:hot'))!.signalCount).toBe(12);
  });

  it('resolving frees the key, reopening takes it back, and a reopen finds a newer case holding it', async () => {
    const ctx = aContext({ tenantId: 't-life', roles: ['operator'] });
    const deps = { cases, clock: { now: () => new Date() }, ids: { newId: () => Math.random().toString(36).slice(2) } };
    const a = (await record('t-life', { caseKey: 'r:e' })).caseId!;
    await updateCase(a, { version: 1, status: 'resolved' }, ctx, deps);
    expect(await cases.openCaseOf('t-life', 'r:e')).toBeUndefined();
    await updateCase(a, { version: 2, status: 'open' }, ctx, deps);
    expect((await cases.openCaseOf('t-life', 'r:e'))!.id).toBe(a);
    await updateCase(a, { version: 3, status: 'resolved' }, ctx, deps);
    const b = (await record('t-life', { caseKey: 'r:e' })).caseId!;
    expect(b).not.toBe(a);
    await expect(updateCase(a, { version: 4, status: 'open' }, ctx, deps)).rejects.toBeInstanceOf(ConflictError);
    // The store's own condition holds even without the use case's check.
    const stale = (await cases.get('t-life', a))!;
    await expect(
      cases.update('t-life', { ...stale, status: 'open', version: 5 }, 4, aMutation(), 'claim'),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('lists by every filter and their combinations exactly, across changes, a page at a time', async () => {
    const t = 't-list';
    const ctx = aContext({ tenantId: t, roles: ['operator'] });
    const deps = { cases, clock: { now: () => new Date() }, ids: { newId: () => Math.random().toString(36).slice(2) } };
    const made: CaseRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const id = (await record(t, { caseKey: `r${i % 3}:e${i % 5}:${i}`, ruleId: `r${i % 3}`, entityId: `e${i % 5}` }))
        .caseId!;
      const assignee = i % 4 === 0 ? 'ada' : i % 4 === 1 ? 'bob' : null;
      const status = i % 2 === 0 ? 'in_progress' : 'open';
      made.push(await updateCase(id, { version: 1, assignee, status }, ctx, deps));
    }
    // A change moves a case between facets: bob takes one of ada's, and it is resolved.
    const moved = made.find((c) => c.assignee === 'ada')!;
    made[made.indexOf(moved)] = await updateCase(
      moved.id,
      { version: 2, assignee: 'bob', status: 'resolved' },
      ctx,
      deps,
    );

    const queries: Array<Parameters<DynamoCaseStore['list']>[1]> = [
      { limit: 7 },
      { limit: 4, status: 'open' },
      { limit: 3, assignee: 'ada' },
      { limit: 2, assignee: 'bob', status: 'resolved' },
      { limit: 5, ruleId: 'r1' },
      { limit: 2, entityId: 'e2', status: 'in_progress' },
      { limit: 3, ruleId: 'r0', assignee: 'bob' },
      { limit: 1, ruleId: 'r2', entityId: 'e4', status: 'open', assignee: 'bob' },
    ];
    for (const q of queries) {
      const expected = made
        .filter(
          (c) =>
            (q.status === undefined || c.status === q.status) &&
            (q.assignee === undefined || c.assignee === q.assignee) &&
            (q.ruleId === undefined || c.ruleId === q.ruleId) &&
            (q.entityId === undefined || c.entityId === q.entityId),
        )
        .sort((x, y) => (x.openedAt === y.openedAt ? y.id.localeCompare(x.id) : y.openedAt.localeCompare(x.openedAt)))
        .map((c) => c.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 40; pages++) {
        const page = await cases.list(t, { ...q, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(q.limit);
        seen.push(...page.items.map((c) => c.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen, JSON.stringify(q)).toEqual(expected);
    }
  });

  it('links each signal to the case that records it, in the same transaction, and lists by it', async () => {
    const key = `linked-${n++}`;
    const first = await record('t-link', { caseKey: key });
    const second = await record('t-link', { caseKey: key });
    expect(second.caseId).toBe(first.caseId);
    const signals = (await cases.get('t-link', first.caseId!))!.signals.map((s) => s.signalId);
    for (const signalId of signals)
      expect((await cases.list('t-link', { signalId, limit: 10 })).items.map((c) => c.id)).toEqual([first.caseId]);
    // The link is the tenant's: another tenant's list by the same signal id finds nothing.
    expect((await cases.list('t-other', { signalId: signals[0]!, limit: 10 })).items).toEqual([]);
    expect((await cases.list('t-link', { signalId: signals[0]!, status: 'resolved', limit: 10 })).items).toEqual([]);
    // Resolved, the key's next signal opens a new case; the old signals still name the old case.
    const held = (await cases.get('t-link', first.caseId!))!;
    const ctx = aContext({ tenantId: 't-link', roles: ['operator'] });
    const deps = { cases, clock: { now: () => new Date() }, ids: { newId: () => Math.random().toString(36).slice(2) } };
    await updateCase(first.caseId!, { version: held.version, status: 'resolved' }, ctx, deps);
    const third = await record('t-link', { caseKey: key });
    expect(third.caseId).not.toBe(first.caseId);
    const [newest] = (await cases.get('t-link', third.caseId!))!.signals;
    expect((await cases.list('t-link', { signalId: newest!.signalId, limit: 10 })).items[0]!.id).toBe(third.caseId);
    expect((await cases.list('t-link', { signalId: signals[0]!, limit: 10 })).items[0]!.id).toBe(first.caseId);
  });

  it('finds the case of a signal no longer among its newest listed, and answers a late redelivery as a duplicate', async () => {
    const key = `many-${n++}`;
    const firstSignal = aSignal({ caseKey: key });
    const first = await recordSignalOnCase('t-many', firstSignal, 'req', signalDeps());
    for (let i = 0; i < MAX_CASE_SIGNALS; i++) await record('t-many', { caseKey: key });
    const held = (await cases.get('t-many', first.caseId!))!;
    expect(held.signalCount).toBe(MAX_CASE_SIGNALS + 1);
    expect(held.signals.some((s) => s.signalId === firstSignal.signalId)).toBe(false);
    expect((await cases.list('t-many', { signalId: firstSignal.signalId, limit: 5 })).items.map((c) => c.id)).toEqual([
      first.caseId,
    ]);
    // Delivered again once its marker is gone (TTL): the link's condition fails, and the link names the case.
    await doc.send(
      new DeleteCommand({ TableName: TABLE, Key: keys.idempotency('t-many', `case-signal:${firstSignal.signalId}`) }),
    );
    expect(await recordSignalOnCase('t-many', firstSignal, 'req', signalDeps())).toEqual({
      outcome: 'duplicate',
      caseId: first.caseId,
    });
    expect((await cases.get('t-many', first.caseId!))!.signalCount).toBe(MAX_CASE_SIGNALS + 1);
  });

  it('refuses a cursor of another query or tenant with 400', async () => {
    const page = await cases.list('t-list', { limit: 2, status: 'open' });
    expect(page.nextCursor).not.toBeNull();
    await expect(
      cases.list('t-list', { limit: 2, status: 'resolved', cursor: page.nextCursor! }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(cases.list('t-other', { limit: 2, status: 'open', cursor: page.nextCursor! })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

function aMutation(): MutationRecord {
  return {
    audit: {
      action: 'case.update',
      actor: 'x',
      resourceType: 'case',
      resourceId: 'c',
      at: new Date().toISOString(),
      requestId: 'r',
      beforeHash: null,
      afterHash: 'h',
    },
    events: [],
  };
}

describe('triggers in DynamoDB', () => {
  it('stores, lists, changes with optimistic locking and deletes a trigger', async () => {
    const triggers = new DynamoTriggerStore(doc, TABLE, writer);
    const t = {
      id: 'trg_abcdef01',
      kind: 'webhook' as const,
      name: null,
      workflowId: 'wf',
      input: { a: [1, { b: null }] },
      enabled: true,
      schedule: null,
      hookId: 'hk.t-trig.abcdef01',
      hookPath: '/api/v1/hooks/hk.t-trig.abcdef01',
      updatedBy: 'ada',
      createdBy: 'ada',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      version: 1,
      roles: ['admin'],
      sealedSecret: 'enc1.sealed',
    };
    await triggers.create('t-trig', t, aMutation());
    await expect(triggers.create('t-trig', t, aMutation())).rejects.toBeInstanceOf(ConflictError);
    expect(await triggers.get('t-trig', t.id)).toEqual(t);
    expect((await triggers.list('t-trig', { limit: 5 })).items.map((x) => x.id)).toEqual([t.id]);
    await triggers.update('t-trig', { ...t, enabled: false, version: 2 }, 1, aMutation());
    await expect(triggers.update('t-trig', { ...t, version: 2 }, 1, aMutation())).rejects.toBeInstanceOf(ConflictError);
    await expect(triggers.delete('t-trig', t.id, 1, aMutation())).rejects.toBeInstanceOf(ConflictError);
    await triggers.delete('t-trig', t.id, 2, aMutation());
    expect(await triggers.get('t-trig', t.id)).toBeUndefined();
    expect(await triggers.get('t-other', t.id)).toBeUndefined();
  });

  it('counts a hook requests in a fixed window per minute', async () => {
    const limiter = new DynamoHookRateLimiter(doc, TABLE, 3);
    const at = new Date('2026-02-03T04:05:06.000Z');
    const takes = [];
    for (let i = 0; i < 5; i++) takes.push(await limiter.take('t-rate', 'trg_1', at));
    expect(takes.map((x) => x.allowed)).toEqual([true, true, true, false, false]);
    expect(takes[3]!.retryAfterSeconds).toBe(54);
    expect((await limiter.take('t-rate', 'trg_1', new Date('2026-02-03T04:06:00.000Z'))).allowed).toBe(true);
    expect((await limiter.take('t-rate', 'trg_2', at)).allowed).toBe(true);
    const item = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.hookRateWindow('t-rate', 'trg_1', 0).PK },
      }),
    );
    expect(item.Items?.every((i) => typeof i.expiresAt === 'number')).toBe(true);
  });
});
