import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { requestOutputApproval } from '../../../../functions/domain/agents/outputs/gate.js';
import { outputApprovalIdOf } from '../../../../functions/domain/agents/outputs/naming.js';
import { OUTPUT_WEBHOOK_EVENT, signingSecretOf } from '../../../../functions/domain/agents/outputs/notification.js';
import { OFFLINE_LABEL, proposeOutput } from '../../../../functions/domain/agents/outputs/propose.js';
import { settleOutput } from '../../../../functions/domain/agents/outputs/settle.js';
import { InvalidWebhookSecretError } from '../../../../functions/domain/webhooks/errors.js';
import { buildWebhookBody } from '../../../../functions/domain/webhooks/payload.js';
import type { WebhookDelivery, WebhookSendRequest } from '../../../../functions/domain/webhooks/ports.js';
import { generateWebhookSecret, signWebhook } from '../../../../functions/domain/webhooks/signing.js';
import { decideApproval, notifyApproval } from '../../../../functions/domain/workflows/approvals.js';
import { anAccountUpdate, anOutputWorld, skill, TENANT, type OutputWorld } from './builders.js';

const HOOK = 'https://hooks.example/approvals';
const SECRET = 'agent-webhook-secret-0123456789-abcdef';

async function notified(world: OutputWorld, secret = SECRET, over: { offline?: boolean } = {}) {
  const sealed = await world.secrets.seal(TENANT, secret);
  const output = await proposeOutput(
    anAccountUpdate(world, {
      agent: {
        id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f',
        daily_output_limit: 10,
        webhook_url: HOOK,
        sealed_webhook_secret: sealed,
      },
      ...over,
    }),
    world.propose,
  );
  await requestOutputApproval({ tenantId: TENANT, outputId: output.id, taskToken: 'token-1' }, world.gate);
  const approvalId = outputApprovalIdOf(output.id);
  const result = await notifyApproval({ tenantId: TENANT, approvalId }, world.notify);
  return { output, approvalId, result, stored: () => world.outputs.items.get(`${TENANT}/${output.id}`)! };
}

/** A sender whose every delivery exhausts its retries. */
const failingSender = (attempts: number) => ({
  sent: [] as WebhookSendRequest[],
  async send(req: WebhookSendRequest): Promise<WebhookDelivery> {
    this.sent.push(req);
    return {
      delivered: false,
      id: req.id!,
      attempts,
      lastError: { kind: 'http_status', status: 503, message: 'HTTP 503' },
    };
  },
});

describe("an output's approval webhook", () => {
  it("goes to the agent's endpoint with the output, agent, skill, preview and the signed callback links", async () => {
    const world = await anOutputWorld();
    const { output, approvalId, result, stored } = await notified(world);
    expect(result).toBe('delivered');
    const [sent] = world.webhooks.sent;
    expect(sent).toMatchObject({ url: HOOK, eventType: OUTPUT_WEBHOOK_EVENT, id: `msg_${approvalId}` });
    expect(sent!.secrets).toEqual([signingSecretOf(SECRET)]);
    expect(sent!.payload).toMatchObject({
      output_id: output.id,
      agent_id: output.agent_id,
      session_id: output.session_id,
      skill: 'update_account',
      content_type: 'json',
      content_preview: output.content_preview,
      is_automatable: true,
      offline: false,
      approval_id: approvalId,
      // Who asked and what approving does, as the approval records them.
      requested_by: 'ada',
      action: { tool: 'update_account', description: skill('update_account').description },
    });
    expect((sent!.payload as { action: unknown }).action).toEqual(world.approvals.items.get(approvalId)!.action);
    const { callbacks } = sent!.payload as { callbacks: { approve: string; reject: string } };
    expect(callbacks.approve).toMatch(
      new RegExp(`^https://api.example/api/v1/approvals/${approvalId}/callback/approve\\?credential=`),
    );
    expect(callbacks.reject).toContain(`/callback/reject?credential=`);
    // Nothing secret leaves in the payload: no task token, no secret, sealed or not.
    const text = JSON.stringify(sent!.payload);
    for (const s of ['token-1', SECRET, stored().sealed_webhook_secret!]) expect(text).not.toContain(s);
    expect(stored()).toMatchObject({ status: 'pending', webhook_attempts: 1 });
    expect(world.approvals.items.get(approvalId)!.notification).toBe('delivered');
  });

  it('says in the payload when the offline model wrote the output', async () => {
    const world = await anOutputWorld();
    await notified(world, SECRET, { offline: true });
    const payload = world.webhooks.sent[0]!.payload as { offline: boolean; content_preview: string };
    expect(payload.offline).toBe(true);
    expect(payload.content_preview.startsWith(OFFLINE_LABEL)).toBe(true);
  });

  it('marks the output notification_failed with its attempts and last error when retries run out, and it stays decidable', async () => {
    const world = await anOutputWorld();
    world.notify = { ...world.notify, webhooks: failingSender(4) };
    const { output, approvalId, result, stored } = await notified(world);
    expect(result).toBe('notification_failed');
    expect(stored()).toMatchObject({
      status: 'notification_failed',
      webhook_attempts: 4,
      webhook_last_error: 'http_status: HTTP 503',
    });
    expect(world.approvals.items.get(approvalId)).toMatchObject({
      status: 'pending',
      notification: 'notification_failed',
    });
    expect(world.outputs.events('agent.output.notification_failed')[0]!.payload).toMatchObject({
      outputId: output.id,
      attempts: 4,
      failure: 'http_status',
    });

    // Decided through the link of the failed message (a person found it in the list): approved, then executed.
    const link = new URL(
      (
        (world.notify.webhooks as ReturnType<typeof failingSender>).sent[0]!.payload as {
          callbacks: { approve: string };
        }
      ).callbacks.approve,
    );
    await decideApproval(
      approvalId,
      'approve',
      { kind: 'callback', credential: link.searchParams.get('credential')!, requestId: 'cb' },
      undefined,
      world.decide,
    );
    expect(await settleOutput({ tenantId: TENANT, outputId: output.id, outcome: 'approved' }, world.settle)).toEqual({
      status: 'executed',
    });
    expect(stored()).toMatchObject({
      status: 'executed',
      webhook_attempts: 4,
      webhook_last_error: 'http_status: HTTP 503',
    });
  });

  it('records nothing on an output decided while its webhook was in flight', async () => {
    const world = await anOutputWorld();
    const sender = {
      async send(req: WebhookSendRequest): Promise<WebhookDelivery> {
        // The decision lands while the receiver takes its time.
        await decideApproval(
          (req.payload as { approval_id: string }).approval_id,
          'reject',
          { kind: 'user', principal: { tenantId: TENANT, userId: 'arthur', roles: ['approver'] }, requestId: 'r' },
          undefined,
          world.decide,
        );
        await settleOutput(
          { tenantId: TENANT, outputId: (req.payload as { output_id: string }).output_id, outcome: 'rejected' },
          world.settle,
        );
        return { delivered: false, id: req.id!, attempts: 2, lastError: { kind: 'timeout', message: 'timed out' } };
      },
    };
    world.notify = { ...world.notify, webhooks: sender };
    const { stored } = await notified(world);
    expect(stored()).toMatchObject({ status: 'rejected', webhook_attempts: 0 });
    expect(stored().webhook_last_error).toBeUndefined();
  });

  it('is not sent for an output without a webhook target', async () => {
    const world = await anOutputWorld();
    const output = await proposeOutput(anAccountUpdate(world), world.propose);
    await requestOutputApproval({ tenantId: TENANT, outputId: output.id, taskToken: 't' }, world.gate);
    expect(await notifyApproval({ tenantId: TENANT, approvalId: outputApprovalIdOf(output.id) }, world.notify)).toBe(
      'skipped',
    );
    expect(world.webhooks.sent).toEqual([]);
  });

  it('fails loudly for a subject kind the notifier was not given (never sent as a workflow webhook)', async () => {
    const world = await anOutputWorld();
    const { subjects, ...withoutSubjects } = world.notify;
    const sealed = await world.secrets.seal(TENANT, SECRET);
    const output = await proposeOutput(
      anAccountUpdate(world, {
        agent: {
          id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f',
          daily_output_limit: 10,
          webhook_url: HOOK,
          sealed_webhook_secret: sealed,
        },
      }),
      world.propose,
    );
    await requestOutputApproval({ tenantId: TENANT, outputId: output.id, taskToken: 't' }, world.gate);
    await expect(
      notifyApproval({ tenantId: TENANT, approvalId: outputApprovalIdOf(output.id) }, withoutSubjects),
    ).rejects.toThrow(/no notifier/);
    expect(world.webhooks.sent).toEqual([]);
  });
});

describe("the signing secret of an agent's webhook", () => {
  /** Signs as the platform's sender does, and verifies with the independent `standardwebhooks` package. */
  const roundTrip = (signingSecret: string, verifier: Webhook) => {
    const body = buildWebhookBody({ type: OUTPUT_WEBHOOK_EVENT, occurredAt: new Date(), data: { output_id: 'o1' } });
    const headers = signWebhook({ id: 'msg_1', timestamp: new Date(), body, secrets: [signingSecret] });
    return verifier.verify(body, headers);
  };

  it.each([
    ['the shortest allowed secret (32 characters)', 'k'.repeat(32)],
    ['a secret of 64 bytes', 'q1w2e3r4'.repeat(8)],
    ['a secret longer than the HMAC block (200 characters)', 'long-secret-'.repeat(16).slice(0, 200)],
  ])('verifies for %s with the text the receiver configured (raw key)', (_label, secret) => {
    expect(roundTrip(signingSecretOf(secret), new Webhook(secret, { format: 'raw' }))).toMatchObject({
      data: { output_id: 'o1' },
    });
    expect(() => roundTrip(signingSecretOf(secret), new Webhook(`${secret}x`, { format: 'raw' }))).toThrow();
  });

  it('verifies a non-ASCII secret with its UTF-8 bytes as the key', () => {
    const secret = 'clé-secrète-partagée-avec-le-récepteur';
    const verifier = new Webhook(Buffer.from(secret, 'utf8').toString('base64'));
    expect(roundTrip(signingSecretOf(secret), verifier)).toMatchObject({ type: OUTPUT_WEBHOOK_EVENT });
  });

  it('uses a Standard Webhooks secret (whsec_) as the specification defines it', () => {
    const whsec = generateWebhookSecret();
    expect(signingSecretOf(whsec)).toBe(whsec);
    expect(roundTrip(signingSecretOf(whsec), new Webhook(whsec))).toMatchObject({ type: OUTPUT_WEBHOOK_EVENT });
  });

  it('refuses a key shorter than Standard Webhooks allows', () => {
    expect(() => signingSecretOf(randomBytes(8).toString('hex'))).toThrow(InvalidWebhookSecretError);
  });
});
