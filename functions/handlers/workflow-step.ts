/**
 * Step Functions task "Execute" (lambda:invoke). Input: { tenantId, runId, generation, stepId }.
 * Output: the next plan. The tool acts with the roles of the run's starter; the step's sealed secret inputs
 * are opened with the platform key. Errors: ToolRetryableError and TransientError (retried with backoff),
 * ToolFailedError (code FORBIDDEN if the starter lacks a permission) and WorkflowFailedError (caught → Compensate).
 */
import type { RunRef } from '../domain/workflows/runs/run-state.js';
import { runStep } from '../domain/workflows/runs/step-engine.js';
import { secretBox } from '../platform/callback-key.js';
import { taskHandler } from '../platform/task.js';
import { webhookSender } from '../platform/webhook-composition.js';
import { engineDeps } from '../platform/workflow-composition.js';

// The secret box opens steps' sealed inputs (http.webhook's secret); it reads the platform key on first use only.
export const handler = taskHandler('step', (event: RunRef & { stepId: string }) =>
  runStep(event, { ...engineDeps(webhookSender), secrets: secretBox() }),
);
