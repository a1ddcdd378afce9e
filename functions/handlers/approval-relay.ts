/**
 * EventBridge target of approval.decided. Delivers the decision to the waiting gate again
 * (SendTaskSuccess/Failure), so a decision recorded by a process that died before completing the
 * gate still completes it. A gate already completed answers "gone", which is fine.
 */
import type { BusEventOf } from '../platform/task.js';
import { relayDecision } from '../domain/workflows/approvals.js';
import { taskHandler } from '../platform/task.js';
import { taskCallbacks } from '../platform/sfn-composition.js';
import { approvalRepository } from '../platform/workflow-composition.js';

export const handler = taskHandler('approval-relay', async (event: BusEventOf<{ approvalId: string }>) => {
  await relayDecision({ tenantId: event.detail.tenantId, approvalId: event.detail.payload.approvalId }, { approvals: approvalRepository(), callbacks: taskCallbacks() });
});
