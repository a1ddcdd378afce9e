/**
 * Step Functions task "Gate" (lambda:invoke.waitForTaskToken).
 * Input: { taskToken, tenantId, runId, generation, stepId }. Records the approval request with the token
 * (never returned by any API), who asked and what approving does (the step's tool, description and input, its
 * secret inputs as "[secret]"), emits approval.requested carrying the same `requestedBy` and `action`. The gate then
 * waits for a decision.
 * Errors: WorkflowFailedError (caught → Compensate), TransientError (retried; the retry refreshes the token).
 */
import { requestApproval } from '../domain/workflows/approvals.js';
import type { RunRef } from '../domain/workflows/runs/run-state.js';
import { taskHandler } from '../platform/task.js';
import { systemClock } from '../platform/composition.js';
import { taskCallbacks } from '../platform/sfn-composition.js';
import {
  approvalRepository,
  runRepository,
  toolRegistry,
  workflowRepository,
} from '../platform/workflow-composition.js';

export const handler = taskHandler('approval-request', (event: RunRef & { stepId: string; taskToken: string }) =>
  requestApproval(event, {
    runs: runRepository(),
    approvals: approvalRepository(),
    workflows: workflowRepository(),
    callbacks: taskCallbacks(),
    clock: systemClock,
    tools: toolRegistry(),
  }),
);
