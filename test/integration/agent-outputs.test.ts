import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DailyLimitExceededError } from '../../functions/domain/agents/outputs/errors.js';
import { outputApprovalIdOf } from '../../functions/domain/agents/outputs/naming.js';
import type { ProposeDeps, ProposeOutputInput } from '../../functions/domain/agents/outputs/propose.js';
import { proposeOutput } from '../../functions/domain/agents/outputs/propose.js';
import { SYSTEM_SKILLS } from '../../functions/domain/agents/skills/catalogue.js';
import { TransientError } from '../../functions/domain/errors.js';
import { outputRepository, proposeDeps } from '../../functions/platform/agent-output-composition.js';
import { blobStore } from '../../functions/platform/blob-composition.js';
import { secretBox } from '../../functions/platform/callback-key.js';
import type { BusEvent } from '../../local/event-bus.js';
import type { LocalPlatform } from '../../local/platform.js';
import { startWebhookReceiver } from '../../scripts/lib/webhook-receiver.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

/*
 * Agent outputs on the local platform: proposals go through the use case wired as the session function wires it (the
 * platform's table, bucket and AgentOutput state machine), everything after that through the platform itself: the
 * gate, the approval webhook to a loopback receiver (verified with `standardwebhooks`), the callback links and the
 * approval routes, the execution step and the output routes.
 */

const TENANT = 'ao-a';
/** The agent's secret as the seed allows it (any 32+ characters); the receiver keys its HMAC with its UTF-8 bytes. */
const AGENT_SECRET = 'agent-outputs-webhook-secret-of-40-chars';

let platform: LocalPlatform;
let admin: ReturnType<typeof apiClient>;
let approver: ReturnType<typeof apiClient>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let deps: ProposeDeps;
let sealedSecret: string;
const events: BusEvent[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.onEvent((e) => events.push(e));
  admin = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'ada' }));
  approver = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['approver'], userId: 'arthur' }));
  receiver = await startWebhookReceiver(() => `whsec_${Buffer.from(AGENT_SECRET, 'utf8').toString('base64')}`);
  deps = proposeDeps('AgentSessions');
  sealedSecret = await secretBox().seal(TENANT, AGENT_SECRET);
}, 180_000);

afterAll(async () => {
  await receiver?.close();
  await platform?.stop();
});

let agents = 0;
/** A fresh agent id (a UUID) per test, so daily counters and listings do not mix. */
const anAgentId = () => `8b1e2d4f-6a3c-4e5b-9d7f-${String(++agents).padStart(12, '0')}`;
const skill = (name: string) => SYSTEM_SKILLS.find((s) => s.name === name)!;

function aProposal(
  agentId: string,
  skillName: string,
  skillInput: Record<string, unknown>,
  over: Partial<ProposeOutputInput['agent']> = {},
): ProposeOutputInput {
  return {
    tenantId: TENANT,
    agent: {
      id: agentId,
      daily_output_limit: 100,
      webhook_url: receiver.url,
      sealed_webhook_secret: sealedSecret,
      ...over,
    },
    sessionId: '0c4e8a2b-7d1f-4b3a-8e6c-5f9d2a1b3c4e',
    proposer: { userId: 'ada', roles: ['admin'] },
    skill: skill(skillName),
    skillInput: skill(skillName).input.parse(skillInput),
    offline: true,
    requestId: `test-${skillName}`,
  };
}

async function anAccount() {
  const res = await admin.post('/api/v1/entities', {
    type: 'organization',
    attributes: { name: 'Acme', tier: 'silver' },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

const webhookOf = (outputId: string) =>
  eventually(() => receiver.received.find((r) => r.verified?.data?.output_id === outputId), 60_000);

async function outputUntil(id: string, statuses: string[], timeoutMs = 60_000) {
  return eventually(async () => {
    const res = await admin.get(`/api/v1/outputs/${id}`);
    return statuses.includes(res.body?.status) ? res.body : undefined;
  }, timeoutMs);
}

const post = (link: string) => {
  const u = new URL(link);
  return fetch(`${platform.url}${u.pathname}${u.search}`, { method: 'POST' });
};

describe('an account update proposed by an agent', () => {
  it("notifies the agent's webhook, and on the approve link updates the account exactly once, audited as the proposer via the agent", async () => {
    const account = await anAccount();
    const agentId = anAgentId();
    const output = await proposeOutput(
      aProposal(agentId, 'update_account', { entityId: account.id, attributes: { tier: 'gold' } }),
      deps,
    );
    expect(output.status).toBe('pending');

    const hook = await webhookOf(output.id);
    expect(hook.verifyError).toBeUndefined();
    expect(hook.headers['webhook-id']).toBe(`msg_${outputApprovalIdOf(output.id)}`);
    expect(hook.verified).toMatchObject({
      type: 'agent.output.approval_requested',
      data: { output_id: output.id, agent_id: agentId, skill: 'update_account', offline: true, is_automatable: true },
    });
    expect(hook.verified.data.content_preview.startsWith('[offline model] ')).toBe(true);
    // Who asked and what approving does, as the approval says (listed below).
    expect(hook.verified.data).toMatchObject({
      requested_by: 'ada',
      action: { tool: 'update_account', description: skill('update_account').description },
    });
    // Nothing happens before the decision.
    expect((await admin.get(`/api/v1/entities/${account.id}`)).body.attributes.tier).toBe('silver');
    const listed = await approver.get('/api/v1/approvals?status=pending&limit=100');
    expect(listed.body.items.map((a: { id: string }) => a.id)).toContain(outputApprovalIdOf(output.id));
    // For the user whose session proposed it; the action names the skill (its content is the output's).
    expect(listed.body.items.find((a: { id: string }) => a.id === outputApprovalIdOf(output.id))).toMatchObject({
      requestedBy: 'ada',
      action: { tool: 'update_account', description: skill('update_account').description },
    });

    const approved = await post(hook.verified.data.callbacks.approve);
    expect(approved.status).toBe(200);
    expect((await post(hook.verified.data.callbacks.approve)).status).toBeGreaterThanOrEqual(400);

    const executed = await outputUntil(output.id, ['executed', 'manual']);
    expect(executed).toMatchObject({
      status: 'executed',
      webhook_attempts: 1,
      result: { tool: 'entity.update', output: { entityId: account.id, version: 2 } },
      approval: { status: 'approved', subject: { kind: 'agent_output', outputId: output.id, agentId } },
      approval_record: { output_id: output.id, decision: 'approved', auto_execute: true },
    });
    expect(JSON.parse(executed.content)).toEqual({ entityId: account.id, attributes: { tier: 'gold' } });
    const entity = (await admin.get(`/api/v1/entities/${account.id}`)).body;
    expect(entity).toMatchObject({ version: 2, attributes: { tier: 'gold' } });

    // The execution task delivered again (a Step Functions retry) finds the output executed and acts no more.
    const again = await platform.lambda.invoke('AgentOutputStep', {
      tenantId: TENANT,
      outputId: output.id,
      outcome: 'approved',
    });
    expect(again).toEqual({ status: 'executed' });
    expect((await admin.get(`/api/v1/entities/${account.id}`)).body.version).toBe(2);

    const audit = (await admin.get('/api/v1/audit?limit=100')).body.items as Array<Record<string, string>>;
    const updates = audit.filter((a) => a.action === 'entity.update' && a.resourceId === account.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ actor: 'ada', via: `system:agent:${agentId}` });
    const outputActions = audit.filter((a) => a.resourceId === output.id).map((a) => a.action);
    expect(outputActions.sort()).toEqual(
      ['agent.output.approve', 'agent.output.execute', 'agent.output.notify', 'agent.output.propose'].sort(),
    );
    await platform.bus.drain();
    const names = events
      .filter((e) => (e.detail.payload as { outputId?: string }).outputId === output.id)
      .map((e) => e['detail-type']);
    expect(names).toEqual(
      expect.arrayContaining(['agent.output.proposed', 'agent.output.decided', 'agent.output.completed']),
    );
    const requested = events.find(
      (e) =>
        e['detail-type'] === 'approval.requested' &&
        (e.detail.payload as { approvalId?: string }).approvalId === outputApprovalIdOf(output.id),
    );
    expect(requested?.detail.payload).toMatchObject({
      requestedBy: 'ada',
      action: { tool: 'update_account', description: skill('update_account').description },
    });
  }, 180_000);

  it('ends rejected on the reject link, and never touches the account', async () => {
    const account = await anAccount();
    const output = await proposeOutput(
      aProposal(anAgentId(), 'update_account', { entityId: account.id, attributes: { tier: 'bronze' } }),
      deps,
    );
    const hook = await webhookOf(output.id);
    expect((await post(hook.verified.data.callbacks.reject)).status).toBe(200);
    const rejected = await outputUntil(output.id, ['rejected']);
    expect(rejected.approval_record).toMatchObject({ decision: 'rejected' });
    expect((await admin.get(`/api/v1/entities/${account.id}`)).body).toMatchObject({
      version: 1,
      attributes: { tier: 'silver' },
    });
  }, 120_000);
});

describe('outputs a person carries out', () => {
  it('ends manual once approved through the API when no tool executes its skill', async () => {
    const output = await proposeOutput(
      aProposal(anAgentId(), 'draft_email', { to: 'cfo@acme.example', subject: 'Renewal', body: 'Dear CFO, …' }),
      deps,
    );
    expect(output.is_automatable).toBe(false);
    const approvalId = outputApprovalIdOf(output.id);
    await eventually(async () =>
      (await approver.get(`/api/v1/approvals?status=pending&limit=100`)).body.items.find(
        (a: { id: string }) => a.id === approvalId,
      ),
    );
    const decided = await approver.post(`/api/v1/approvals/${approvalId}/approve`, { comment: 'I will send it' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const manual = await outputUntil(output.id, ['manual', 'executed']);
    expect(manual).toMatchObject({
      status: 'manual',
      result: { reason: 'not_automatable' },
      approval_record: { notes: 'I will send it' },
    });
  }, 120_000);

  it("records notification_failed when the agent's endpoint cannot be reached, and the output is still decided and executed", async () => {
    const account = await anAccount();
    // A loopback port outside the development ports: refused by the URL policy before any connection.
    const output = await proposeOutput(
      aProposal(
        anAgentId(),
        'update_account',
        { entityId: account.id, attributes: { tier: 'gold' } },
        { webhook_url: 'http://127.0.0.1:1/hooks' },
      ),
      deps,
    );
    // The output and its approval record the failed delivery in two writes: wait for both.
    const failed = await eventually(async () => {
      const o = await outputUntil(output.id, ['notification_failed']);
      return o.approval?.notification === 'notification_failed' ? o : undefined;
    }, 60_000);
    expect(failed).toMatchObject({ webhook_attempts: 0, approval: { notification: 'notification_failed' } });
    expect(failed.webhook_last_error).toMatch(/^refused: /);
    const decided = await approver.post(`/api/v1/approvals/${outputApprovalIdOf(output.id)}/approve`, {});
    expect(decided.status).toBe(200);
    const executed = await outputUntil(output.id, ['executed', 'manual']);
    expect(executed).toMatchObject({
      status: 'executed',
      webhook_attempts: 0,
      webhook_last_error: failed.webhook_last_error,
    });
  }, 120_000);

  it('ends rejected as timed out when nobody decides in time', async () => {
    const output = await proposeOutput(
      aProposal(anAgentId(), 'write_summary', { title: 'Acme', body: 'A quiet week.' }, { webhook_url: undefined }),
      { ...deps, approvalTimeoutSeconds: 2 },
    );
    const rejected = await outputUntil(output.id, ['rejected']);
    expect(rejected).toMatchObject({
      result: { reason: 'timed_out' },
      approval: { status: 'timed_out' },
      approval_record: null,
    });
    expect((await approver.post(`/api/v1/approvals/${outputApprovalIdOf(output.id)}/approve`, {})).status).toBe(409);
  }, 120_000);
});

describe('the launcher', () => {
  it('starts the gate of an output whose proposer could not start it, from agent.output.proposed', async () => {
    const output = await proposeOutput(aProposal(anAgentId(), 'write_summary', { title: 'T', body: 'B' }), {
      ...deps,
      starter: {
        start: async () => {
          throw new TransientError('Step Functions unreachable');
        },
      },
    });
    const hook = await webhookOf(output.id);
    expect((await post(hook.verified.data.callbacks.approve)).status).toBe(200);
    expect((await outputUntil(output.id, ['manual', 'executed'])).status).toBe('manual');
  }, 120_000);
});

describe('the daily output limit', () => {
  it('lets exactly 5 of 20 concurrent proposals through; the 15 others are refused and write nothing', async () => {
    const agentId = anAgentId();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        proposeOutput(
          aProposal(
            agentId,
            'write_summary',
            { title: `Brief ${i}`, body: `Account brief number ${i}.` },
            { daily_output_limit: 5, webhook_url: undefined },
          ),
          deps,
        ),
      ),
    );
    const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(accepted).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const e of refused) expect(e).toBeInstanceOf(DailyLimitExceededError);

    const day = accepted[0]!.created_at.slice(0, 10);
    expect(await outputRepository().dailyCount(TENANT, agentId, day)).toMatchObject({ count: 5, limit: 5 });
    const listed = await admin.get(`/api/v1/outputs?agent_id=${agentId}&limit=100`);
    expect(listed.body.items.map((o: { id: string }) => o.id).sort()).toEqual(accepted.map((o) => o.id).sort());
    const objects = await blobStore('AgentSessions', 'agent-outputs/').list(TENANT, { prefix: `${agentId}/` });
    expect(objects.items.map((o) => o.key).sort()).toEqual(accepted.map((o) => o.s3_key).sort());
    await platform.bus.drain();
    const proposed = events.filter(
      (e) =>
        e['detail-type'] === 'agent.output.proposed' && (e.detail.payload as { agentId: string }).agentId === agentId,
    );
    expect(proposed).toHaveLength(5);
    const audit = (await admin.get('/api/v1/audit?limit=100')).body.items as Array<Record<string, string>>;
    const acceptedIds = new Set(accepted.map((o) => o.id));
    expect(audit.filter((a) => a.action === 'agent.output.propose' && acceptedIds.has(a.resourceId!))).toHaveLength(5);
    // Pending, one gate each: the accepted outputs are listed as pending, the refused ones nowhere.
    const pending = await admin.get(`/api/v1/outputs?agent_id=${agentId}&status=pending&limit=100`);
    expect(pending.body.items).toHaveLength(5);
  }, 90_000);
});

describe('tenant isolation', () => {
  it("answers 404 for another tenant's output and lists none of them", async () => {
    const output = await proposeOutput(
      aProposal(anAgentId(), 'write_summary', { title: 'T', body: 'B' }, { webhook_url: undefined }),
      deps,
    );
    const other = apiClient(platform.url, await platform.token({ tenantId: 'ao-b', roles: ['admin'], userId: 'eve' }));
    expect((await other.get(`/api/v1/outputs/${output.id}`)).status).toBe(404);
    expect((await other.get('/api/v1/outputs?limit=100')).body.items).toEqual([]);
    expect((await admin.get(`/api/v1/outputs/${output.id}`)).status).toBe(200);
  }, 30_000);
});
