import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import type { BusEvent } from '../../local/event-bus.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';
import { startWebhookReceiver } from '../../scripts/lib/webhook-receiver.js';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import { BUILTIN_TOOLS } from '../../functions/domain/tools/builtin.js';
import { generateWebhookSecret } from '../../functions/domain/webhooks/signing.js';

// Every run here uses the platform's own tools, as deployed: entity.update on entities the test creates,
// and http.webhook to local receivers whose answers the test chooses (failures, retries, redrives).

let platform: LocalPlatform;
let admin: ReturnType<typeof apiClient>;
let approver: ReturnType<typeof apiClient>;
let analyst: ReturnType<typeof apiClient>;
let operator: ReturnType<typeof apiClient>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let webhookSecret: string | undefined;
const events: BusEvent[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.onEvent((e) => events.push(e));
  admin = apiClient(platform.url, await platform.token({ tenantId: 'wf-a', roles: ['admin'], userId: 'alice' }));
  approver = apiClient(platform.url, await platform.token({ tenantId: 'wf-a', roles: ['approver'], userId: 'arthur' }));
  analyst = apiClient(platform.url, await platform.token({ tenantId: 'wf-a', roles: ['analyst'], userId: 'ann' }));
  operator = apiClient(platform.url, await platform.token({ tenantId: 'wf-a', roles: ['operator'], userId: 'otto' }));
  receiver = await startWebhookReceiver(() => webhookSecret);
});

afterAll(async () => {
  await receiver?.close();
  await platform?.stop();
});

async function aWorkflow(steps: unknown[], webhook = true) {
  const res = await admin.post('/api/v1/workflows', {
    name: 'test',
    steps,
    ...(webhook ? { webhook: { url: receiver.url } } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  if (res.body.webhookSecret) webhookSecret = res.body.webhookSecret;
  return res.body;
}

/** An entity.update step on the run's `entityId` input (execute() creates one per run). */
const touch = (id: string, attributes: Record<string, unknown> = { [`touched_${id}`]: true }) => ({
  id,
  tool: 'entity.update',
  input: { entityId: '$.input.entityId', attributes },
});

const gated = (
  id: string,
  tool = 'entity.update',
  input: Record<string, unknown> = touch(id).input,
  timeoutSeconds = 120,
) => ({
  id,
  tool,
  input,
  approval: { required: true, timeoutSeconds },
});

/** A gated http.webhook step to a receiver, signed with `secret`. */
const webhookStep = (id: string, url: string, secret: string, payload: Record<string, unknown> = { step: id }) =>
  gated(id, 'http.webhook', { url, secret, eventType: 'test.step', payload });

async function newEntity(attributes: Record<string, unknown> = { n: 0 }) {
  const res = await admin.post('/api/v1/entities', { type: 'ticket', attributes });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number };
}

async function rawItem(key: { PK: string; SK: string }) {
  const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
  const ddb = new DynamoDBClient({
    endpoint: platform.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  try {
    return (
      await ddb.send(
        new GetItemCommand({ TableName: platform.tableName, Key: { PK: { S: key.PK }, SK: { S: key.SK } } }),
      )
    ).Item;
  } finally {
    ddb.destroy();
  }
}

async function runUntil(executionId: string, statuses: string[], timeoutMs = 15_000) {
  return eventually(async () => {
    const res = await admin.get(`/api/v1/workflows/executions/${executionId}`);
    return statuses.includes(res.body.status) ? res.body : undefined;
  }, timeoutMs);
}

/** Starts a run as `as` (admin by default), with a fresh entity as `entityId` unless the input names one. */
async function execute(workflowId: string, input: Record<string, unknown> = {}, as = admin) {
  const withEntity = 'entityId' in input ? input : { ...input, entityId: (await newEntity()).id };
  const res = await as.post('/api/v1/workflows/execute', { workflowId, input: withEntity });
  expect(res.status).toBe(202);
  expect(res.body.status).toBe('RUNNING');
  return res.body.executionId as string;
}

async function pendingApprovalOf(executionId: string) {
  return eventually(async () =>
    (await approver.get('/api/v1/approvals?status=pending&limit=100')).body.items.find(
      (a: { executionId: string }) => a.executionId === executionId,
    ),
  );
}

describe('tool registry and definitions', () => {
  it('lists exactly the built-in tools, with their schemas, and no tool made for tests', async () => {
    const res = await analyst.get('/api/v1/tools');
    expect(res.status).toBe(403);
    const tools = (await admin.get('/api/v1/tools')).body.items;
    expect(tools.map((t: { name: string }) => t.name)).toEqual(['entity.update', 'http.webhook']);
    expect(tools.map((t: { name: string }) => t.name)).toEqual(BUILTIN_TOOLS.map((t) => t.name).sort());
    expect(tools.find((t: { name: string }) => t.name === 'http.webhook')).toMatchObject({
      requiresApproval: true,
      automatable: false,
    });
    expect(tools.find((t: { name: string }) => t.name === 'entity.update').inputSchema.required).toContain('entityId');
  });

  it('stores the webhook secret sealed with the tenant key, and never returns it again', async () => {
    const wf = await aWorkflow([touch('a')]);
    expect(wf.webhookSecret).toMatch(/^whsec_/);
    const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const ddb = new DynamoDBClient({
      endpoint: platform.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    const item = await ddb.send(
      new GetItemCommand({
        TableName: platform.tableName,
        Key: { PK: { S: `T#wf-a#WORKFLOW#${wf.id}` }, SK: { S: 'META' } },
      }),
    );
    ddb.destroy();
    expect(item.Item?.sealedWebhookSecret?.S).toMatch(/^enc1\./);
    expect(JSON.stringify(item.Item)).not.toContain(wf.webhookSecret);
    expect(JSON.stringify((await admin.get(`/api/v1/workflows/${wf.id}`)).body)).not.toMatch(/whsec_|enc1\./);
  });

  it('versions a definition: a change makes version 2 and a stale change gets 409', async () => {
    const wf = await aWorkflow([touch('a')], false);
    expect(wf.version).toBe(1);
    const v2 = await admin.raw(
      'PUT',
      `/api/v1/workflows/${wf.id}`,
      JSON.stringify({ version: 1, name: 'renamed', steps: [touch('b')] }),
    );
    expect(v2.status).toBe(200);
    expect(v2.body.version).toBe(2);
    const stale = await admin.raw(
      'PUT',
      `/api/v1/workflows/${wf.id}`,
      JSON.stringify({ version: 1, name: 'x', steps: [touch('c')] }),
    );
    expect(stale.status).toBe(409);
    expect((await admin.get(`/api/v1/workflows/${wf.id}?version=1`)).body.steps[0].id).toBe('a');
    expect((await admin.get(`/api/v1/workflows/${wf.id}`)).body.steps[0].id).toBe('b');
  });

  it.each([
    ['an unknown tool', [{ id: 'a', tool: 'no.such', input: {} }], 'steps.0.tool'],
    [
      'a sensitive tool without a gate',
      [{ id: 'a', tool: 'http.webhook', input: { url: 'https://example.com', secret: generateWebhookSecret() } }],
      'steps.0.approval',
    ],
    [
      'a step secret given as a reference',
      [gated('a', 'http.webhook', { url: 'https://example.com', secret: '$.input.secret' })],
      'steps.0.input.secret',
    ],
    ['a reference to a later step', [touch('a', { v: '$.steps.b.output.version' }), touch('b')], 'steps.0.input'],
    ['duplicate step ids', [touch('a'), touch('a')], 'steps.1.id'],
  ])('refuses %s with 400 naming the field', async (_n, steps, field) => {
    const res = await admin.post('/api/v1/workflows', { name: 'bad', steps });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it.each([
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.1/hook',
    'http://example.com/hook',
    'https://[::1]/hook',
    'https://2130706433/',
  ])('refuses the webhook URL %s (SSRF)', async (url) => {
    const res = await admin.post('/api/v1/workflows', { name: 'ssrf', steps: [touch('a')], webhook: { url } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('webhook.url');
  });
});

describe('runs with approval gates', () => {
  it('stops at the gate, sends a signed webhook, and finishes after approval, pinning its version', async () => {
    const entity = await newEntity({ name: 'Ada', tier: 'silver' });
    const wf = await aWorkflow([
      touch('greet', { greetedBy: '$.input.who' }),
      gated('promote', 'entity.update', { entityId: '$.input.entityId', attributes: { tier: 'gold' } }),
      touch('report', { promotedAt: '$.steps.promote.output.version', before: '$.steps.promote.output.before.tier' }),
    ]);
    const id = await execute(wf.id, { who: 'bob', entityId: entity.id });
    const waiting = await runUntil(id, ['WAITING_FOR_APPROVAL']);
    expect(waiting.steps.map((s: { status: string }) => s.status)).toEqual([
      'SUCCEEDED',
      'WAITING_FOR_APPROVAL',
      'PENDING',
    ]);
    // A later change of the definition does not affect the running execution.
    await admin.raw(
      'PUT',
      `/api/v1/workflows/${wf.id}`,
      JSON.stringify({ version: 1, name: 'v2', steps: [touch('other')] }),
    );

    const approval = await pendingApprovalOf(id);
    expect(approval).toMatchObject({ stepId: 'promote', status: 'pending' });
    expect(JSON.stringify(approval)).not.toMatch(/token/i);
    // What approving runs, as the approver (who may not read runs) sees it: its references resolved on the run.
    expect(approval).toMatchObject({
      requestedBy: 'alice',
      action: {
        tool: 'entity.update',
        description: expect.any(String),
        input: { entityId: entity.id, attributes: { tier: 'gold' } },
      },
    });

    const hook = await eventually(() => receiver.received.find((r) => r.id === `msg_${approval.id}`));
    expect(hook.verifyError).toBeUndefined();
    expect(hook.verified).toMatchObject({
      type: 'approval.requested',
      data: { approvalId: approval.id, executionId: id, stepId: 'promote' },
    });
    // The webhook and the bus event say who asked and what approving does, as the approval does.
    expect(hook.verified.data).toMatchObject({ requestedBy: 'alice', action: approval.action });
    const requested = await eventually(() =>
      events.find(
        (e) => e['detail-type'] === 'approval.requested' && (e.detail as any).payload.approvalId === approval.id,
      ),
    );
    expect((requested.detail as any).payload).toMatchObject({ requestedBy: 'alice', action: approval.action });
    expect(hook.verified.data.callbacks.approve).toContain(
      `/api/v1/approvals/${approval.id}/callback/approve?credential=`,
    );
    expect(hook.body).not.toContain('taskToken');
    await eventually(async () =>
      (await approver.get('/api/v1/approvals?status=pending&limit=100')).body.items.find(
        (a: { id: string; notification: string }) => a.id === approval.id && a.notification === 'delivered',
      ),
    );

    const decided = await approver.post(`/api/v1/approvals/${approval.id}/approve`, { comment: 'ok' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'approved', decidedBy: 'arthur' });

    const done = await runUntil(id, ['SUCCEEDED', 'FAILED']);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.workflowVersion).toBe(1);
    expect(done.steps.map((s: { id: string }) => s.id)).toEqual(['greet', 'promote', 'report']);
    expect(done.steps[1].output).toEqual({ entityId: entity.id, version: 3, before: { tier: 'silver' } });
    expect((await admin.get(`/api/v1/entities/${entity.id}`)).body.attributes).toEqual({
      name: 'Ada',
      tier: 'gold',
      greetedBy: 'bob',
      promotedAt: 3,
      before: 'silver',
    });

    // Events reach the bus through the outbox, a little after the writes.
    const expected = ['workflow.started', 'approval.requested', 'approval.decided', 'workflow.completed'];
    await eventually(() => {
      const names = new Set(events.filter((e) => JSON.stringify(e.detail).includes(id)).map((e) => e['detail-type']));
      return expected.every((n) => names.has(n));
    });
    const completed = events.find(
      (e) => e['detail-type'] === 'workflow.completed' && (e.detail as any).payload.executionId === id,
    );
    expect((completed!.detail as any).payload.status).toBe('SUCCEEDED');
    const audit = (await admin.get('/api/v1/audit?limit=100')).body.items;
    expect(
      audit.find(
        (a: { action: string; resourceId: string }) => a.action === 'approval.approve' && a.resourceId === approval.id,
      ),
    ).toMatchObject({ actor: 'arthur' });
  });

  it('ends REJECTED after a rejection through the API and through the callback link, on the deployed bundles', async () => {
    // The gate functions send the rejection with SendTaskFailure and the finish task classifies it: in
    // bundles whose class names a minifier could rename, the run must still end REJECTED, not FAILED.
    for (const fn of ['DecideApproval', 'ApprovalCallback', 'ApprovalRequest', 'WorkflowFinish'])
      expect(platform.lambda.moduleOf(fn)).toMatch(/modos-bundles\/\w+\/\w+\/index\.mjs$/);
    const wf = await aWorkflow([gated('only')]);
    const byApi = await execute(wf.id);
    const approval = await pendingApprovalOf(byApi);
    expect((await approver.post(`/api/v1/approvals/${approval.id}/reject`, { comment: 'no' })).status).toBe(200);
    const rejected = await runUntil(byApi, ['REJECTED', 'SUCCEEDED', 'FAILED']);
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.error).toMatchObject({ code: 'WORKFLOW_FAILED', name: 'ApprovalRejectedError' });

    const byLink = await execute(wf.id);
    const second = await pendingApprovalOf(byLink);
    const hook = await eventually(() => receiver.received.find((r) => r.id === `msg_${second.id}`));
    const link = new URL(hook.verified.data.callbacks.reject);
    const res = await fetch(`${platform.url}${link.pathname}${link.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect((await runUntil(byLink, ['REJECTED', 'SUCCEEDED', 'FAILED'])).status).toBe('REJECTED');
  });

  it('ends REJECTED after a rejection, and a second decision gets 409', async () => {
    const wf = await aWorkflow([gated('only')]);
    const id = await execute(wf.id);
    const approval = await pendingApprovalOf(id);
    const [first, second] = await Promise.all([
      approver.post(`/api/v1/approvals/${approval.id}/reject`, {}),
      admin.post(`/api/v1/approvals/${approval.id}/approve`, {}),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = first.status === 200 ? 'REJECTED' : 'SUCCEEDED';
    const done = await runUntil(id, ['REJECTED', 'SUCCEEDED', 'FAILED']);
    expect(done.status).toBe(winner);
    const again = await approver.post(`/api/v1/approvals/${approval.id}/reject`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
  });

  it('refuses a decision from a role the step does not name', async () => {
    const wf = await aWorkflow([
      { ...gated('x'), approval: { required: true, timeoutSeconds: 120, roles: ['operator'] } },
    ]);
    const id = await execute(wf.id);
    const approval = await pendingApprovalOf(id).catch(async () =>
      eventually(async () =>
        (await admin.get('/api/v1/approvals?status=pending&limit=100')).body.items.find(
          (a: { executionId: string }) => a.executionId === id,
        ),
      ),
    );
    expect((await approver.post(`/api/v1/approvals/${approval.id}/approve`, {})).status).toBe(403);
    expect((await admin.post(`/api/v1/approvals/${approval.id}/approve`, {})).status).toBe(200);
    expect((await runUntil(id, ['SUCCEEDED', 'FAILED'])).status).toBe('SUCCEEDED');
  });

  it('times out an undecided gate as TIMED_OUT with APPROVAL_TIMEOUT', async () => {
    const wf = await aWorkflow([gated('slow', 'entity.update', touch('slow').input, 2)], false);
    const id = await execute(wf.id);
    const approval = await pendingApprovalOf(id);
    const done = await runUntil(id, ['TIMED_OUT', 'FAILED', 'SUCCEEDED'], 15_000);
    expect(done.status).toBe('TIMED_OUT');
    expect(done.error).toMatchObject({ code: 'APPROVAL_TIMEOUT', stepId: 'slow' });
    const late = await approver.post(`/api/v1/approvals/${approval.id}/approve`, {});
    expect(late.status).toBe(409);
    expect(
      (await approver.get('/api/v1/approvals?status=timed_out&limit=100')).body.items.map((a: { id: string }) => a.id),
    ).toContain(approval.id);
  });
});

describe('signed callbacks', () => {
  it('approves through the webhook callback link once; a replay and a tampered credential are refused', async () => {
    const wf = await aWorkflow([gated('cb')]);
    const id = await execute(wf.id);
    const approval = await pendingApprovalOf(id);
    const hook = await eventually(() => receiver.received.find((r) => r.id === `msg_${approval.id}` && r.verified));
    const approveLink: string = hook.verified.data.callbacks.approve;
    const rejectLink: string = hook.verified.data.callbacks.reject;

    const tampered = approveLink.replace(/credential=([^&]+)/, (_m, c: string) => `credential=${c.slice(0, -4)}AAAA`);
    expect((await fetch(tampered, { method: 'POST' })).status).toBe(401);
    const swapped = approveLink.replace('/callback/approve', '/callback/reject');
    expect((await fetch(swapped, { method: 'POST' })).status).toBe(401);

    const ok = await fetch(approveLink, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { status: string }).status).toBe('approved');
    expect((await runUntil(id, ['SUCCEEDED', 'FAILED'])).status).toBe('SUCCEEDED');

    const replay = await fetch(approveLink, { method: 'POST' });
    expect([401, 409]).toContain(replay.status);
    expect((await fetch(rejectLink, { method: 'POST' })).status).not.toBe(200);
  });

  it('refuses an expired callback credential', async () => {
    const wf = await aWorkflow([gated('exp', 'entity.update', touch('exp').input, 2)]);
    const id = await execute(wf.id);
    const approval = await pendingApprovalOf(id);
    const hook = await eventually(() => receiver.received.find((r) => r.id === `msg_${approval.id}` && r.verified));
    await runUntil(id, ['TIMED_OUT']);
    const wait = Date.parse(approval.expiresAt) + 1100 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const res = await fetch(hook.verified.data.callbacks.approve, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toMatch(/expired/);
  });
});

describe('failures, compensation and redrive', () => {
  it('compensates completed steps when a later step fails, and the entity is restored', async () => {
    const entity = await newEntity({ name: 'Acme', stage: 'lead' });
    const wf = await aWorkflow(
      [
        touch('promote', { stage: 'customer' }),
        // A real refusal: the entity does not exist, which no retry can change.
        { id: 'boom', tool: 'entity.update', input: { entityId: 'no-such-entity', attributes: { x: 1 } } },
      ],
      false,
    );
    const id = await execute(wf.id, { entityId: entity.id });
    const done = await runUntil(id, ['FAILED', 'SUCCEEDED']);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatchObject({
      code: 'WORKFLOW_FAILED',
      name: 'ToolFailedError',
      stepId: 'boom',
      message: expect.stringMatching(/not found/),
    });
    expect(done.steps.map((s: { status: string }) => s.status)).toEqual(['COMPENSATED', 'FAILED']);
    expect(done.steps[1].attempts).toBe(1);
    const restored = (await admin.get(`/api/v1/entities/${entity.id}`)).body;
    expect(restored.attributes.stage).toBe('lead');
    expect(restored.version).toBe(3);
  });

  it('retries a retryable failure with backoff and succeeds without repeating earlier effects', async () => {
    const secret = generateWebhookSecret();
    // 503 to the sender's 4 attempts of the step's first try; the state machine's retry then gets a 200.
    const flaky = await startWebhookReceiver(
      () => secret,
      (n) => (n <= 4 ? 503 : 200),
    );
    try {
      const entity = await newEntity();
      const wf = await aWorkflow([touch('touch', { n: 1 }), webhookStep('flaky', flaky.url, secret)], false);
      const id = await execute(wf.id, { entityId: entity.id });
      const approval = await pendingApprovalOf(id);
      expect((await approver.post(`/api/v1/approvals/${approval.id}/approve`, {})).status).toBe(200);
      const done = await runUntil(id, ['SUCCEEDED', 'FAILED'], 40_000);
      expect(done.status).toBe('SUCCEEDED');
      expect(done.steps[1]).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 2,
        output: { delivered: true, status: 200, attempts: 1 },
      });
      expect(flaky.received).toHaveLength(5);
      expect(new Set(flaky.received.map((r) => r.id)).size).toBe(1);
      expect(flaky.received.every((r) => r.verifyError === undefined)).toBe(true);
      expect((await admin.get(`/api/v1/entities/${entity.id}`)).body.version).toBe(2);
    } finally {
      await flaky.close();
    }
  }, 60_000);

  it('redrives a failed run from the first step whose effect is gone, reusing the outputs of the steps still in place', async () => {
    const secret = generateWebhookSecret();
    let accepting = false;
    const ping = await startWebhookReceiver(() => secret);
    const notify = await startWebhookReceiver(
      () => secret,
      () => (accepting ? 200 : 400),
    );
    try {
      const entity = await newEntity();
      const wf = await aWorkflow(
        [touch('touch', { n: 1 }), webhookStep('ping', ping.url, secret), webhookStep('notify', notify.url, secret)],
        false,
      );
      const id = await execute(wf.id, { entityId: entity.id });
      for (const stepId of ['ping', 'notify']) {
        const approval = await eventually(async () =>
          (await approver.get('/api/v1/approvals?status=pending&limit=100')).body.items.find(
            (a: any) => a.executionId === id && a.stepId === stepId,
          ),
        );
        await approver.post(`/api/v1/approvals/${approval.id}/approve`, {});
      }
      // A 400 is a refusal: not retried, the run fails and compensates what it can (the entity update).
      const failed = await runUntil(id, ['FAILED', 'SUCCEEDED'], 20_000);
      expect(failed.status).toBe('FAILED');
      expect(failed.steps.map((s: { status: string }) => s.status)).toEqual(['COMPENSATED', 'SUCCEEDED', 'FAILED']);
      expect(failed.steps[2]).toMatchObject({ attempts: 1, error: { name: 'ToolFailedError' } });
      const pinged = failed.steps[1].completedAt;

      accepting = true;
      const redrive = await admin.post(`/api/v1/workflows/executions/${id}/redrive`);
      expect(redrive.status).toBe(202);
      expect(redrive.body).toMatchObject({
        status: 'RUNNING',
        redrives: 1,
        startedBy: 'alice',
        redrivenBy: [{ userId: 'alice' }],
      });
      const again = await eventually(async () =>
        (await approver.get('/api/v1/approvals?status=pending&limit=100')).body.items.find(
          (a: any) => a.executionId === id && a.stepId === 'notify',
        ),
      );
      await approver.post(`/api/v1/approvals/${again.id}/approve`, {});
      const done = await runUntil(id, ['SUCCEEDED', 'FAILED'], 20_000);
      expect(done.status).toBe('SUCCEEDED');
      // The compensated update ran again; the delivered webhook was not sent again; the refused one was re-sent with its id.
      expect(done.steps[1].completedAt).toBe(pinged);
      expect(ping.received).toHaveLength(1);
      expect(done.steps[2]).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
      expect(notify.received).toHaveLength(2);
      expect(new Set(notify.received.map((r) => r.id)).size).toBe(1);
      expect((await admin.get(`/api/v1/entities/${entity.id}`)).body.version).toBe(4);
      expect((await admin.post(`/api/v1/workflows/executions/${id}/redrive`)).status).toBe(409);
    } finally {
      await ping.close();
      await notify.close();
    }
  }, 60_000);
});

describe('who a run acts as', () => {
  it("audits a tool's update as the user who started the run, through the engine, with the run id", async () => {
    const entity = await newEntity();
    const wf = await aWorkflow([touch('mark', { marked: true })], false);
    const id = await execute(wf.id, { entityId: entity.id });
    expect((await runUntil(id, ['SUCCEEDED', 'FAILED'])).status).toBe('SUCCEEDED');
    const audit = (await admin.get('/api/v1/audit?limit=100')).body.items;
    const update = audit.find(
      (a: { action: string; resourceId: string }) => a.action === 'entity.update' && a.resourceId === entity.id,
    );
    expect(update).toMatchObject({ actor: 'alice', via: 'system:workflow-engine', runId: id, requestId: `${id}:mark` });
  });

  it('fails an entity.update step with FORBIDDEN, not retried, when the starter may not write entities; a redrive by an admin does not lend its roles', async () => {
    const entity = await newEntity({ tier: 'basic' });
    const wf = await aWorkflow([touch('promote', { tier: 'gold' })], false);
    // An operator may execute workflows but not write entities.
    const id = await execute(wf.id, { entityId: entity.id }, operator);
    const failed = await runUntil(id, ['FAILED', 'SUCCEEDED']);
    expect(failed).toMatchObject({
      status: 'FAILED',
      startedBy: 'otto',
      error: { code: 'FORBIDDEN', name: 'ToolFailedError', stepId: 'promote' },
    });
    expect(failed.steps[0]).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/otto.*entities:write/) },
    });

    expect((await admin.post(`/api/v1/workflows/executions/${id}/redrive`)).status).toBe(202);
    const again = await runUntil(id, ['FAILED', 'SUCCEEDED']);
    expect(again).toMatchObject({
      status: 'FAILED',
      startedBy: 'otto',
      redrives: 1,
      redrivenBy: [{ userId: 'alice' }],
      error: { code: 'FORBIDDEN' },
    });
    expect((await admin.get(`/api/v1/entities/${entity.id}`)).body).toMatchObject({
      version: 1,
      attributes: { tier: 'basic' },
    });
    const audit = (await admin.get('/api/v1/audit?limit=100')).body.items;
    expect(
      audit.find((a: { action: string; resourceId: string }) => a.action === 'workflow.redrive' && a.resourceId === id),
    ).toMatchObject({ actor: 'alice' });
    expect(
      audit.filter(
        (a: { action: string; resourceId: string }) => a.action === 'entity.update' && a.resourceId === entity.id,
      ),
    ).toEqual([]);
  });
});

describe("an http.webhook step's signing secret", () => {
  it('is stored sealed, never returned by the API, and signs the webhook when the step runs', async () => {
    const secret = generateWebhookSecret();
    const target = await startWebhookReceiver(() => secret);
    try {
      // With the approver's webhook: the approval's event and webhook carry the action, its secret as "[secret]".
      const wf = await aWorkflow([webhookStep('notify', target.url, secret, { order: '$.input.order' })]);
      // The creation answers the approver's webhook secret once (generated); the step's is never answered.
      const { webhookSecret: _approverSecret, ...created } = wf;
      const reads = [
        created,
        (await admin.get(`/api/v1/workflows/${wf.id}`)).body,
        (await admin.get('/api/v1/workflows?limit=100')).body,
      ];
      for (const read of reads) expect(JSON.stringify(read)).not.toMatch(/whsec_|enc1\./);
      expect((await admin.get(`/api/v1/workflows/${wf.id}`)).body.steps[0]).toMatchObject({
        input: { url: target.url },
        secretInputs: ['secret'],
      });
      const item = await rawItem(keys.workflow('wf-a', wf.id));
      expect(item?.steps?.L?.[0]?.M?.sealed?.M?.secret?.S).toMatch(/^enc1\./);
      expect(JSON.stringify(item)).not.toContain(secret);

      const id = await execute(wf.id, { order: 'o-17' });
      const approval = await pendingApprovalOf(id);
      expect(approval.action).toMatchObject({
        tool: 'http.webhook',
        input: { url: target.url, secret: '[secret]', payload: { order: 'o-17' } },
      });
      expect(JSON.stringify(approval)).not.toMatch(/whsec_|enc1\./);
      const hook = await eventually(() => receiver.received.find((r) => r.id === `msg_${approval.id}`));
      expect(hook.verified.data.action).toEqual(approval.action);
      const requested = await eventually(() =>
        events.find(
          (e) => e['detail-type'] === 'approval.requested' && (e.detail as any).payload.approvalId === approval.id,
        ),
      );
      expect((requested.detail as any).payload.action).toEqual(approval.action);
      for (const text of [hook.body, JSON.stringify(requested)]) {
        expect(text).toContain('[secret]');
        expect(text).not.toContain(secret);
        expect(text).not.toMatch(/whsec_|enc1\./);
      }
      await approver.post(`/api/v1/approvals/${approval.id}/approve`, {});
      const done = await runUntil(id, ['SUCCEEDED', 'FAILED']);
      expect(done.status).toBe('SUCCEEDED');
      // Verified by standardwebhooks with the secret given at creation: the step opened the sealed value.
      expect(target.received).toHaveLength(1);
      expect(target.received[0]).toMatchObject({
        verifyError: undefined,
        verified: { type: 'test.step', data: { order: 'o-17' } },
      });
      expect(JSON.stringify(done)).not.toContain(secret);
      expect(JSON.stringify(await rawItem(keys.run('wf-a', id)))).not.toContain(secret);
    } finally {
      await target.close();
    }
  });
});

describe('webhook delivery failure', () => {
  it('keeps the approval pending and marks it notification_failed when the webhook exhausts its retries', async () => {
    const failing = await startWebhookReceiver(
      () => undefined,
      () => 503,
    );
    try {
      const res = await admin.post('/api/v1/workflows', {
        name: 'unreachable approver',
        steps: [gated('gate')],
        webhook: { url: failing.url },
      });
      const id = await execute(res.body.id);
      const approval = await pendingApprovalOf(id);
      const marked = await eventually(
        async () =>
          (await approver.get('/api/v1/approvals?status=pending&limit=100')).body.items.find(
            (a: { id: string; notification: string }) =>
              a.id === approval.id && a.notification === 'notification_failed',
          ),
        20_000,
      );
      expect(marked.status).toBe('pending');
      expect(failing.received.length).toBeGreaterThan(1);
      expect(new Set(failing.received.map((r) => r.id))).toEqual(new Set([`msg_${approval.id}`]));
      // Still decidable through the API.
      expect((await approver.post(`/api/v1/approvals/${approval.id}/approve`, {})).status).toBe(200);
      expect((await runUntil(id, ['SUCCEEDED', 'FAILED'])).status).toBe('SUCCEEDED');
    } finally {
      await failing.close();
    }
  }, 40_000);
});

describe('limits', () => {
  it('fails a step before it runs when the run could no longer record its inputs and outputs', async () => {
    // Each step records its 30 KB input and an output holding the 30 KB value it replaced (attribute
    // strings are at most 4 KB, so the value is an array of them). One entity per step, so each
    // compensation finds its entity as its step left it.
    const steps = Array.from({ length: 8 }, (_, i) => ({
      id: `copy${i}`,
      tool: 'entity.update',
      input: { entityId: `$.input.e${i}`, attributes: { data: '$.input.blob' } },
    }));
    const wf = await aWorkflow(steps, false);
    const blob = (c: string) => Array.from({ length: 8 }, () => c.repeat(3_750));
    const targets = Object.fromEntries(
      await Promise.all(steps.map(async (_, i) => [`e${i}`, (await newEntity({ data: blob('o') })).id])),
    );
    const id = await execute(wf.id, { ...targets, entityId: targets.e0, blob: blob('x') });
    const done = await runUntil(id, ['FAILED', 'SUCCEEDED'], 20_000);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatchObject({ name: 'ToolFailedError', message: expect.stringMatching(/would exceed/) });
    const failedAt = done.steps.findIndex((s: { status: string }) => s.status === 'FAILED');
    expect(failedAt).toBeGreaterThan(2);
    expect(done.steps.slice(0, failedAt).every((s: { status: string }) => s.status === 'COMPENSATED')).toBe(true);
    expect(done.steps[failedAt].attempts).toBe(1);
  });
});

describe('isolation', () => {
  it("hides a tenant's executions and approvals from another tenant", async () => {
    const wf = await aWorkflow([gated('iso')], false);
    const id = await execute(wf.id);
    const approval = await pendingApprovalOf(id);
    const other = apiClient(platform.url, await platform.token({ tenantId: 'wf-b', roles: ['admin'] }));
    expect((await other.get(`/api/v1/workflows/executions/${id}`)).status).toBe(404);
    expect((await other.get(`/api/v1/workflows/${wf.id}`)).status).toBe(404);
    expect((await other.post(`/api/v1/approvals/${approval.id}/approve`, {})).status).toBe(404);
    expect((await other.get('/api/v1/approvals?status=pending')).body.items).toEqual([]);
    expect((await other.post('/api/v1/workflows/execute', { workflowId: wf.id })).status).toBe(404);
    await admin.post(`/api/v1/approvals/${approval.id}/reject`, {});
  });
});
