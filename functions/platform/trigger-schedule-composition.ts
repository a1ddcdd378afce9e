import { GroupTriggerSchedules } from '../adapters/scheduler/trigger-schedules.js';
import type { TriggerSchedules } from '../domain/triggers/ports.js';
import { scheduleGroup } from './scheduler-composition.js';

let schedules: TriggerSchedules | undefined;

/**
 * The schedule triggers' schedules (the workflowTriggers group), for the functions whose manifest `schedules` name it:
 * elsewhere the first call throws ConfigurationError naming the settings the function lacks.
 */
export function triggerSchedules(): TriggerSchedules {
  schedules ??= new GroupTriggerSchedules(scheduleGroup('workflowTriggers'));
  return schedules;
}
