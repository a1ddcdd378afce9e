import { atExpressionOf, scheduleNameOf } from '../../functions/adapters/scheduler/schedule-group.js';
import { parseScheduleExpression } from '../../functions/domain/connectors/schedule.js';
import { ValidationError } from '../../functions/domain/errors.js';
import type {
  OnceOutcome,
  ScheduleGroupPort,
  ScheduleInput,
  ScheduleOptions,
} from '../../functions/domain/schedules.js';

/** A schedule as the fake keeps it: the expression the adapter would write, and the target's input. */
export interface FakeSchedule {
  name: string;
  kind: 'recurring' | 'once';
  expression: string;
  /** One-shot schedules: when they fire (the whole minute at or after the wanted time, as in Scheduler). */
  fireAt?: number;
  input: ScheduleInput;
  description?: string;
}

/**
 * A ScheduleGroupPort in memory, with the adapter's contract (test/integration/schedule-group-contract.test.ts runs
 * the same cases on both): names as `nameOf`, a past one-shot answered `'past'` and removed, recurring puts of
 * at(...) or invalid expressions refused with ValidationError (field `schedule`). `due(now)` gives the one-shot
 * schedules whose time has come, `fire(name)` removes one as its firing would.
 */
export class InMemoryScheduleGroup implements ScheduleGroupPort {
  readonly schedules = new Map<string, FakeSchedule>();
  /** Every put and delete, in order (what a test asserts about writes). */
  readonly calls: Array<{ op: 'putRecurring' | 'putOnce' | 'delete'; name: string }> = [];
  private failures = 0;

  constructor(
    readonly groupName = 'modos-test-group',
    private readonly now: () => number = Date.now,
  ) {}

  /** The next call fails as an unreachable Scheduler would (TransientError in the adapter; a plain error here). */
  failNext(): void {
    this.failures++;
  }

  nameOf(...ids: string[]): string {
    return scheduleNameOf(...ids);
  }

  async putRecurring(name: string, expression: string, input: ScheduleInput, options?: ScheduleOptions) {
    this.calls.push({ op: 'putRecurring', name });
    this.maybeFail();
    const parsed = parseScheduleExpression(expression);
    const problem = typeof parsed === 'string' ? parsed : parsed.kind === 'at' ? 'at(...) is a one-time schedule' : '';
    if (problem)
      throw new ValidationError(`invalid schedule: ${problem}`, { details: [{ field: 'schedule', message: problem }] });
    this.schedules.set(name, { name, kind: 'recurring', expression, input, description: options?.description });
  }

  async putOnce(name: string, at: Date, input: ScheduleInput, options?: ScheduleOptions): Promise<OnceOutcome> {
    this.calls.push({ op: 'putOnce', name });
    this.maybeFail();
    if (!Number.isFinite(at.getTime()))
      throw new ValidationError('invalid schedule time', { details: [{ field: 'at', message: 'not a valid date' }] });
    if (at.getTime() <= this.now()) {
      this.schedules.delete(name);
      return 'past';
    }
    const { expression, fireAt } = atExpressionOf(at.getTime());
    this.schedules.set(name, { name, kind: 'once', expression, fireAt, input, description: options?.description });
    return 'scheduled';
  }

  async delete(name: string): Promise<void> {
    this.calls.push({ op: 'delete', name });
    this.maybeFail();
    this.schedules.delete(name);
  }

  /** The one-shot schedules whose fire time is at or before `nowMs`, earliest first. */
  due(nowMs: number): FakeSchedule[] {
    return [...this.schedules.values()]
      .filter((s) => s.kind === 'once' && s.fireAt! <= nowMs)
      .sort((a, b) => a.fireAt! - b.fireAt!);
  }

  /** Fires a one-shot schedule: returns its input and removes it (ActionAfterCompletion DELETE). */
  fire(name: string): ScheduleInput {
    const s = this.schedules.get(name);
    if (!s || s.kind !== 'once') throw new Error(`no one-shot schedule ${name}`);
    this.schedules.delete(name);
    return s.input;
  }

  private maybeFail(): void {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('scheduler unavailable');
    }
  }
}
