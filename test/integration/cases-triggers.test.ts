/**
 * Cases and workflow triggers on the local platform: the real handlers in their sandboxes, DynamoDB Local, the bus,
 * the Step Functions runtime and the local scheduler. A signal rule fires on entity changes, opens a case and starts
 * a workflow that waits at its approval gate; a second signal of the key lands on the case; a redelivered
 * signal.detected changes nothing; PATCH moves the case and emits its events; an inbound webhook signed by the
 * independent `standardwebhooks` package starts a run once per webhook-id; a schedule trigger starts one run per fire.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleNameOf } from '../../functions/adapters/scheduler/schedule-group.js';
import { SCHEDULE_GROUPS } from '../../functions/platform/manifest.js';
import type { BusEvent } from '../../local/event-bus.js';
import type { LocalPlatform } from '../../local/platform.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

const TENANT = 'cases-it';
let platform: LocalPlatform;
let admin: ReturnType<typeof apiClient>;
let operator: ReturnType<typeof apiClient>;
let analyst: ReturnType<typeof apiClient>;
let workflowId: string;
const events: BusEvent[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.onEvent((e) => {
    if (e.detail.tenantId === TENANT) events.push(e);
  });
  admin = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'ada' }));
  operator = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['operator'], userId: 'otto' }));
  analyst = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['analyst'], userId: 'ann' }));
  const wf = await admin.post('/api/v1/workflows', {
    name: 'review a won deal',
    steps: [
      {
        id: 'mark',
        tool: 'entity.update',
        input: { entityId: '$.input.signal.entityId', attributes: { reviewed: true } },
        approval: { required: true, timeoutSeconds: 600 },
      },
    ],
  });
  expect(wf.status, JSON.stringify(wf.body)).toBe(201);
  workflowId = wf.body.id;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

const ofType = (name: string) => events.filter((e) => e['detail-type'] === name);
const payload = (e: BusEvent) => e.detail.payload as Record<string, any>;
const del = (client: ReturnType<typeof apiClient>, path: string) => client.raw('DELETE', path, '');

describe('signals open cases and start workflows', () => {
  let caseId: string;
  let dealId: string;

  it('opens a case and starts the rule workflow, which stops at its approval gate', async () => {
    const rule = await admin.post('/api/v1/signal-rules', {
      id: 'won-deal',
      name: 'Deal won',
      kind: 'match',
      match: { 'detail-type': ['entity.created', 'entity.updated'], detail: { entityType: ['deal'] } },
      case: { title: 'Review the won deal' },
      // biome-ignore lint/suspicious/noThenProperty: the rule body's `then` names the workflow to start.
      then: { startWorkflow: workflowId, input: { priority: 'high' } },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const deal = await admin.post('/api/v1/entities', { type: 'deal', attributes: { name: 'Big one', stage: 'won' } });
    expect(deal.status).toBe(201);
    dealId = deal.body.id;

    const opened = await eventually(async () => {
      const res = await operator.get(`/api/v1/cases?rule=won-deal&entity=${dealId}`);
      return res.body.items?.[0];
    }, 20_000);
    caseId = opened.id;
    expect(opened).toMatchObject({
      caseKey: `won-deal:${dealId}`,
      title: 'Review the won deal',
      status: 'open',
      entityId: dealId,
      signalCount: 1,
    });
    const executionId = opened.signals[0].executionId as string;
    const run = await eventually(async () => {
      const res = await operator.get(`/api/v1/workflows/executions/${executionId}`);
      return res.body?.status === 'WAITING_FOR_APPROVAL' ? res.body : undefined;
    }, 20_000);
    expect(run.trigger).toMatchObject({ kind: 'signal', id: opened.signals[0].signalId, ruleId: 'won-deal' });
    expect(run.startedBy).toBe('trigger:signal:won-deal');
    expect(run.input).toMatchObject({ priority: 'high', signal: { ruleId: 'won-deal', entityId: dealId } });
    await eventually(() => ofType('case.opened').find((e) => payload(e).case.id === caseId));
  });

  it('records a second signal of the key on the same case (case.updated)', async () => {
    const res = await admin.patch(`/api/v1/entities/${dealId}`, { version: 1, attributes: { amount: 100 } });
    expect(res.status).toBe(200);
    const updated = await eventually(async () => {
      const c = (await operator.get(`/api/v1/cases/${caseId}`)).body;
      return c.signalCount === 2 ? c : undefined;
    }, 20_000);
    expect(updated.version).toBe(2);
    await eventually(() =>
      ofType('case.updated').find((e) => payload(e).case.id === caseId && payload(e).changed.includes('signals')),
    );
    expect((await operator.get(`/api/v1/cases?rule=won-deal&entity=${dealId}`)).body.items).toHaveLength(1);
  });

  it('finds the case of each signal with ?signal= (one page), and refuses a cursor with it', async () => {
    const held = (await operator.get(`/api/v1/cases/${caseId}`)).body;
    const signals: string[] = held.signals.map((s: { signalId: string }) => s.signalId);
    expect(signals.length).toBeGreaterThanOrEqual(2);
    for (const signalId of signals) {
      const res = await operator.get(`/api/v1/cases?signal=${signalId}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((c: { id: string }) => c.id)).toEqual([caseId]);
      expect(res.body.nextCursor).toBeNull();
    }
    // The other filters still apply; a signal no case holds has none.
    expect((await operator.get(`/api/v1/cases?signal=${signals[0]}&status=resolved`)).body.items).toEqual([]);
    expect((await operator.get('/api/v1/cases?signal=sig_none')).body).toEqual({ items: [], nextCursor: null });
    const withCursor = await operator.get(`/api/v1/cases?signal=${signals[0]}&cursor=abc`);
    expect(withCursor.status).toBe(400);
    expect(JSON.stringify(withCursor.body)).toContain('cursor');
    expect((await operator.get('/api/v1/cases?signal=no%20spaces')).status).toBe(400);
  });

  it('changes nothing and starts nothing when a signal.detected is delivered again', async () => {
    const original = ofType('signal.detected').find((e) => payload(e).entityId === dealId)!;
    // Both signals' runs have started (the second signal's run may still be on its way).
    const bySignal = () => ofType('workflow.started').filter((e) => payload(e).startedBy === 'trigger:signal:won-deal');
    await eventually(() => bySignal().length === 2, 20_000);
    await platform.bus.drain();
    const started = ofType('workflow.started').length;
    const bus = new EventBridgeClient({
      endpoint: platform.busEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: original.source,
            DetailType: original['detail-type'],
            Detail: JSON.stringify(original.detail),
            EventBusName: 'modos-local',
          },
        ],
      }),
    );
    await platform.bus.drain();
    const c = (await operator.get(`/api/v1/cases/${caseId}`)).body;
    expect(c).toMatchObject({ signalCount: 2, version: 2 });
    expect(ofType('workflow.started').length).toBe(started);
  });

  it('moves a case through its lifecycle with PATCH, each change audited and emitted', async () => {
    const stale = await operator.patch(`/api/v1/cases/${caseId}`, { version: 1, status: 'in_progress' });
    expect(stale.status).toBe(409);
    const bad = await operator.patch(`/api/v1/cases/${caseId}`, { version: 2, status: 'sleeping' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('status');
    expect((await analyst.patch(`/api/v1/cases/${caseId}`, { version: 2, note: 'x' })).status).toBe(403);

    const taken = await operator.patch(`/api/v1/cases/${caseId}`, {
      version: 2,
      status: 'in_progress',
      assignee: 'otto',
      note: 'Calling the buyer',
    });
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body).toMatchObject({ status: 'in_progress', assignee: 'otto', version: 3 });
    expect(taken.body.notes[0]).toMatchObject({ author: 'otto', text: 'Calling the buyer' });
    const back = await operator.patch(`/api/v1/cases/${caseId}`, { version: 3, status: 'open' });
    expect(back.status).toBe(400);

    const resolved = await operator.patch(`/api/v1/cases/${caseId}`, { version: 3, status: 'resolved' });
    expect(resolved.body).toMatchObject({ status: 'resolved', version: 4 });
    await eventually(() => ofType('case.resolved').find((e) => payload(e).case.id === caseId));
    const audit = (await admin.get('/api/v1/audit?limit=100')).body.items.filter(
      (a: { resourceId: string }) => a.resourceId === caseId,
    );
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual([
      'case.open',
      'case.resolve',
      'case.update',
      'case.update',
    ]);
    expect(
      (await operator.get(`/api/v1/cases?status=resolved&assignee=otto`)).body.items.map((c: any) => c.id),
    ).toEqual([caseId]);
  });

  it('opens a new case for the key once its case is resolved', async () => {
    await admin.patch(`/api/v1/entities/${dealId}`, { version: 2, attributes: { amount: 200 } });
    const fresh = await eventually(async () => {
      const res = await operator.get(`/api/v1/cases?rule=won-deal&entity=${dealId}&status=open`);
      return res.body.items?.[0];
    }, 20_000);
    expect(fresh.id).not.toBe(caseId);
    expect((await operator.get(`/api/v1/cases/${caseId}`)).body.status).toBe('resolved');
    const reopen = await operator.patch(`/api/v1/cases/${caseId}`, { version: 4, status: 'open' });
    expect(reopen.status).toBe(409);
  });
});

/** POSTs a raw body to a hook, with the given headers. */
async function postHook(hookId: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${platform.url}/api/v1/hooks/${hookId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function signed(secret: string, id: string, body: string, at = new Date()) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

describe('inbound webhooks', () => {
  let hookId: string;
  let secret: string;

  it('creates a webhook trigger whose secret is shown once', async () => {
    const res = await admin.post('/api/v1/triggers', { kind: 'webhook', workflowId, input: { channel: 'shop' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ({ hookId, secret } = res.body);
    expect(secret).toMatch(/^whsec_/);
    const read = await admin.get(`/api/v1/triggers/${res.body.id}`);
    expect(JSON.stringify(read.body)).not.toContain(secret.slice(6));
    expect(JSON.stringify((await admin.get('/api/v1/triggers')).body)).not.toContain(secret.slice(6));
  });

  it('starts the workflow for a signed delivery, once per webhook-id', async () => {
    const body = '{"order":{"id":7},  "entityId":"none"}';
    const first = await postHook(hookId, body, signed(secret, 'msg_order7', body));
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body.duplicate).toBe(false);
    const again = await postHook(hookId, body, signed(secret, 'msg_order7', body));
    expect(again).toEqual({ status: 202, body: { ...first.body, status: again.body.status, duplicate: true } });
    const run = (await operator.get(`/api/v1/workflows/executions/${first.body.executionId}`)).body;
    expect(run.trigger).toMatchObject({ kind: 'webhook', webhookId: 'msg_order7' });
    expect(run.input).toEqual({ webhook: { order: { id: 7 }, entityId: 'none' }, channel: 'shop' });
  });

  it('refuses tampered bodies, other secrets, old timestamps and unknown hooks, and never answers 5xx', async () => {
    const body = '{"n":1}';
    const tampered = await postHook(hookId, '{"n":2}', signed(secret, 'msg_t1', body));
    expect(tampered.status).toBe(401);
    const other = await postHook(
      hookId,
      body,
      signed(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, 'msg_t2', body),
    );
    expect(other.status).toBe(401);
    const old = await postHook(hookId, body, signed(secret, 'msg_t3', body, new Date(Date.now() - 6 * 60_000)));
    expect(old.status).toBe(401);
    expect(old.body.error.details[0].field).toBe('webhook-timestamp');
    const unknown = await postHook(hookId.replace(/.{4}$/, 'zzzz'), body, signed(secret, 'msg_t4', body));
    expect(unknown.status).toBe(404);
    const garbage = ['', 'null', '{', '\u0000\uffff', '[]'.repeat(40_000), '{"a":1,"a":1}'];
    for (const g of garbage) {
      for (const headers of [{}, signed(secret, 'msg_g', g), { 'webhook-id': '.', 'webhook-signature': 'v1,' }]) {
        const res = await postHook(hookId, g, headers as Record<string, string>);
        expect(res.status, `${g.slice(0, 20)} ${JSON.stringify(res.body)}`).toBeLessThan(500);
      }
    }
  });
});

describe('schedule triggers', () => {
  const scheduler = () =>
    new SchedulerClient({
      endpoint: platform.schedulerEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });

  it('fires through the local scheduler and starts one run per fire', async () => {
    const res = await admin.post('/api/v1/triggers', {
      kind: 'schedule',
      workflowId,
      schedule: 'rate(5 minutes)',
      input: { report: 'daily' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const triggerId = res.body.id as string;
    const group = SCHEDULE_GROUPS.workflowTriggers.groupName('local');
    const schedule = await scheduler().send(
      new GetScheduleCommand({ Name: scheduleNameOf(TENANT, triggerId), GroupName: group }),
    );
    expect(schedule.ScheduleExpression).toBe('rate(5 minutes)');

    // A rate schedule fires when it is created, as in AWS: that fire starts a run.
    const startedBy = `trigger:schedule:${triggerId}`;
    const first = await eventually(
      () => ofType('workflow.started').find((e) => payload(e).startedBy === startedBy),
      20_000,
    );
    const run = (await operator.get(`/api/v1/workflows/executions/${payload(first).executionId}`)).body;
    expect(run.trigger).toMatchObject({ kind: 'schedule', id: triggerId });
    expect(run.input).toMatchObject({ report: 'daily', schedule: { triggerId } });

    // The same fire delivered again starts nothing; the next fire starts the next run.
    const repeat = await platform.lambda.invoke('ScheduledWorkflow', {
      tenantId: TENANT,
      triggerId,
      scheduledTime: run.trigger.scheduledTime,
    });
    expect(repeat).toMatchObject({ started: true, created: false, executionId: run.executionId });
    const next = new Date(Date.parse(run.trigger.scheduledTime) + 5 * 60_000).toISOString();
    const again = await platform.lambda.invoke('ScheduledWorkflow', {
      tenantId: TENANT,
      triggerId,
      scheduledTime: next,
    });
    expect(again).toMatchObject({ started: true, created: true });
    const runs = () => ofType('workflow.started').filter((e) => payload(e).startedBy === startedBy);
    await eventually(() => runs().length === 2, 20_000);
    await platform.bus.drain();
    expect(runs()).toHaveLength(2);

    // Disabled: the schedule is removed; deleted: the trigger is gone and its fires start nothing.
    const off = await admin.patch(`/api/v1/triggers/${triggerId}`, { version: 1, enabled: false });
    expect(off.status).toBe(200);
    await expect(
      scheduler().send(new GetScheduleCommand({ Name: scheduleNameOf(TENANT, triggerId), GroupName: group })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await del(admin, `/api/v1/triggers/${triggerId}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/triggers/${triggerId}`)).status).toBe(404);
  });

  it('refuses a schedule Scheduler would refuse, and non-admins', async () => {
    const bad = await admin.post('/api/v1/triggers', { kind: 'schedule', workflowId, schedule: 'rate(0 minutes)' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('schedule');
    const byOperator = await operator.post('/api/v1/triggers', { kind: 'webhook', workflowId });
    expect(byOperator.status).toBe(403);
  });
});
