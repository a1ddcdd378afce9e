/**
 * Schedule target: one fire of a schedule trigger starts one run of its workflow.
 * Trigger: EventBridge Scheduler (AWS) or the local scheduler, one recurring schedule per trigger (group
 * workflowTriggers). Input: `{ tenantId, triggerId, scheduledTime }` (Scheduler fills in the scheduled time).
 * Output: the start's outcome; a fire of a trigger deleted or disabled since, or of a workflow that is gone, starts
 * nothing and is no error (retrying would not change it). A redelivered fire (same scheduled time) finds its run.
 * Errors: EventSchemaError (malformed input: dead-letters), TransientError (retried).
 */
import { ScheduledWorkflowInput } from '../../schemas/triggers.js';
import { startFromSchedule } from '../domain/triggers/starts.js';
import type { TriggerStore } from '../domain/triggers/ports.js';
import type { StartDeps } from '../domain/workflows/runs/run-state.js';
import { logger } from '../platform/logger.js';
import { startDeps } from '../platform/sfn-composition.js';
import { EventSchemaError, taskHandler } from '../platform/task.js';
import { triggerStore } from '../platform/trigger-composition.js';

export const makeHandler = (deps: StartDeps & { triggers: TriggerStore }) =>
  taskHandler('scheduled-workflow', async (event: unknown) => {
    const parsed = ScheduledWorkflowInput.safeParse(event);
    if (!parsed.success)
      throw new EventSchemaError('a scheduled workflow fire is { tenantId, triggerId, scheduledTime }');
    const outcome = await startFromSchedule(parsed.data, deps);
    logger.info('scheduled workflow', { tenantId: parsed.data.tenantId, triggerId: parsed.data.triggerId, ...outcome });
    return outcome;
  });

export const handler = makeHandler({ ...startDeps(), triggers: triggerStore() });
