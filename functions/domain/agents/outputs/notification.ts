import { createHash } from 'node:crypto';
import type { Clock, SecretBox } from '../../ports.js';
import { InvalidWebhookSecretError } from '../../webhooks/errors.js';
import type { WebhookDelivery } from '../../webhooks/ports.js';
import { isValidWebhookSecret, MIN_SECRET_BYTES, WEBHOOK_SECRET_PREFIX } from '../../webhooks/signing.js';
import type { ApprovalSubjectNotifier, StoredApproval, SubjectWebhook } from '../../workflows/ports.js';
import { AGENT_OUTPUTS_ACTOR } from './naming.js';
import type { OutputRepository } from './ports.js';
import { isUndecided } from './status.js';
import { changeOutput } from './transitions.js';

/** The webhook's event type: an output waits for a decision. */
export const OUTPUT_WEBHOOK_EVENT = 'agent.output.approval_requested';

/** HMAC-SHA256's block size: HMAC hashes a longer key to 32 bytes before using it (RFC 2104). */
const HMAC_BLOCK_BYTES = 64;

/**
 * The Standard Webhooks secret an agent's webhook secret signs with. A `whsec_` secret is used as the specification
 * defines it. Any other text (seed 004 asks only for 32 characters or more) is the HMAC key as its UTF-8 bytes, so the
 * receiver verifies with the text it configured (`new Webhook(secret, { format: 'raw' })` for an ASCII secret, or
 * `new Webhook(base64(utf8(secret)))`); a key longer than HMAC's block is hashed first, exactly as HMAC itself does,
 * which keeps the signatures identical while the `whsec_` form stays within its 64 bytes.
 */
export function signingSecretOf(secret: string): string {
  if (secret.startsWith(WEBHOOK_SECRET_PREFIX) && isValidWebhookSecret(secret)) return secret;
  let key: Buffer = Buffer.from(secret, 'utf8');
  if (key.length > HMAC_BLOCK_BYTES) key = createHash('sha256').update(key).digest();
  if (key.length < MIN_SECRET_BYTES)
    throw new InvalidWebhookSecretError(`an agent's webhook secret needs at least ${MIN_SECRET_BYTES} bytes`);
  return `${WEBHOOK_SECRET_PREFIX}${key.toString('base64')}`;
}

/** What a delivery failure records on the output: its kind and message, never a response body. */
const failureText = (delivery: Extract<WebhookDelivery, { delivered: false }>) =>
  `${delivery.lastError.kind}: ${delivery.lastError.message}`.slice(0, 500);

/**
 * The approval notifier's side of agent outputs (NotifyDeps.subjects.agent_output): the webhook goes to the agent's
 * endpoint as recorded on the output, signed with the agent's secret, and says what waits (output, agent, skill,
 * preview), who asked and what approving does (the approval's `requestedBy` and `action`) and how to decide it (the
 * signed callback links). The delivery's outcome is recorded on the output: its
 * attempts, and on exhausted retries `notification_failed` with the last error (the output stays decidable).
 */
export function agentOutputNotifier(deps: {
  outputs: OutputRepository;
  secrets: SecretBox;
  clock: Clock;
}): ApprovalSubjectNotifier {
  return {
    async webhookOf(approval, callbacks): Promise<SubjectWebhook | undefined> {
      const outputId = approval.subject?.outputId;
      const output = outputId ? await deps.outputs.get(approval.tenantId, outputId) : undefined;
      if (!output || !isUndecided(output.status) || !output.webhook_url || !output.sealed_webhook_secret)
        return undefined;
      const secret = signingSecretOf(await deps.secrets.open(approval.tenantId, output.sealed_webhook_secret));
      return {
        url: output.webhook_url,
        secrets: [secret],
        eventType: OUTPUT_WEBHOOK_EVENT,
        payload: {
          output_id: output.id,
          agent_id: output.agent_id,
          session_id: output.session_id,
          skill: output.skill_used ?? null,
          content_type: output.content_type,
          content_preview: output.content_preview ?? '',
          is_automatable: output.is_automatable,
          offline: output.offline,
          approval_id: approval.id,
          expires_at: approval.expiresAt,
          // Who asked and what approving does, as the approval records them (the skill; the content is the output's).
          ...(approval.requestedBy !== undefined ? { requested_by: approval.requestedBy } : {}),
          ...(approval.action !== undefined ? { action: approval.action } : {}),
          callbacks,
        },
      };
    },

    async recordDelivery(approval: StoredApproval, delivery: WebhookDelivery): Promise<void> {
      const outputId = approval.subject?.outputId;
      if (!outputId) return;
      await changeOutput(deps, { tenantId: approval.tenantId, outputId }, (o) => {
        // Decided meanwhile: the decision wins, the delivery changes nothing.
        if (!isUndecided(o.status)) return undefined;
        const webhook_attempts = o.webhook_attempts + delivery.attempts;
        if (delivery.delivered)
          return {
            status: o.status,
            patch: { webhook_attempts },
            action: 'agent.output.notify',
            actor: { actor: AGENT_OUTPUTS_ACTOR },
            requestId: `${approval.executionId}:notify`,
          };
        return {
          status: 'notification_failed',
          patch: { webhook_attempts, webhook_last_error: failureText(delivery) },
          action: 'agent.output.notify',
          actor: { actor: AGENT_OUTPUTS_ACTOR },
          requestId: `${approval.executionId}:notify`,
          events: [
            {
              name: 'agent.output.notification_failed',
              payload: {
                outputId: o.id,
                agentId: o.agent_id,
                sessionId: o.session_id,
                approvalId: approval.id,
                attempts: webhook_attempts,
                failure: delivery.lastError.kind,
              },
            },
          ],
        };
      });
    },
  };
}
