/**
 * Step Functions task "Plan" (lambda:invoke). Input: { tenantId, runId, generation }.
 * Output: { kind: approval|tool|done, stepId, timeoutSeconds, heartbeatSeconds }.
 * Errors: WorkflowFailedError (superseded or missing run: caught → Compensate), TransientError (retried).
 */
import { planRun, type RunRef } from '../domain/workflows/runs.js';
import { taskHandler } from '../platform/task.js';
import { approvalRepository, runRepository } from '../platform/workflow-composition.js';

export const handler = taskHandler('plan', (event: RunRef) => planRun(event, { runs: runRepository(), approvals: approvalRepository() }));
