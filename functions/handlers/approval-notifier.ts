/**
 * EventBridge target of approval.requested. Sends the Standard Webhooks signed notification with who asked and what
 * approving does (the stored approval's `requestedBy` and `action`) and the approve/reject callback links (retries
 * with backoff); when retries are exhausted the approval stays
 * pending, marked notification_failed (an agent output's approval: to the agent's webhook, and the output records
 * the attempts and `notification_failed`). Errors: TransientError (the event target retries).
 */
import { notifyApproval } from '../domain/workflows/approvals.js';
import { approvalSubjectNotifiers } from '../platform/agent-output-composition.js';
import { eventTarget } from '../platform/task.js';
import { callbackKey, secretBox } from '../platform/callback-key.js';
import { config } from '../platform/config.js';
import { taskCallbacks } from '../platform/sfn-composition.js';
import { webhookSender } from '../platform/webhook-composition.js';
import { approvalRepository, engineLog, runRepository, workflowRepository } from '../platform/workflow-composition.js';

export const handler = eventTarget('approval-notifier', 'approval.requested', async (detail) => {
  await notifyApproval(
    { tenantId: detail.tenantId, approvalId: detail.payload.approvalId },
    {
      approvals: approvalRepository(),
      workflows: workflowRepository(),
      runs: runRepository(),
      webhooks: webhookSender(),
      callbacks: taskCallbacks(),
      callbackKey: await callbackKey(),
      secrets: secretBox(),
      publicBaseUrl: config().PUBLIC_API_URL,
      log: engineLog,
      // Approvals of agent outputs: the webhook goes to the agent's endpoint, its outcome is recorded on the output.
      subjects: approvalSubjectNotifiers(secretBox()),
    },
  );
});
