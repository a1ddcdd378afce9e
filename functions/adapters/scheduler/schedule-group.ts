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
import { parseScheduleExpression } from '../../domain/connectors/schedule.js';
import { ValidationError } from '../../domain/errors.js';
import type { OnceOutcome, ScheduleGroupPort, ScheduleInput, ScheduleOptions } from '../../domain/schedules.js';
import { translateSchedulerError } from './errors.js';

/** Scheduler's limits on a schedule name: 1-64 characters of [0-9a-zA-Z-_.]. */
const NAME_MAX = 64;
const ID_CHARS = /^[0-9A-Za-z_-]+$/;
/** Hex digits of the SHA-256 in a shortened name: 80 bits, no collision among any number of schedules we hold. */
const HASH_CHARS = 20;
/** Characters kept of each id in a shortened name (fewer when many ids share the 64). */
const KEPT_PER_ID = 20;
const MAX_IDS = 20;
const MINUTE_MS = 60_000;

/**
 * The schedule name of a tuple of ids (ScheduleGroupPort.nameOf): `<id>.<id>…` when every id is [0-9A-Za-z_-]+ and
 * the whole fits in 64 characters (ids hold no dot, so the dots make it unambiguous); else each id's first
 * characters (others replaced by `_`) and 20 hex digits of the SHA-256 of all the ids (`<id…>.<id…>.<hash>`: one
 * dot more than a joined name of as many ids, so the two forms never meet). Two ids give exactly the names
 * connector schedules have had from the start (20 characters each), so deployed schedules keep their names.
 */
export function scheduleNameOf(...ids: string[]): string {
  if (ids.length === 0 || ids.length > MAX_IDS)
    throw new RangeError(`a schedule name is made of 1 to ${MAX_IDS} ids, not ${ids.length}`);
  const joined = ids.join('.');
  if (joined.length <= NAME_MAX && ids.every((id) => ID_CHARS.test(id))) return joined;
  const keep = Math.min(KEPT_PER_ID, Math.floor((NAME_MAX - HASH_CHARS - ids.length) / ids.length));
  // Newline-joined as connector names always were; ids that contain a newline themselves are hashed as JSON, so
  // no two tuples share the hashed text.
  const hashed = ids.some((id) => id.includes('\n')) ? JSON.stringify(ids) : ids.join('\n');
  const hash = createHash('sha256').update(hashed).digest('hex').slice(0, HASH_CHARS);
  return `${ids.map((id) => id.replace(/[^0-9A-Za-z_-]/g, '_').slice(0, keep)).join('.')}.${hash}`;
}

/** `at(yyyy-mm-ddThh:mm:ss)` of the first whole minute at or after `ms`, in UTC. */
export function atExpressionOf(ms: number): { expression: string; fireAt: number } {
  const fireAt = Math.ceil(ms / MINUTE_MS) * MINUTE_MS;
  return { expression: `at(${new Date(fireAt).toISOString().slice(0, 19)})`, fireAt };
}

export interface SchedulerScheduleGroupSettings {
  /** The stage's group (the `..._GROUP` variable of the group's binding). */
  groupName: string;
  /** The function every schedule invokes (`..._TARGET_ARN`). */
  targetArn: string;
  /** The role Scheduler assumes to invoke it (`..._ROLE_ARN`). */
  roleArn: string;
  /** Where fires that could not be delivered go (`..._DLQ_ARN`), if the stage has one. */
  deadLetterArn?: string;
  /** Each schedule's target RetryPolicy (the manifest group's `retry`). */
  retry: { MaximumEventAgeInSeconds: number; MaximumRetryAttempts: number };
  /** Default: the system clock (tests pass their own). */
  now?: () => number;
}

/**
 * One schedule group in EventBridge Scheduler (ScheduleGroupPort): every schedule with no flexible window, in UTC,
 * and a target that invokes the group's function with the schedule's input, the group's RetryPolicy and its
 * dead-letter queue.
 *
 * A put creates the schedule, or (ConflictException: it exists) reads it and updates it only if it differs, so a
 * put that changes nothing does not restart a rate schedule's period (a rate schedule without StartDate fires when
 * it is created or updated).
 *
 * One-shot schedules are `at(...)` of the whole minute at or after the wanted time: Scheduler fires "with 60 second
 * precision" (within the minute of the expression's time, User Guide, Schedule types), so an `at` with seconds
 * could fire up to 59 s early, and a deadline that fires early would see a world in which the awaited event may
 * still come. ActionAfterCompletion DELETE removes the schedule once it has fired (no growing count against the
 * account's schedule quota). Scheduler does not document an `at` in the past; it is reported to refuse one, so the
 * port never sends one: the caller is told `'past'` and acts itself.
 */
export class SchedulerScheduleGroup implements ScheduleGroupPort {
  readonly groupName: string;
  private readonly now: () => number;

  constructor(
    private readonly client: SchedulerClient,
    private readonly settings: SchedulerScheduleGroupSettings,
  ) {
    this.groupName = settings.groupName;
    this.now = settings.now ?? Date.now;
  }

  nameOf(...ids: string[]): string {
    return scheduleNameOf(...ids);
  }

  async putRecurring(name: string, expression: string, input: ScheduleInput, options?: ScheduleOptions) {
    const parsed = parseScheduleExpression(expression);
    const problem =
      typeof parsed === 'string'
        ? parsed
        : parsed.kind === 'at'
          ? 'at(...) is a one-time schedule: a recurring schedule is rate(...) or cron(...)'
          : undefined;
    if (problem)
      throw new ValidationError(`invalid schedule: ${problem}`, { details: [{ field: 'schedule', message: problem }] });
    await this.put(this.scheduleInput(name, expression, input, options));
  }

  async putOnce(name: string, at: Date, input: ScheduleInput, options?: ScheduleOptions): Promise<OnceOutcome> {
    const ms = at.getTime();
    if (!Number.isFinite(ms))
      throw new ValidationError('invalid schedule time', { details: [{ field: 'at', message: 'not a valid date' }] });
    if (ms <= this.now()) {
      await this.delete(name);
      return 'past';
    }
    const { expression, fireAt } = atExpressionOf(ms);
    try {
      await this.put({ ...this.scheduleInput(name, expression, input, options), ActionAfterCompletion: 'DELETE' });
      return 'scheduled';
    } catch (error) {
      // Refused while its minute began (or passed) on the way to Scheduler: its time has come.
      if (error instanceof ValidationError && fireAt <= this.now() + MINUTE_MS) {
        await this.delete(name);
        return 'past';
      }
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.groupName }));
    } catch (error) {
      if ((error as Error)?.name === 'ResourceNotFoundException') return;
      translateSchedulerError(error, `DeleteSchedule ${name}`);
    }
  }

  /** Create, or (it exists) update only if it differs; twice at most, as it may be deleted in between. */
  private async put(wanted: UpdateScheduleCommandInput): Promise<void> {
    const name = wanted.Name!;
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
    expression: string,
    input: ScheduleInput,
    options: ScheduleOptions | undefined,
  ): UpdateScheduleCommandInput {
    const target: Target = {
      Arn: this.settings.targetArn,
      RoleArn: this.settings.roleArn,
      Input: JSON.stringify(input),
      RetryPolicy: { ...this.settings.retry },
      ...(this.settings.deadLetterArn ? { DeadLetterConfig: { Arn: this.settings.deadLetterArn } } : {}),
    };
    return {
      Name: name,
      GroupName: this.groupName,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      ...(options?.description !== undefined ? { Description: options.description } : {}),
      Target: target,
    };
  }

  private async get(name: string): Promise<GetScheduleCommandOutput | undefined> {
    try {
      return await this.client.send(new GetScheduleCommand({ Name: name, GroupName: this.groupName }));
    } catch (error) {
      if ((error as Error)?.name === 'ResourceNotFoundException') return undefined;
      return translateSchedulerError(error, `GetSchedule ${name}`);
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
    (current.ActionAfterCompletion ?? 'NONE') === (wanted.ActionAfterCompletion ?? 'NONE') &&
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
