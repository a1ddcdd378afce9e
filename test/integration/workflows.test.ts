import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import type { BusEvent } from '../../local/event-bus.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';
import { startWebhookReceiver } from '../../scripts/lib/webhook-receiver.js';

let platform: LocalPlatform;
let admin: ReturnType<typeof apiClient>;
let approver: ReturnType<typeof apiClient>;
let analyst: ReturnType<typeof apiClient>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let webhookSecret: string | undefined;
const events: BusEvent[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.onEvent((e) => events.push(e));
  admin = apiClient(platform.url, await platform.token({ tenantId: 'wf-a', roles: ['admin'], userId: 'alice' }));
  approver = apiClient(platform.url, await platform.token({ tenantId: 'wf-a', roles: ['approver'], userId: 'arthur' }));
  analyst = apiClient(platform.url, await platform.token({ tenantId: 'wf-a', roles: ['analyst'], userId: 'ann' }));
  receiver = await startWebhookReceiver(() => webhookSecret);
});

afterAll(async () => {
  await receiver?.close();
  await platform?.stop();
});

async function aWorkflow(steps: unknown[], webhook = true) {
  const res = await admin.post('/api/v1/workflows', { name: 'test', steps, ...(webhook ? { webhook: { url: receiver.url } } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  if (res.body.webhookSecret) webhookSecret = res.body.webhookSecret;
  return res.body;
}

const gated = (id: string, tool = 'core.echo', input: Record<string, unknown> = { step: id }, timeoutSeconds = 120) => ({
  id,
  tool,
  input,
  approval: { required: true, timeoutSeconds },
});

async function runUntil(executionId: string, statuses: string[], timeoutMs = 15_000) {
  return eventually(async () => {
    const res = await admin.get(`/api/v1/workflows/executions/${executionId}`);
    return statuses.includes(res.body.status) ? res.body : undefined;
  }, timeoutMs);
}

async function execute(workflowId: string, input: Record<string, unknown> = {}) {
  const res = await admin.post('/api/v1/workflows/execute', { workflowId, input });
  expect(res.status).toBe(202);
  expect(res.body.status).toBe('RUNNING');
  return res.body.executionId as string;
}

async function pendingApprovalOf(executionId: string) {
  return eventually(async () => (await approver.get('/api/v1/approvals?status=pending&limit=100')).body.items.find((a: { executionId: string }) => a.executionId === executionId));
}

describe('tool registry and definitions', () => {
  it('lists the built-in tools with their schemas', async () => {
    const res = await analyst.get('/api/v1/tools');
    expect(res.status).toBe(403);
    const tools = (await admin.get('/api/v1/tools')).body.items;
    expect(tools.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['core.echo', 'entity.update', 'http.webhook']));
    expect(tools.find((t: { name: string }) => t.name === 'http.webhook')).toMatchObject({ requiresApproval: true, automatable: false });
    expect(tools.find((t: { name: string }) => t.name === 'entity.update').inputSchema.required).toContain('entityId');
  });

  it('stores the webhook secret sealed with the tenant key, and never returns it again', async () => {
    const wf = await aWorkflow([{ id: 'a', tool: 'core.echo', input: {} }]);
    expect(wf.webhookSecret).toMatch(/^whsec_/);
    const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const ddb = new DynamoDBClient({ endpoint: platform.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    const item = await ddb.send(new GetItemCommand({ TableName: platform.tableName, Key: { PK: { S: `T#wf-a#WORKFLOW#${wf.id}` }, SK: { S: 'META' } } }));
    ddb.destroy();
    expect(item.Item?.sealedWebhookSecret?.S).toMatch(/^enc1\./);
    expect(JSON.stringify(item.Item)).not.toContain(wf.webhookSecret);
    expect(JSON.stringify((await admin.get(`/api/v1/workflows/${wf.id}`)).body)).not.toMatch(/whsec_|enc1\./);
  });

  it('versions a definition: a change makes version 2 and a stale change gets 409', async () => {
    const wf = await aWorkflow([{ id: 'a', tool: 'core.echo', input: {} }], false);
    expect(wf.version).toBe(1);
    const v2 = await admin.raw('PUT', `/api/v1/workflows/${wf.id}`, JSON.stringify({ version: 1, name: 'renamed', steps: [{ id: 'b', tool: 'core.echo', input: {} }] }));
    expect(v2.status).toBe(200);
    expect(v2.body.version).toBe(2);
    const stale = await admin.raw('PUT', `/api/v1/workflows/${wf.id}`, JSON.stringify({ version: 1, name: 'x', steps: [{ id: 'c', tool: 'core.echo', input: {} }] }));
    expect(stale.status).toBe(409);
    expect((await admin.get(`/api/v1/workflows/${wf.id}?version=1`)).body.steps[0].id).toBe('a');
    expect((await admin.get(`/api/v1/workflows/${wf.id}`)).body.steps[0].id).toBe('b');
  });

  it.each([
    ['an unknown tool', [{ id: 'a', tool: 'no.such', input: {} }], 'steps.0.tool'],
    ['a sensitive tool without a gate', [{ id: 'a', tool: 'http.webhook', input: { url: 'https://example.com', secret: 'whsec_x' } }], 'steps.0.approval'],
    ['a reference to a later step', [{ id: 'a', tool: 'core.echo', input: { x: '$.steps.b.output.y' } }, { id: 'b', tool: 'core.echo', input: {} }], 'steps.0.input'],
    ['duplicate step ids', [{ id: 'a', tool: 'core.echo', input: {} }, { id: 'a', tool: 'core.echo', input: {} }], 'steps.1.id'],
  ])('refuses %s with 400 naming the field', async (_n, steps, field) => {
    const res = await admin.post('/api/v1/workflows', { name: 'bad', steps });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it.each(['https://169.254.169.254/latest/meta-data', 'https://10.0.0.1/hook', 'http://example.com/hook', 'https://[::1]/hook', 'https://2130706433/'])(
    'refuses the webhook URL %s (SSRF)',
    async (url) => {
      const res = await admin.post('/api/v1/workflows', { name: 'ssrf', steps: [{ id: 'a', tool: 'core.echo', input: {} }], webhook: { url } });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe('webhook.url');
    },
  );
});

describe('runs with approval gates', () => {
  it('stops at the gate, sends a signed webhook, and finishes after approval, pinning its version', async () => {
    const { body: entity } = await admin.post('/api/v1/entities', { type: 'person', attributes: { name: 'Ada', tier: 'silver' } });
    const wf = await aWorkflow([
      { id: 'greet', tool: 'core.echo', input: { who: '$.input.who' } },
      gated('promote', 'entity.update', { entityId: '$.input.entityId', attributes: { tier: 'gold' } }),
      { id: 'report', tool: 'core.echo', input: { version: '$.steps.promote.output.version', greeted: '$.steps.greet.output.who' } },
    ]);
    const id = await execute(wf.id, { who: 'bob', entityId: entity.id });
    const waiting = await runUntil(id, ['WAITING_FOR_APPROVAL']);
    expect(waiting.steps.map((s: { status: string }) => s.status)).toEqual(['SUCCEEDED', 'WAITING_FOR_APPROVAL', 'PENDING']);
    // A later change of the definition does not affect the running execution.
    await admin.raw('PUT', `/api/v1/workflows/${wf.id}`, JSON.stringify({ version: 1, name: 'v2', steps: [{ id: 'other', tool: 'core.echo', input: {} }] }));

    const approval = await pendingApprovalOf(id);
    expect(approval).toMatchObject({ stepId: 'promote', status: 'pending' });
    expect(JSON.stringify(approval)).not.toMatch(/token/i);

    const hook = await eventually(() => receiver.received.find((r) => r.id === `msg_${approval.id}`));
    expect(hook.verifyError).toBeUndefined();
    expect(hook.verified).toMatchObject({ type: 'approval.requested', data: { approvalId: approval.id, executionId: id, stepId: 'promote' } });
    expect(hook.verified.data.callbacks.approve).toContain(`/api/v1/approvals/${approval.id}/callback/approve?credential=`);
    expect(hook.body).not.toContain('taskToken');
    await eventually(async () => (await approver.get('/api/v1/approvals?status=pending&limit=100')).body.items.find((a: { id: string; notification: string }) => a.id === approval.id && a.notification === 'delivered'));

    const decided = await approver.post(`/api/v1/approvals/${approval.id}/approve`, { comment: 'ok' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'approved', decidedBy: 'arthur' });

    const done = await runUntil(id, ['SUCCEEDED', 'FAILED']);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.workflowVersion).toBe(1);
    expect(done.steps.map((s: { id: string }) => s.id)).toEqual(['greet', 'promote', 'report']);
    expect(done.steps[2].output).toEqual({ version: 2, greeted: 'bob' });
    expect((await admin.get(`/api/v1/entities/${entity.id}`)).body.attributes.tier).toBe('gold');

    // Events reach the bus through the outbox, a little after the writes.
    const expected = ['workflow.started', 'approval.requested', 'approval.decided', 'workflow.completed'];
    await eventually(() => {
      const names = new Set(events.filter((e) => JSON.stringify(e.detail).includes(id)).map((e) => e['detail-type']));
      return expected.every((n) => names.has(n));
    });
    const completed = events.find((e) => e['detail-type'] === 'workflow.completed' && (e.detail as any).payload.executionId === id);
    expect((completed!.detail as any).payload.status).toBe('SUCCEEDED');
    const audit = (await admin.get('/api/v1/audit?limit=100')).body.items;
    expect(audit.find((a: { action: string; resourceId: string }) => a.action === 'approval.approve' && a.resourceId === approval.id)).toMatchObject({ actor: 'arthur' });
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
    const wf = await aWorkflow([{ ...gated('x'), approval: { required: true, timeoutSeconds: 120, roles: ['operator'] } }]);
    const id = await execute(wf.id);
    const approval = await pendingApprovalOf(id).catch(async () => eventually(async () => (await admin.get('/api/v1/approvals?status=pending&limit=100')).body.items.find((a: { executionId: string }) => a.executionId === id)));
    expect((await approver.post(`/api/v1/approvals/${approval.id}/approve`, {})).status).toBe(403);
    expect((await admin.post(`/api/v1/approvals/${approval.id}/approve`, {})).status).toBe(200);
    expect((await runUntil(id, ['SUCCEEDED', 'FAILED'])).status).toBe('SUCCEEDED');
  });

  it('times out an undecided gate as TIMED_OUT with APPROVAL_TIMEOUT', async () => {
    const wf = await aWorkflow([gated('slow', 'core.echo', {}, 2)], false);
    const id = await execute(wf.id);
    const approval = await pendingApprovalOf(id);
    const done = await runUntil(id, ['TIMED_OUT', 'FAILED', 'SUCCEEDED'], 15_000);
    expect(done.status).toBe('TIMED_OUT');
    expect(done.error).toMatchObject({ code: 'APPROVAL_TIMEOUT', stepId: 'slow' });
    const late = await approver.post(`/api/v1/approvals/${approval.id}/approve`, {});
    expect(late.status).toBe(409);
    expect((await approver.get('/api/v1/approvals?status=timed_out&limit=100')).body.items.map((a: { id: string }) => a.id)).toContain(approval.id);
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
    const wf = await aWorkflow([gated('exp', 'core.echo', {}, 2)]);
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
    const { body: entity } = await admin.post('/api/v1/entities', { type: 'organization', attributes: { name: 'Acme', stage: 'lead' } });
    const wf = await aWorkflow(
      [
        { id: 'promote', tool: 'entity.update', input: { entityId: entity.id, attributes: { stage: 'customer' } } },
        { id: 'boom', tool: 'core.fail', input: { kind: 'permanent' } },
      ],
      false,
    );
    const id = await execute(wf.id);
    const done = await runUntil(id, ['FAILED', 'SUCCEEDED']);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatchObject({ code: 'WORKFLOW_FAILED', name: 'ToolFailedError', stepId: 'boom' });
    expect(done.steps.map((s: { status: string }) => s.status)).toEqual(['COMPENSATED', 'FAILED']);
    const restored = (await admin.get(`/api/v1/entities/${entity.id}`)).body;
    expect(restored.attributes.stage).toBe('lead');
    expect(restored.version).toBe(3);
  });

  it('retries a retryable failure with backoff and succeeds without repeating earlier effects', async () => {
    const { body: entity } = await admin.post('/api/v1/entities', { type: 'person', attributes: { n: 0 } });
    const wf = await aWorkflow(
      [
        { id: 'touch', tool: 'entity.update', input: { entityId: entity.id, attributes: { n: 1 } } },
        { id: 'flaky', tool: 'core.fail', input: { kind: 'retryable', attempts: 2 } },
      ],
      false,
    );
    const id = await execute(wf.id);
    const done = await runUntil(id, ['SUCCEEDED', 'FAILED'], 20_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.steps[1]).toMatchObject({ status: 'SUCCEEDED', attempts: 3, output: { attempt: 3 } });
    expect((await admin.get(`/api/v1/entities/${entity.id}`)).body.version).toBe(2);
  });

  it('redrives a failed run from the failed step, reusing the outputs of the steps before it', async () => {
    const wf = await aWorkflow(
      [
        { id: 'first', tool: 'core.echo', input: { v: 1 } },
        // Fails its first 4 attempts (the first try and the state machine's 3 retries), so the run
        // fails; the 5th attempt, after the redrive, succeeds.
        { id: 'second', tool: 'core.fail', input: { kind: 'retryable', attempts: 4 } },
      ],
      false,
    );
    const id = await execute(wf.id);
    const failed = await runUntil(id, ['FAILED', 'SUCCEEDED'], 20_000);
    expect(failed.status).toBe('FAILED');
    expect(failed.steps[1]).toMatchObject({ status: 'FAILED', attempts: 4 });
    const firstDone = failed.steps[0].completedAt;

    const redrive = await admin.post(`/api/v1/workflows/executions/${id}/redrive`);
    expect(redrive.status).toBe(202);
    expect(redrive.body).toMatchObject({ status: 'RUNNING', redrives: 1 });
    const done = await runUntil(id, ['SUCCEEDED', 'FAILED'], 20_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.steps[0].completedAt).toBe(firstDone);
    expect(done.steps[1]).toMatchObject({ attempts: 5, output: { attempt: 5 } });
    expect((await admin.post(`/api/v1/workflows/executions/${id}/redrive`)).status).toBe(409);
  });
});

describe('webhook delivery failure', () => {
  it('keeps the approval pending and marks it notification_failed when the webhook exhausts its retries', async () => {
    const failing = await startWebhookReceiver(() => undefined, () => 503);
    try {
      const res = await admin.post('/api/v1/workflows', { name: 'unreachable approver', steps: [gated('gate')], webhook: { url: failing.url } });
      const id = await execute(res.body.id);
      const approval = await pendingApprovalOf(id);
      const marked = await eventually(
        async () => (await approver.get('/api/v1/approvals?status=pending&limit=100')).body.items.find((a: { id: string; notification: string }) => a.id === approval.id && a.notification === 'notification_failed'),
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
    const steps = Array.from({ length: 8 }, (_, i) => ({ id: `copy${i}`, tool: 'core.echo', input: { data: '$.input.blob' } }));
    const wf = await aWorkflow(steps, false);
    const id = await execute(wf.id, { blob: 'x'.repeat(30_000) });
    const done = await runUntil(id, ['FAILED', 'SUCCEEDED'], 20_000);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatchObject({ name: 'ToolFailedError', message: expect.stringMatching(/would exceed/) });
    expect(done.steps.filter((s: { status: string }) => s.status === 'SUCCEEDED').length).toBeGreaterThan(2);
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
