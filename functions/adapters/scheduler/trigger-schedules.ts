import { ValidationError } from '../../domain/errors.js';
import type { ScheduleGroupPort } from '../../domain/schedules.js';
import type { TriggerSchedules } from '../../domain/triggers/ports.js';
import { workflowScheduleProblem } from '../../domain/triggers/trigger-use-cases.js';

/**
 * Scheduler's placeholder for the time a fire was due: the same in every delivery attempt of one fire, so the run
 * ScheduledWorkflow derives from it is started once per fire.
 */
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

/**
 * The schedule triggers' schedules over their group (manifest SCHEDULE_GROUPS.workflowTriggers): one recurring
 * schedule per trigger, named `nameOf(tenantId, triggerId)`, whose target (ScheduledWorkflow) receives
 * `{ tenantId, triggerId, scheduledTime }`. `put(null)` deletes it, and a missing one is fine.
 */
export class GroupTriggerSchedules implements TriggerSchedules {
  constructor(private readonly group: ScheduleGroupPort) {}

  async put(tenantId: string, triggerId: string, expression: string | null): Promise<void> {
    const name = this.group.nameOf(tenantId, triggerId);
    if (expression === null) return this.group.delete(name);
    const problem = workflowScheduleProblem(expression);
    if (problem)
      throw new ValidationError(`invalid schedule: ${problem}`, { details: [{ field: 'schedule', message: problem }] });
    await this.group.putRecurring(
      name,
      expression,
      { tenantId, triggerId, scheduledTime: SCHEDULED_TIME_PLACEHOLDER },
      { description: `modos workflow trigger: tenant ${tenantId}, trigger ${triggerId}` },
    );
  }
}
