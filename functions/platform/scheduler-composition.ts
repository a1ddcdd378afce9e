import { SchedulerScheduleGroup } from '../adapters/scheduler/schedule-group.js';
import { GroupSyncScheduler } from '../adapters/scheduler/sync-scheduler.js';
import type { SyncScheduler } from '../domain/connectors/store.js';
import type { ScheduleGroupPort } from '../domain/schedules.js';
import { schedulerClient } from './aws-clients.js';
import { scheduleGroupSettings } from './config.js';
import { type ScheduleGroupName, scheduleGroupOf } from './manifest.js';

const groups = new Map<ScheduleGroupName, ScheduleGroupPort>();
let sync: SyncScheduler | undefined;

/**
 * The schedules of one group of the manifest's SCHEDULE_GROUPS (EventBridge Scheduler; the local scheduler on the
 * local platform), for functions whose `schedules` name that group. Built on the first call: elsewhere it throws
 * ConfigurationError naming the variables the function lacks.
 */
export function scheduleGroup(name: ScheduleGroupName): ScheduleGroupPort {
  let group = groups.get(name);
  if (!group) {
    const s = scheduleGroupSettings(name);
    group = new SchedulerScheduleGroup(schedulerClient(), {
      groupName: s.groupName,
      roleArn: s.roleArn,
      targetArn: s.targetArn,
      deadLetterArn: s.deadLetterArn,
      retry: scheduleGroupOf(name).retry,
    });
    groups.set(name, group);
  }
  return group;
}

/** The connectors' sync schedules (the connectorSyncs group). */
export function syncScheduler(): SyncScheduler {
  sync ??= new GroupSyncScheduler(scheduleGroup('connectorSyncs'));
  return sync;
}

/** Drops the cached groups (local runtime restarts, tests). */
export function resetScheduleGroups(): void {
  groups.clear();
  sync = undefined;
}
