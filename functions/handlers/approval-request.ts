/**
 * Step Functions task "Gate" (lambda:invoke.waitForTaskToken).
 * Input: { taskToken, tenantId, runId, generation, stepId }. Records the approval request with the token
 * (never returned by any API), emits approval.requested. The gate then waits for a decision.
 * Errors: WorkflowFailedError (caught → Compensate), TransientError (retried; the retry refreshes the token).
 */
import { requestApproval } from '../domain/workflows/approvals.js';
import type { RunRef } from '../domain/workflows/runs.js';
import { taskHandler } from '../platform/task.js';
import { workflowDeps } from '../platform/workflow-composition.js';

export const handler = taskHandler('approval-request', async (event: RunRef & { stepId: string; taskToken: string }) => requestApproval(event, await workflowDeps()));
