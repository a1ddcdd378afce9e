/**
 * Signal deadlines as one-shot schedules of their schedule group (manifest SCHEDULE_GROUPS `signalDeadlines`, whose
 * target is SignalDeadline). One schedule per tenant, rule, key and deadline: arming the same deadline twice writes
 * one schedule, and a key whose deadline moves gets a schedule of its own for the new one.
 */
import type { SignalDeadlineInput } from '../../../../schemas/signal-deadline.js';
import type { ScheduleGroupPort } from '../../schedules.js';
import { sha256Hex } from '../../shared/hash.js';
import type { DeadlineFire, DeadlineTimers } from './ports.js';

/** The schedule's input: what SignalDeadline is fired with. */
export const deadlineInputOf = (fire: DeadlineFire): SignalDeadlineInput => ({
  tenantId: fire.tenantId,
  ruleId: fire.ruleId,
  ruleVersion: fire.ruleVersion,
  key: fire.key,
  deadline: new Date(fire.deadline).toISOString(),
});

/** The fire a schedule's input names. */
export const deadlineFireOf = (input: SignalDeadlineInput): DeadlineFire => ({
  tenantId: input.tenantId,
  ruleId: input.ruleId,
  ruleVersion: input.ruleVersion ?? 1,
  key: input.key,
  deadline: Date.parse(input.deadline),
});

export function deadlineTimersOn(group: ScheduleGroupPort): DeadlineTimers {
  // The key is an attribute value (it may be personal data): the name carries a hash of it, never the value.
  const nameOf = (fire: DeadlineFire) =>
    group.nameOf(fire.tenantId, fire.ruleId, sha256Hex(fire.key).slice(0, 16), fire.deadline.toString(36));
  return {
    arm: (fire, fireAt) =>
      group.putOnce(nameOf(fire), new Date(fireAt), deadlineInputOf(fire), {
        description: `modos signal deadline: tenant ${fire.tenantId}, rule ${fire.ruleId}`.slice(0, 512),
      }),
  };
}
