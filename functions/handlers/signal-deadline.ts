/**
 * Schedule target: a signal deadline came (an absence's window ran out, an inactivity rule's key stayed silent).
 * Trigger: EventBridge Scheduler (AWS) or the local scheduler, one one-shot schedule per tenant, rule, key and
 * deadline, in the signalDeadlines group.
 * Input: `{ tenantId, ruleId, ruleVersion?, key, deadline }`. Output: `{ evaluated, signals }`, or `{ skipped }`
 * when the rule is gone or disabled (a deadline of a deleted rule fires into nothing).
 * Errors: EventSchemaError (an input of another shape: retrying cannot help); TransientError (the table, the
 * scheduler, a key that kept changing), retried by Lambda's asynchronous invocation and Scheduler's policy, which
 * is safe: a fire delivered twice writes nothing twice.
 */
import { SignalDeadlineInput } from '../../schemas/signal-deadline.js';
import { deadlineFireOf, deadlineTimersOn } from '../domain/signals/use-cases/deadline-timers.js';
import { type DetectionDeps, fireDeadline } from '../domain/signals/use-cases/detection.js';
import { logger } from '../platform/logger.js';
import { scheduleGroup } from '../platform/scheduler-composition.js';
import { detectionDeps, lazyTimers } from '../platform/signals-composition.js';
import { EventSchemaError, taskHandler } from '../platform/task.js';

export const makeHandler = (deps: DetectionDeps) =>
  taskHandler('signal-deadline', async (event: unknown) => {
    const parsed = SignalDeadlineInput.safeParse(event);
    if (!parsed.success)
      throw new EventSchemaError('signal deadline input is { tenantId, ruleId, ruleVersion?, key, deadline }');
    const fire = deadlineFireOf(parsed.data);
    const started = performance.now();
    const outcome = await fireDeadline(fire, deps);
    logger.info('signal deadline fired', {
      tenantId: fire.tenantId,
      ruleId: fire.ruleId,
      deadline: parsed.data.deadline,
      ...outcome,
      ms: Math.round(performance.now() - started),
    });
    return outcome;
  });

export const handler = makeHandler(detectionDeps(lazyTimers(() => deadlineTimersOn(scheduleGroup('signalDeadlines')))));
