/**
 * EventBridge target of approval.decided. Delivers the decision to the waiting gate again
 * (SendTaskSuccess/Failure), so a decision recorded by a process that died before completing the
 * gate still completes it. A gate already completed answers "gone", which is fine.
 */
import { relayDecision } from '../domain/workflows/approvals.js';
import { eventTarget } from '../platform/task.js';
import { taskCallbacks } from '../platform/sfn-composition.js';
import { approvalRepository } from '../platform/workflow-composition.js';

export const handler = eventTarget('approval-relay', 'approval.decided', async (detail) => {
  await relayDecision(
    { tenantId: detail.tenantId, approvalId: detail.payload.approvalId },
    { approvals: approvalRepository(), callbacks: taskCallbacks() },
  );
});
