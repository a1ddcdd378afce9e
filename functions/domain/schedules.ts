/**
 * Schedules the platform writes at run time: recurring ones (a connector's syncs, a tenant's workflow trigger) and
 * one-shot ones (the deadline of an absence rule). Each use has its own named group (manifest SCHEDULE_GROUPS),
 * whose every schedule invokes that group's one target function with the schedule's input.
 */

/** What the target receives as its event: a JSON object (Scheduler passes it on as the Lambda payload). */
export type ScheduleInput = Readonly<Record<string, unknown>>;

/** What `putOnce` did: wrote the schedule, or (its time has come) wrote nothing, so the caller acts now. */
export type OnceOutcome = 'scheduled' | 'past';

export interface ScheduleOptions {
  /** Shown in the console and GetSchedule (at most 512 characters); ids only, never personal data. */
  description?: string;
}

/**
 * The schedules of one group (EventBridge Scheduler in AWS, the local scheduler on the local platform). Names are
 * unique within the group; every `put` is idempotent (the same call twice changes nothing the second time).
 */
export interface ScheduleGroupPort {
  /** The group's name in this stage. */
  readonly groupName: string;

  /**
   * Creates or replaces a recurring schedule (`rate(...)` or `cron(...)`, in UTC). A schedule that already is the
   * wanted one is left alone: Scheduler starts a rate schedule's period again when it is updated.
   * Throws ValidationError (field `schedule`) for an expression Scheduler would refuse, TransientError when
   * Scheduler cannot be reached or throttles.
   */
  putRecurring(name: string, expression: string, input: ScheduleInput, options?: ScheduleOptions): Promise<void>;

  /**
   * Creates or replaces a one-shot schedule that fires once, at `at` or within the minute after it, never before
   * (Scheduler fires with 60-second precision, so the time is rounded up to the whole minute), and is deleted once
   * it has fired. Returns `'past'` when `at` is not in the future: no schedule is written (one of that name is
   * deleted) and the caller does now what the schedule would have done.
   */
  putOnce(name: string, at: Date, input: ScheduleInput, options?: ScheduleOptions): Promise<OnceOutcome>;

  /** Deletes the schedule; one that does not exist (never written, fired and deleted) is no error. */
  delete(name: string): Promise<void>;

  /**
   * The schedule name of a tuple of ids: the ids joined by `.` when that is a valid name (1-64 characters of
   * [0-9A-Za-z_-] per id), else a shortened form with a hash of all the ids, which never equals a joined name of
   * the same number of ids. A group names all its schedules from the same number of ids.
   */
  nameOf(...ids: string[]): string;
}
