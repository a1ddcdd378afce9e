import { createHash } from 'node:crypto';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  type SchedulerClient,
  type Target,
  UpdateScheduleCommand,
  type UpdateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { checkScheduleExpression } from '../../domain/connectors/schedule.js';
import type { SyncScheduler } from '../../domain/connectors/store.js';
import { ValidationError } from '../../domain/errors.js';
import { translateSchedulerError } from './errors.js';

/**
 * How Scheduler retries delivering a fire to ScheduledSync (throttling, service errors; handler errors are retried
 * by Lambda's asynchronous invocation). Six hours, the horizon of Lambda's own asynchronous retries: a daily sync
 * delivered late is still wanted, and a late fire of a frequent schedule is harmless (a fire while a run holds the
 * connector is skipped). What gives up goes to the dead-letter queue.
 */
export const SYNC_SCHEDULE_RETRY = { MaximumEventAgeInSeconds: 21_600, MaximumRetryAttempts: 185 } as const;

/** Scheduler's limits on a schedule name: 1-64 characters of [0-9a-zA-Z-_.]. */
const NAME_MAX = 64;
const NAME_CHARS = /^[0-9A-Za-z_-]+$/;

/**
 * The schedule name of a connector: `<tenantId>.<connectorId>` when that fits Scheduler's limits (both ids are
 * [A-Za-z0-9_-], so the dot makes it unambiguous), else the ids' first 20 characters and 20 hex digits of the
 * SHA-256 of both (`<tenant…>.<connector…>.<hash>`: two dots, so it never equals a short name).
 */
export function scheduleNameOf(tenantId: string, connectorId: string): string {
  const short = `${tenantId}.${connectorId}`;
  if (short.length <= NAME_MAX && NAME_CHARS.test(tenantId) && NAME_CHARS.test(connectorId)) return short;
  const clean = (s: string) => s.replace(/[^0-9A-Za-z_-]/g, '_').slice(0, 20);
  const hash = createHash('sha256').update(`${tenantId}\n${connectorId}`).digest('hex').slice(0, 20);
  return `${clean(tenantId)}.${clean(connectorId)}.${hash}`;
}

export interface SchedulerSyncSchedulerSettings {
  /** The stage's schedule group (SCHEDULE_GROUP_NAME). */
  groupName: string;
  /** The ScheduledSync function (SCHEDULED_SYNC_FUNCTION_ARN). */
  targetArn: string;
  /** The role Scheduler assumes to invoke it (SCHEDULER_ROLE_ARN). */
  roleArn: string;
  /** Where fires that could not be delivered go (SCHEDULER_DLQ_ARN), if the stage has one. */
  deadLetterArn?: string;
}

/**
 * The connectors' sync schedules in EventBridge Scheduler: one schedule per connector in the stage's group, with
 * no flexible window, in UTC, whose target invokes ScheduledSync with `{ tenantId, connectorId }`.
 *
 * `put` creates the schedule, or (ConflictException: it exists) reads it and updates it only if it differs, so
 * saving a connector without changing its schedule does not restart a rate schedule's period (a rate schedule
 * without StartDate fires when it is created or updated). `put(null)` deletes it; a missing one is fine.
 */
export class SchedulerSyncScheduler implements SyncScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly settings: SchedulerSyncSchedulerSettings,
  ) {}

  async put(tenantId: string, connectorId: string, expression: string | null): Promise<void> {
    const name = scheduleNameOf(tenantId, connectorId);
    if (expression === null) return this.delete(name);
    const problem = checkScheduleExpression(expression);
    if (problem)
      throw new ValidationError(`invalid schedule: ${problem}`, { details: [{ field: 'schedule', message: problem }] });
    const wanted = this.scheduleInput(name, tenantId, connectorId, expression);
    // Twice at most: the schedule may be deleted between a Create that conflicts and the Update.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new CreateScheduleCommand(wanted));
        return;
      } catch (error) {
        if ((error as Error)?.name !== 'ConflictException') translateSchedulerError(error, `CreateSchedule ${name}`);
      }
      const current = await this.get(name);
      if (current && sameSchedule(current, wanted)) return;
      try {
        await this.client.send(new UpdateScheduleCommand(wanted));
        return;
      } catch (error) {
        if ((error as Error)?.name !== 'ResourceNotFoundException' || attempt > 0)
          translateSchedulerError(error, `UpdateSchedule ${name}`);
      }
    }
  }

  private scheduleInput(
    name: string,
    tenantId: string,
    connectorId: string,
    expression: string,
  ): UpdateScheduleCommandInput {
    const target: Target = {
      Arn: this.settings.targetArn,
      RoleArn: this.settings.roleArn,
      Input: JSON.stringify({ tenantId, connectorId }),
      RetryPolicy: { ...SYNC_SCHEDULE_RETRY },
      ...(this.settings.deadLetterArn ? { DeadLetterConfig: { Arn: this.settings.deadLetterArn } } : {}),
    };
    return {
      Name: name,
      GroupName: this.settings.groupName,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Description: `modos connector sync: tenant ${tenantId}, connector ${connectorId}`,
      Target: target,
    };
  }

  private async get(name: string): Promise<GetScheduleCommandOutput | undefined> {
    try {
      return await this.client.send(new GetScheduleCommand({ Name: name, GroupName: this.settings.groupName }));
    } catch (error) {
      if ((error as Error)?.name === 'ResourceNotFoundException') return undefined;
      return translateSchedulerError(error, `GetSchedule ${name}`);
    }
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings.groupName }));
    } catch (error) {
      if ((error as Error)?.name === 'ResourceNotFoundException') return;
      translateSchedulerError(error, `DeleteSchedule ${name}`);
    }
  }
}

/** Whether the stored schedule already is the wanted one (fields Scheduler may leave out compare as absent). */
function sameSchedule(current: GetScheduleCommandOutput, wanted: UpdateScheduleCommandInput): boolean {
  const t = current.Target;
  const w = wanted.Target!;
  return (
    current.ScheduleExpression === wanted.ScheduleExpression &&
    (current.ScheduleExpressionTimezone ?? 'UTC') === wanted.ScheduleExpressionTimezone &&
    current.State === wanted.State &&
    current.FlexibleTimeWindow?.Mode === wanted.FlexibleTimeWindow?.Mode &&
    current.Description === wanted.Description &&
    current.StartDate === undefined &&
    current.EndDate === undefined &&
    t?.Arn === w.Arn &&
    t?.RoleArn === w.RoleArn &&
    t?.Input === w.Input &&
    t?.RetryPolicy?.MaximumEventAgeInSeconds === w.RetryPolicy?.MaximumEventAgeInSeconds &&
    t?.RetryPolicy?.MaximumRetryAttempts === w.RetryPolicy?.MaximumRetryAttempts &&
    t?.DeadLetterConfig?.Arn === w.DeadLetterConfig?.Arn
  );
}
