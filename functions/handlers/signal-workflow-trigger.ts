/**
 * EventBridge target of signal.detected whose rule names a workflow (rule StartWorkflowFromSignal, detail filter:
 * `payload.action.startWorkflow` exists). Starts that workflow with input `{ signal, ...action.input }`, once per
 * signal: the execution id is derived from the signal id, so a redelivery finds the run and starts nothing.
 * Output: the start's outcome (`started: false` with a reason when the workflow no longer exists).
 * Errors: EventSchemaError (dead-letters), TransientError (retried by the target's retry policy).
 */
import { startFromSignal } from '../domain/triggers/starts.js';
import type { StartDeps } from '../domain/workflows/runs/run-state.js';
import { logger } from '../platform/logger.js';
import { startDeps } from '../platform/sfn-composition.js';
import { eventTarget } from '../platform/task.js';

export const makeHandler = (deps: StartDeps) =>
  eventTarget('signal-workflow-trigger', 'signal.detected', async (detail) => {
    const outcome = await startFromSignal(
      detail.tenantId,
      detail.payload,
      detail.correlationId ?? `signal-${detail.payload.signalId}`,
      deps,
    );
    logger.info('signal workflow trigger', {
      tenantId: detail.tenantId,
      signalId: detail.payload.signalId,
      ruleId: detail.payload.ruleId,
      ...outcome,
    });
    return outcome;
  });

export const handler = makeHandler(startDeps());
