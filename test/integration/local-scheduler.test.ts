/**
 * The local EventBridge Scheduler through the unmodified SDK client (and the platform's own adapter): schedules
 * are created, fire into the invoke callback at their times, are updated and deleted, survive a restart with at
 * most one catch-up fire, answer Scheduler's errors with its names and statuses, and retry then dead-letter a
 * failing target. Time is a test clock the test advances, so an hour of schedule takes milliseconds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { SchedulerSyncScheduler } from '../../functions/adapters/scheduler/sync-scheduler.js';
import { type FireRecord, LocalScheduler, type SchedulerClock } from '../../local/scheduler/index.js';

const GROUP = 'modos-local-connector-syncs';
const ROLE = 'arn:aws:iam::000000000000:role/modos-local-sync-scheduler';
const DLQ = 'arn:aws:sqs:us-east-1:000000000000:modos-local-sync-schedule-dlq';
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
      groups: [GROUP],
      clock,
      retryDelaysMs: options.retryDelaysMs ?? [MINUTE, 2 * MINUTE],
      log: () => undefined,
      invoke: async (fn, event) => {
        const id = (event as { connectorId?: string }).connectorId ?? '';
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
});
