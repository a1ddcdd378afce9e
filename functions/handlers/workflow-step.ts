/**
 * Step Functions task "Execute" (lambda:invoke). Input: { tenantId, runId, generation, stepId }.
 * Output: the next plan. Errors: ToolRetryableError and TransientError (retried with backoff),
 * ToolFailedError and WorkflowFailedError (caught → Compensate).
 */
import { runStep, type RunRef } from '../domain/workflows/runs.js';
import { taskHandler } from '../platform/task.js';
import { webhookSender } from '../platform/webhook-composition.js';
import { engineDeps } from '../platform/workflow-composition.js';

export const handler = taskHandler('step', (event: RunRef & { stepId: string }) => runStep(event, engineDeps(webhookSender)));
