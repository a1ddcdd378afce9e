import { SchedulerSyncScheduler } from '../adapters/scheduler/sync-scheduler.js';
import type { SyncScheduler } from '../domain/connectors/store.js';
import { schedulerClient } from './aws-clients.js';
import { config } from './config.js';

let scheduler: SchedulerSyncScheduler | undefined;

/**
 * The connectors' sync schedules (EventBridge Scheduler; the local scheduler emulator on the local platform),
 * for functions with the manifest's `scheduler` binding: reading its settings elsewhere fails, naming them.
 */
export function syncScheduler(): SyncScheduler {
  if (!scheduler) {
    const c = config();
    scheduler = new SchedulerSyncScheduler(schedulerClient(), {
      groupName: c.SCHEDULE_GROUP_NAME,
      roleArn: c.SCHEDULER_ROLE_ARN,
      targetArn: c.SCHEDULED_SYNC_FUNCTION_ARN,
      deadLetterArn: c.SCHEDULER_DLQ_ARN,
    });
  }
  return scheduler;
}

/** Drops the cached scheduler (local runtime restarts, tests). */
export function resetSyncScheduler(): void {
  scheduler = undefined;
}
