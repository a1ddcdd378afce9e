/**
 * EventBridge target of approval.requested. Sends the Standard Webhooks signed notification with the
 * approve/reject callback links (retries with backoff); when retries are exhausted the approval stays
 * pending, marked notification_failed. Errors: TransientError (the event target retries).
 */
import type { BusEventOf } from '../platform/task.js';
import { notifyApproval } from '../domain/workflows/approvals.js';
import { taskHandler } from '../platform/task.js';
import { workflowDeps } from '../platform/workflow-composition.js';

export const handler = taskHandler('approval-notifier', async (event: BusEventOf<{ approvalId: string }>) => {
  await notifyApproval({ tenantId: event.detail.tenantId, approvalId: event.detail.payload.approvalId }, await workflowDeps());
});
