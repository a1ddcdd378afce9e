import { randomUUID } from 'node:crypto';
import { appendFileDurably } from '../durable-files.js';
import { nextFireTime, parseScheduleExpression } from '../../functions/domain/connectors/schedule.js';
import type { SchedulerClock } from './clock.js';
import type { ScheduleStore, StoredSchedule } from './store.js';

/** What one attempt of one fire did (tests and tools observe it; it changes nothing). */
export interface FireRecord {
  scheduleArn: string;
  groupName: string;
  name: string;
  /** The time the schedule was due, ISO (the `<aws.scheduler.scheduled-time>` of the fire). */
  scheduledTime: string;
  /** Whether this is the one catch-up fire of fires that fell due while the scheduler was not running. */
  catchUp: boolean;
  functionName: string;
  event: unknown;
  attempt: number;
  outcome: 'succeeded' | 'failed' | 'dead-lettered' | 'dropped';
  error?: string;
}

export interface SchedulerLogEntry {
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  message: string;
  [field: string]: unknown;
}

export interface ScheduleFiresOptions {
  store: ScheduleStore;
  clock: SchedulerClock;
  /** Invokes a function by name (the local Lambda service); a rejection is a failed invocation. */
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  /** JSON lines of the fires a schedule's DeadLetterConfig received. */
  deadLetterFile: string;
  /** Delays before the retries of a failed invocation (Lambda's asynchronous invocation: 2 retries, ~1 and ~2 min). */
  retryDelaysMs: readonly number[];
  log: (entry: SchedulerLogEntry) => void;
}

/** Scheduler's own default of a target's RetryPolicy.MaximumEventAgeInSeconds. */
const DEFAULT_MAX_EVENT_AGE_S = 86_400;

const keyOf = (s: Pick<StoredSchedule, 'groupName' | 'name'>) => `${s.groupName}/${s.name}`;

/** The function a Lambda target ARN names (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
export function functionNameOfArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:([A-Za-z0-9_-]{1,64})(:[^:]+)?$/.exec(arn)?.[1];
}

/** Whether a stored schedule is a one-time `at(...)` schedule. */
function isOneTime(s: StoredSchedule): boolean {
  const parsed = parseScheduleExpression(s.expression);
  return typeof parsed !== 'string' && parsed.kind === 'at';
}

/** The target's Input with Scheduler's context placeholders filled in. */
function inputOf(s: StoredSchedule, scheduledTime: string, executionId: string, attempt: number): string {
  return (s.target.Input ?? '{}')
    .replaceAll('<aws.scheduler.schedule-arn>', s.arn)
    .replaceAll('<aws.scheduler.scheduled-time>', scheduledTime)
    .replaceAll('<aws.scheduler.execution-id>', executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(attempt));
}

/** The next time a stored schedule fires strictly after `afterMs`, within its state, StartDate and EndDate. */
export function nextFireOf(s: StoredSchedule, afterMs: number): number | undefined {
  if (s.state !== 'ENABLED') return undefined;
  const parsed = parseScheduleExpression(s.expression);
  if (typeof parsed === 'string') return undefined;
  // Scheduler ignores StartDate and EndDate for one-time schedules; a rate's periods start at its anchor.
  const bounded = parsed.kind !== 'at';
  const from = bounded && s.startDate !== undefined ? Math.max(afterMs, s.startDate - 1) : afterMs;
  const next = nextFireTime(
    s.expression,
    new Date(from),
    s.timezone,
    parsed.kind === 'rate' ? new Date(s.anchorAt) : undefined,
  );
  if (!next) return undefined;
  if (bounded && s.endDate !== undefined && next.getTime() > s.endDate) return undefined;
  return next.getTime();
}

/**
 * Fires the stored schedules at their times: one timer per enabled schedule for its next fire, which invokes the
 * target function with the target's Input (Scheduler's context placeholders filled in), retries a failed
 * invocation as Lambda's asynchronous invocation does, and gives what still fails to the schedule's dead-letter
 * file (or drops it, logged, when the schedule has no DeadLetterConfig).
 *
 * Fires that fell due while the scheduler was not running (or is late) are skipped, except the last of them, which
 * fires once at once if it is younger than the target's RetryPolicy.MaximumEventAgeInSeconds (docs/local-scheduler.md).
 */
export class ScheduleFires {
  private readonly timers = new Map<string, { cancel(): void }>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly observers = new Set<(fire: FireRecord) => void>();
  private stopped = true;

  constructor(private readonly opts: ScheduleFiresOptions) {}

  /** Arms every stored schedule: catch-up fires (at most one each) happen now, the others at their times. */
  start(): void {
    this.stopped = false;
    for (const s of this.opts.store.list()) this.arm(s, true);
  }

  /** Call after a schedule was created, updated or deleted: its timer follows the stored schedule. */
  changed(groupName: string, name: string): void {
    const key = keyOf({ groupName, name });
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
    const s = this.opts.store.get(groupName, name);
    if (s && !this.stopped) this.arm(s, false);
  }

  /** Observes every attempt of every fire; returns the unsubscribe function. */
  onFire(observer: (fire: FireRecord) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Waits until no invocation is in flight (retries waiting for their delay are not waited for). */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Cancels every timer (and pending retry) and waits for the invocations in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await this.settled();
  }

  /**
   * Fires what is due (the latest due fire only, if it is young enough) and sets the timer of the next one.
   * `starting`: the first arming after a start, whose due fires are reported as a catch-up.
   */
  private arm(stored: StoredSchedule, starting: boolean): void {
    let s = stored;
    const key = keyOf(s);
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
    const now = this.opts.clock.now();
    const maxAgeMs = (s.target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000;
    const base = Math.max(s.lastFireAt ?? Number.NEGATIVE_INFINITY, s.anchorAt - 1);
    const oneTime = isOneTime(s);
    // Fires older than the event age would be dropped by Scheduler's retry policy too: look no further back.
    let due = nextFireOf(s, Math.max(base, now - maxAgeMs - 1));
    if (starting) {
      const oldest = nextFireOf(s, base);
      if (oldest !== undefined && oldest < now - maxAgeMs) {
        // A one-time schedule has no later fire to wait for: its one fire goes where Scheduler sends an event its
        // retry policy gave up on, so a deadline missed while the platform was down is seen, not lost.
        if (oneTime) {
          this.expire(s, oldest);
          return;
        }
        this.opts.log({
          level: 'INFO',
          message: 'schedule fires older than the event age fell due while the scheduler was not running: skipped',
          schedule: s.arn,
          since: new Date(oldest).toISOString(),
        });
      }
    }
    if (due !== undefined && due <= now) {
      let skipped = 0;
      for (let next = nextFireOf(s, due); next !== undefined && next <= now; next = nextFireOf(s, due)) {
        due = next;
        skipped++;
      }
      const catchUp = starting || skipped > 0;
      if (catchUp)
        this.opts.log({
          level: 'INFO',
          message: 'schedule fires fell due while the scheduler was not running: the last one fires now',
          schedule: s.arn,
          scheduledTime: new Date(due).toISOString(),
          skipped,
        });
      if (oneTime) {
        // Kept as it is until its fire settles (delivered, or given up): a platform stopped or killed meanwhile
        // fires it again when it starts, so a one-time schedule fires at least once, as its target expects.
        const fired = due;
        this.fire(s, due, catchUp, () => this.complete(stored, fired));
        return;
      }
      s = { ...s, lastFireAt: due };
      this.opts.store.put(s);
      this.fire(s, due, catchUp);
    }
    if (this.stopped || !this.opts.store.get(s.groupName, s.name)) return;
    const next = nextFireOf(s, Math.max(now, s.lastFireAt ?? Number.NEGATIVE_INFINITY, s.anchorAt - 1));
    if (next === undefined) return;
    const wake = () => {
      const current = this.opts.store.get(s.groupName, s.name);
      if (current && !this.stopped) this.arm(current, false);
    };
    this.timers.set(key, this.opts.clock.setTimer(wake, next - now));
  }

  /**
   * A one-time schedule's fire settled: with ActionAfterCompletion DELETE it is deleted, else it keeps the time of
   * its fire (so it never fires again). Unless it was changed or deleted meanwhile: then that change stands.
   */
  private complete(fired: StoredSchedule, scheduledMs: number): void {
    const current = this.opts.store.get(fired.groupName, fired.name);
    if (!current || current.modifiedAt !== fired.modifiedAt) return;
    if (current.actionAfterCompletion === 'DELETE') this.opts.store.delete(current.groupName, current.name);
    else this.opts.store.put({ ...current, lastFireAt: scheduledMs });
  }

  /** A one-time schedule whose time is older than its event age when the scheduler starts: given up, completed. */
  private expire(s: StoredSchedule, scheduledMs: number): void {
    const record = this.recordOf(s, scheduledMs, true);
    const maxAge = s.target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S;
    let event: unknown;
    try {
      event = JSON.parse(inputOf(s, record.scheduledTime, randomUUID(), 0));
    } catch {
      event = undefined;
    }
    this.giveUp(s, {
      ...record,
      event,
      attempt: 0,
      error: `EventAgeExceeded: due at ${record.scheduledTime}, older than MaximumEventAgeInSeconds (${maxAge}) when the scheduler started`,
    });
    this.complete(s, scheduledMs);
  }

  private recordOf(s: StoredSchedule, scheduledMs: number, catchUp: boolean) {
    return {
      scheduleArn: s.arn,
      groupName: s.groupName,
      name: s.name,
      scheduledTime: new Date(scheduledMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      catchUp,
      functionName: functionNameOfArn(s.target.Arn) ?? s.target.Arn,
    };
  }

  /**
   * One fire: the invocation and its retries, tracked until it settles. `settled` runs once it has (delivered, or
   * given to the dead letters or dropped), never while a retry waits or after the scheduler stopped.
   */
  private fire(s: StoredSchedule, scheduledMs: number, catchUp: boolean, settled?: () => void): void {
    const executionId = randomUUID();
    const functionName = functionNameOfArn(s.target.Arn);
    const base = this.recordOf(s, scheduledMs, catchUp);
    const attempt = async (n: number): Promise<void> => {
      let event: unknown;
      try {
        if (!functionName)
          throw Object.assign(new Error(`not a Lambda function ARN: ${s.target.Arn}`), { retry: false });
        const input = inputOf(s, base.scheduledTime, executionId, n);
        try {
          event = JSON.parse(input);
        } catch {
          throw Object.assign(new Error('the target Input is not JSON (Lambda refuses it)'), { retry: false });
        }
        await this.opts.invoke(functionName, event);
        this.report({ ...base, event, attempt: n, outcome: 'succeeded' });
        settled?.();
      } catch (error) {
        const e = error as Error & { retry?: boolean };
        // A function that does not exist fails every retry the same way: straight to the dead letters.
        const retryable = e?.retry !== false && e?.name !== 'ResourceNotFoundException';
        const delay = this.opts.retryDelaysMs[n - 1];
        if (retryable && delay !== undefined && !this.stopped) {
          this.report({ ...base, event, attempt: n, outcome: 'failed', error: e?.message });
          this.opts.log({ level: 'WARN', message: 'schedule target failed, retrying', schedule: s.arn, attempt: n });
          const retryKey = `${keyOf(s)}#retry-${executionId}-${n}`;
          const retry = () => {
            this.timers.delete(retryKey);
            if (!this.stopped) this.track(attempt(n + 1));
          };
          this.timers.set(retryKey, this.opts.clock.setTimer(retry, delay));
          return;
        }
        // A one-time schedule's fire that failed as the scheduler stopped is not given up: it fires at the next start.
        if (this.stopped && settled && retryable) return;
        this.giveUp(s, { ...base, event, attempt: n, error: `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}` });
        settled?.();
      }
    };
    this.track(attempt(1));
  }

  private giveUp(s: StoredSchedule, fire: Omit<FireRecord, 'outcome'> & { error: string }): void {
    const dlq = s.target.DeadLetterConfig?.Arn;
    if (dlq) {
      appendFileDurably(
        this.opts.deadLetterFile,
        `${JSON.stringify({ deadLetterArn: dlq, targetArn: s.target.Arn, failedAt: new Date(this.opts.clock.now()).toISOString(), ...fire })}\n`,
      );
    }
    this.opts.log({
      level: 'ERROR',
      message: dlq ? 'schedule fire dead-lettered' : 'schedule fire dropped (no DeadLetterConfig)',
      schedule: s.arn,
      scheduledTime: fire.scheduledTime,
      attempts: fire.attempt,
      error: fire.error,
    });
    this.report({ ...fire, outcome: dlq ? 'dead-lettered' : 'dropped' });
  }

  private report(fire: FireRecord): void {
    for (const observe of this.observers) observe(fire);
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }
}
