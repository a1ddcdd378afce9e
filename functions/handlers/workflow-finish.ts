/**
 * Step Functions tasks "Complete" and "Compensate" (lambda:invoke).
 * Input: { tenantId, runId, generation, outcome: succeeded } or { …, outcome: failed, error: { Error, Cause } }.
 * Output: { status }. Compensates completed steps on failure; emits workflow.completed. Errors: TransientError (retried).
 */
import { finishRun, type MachineError } from '../domain/workflows/runs/finish.js';
import type { RunRef } from '../domain/workflows/runs/run-state.js';
import { taskHandler } from '../platform/task.js';
import { webhookSender } from '../platform/webhook-composition.js';
import { engineDeps } from '../platform/workflow-composition.js';

type FinishEvent = (RunRef & { outcome: 'succeeded' }) | (RunRef & { outcome: 'failed'; error: MachineError });
export const handler = taskHandler('finish', (event: FinishEvent) => finishRun(event, engineDeps(webhookSender)));
