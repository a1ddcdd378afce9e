/**
 * The local EventBridge Scheduler through the unmodified SDK client (and the platform's own adapter): schedules
 * are created, fire into the invoke callback at their times, are updated and deleted, survive a restart with at
 * most one catch-up fire, answer Scheduler's errors with its names and statuses, and retry then dead-letter a
 * failing target. One-shot at(...) schedules (the ScheduleGroupPort adapter's putOnce) fire once at their time and
 * are deleted, survive a restart (fired then if their time passed meanwhile, dead-lettered if it is older than their
 * event age), and fire again after a restart that interrupted their delivery. Time is a test clock the test
 * advances, so an hour of schedule takes milliseconds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchedulerScheduleGroup } from '../../functions/adapters/scheduler/schedule-group.js';
import { SchedulerSyncScheduler } from '../../functions/adapters/scheduler/sync-scheduler.js';
import { ValidationError } from '../../functions/domain/errors.js';
import { type FireRecord, LocalScheduler, type SchedulerClock } from '../../local/scheduler/index.js';

const GROUP = 'modos-local-connector-syncs';
const ROLE = 'arn:aws:iam::000000000000:role/modos-local-sync-scheduler';
const DLQ = 'arn:aws:sqs:us-east-1:000000000000:modos-local-sync-schedule-dlq';
const DEADLINES = 'modos-local-deadlines';
const DEADLINES_DLQ = 'arn:aws:sqs:us-east-1:000000000000:modos-local-deadlines-dlq';
const MINUTE = 60_000;

/** A clock the test moves: timers run in time order as it advances, each with the clock at its due time. */
class TestClock implements SchedulerClock {
  private timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, delayMs: number) {
    const timer = { at: this.t + Math.max(0, delayMs), fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const due = this.timers.filter((x) => !x.cancelled && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.t = due.at;
      due.fn();
    }
    this.timers = this.timers.filter((x) => !x.cancelled);
    this.t = end;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

describe('local scheduler', () => {
  let dir: string;
  let clock: TestClock;
  let scheduler: LocalScheduler;
  let client: SchedulerClient;
  let fires: FireRecord[];
  let failing: Set<string>;

  const invoked = () => fires.filter((f) => f.outcome === 'succeeded');

  async function start(options: { retryDelaysMs?: number[] } = {}): Promise<void> {
    scheduler = new LocalScheduler({
      stateDir: dir,
      groups: [GROUP, DEADLINES],
      clock,
      retryDelaysMs: options.retryDelaysMs ?? [MINUTE, 2 * MINUTE],
      log: () => undefined,
      invoke: async (fn, event) => {
        const id =
          (event as { connectorId?: string; key?: string }).connectorId ?? (event as { key?: string }).key ?? '';
        if (failing.has(id)) throw Object.assign(new Error(`${fn} failed`), { name: 'HandlerError' });
        return { ok: true };
      },
    });
    scheduler.onFire((f) => fires.push(f));
    const endpoint = await scheduler.start();
    client?.destroy();
    client = new SchedulerClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  const adapter = () =>
    new SchedulerSyncScheduler(client, {
      groupName: GROUP,
      roleArn: ROLE,
      targetArn: scheduler.functionArn('ScheduledSync'),
      deadLetterArn: DLQ,
    });

  /** A group of one-shot schedules through the platform's adapter, on the test's clock (a 1-hour event age). */
  const deadlines = () =>
    new SchedulerScheduleGroup(client, {
      groupName: DEADLINES,
      roleArn: ROLE,
      targetArn: scheduler.functionArn('SignalDeadline'),
      deadLetterArn: DEADLINES_DLQ,
      retry: { MaximumEventAgeInSeconds: 3_600, MaximumRetryAttempts: 185 },
      now: () => clock.now(),
    });
  const getDeadline = (name: string) => client.send(new GetScheduleCommand({ Name: name, GroupName: DEADLINES }));
  const deadLetters = () =>
    existsSync(scheduler.deadLetterFile)
      ? readFileSync(scheduler.deadLetterFile, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modos-scheduler-'));
    clock = new TestClock(Date.parse('2030-01-01T00:00:30Z'));
    fires = [];
    failing = new Set();
    await start();
  });

  afterEach(async () => {
    await scheduler.stop();
    client.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, fires, updates and deletes a connector schedule through the adapter', async () => {
    await adapter().put('acme', 'c1', 'cron(0/5 * * * ? *)');
    const created = await client.send(new GetScheduleCommand({ Name: 'acme.c1', GroupName: GROUP }));
    expect(created).toMatchObject({
      Arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${GROUP}/acme.c1`,
      ScheduleExpression: 'cron(0/5 * * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:lambda:us-east-1:000000000000:function:ScheduledSync',
        RoleArn: ROLE,
        Input: '{"tenantId":"acme","connectorId":"c1"}',
        DeadLetterConfig: { Arn: DLQ },
      },
    });
    expect(created.CreationDate?.toISOString()).toBe('2030-01-01T00:00:30.000Z');

    await clock.advance(4 * MINUTE);
    await scheduler.settled();
    expect(invoked()).toEqual([]);
    await clock.advance(11 * MINUTE);
    await scheduler.settled();
    expect(invoked().map((f) => [f.functionName, f.scheduledTime, f.event, f.catchUp])).toEqual([
      ['ScheduledSync', '2030-01-01T00:05:00Z', { tenantId: 'acme', connectorId: 'c1' }, false],
      ['ScheduledSync', '2030-01-01T00:10:00Z', { tenantId: 'acme', connectorId: 'c1' }, false],
      ['ScheduledSync', '2030-01-01T00:15:00Z', { tenantId: 'acme', connectorId: 'c1' }, false],
    ]);

    // The same schedule again changes nothing (no UpdateSchedule: the modification date stays).
    await adapter().put('acme', 'c1', 'cron(0/5 * * * ? *)');
    const same = await client.send(new GetScheduleCommand({ Name: 'acme.c1', GroupName: GROUP }));
    expect(same.LastModificationDate).toEqual(created.LastModificationDate);

    // A rate without StartDate fires when it is set, then every period.
    fires = [];
    await adapter().put('acme', 'c1', 'rate(1 hour)');
    await clock.advance(2 * 60 * MINUTE);
    await scheduler.settled();
    expect(invoked().map((f) => f.scheduledTime)).toEqual([
      '2030-01-01T00:15:30Z',
      '2030-01-01T01:15:30Z',
      '2030-01-01T02:15:30Z',
    ]);

    fires = [];
    await adapter().put('acme', 'c1', null);
    await adapter().put('acme', 'c1', null);
    await clock.advance(5 * 60 * MINUTE);
    await scheduler.settled();
    expect(fires).toEqual([]);
    await expect(client.send(new GetScheduleCommand({ Name: 'acme.c1', GroupName: GROUP }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("answers Scheduler's errors with its names and statuses", async () => {
    const input = {
      Name: 'x',
      GroupName: GROUP,
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: { Arn: scheduler.functionArn('ScheduledSync'), RoleArn: ROLE, Input: '{}' },
    };
    await client.send(new CreateScheduleCommand(input));
    const status = (e: unknown) => (e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode;

    const conflict = await client.send(new CreateScheduleCommand(input)).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(status(conflict)).toBe(409);
    expect((conflict as Error).message).toBe('Schedule x already exists.');

    const missing = await client.send(new UpdateScheduleCommand({ ...input, Name: 'nope' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(status(missing)).toBe(404);
    await expect(client.send(new DeleteScheduleCommand({ Name: 'nope', GroupName: GROUP }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(client.send(new CreateScheduleCommand({ ...input, GroupName: 'other' }))).rejects.toThrow(
      'Schedule group other does not exist.',
    );

    for (const bad of [
      { ...input, Name: 'y', ScheduleExpression: 'cron(0 2 * * * *)' },
      { ...input, Name: 'y', ScheduleExpression: 'rate(1 minutes)' },
      { ...input, Name: 'y', ScheduleExpressionTimezone: 'Mars/Olympus' },
      { ...input, Name: 'bad name!' },
      { ...input, Name: 'y', Target: { ...input.Target, Arn: 'arn:aws:sqs:us-east-1:000000000000:q' } },
      { ...input, Name: 'y', Target: { ...input.Target, RetryPolicy: { MaximumEventAgeInSeconds: 10 } } },
      { ...input, Name: 'y', StartDate: new Date('2030-02-01'), EndDate: new Date('2030-01-15') },
    ]) {
      const error = await client.send(new CreateScheduleCommand(bad)).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad)).toBeInstanceOf(ValidationException);
      expect(status(error)).toBe(400);
    }
    // An at(...) schedule is valid for Scheduler itself (only connectors refuse it).
    await client.send(
      new CreateScheduleCommand({ ...input, Name: 'once', ScheduleExpression: 'at(2030-01-01T01:00:00)' }),
    );

    expect((await client.send(new GetScheduleGroupCommand({ Name: GROUP }))).State).toBe('ACTIVE');
  });

  it('lists schedules by group and prefix, a page at a time', async () => {
    for (const id of ['c1', 'c2', 'c3']) await adapter().put('acme', id, 'rate(1 day)');
    await adapter().put('globex', 'c9', 'rate(1 day)');
    const first = await client.send(new ListSchedulesCommand({ GroupName: GROUP, NamePrefix: 'acme.', MaxResults: 2 }));
    expect(first.Schedules?.map((s) => s.Name)).toEqual(['acme.c1', 'acme.c2']);
    const second = await client.send(
      new ListSchedulesCommand({ GroupName: GROUP, NamePrefix: 'acme.', NextToken: first.NextToken }),
    );
    expect(second.Schedules?.map((s) => s.Name)).toEqual(['acme.c3']);
    expect(second.NextToken).toBeUndefined();
    const all = await client.send(new ListSchedulesCommand({ GroupName: GROUP }));
    expect(all.Schedules).toHaveLength(4);
    expect(all.Schedules?.[0]).toMatchObject({
      GroupName: GROUP,
      State: 'ENABLED',
      Target: { Arn: scheduler.functionArn('ScheduledSync') },
    });
  });

  it('keeps schedules across a restart and fires the last missed one once, then on time', async () => {
    await adapter().put('acme', 'c1', 'cron(0 * * * ? *)');
    await scheduler.stop();
    // Down from 00:00:30 to 03:20: the fires of 01:00, 02:00 and 03:00 fell due; only 03:00 fires, at once.
    clock.set(Date.parse('2030-01-01T03:20:00Z'));
    await start();
    await scheduler.settled();
    expect(invoked().map((f) => [f.scheduledTime, f.catchUp])).toEqual([['2030-01-01T03:00:00Z', true]]);
    expect((await client.send(new GetScheduleCommand({ Name: 'acme.c1', GroupName: GROUP }))).ScheduleExpression).toBe(
      'cron(0 * * * ? *)',
    );

    await clock.advance(60 * MINUTE);
    await scheduler.settled();
    expect(invoked().map((f) => [f.scheduledTime, f.catchUp])).toEqual([
      ['2030-01-01T03:00:00Z', true],
      ['2030-01-01T04:00:00Z', false],
    ]);

    // A second restart without missed fires fires nothing extra.
    await scheduler.stop();
    await start();
    await scheduler.settled();
    expect(invoked()).toHaveLength(2);
  });

  it('skips missed fires older than the target’s maximum event age', async () => {
    await adapter().put('acme', 'c1', 'cron(0 12 * * ? *)');
    await scheduler.stop();
    // Down two days: the last missed fire (12:00 on the 2nd) is 18 h old at 06:00 on the 3rd, over the 6 h age.
    clock.set(Date.parse('2030-01-03T06:00:00Z'));
    await start();
    await scheduler.settled();
    expect(fires).toEqual([]);
    await clock.advance(6 * 60 * MINUTE);
    await scheduler.settled();
    expect(invoked().map((f) => [f.scheduledTime, f.catchUp])).toEqual([['2030-01-03T12:00:00Z', false]]);
  });

  it('retries a failing target twice, then writes the fire to the dead letters', async () => {
    failing.add('c1');
    await adapter().put('acme', 'c1', 'cron(0 1 * * ? *)');
    await clock.advance(60 * MINUTE);
    await scheduler.settled();
    expect(fires.map((f) => [f.attempt, f.outcome])).toEqual([[1, 'failed']]);
    await clock.advance(MINUTE);
    await scheduler.settled();
    await clock.advance(2 * MINUTE);
    await scheduler.settled();
    expect(fires.map((f) => [f.attempt, f.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'dead-lettered'],
    ]);
    const letters = readFileSync(scheduler.deadLetterFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      deadLetterArn: DLQ,
      scheduleArn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${GROUP}/acme.c1`,
      scheduledTime: '2030-01-01T01:00:00Z',
      attempt: 3,
      event: { tenantId: 'acme', connectorId: 'c1' },
      error: 'HandlerError: ScheduledSync failed',
    });
  });

  it('fills in the context placeholders of the Input and honours a disabled state', async () => {
    const base = {
      GroupName: GROUP,
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: {
        Arn: scheduler.functionArn('ScheduledSync'),
        RoleArn: ROLE,
        Input: '{"connectorId":"p","at":"<aws.scheduler.scheduled-time>","arn":"<aws.scheduler.schedule-arn>"}',
      },
    };
    await client.send(new CreateScheduleCommand({ ...base, Name: 'p', ScheduleExpression: 'cron(30 0 * * ? *)' }));
    await client.send(
      new CreateScheduleCommand({ ...base, Name: 'off', ScheduleExpression: 'cron(30 0 * * ? *)', State: 'DISABLED' }),
    );
    await clock.advance(30 * MINUTE);
    await scheduler.settled();
    expect(invoked().map((f) => f.event)).toEqual([
      {
        connectorId: 'p',
        at: '2030-01-01T00:30:00Z',
        arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${GROUP}/p`,
      },
    ]);
  });

  it('fires a one-shot schedule once, at the whole minute at or after its time, then deletes it', async () => {
    expect(await deadlines().putOnce('d1', new Date('2030-01-01T00:10:20Z'), { key: 'k1' })).toBe('scheduled');
    expect(await getDeadline('d1')).toMatchObject({
      ScheduleExpression: 'at(2030-01-01T00:11:00)',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Input: '{"key":"k1"}', DeadLetterConfig: { Arn: DEADLINES_DLQ } },
    });
    // Putting the same one-shot again changes nothing.
    const before = (await getDeadline('d1')).LastModificationDate;
    await deadlines().putOnce('d1', new Date('2030-01-01T00:10:20Z'), { key: 'k1' });
    expect((await getDeadline('d1')).LastModificationDate).toEqual(before);

    await clock.advance(Date.parse('2030-01-01T00:10:59.999Z') - clock.now());
    await scheduler.settled();
    expect(invoked()).toEqual([]);
    await clock.advance(2 * 60 * MINUTE);
    await scheduler.settled();
    expect(invoked().map((f) => [f.functionName, f.scheduledTime, f.event, f.catchUp])).toEqual([
      ['SignalDeadline', '2030-01-01T00:11:00Z', { key: 'k1' }, false],
    ]);
    await expect(getDeadline('d1')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('moves a one-shot schedule whose time changed, and fires it at the new time only', async () => {
    await deadlines().putOnce('d1', new Date('2030-01-01T00:10:00Z'), { key: 'k1' });
    await deadlines().putOnce('d1', new Date('2030-01-01T00:40:00Z'), { key: 'k1' });
    await clock.advance(60 * MINUTE);
    await scheduler.settled();
    expect(invoked().map((f) => f.scheduledTime)).toEqual(['2030-01-01T00:40:00Z']);
  });

  it("answers 'past' for a time that has come (deleting the pending one), and the scheduler refuses a past at()", async () => {
    await deadlines().putOnce('d1', new Date('2030-01-01T00:10:00Z'), { key: 'k1' });
    expect(await deadlines().putOnce('d1', new Date('2030-01-01T00:00:00Z'), { key: 'k1' })).toBe('past');
    await expect(getDeadline('d1')).rejects.toBeInstanceOf(ResourceNotFoundException);
    const refused = await client
      .send(
        new CreateScheduleCommand({
          Name: 'late',
          GroupName: DEADLINES,
          ScheduleExpression: 'at(2030-01-01T00:00:00)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: scheduler.functionArn('SignalDeadline'), RoleArn: ROLE, Input: '{}' },
        }),
      )
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationException);
    expect((refused as Error).message).toMatch(/not in the future/);
    await clock.advance(60 * MINUTE);
    await scheduler.settled();
    expect(fires).toEqual([]);
  });

  it('keeps a one-shot schedule across a restart and fires it once when its time passed while stopped', async () => {
    await deadlines().putOnce('d1', new Date('2030-01-01T01:00:00Z'), { key: 'k1' });
    await deadlines().putOnce('d2', new Date('2030-01-01T05:00:00Z'), { key: 'k2' });
    await scheduler.stop();
    clock.set(Date.parse('2030-01-01T01:20:00Z'));
    await start();
    await scheduler.settled();
    expect(invoked().map((f) => [f.scheduledTime, f.event, f.catchUp])).toEqual([
      ['2030-01-01T01:00:00Z', { key: 'k1' }, true],
    ]);
    await expect(getDeadline('d1')).rejects.toBeInstanceOf(ResourceNotFoundException);

    // Another restart fires nothing again; the pending one fires at its time.
    await scheduler.stop();
    await start();
    await clock.advance(4 * 60 * MINUTE);
    await scheduler.settled();
    expect(invoked().map((f) => [f.scheduledTime, f.catchUp])).toEqual([
      ['2030-01-01T01:00:00Z', true],
      ['2030-01-01T05:00:00Z', false],
    ]);
  });

  it('fires a one-shot again after a restart that interrupted its delivery, and only until it succeeds', async () => {
    failing.add('k1');
    await deadlines().putOnce('d1', new Date('2030-01-01T00:05:00Z'), { key: 'k1' });
    await clock.advance(5 * MINUTE);
    await scheduler.settled();
    expect(fires.map((f) => [f.attempt, f.outcome])).toEqual([[1, 'failed']]);
    // Stopped while its retry waits: the schedule is still there, and the next start delivers it.
    await scheduler.stop();
    expect((await readStored()).map((x) => x.name)).toContain('d1');
    failing.delete('k1');
    await start();
    await scheduler.settled();
    expect(invoked().map((f) => [f.scheduledTime, f.catchUp])).toEqual([['2030-01-01T00:05:00Z', true]]);
    await expect(getDeadline('d1')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(deadLetters()).toEqual([]);
  });

  it('dead-letters a one-shot whose time is older than its event age when the scheduler starts, and deletes it', async () => {
    await deadlines().putOnce('d1', new Date('2030-01-01T01:00:00Z'), { key: 'k1' });
    await scheduler.stop();
    // Down until 02:30: the fire is 90 minutes old, over the 1-hour event age.
    clock.set(Date.parse('2030-01-01T02:30:00Z'));
    await start();
    await scheduler.settled();
    expect(invoked()).toEqual([]);
    expect(fires.map((f) => [f.outcome, f.attempt, f.scheduledTime])).toEqual([
      ['dead-lettered', 0, '2030-01-01T01:00:00Z'],
    ]);
    expect(deadLetters()).toEqual([
      expect.objectContaining({
        deadLetterArn: DEADLINES_DLQ,
        name: 'd1',
        event: { key: 'k1' },
        error: expect.stringMatching(/^EventAgeExceeded: /),
      }),
    ]);
    await expect(getDeadline('d1')).rejects.toBeInstanceOf(ResourceNotFoundException);
    await scheduler.stop();
    await start();
    await scheduler.settled();
    expect(fires).toHaveLength(1);
  });

  it('refuses a recurring put of an at() expression through the adapter', async () => {
    await expect(deadlines().putRecurring('r', 'at(2030-01-01T05:00:00)', {})).rejects.toBeInstanceOf(ValidationError);
  });

  /** The schedules the local scheduler keeps in its data folder. */
  async function readStored(): Promise<Array<{ name: string }>> {
    return JSON.parse(readFileSync(join(dir, 'schedules.json'), 'utf8')).schedules;
  }
});
