import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { checkScheduleExpression } from '../../domain/connectors/schedule.js';
import type { SyncScheduler } from '../../domain/connectors/store.js';
import { ValidationError } from '../../domain/errors.js';
import type { ScheduleGroupPort } from '../../domain/schedules.js';
import { SCHEDULE_GROUPS } from '../../platform/manifest.js';
import { SchedulerScheduleGroup, type SchedulerScheduleGroupSettings, scheduleNameOf } from './schedule-group.js';

export { scheduleNameOf };

/** How Scheduler retries delivering a sync fire to ScheduledSync: the connectorSyncs group's (manifest). */
export const SYNC_SCHEDULE_RETRY = SCHEDULE_GROUPS.connectorSyncs.retry;

/**
 * The connectors' sync schedules over their schedule group (manifest SCHEDULE_GROUPS.connectorSyncs): one recurring
 * schedule per connector, named `nameOf(tenantId, connectorId)`, whose target receives `{ tenantId, connectorId }`.
 * The connectors' own rules on expressions (no at(...), at most every 5 minutes) are checked before Scheduler is
 * called; `put(null)` deletes the schedule, and a missing one is fine.
 */
export class GroupSyncScheduler implements SyncScheduler {
  constructor(private readonly group: ScheduleGroupPort) {}

  async put(tenantId: string, connectorId: string, expression: string | null): Promise<void> {
    const name = this.group.nameOf(tenantId, connectorId);
    if (expression === null) return this.group.delete(name);
    const problem = checkScheduleExpression(expression);
    if (problem)
      throw new ValidationError(`invalid schedule: ${problem}`, { details: [{ field: 'schedule', message: problem }] });
    await this.group.putRecurring(
      name,
      expression,
      { tenantId, connectorId },
      { description: `modos connector sync: tenant ${tenantId}, connector ${connectorId}` },
    );
  }
}

/** The connector sync schedules in EventBridge Scheduler, from the group's settings (retry: the manifest's). */
export class SchedulerSyncScheduler extends GroupSyncScheduler {
  constructor(client: SchedulerClient, settings: Omit<SchedulerScheduleGroupSettings, 'retry'>) {
    super(new SchedulerScheduleGroup(client, { ...settings, retry: SYNC_SCHEDULE_RETRY }));
  }
}
