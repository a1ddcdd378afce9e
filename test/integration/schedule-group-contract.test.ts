/**
 * The ScheduleGroupPort contract, run on the Scheduler adapter over the local scheduler (the real SDK client and
 * protocol) and on the in-memory fake the use-case tests use, so a use case tested on the fake meets the same
 * behaviour on the platform.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchedulerScheduleGroup } from '../../functions/adapters/scheduler/schedule-group.js';
import { ValidationError } from '../../functions/domain/errors.js';
import type { ScheduleGroupPort } from '../../functions/domain/schedules.js';
import { LocalScheduler } from '../../local/scheduler/index.js';
import { InMemoryScheduleGroup } from '../fakes/in-memory-schedule-group.js';

const GROUP = 'modos-contract-group';
const HOUR = 3_600_000;

interface Subject {
  group: ScheduleGroupPort;
  /** The expression of a stored schedule, or undefined when there is none. */
  expressionOf(name: string): Promise<string | undefined>;
}

let dir: string;
let scheduler: LocalScheduler;
let client: SchedulerClient;
const fake = new InMemoryScheduleGroup(GROUP);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modos-contract-'));
  scheduler = new LocalScheduler({ stateDir: dir, groups: [GROUP], invoke: async () => ({}), log: () => undefined });
  const endpoint = await scheduler.start();
  client = new SchedulerClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client.destroy();
  await scheduler.stop();
  rmSync(dir, { recursive: true, force: true });
});

const subjects: Array<[string, () => Subject]> = [
  [
    'the Scheduler adapter on the local scheduler',
    () => ({
      group: new SchedulerScheduleGroup(client, {
        groupName: GROUP,
        roleArn: 'arn:aws:iam::000000000000:role/contract',
        targetArn: scheduler.functionArn('Target'),
        retry: { MaximumEventAgeInSeconds: 3_600, MaximumRetryAttempts: 3 },
      }),
      expressionOf: (name) =>
        client.send(new GetScheduleCommand({ Name: name, GroupName: GROUP })).then(
          (s) => s.ScheduleExpression,
          (e: Error) => (e.name === 'ResourceNotFoundException' ? undefined : Promise.reject(e)),
        ),
    }),
  ],
  ['the in-memory fake', () => ({ group: fake, expressionOf: async (name) => fake.schedules.get(name)?.expression })],
];

describe.each(subjects)('ScheduleGroupPort: %s', (_label, make) => {
  // Times far enough ahead that no schedule fires during the test.
  const later = () => new Date(Math.ceil((Date.now() + 48 * HOUR) / 60_000) * 60_000 + 15_000);

  it('writes a one-shot schedule at the whole minute at or after its time, idempotently', async () => {
    const { group, expressionOf } = make();
    const at = later();
    expect(await group.putOnce('once-1', at, { key: 'k' })).toBe('scheduled');
    expect(await group.putOnce('once-1', at, { key: 'k' })).toBe('scheduled');
    const minute = new Date(Math.ceil(at.getTime() / 60_000) * 60_000).toISOString().slice(0, 19);
    expect(await expressionOf('once-1')).toBe(`at(${minute})`);
  });

  it("answers 'past' for a time that has come and removes the pending schedule of that name", async () => {
    const { group, expressionOf } = make();
    await group.putOnce('once-2', later(), {});
    expect(await group.putOnce('once-2', new Date(Date.now() - 1_000), {})).toBe('past');
    expect(await expressionOf('once-2')).toBeUndefined();
  });

  it('writes and replaces a recurring schedule, and refuses at(...) and invalid expressions naming the field', async () => {
    const { group, expressionOf } = make();
    await group.putRecurring('rec-1', 'rate(1 day)', { id: 1 });
    await group.putRecurring('rec-1', 'cron(0 9 * * ? *)', { id: 1 });
    expect(await expressionOf('rec-1')).toBe('cron(0 9 * * ? *)');
    for (const bad of ['at(2031-01-01T00:00:00)', 'rate(0 days)', 'every day']) {
      const error = await group.putRecurring('rec-2', bad, {}).catch((e: unknown) => e);
      expect(error, bad).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details?.[0]?.field).toBe('schedule');
    }
    expect(await expressionOf('rec-2')).toBeUndefined();
  });

  it('deletes, and deleting what is not there is no error', async () => {
    const { group, expressionOf } = make();
    await group.putRecurring('rec-3', 'rate(1 hour)', {});
    await group.delete('rec-3');
    await group.delete('rec-3');
    await group.delete('never-written');
    expect(await expressionOf('rec-3')).toBeUndefined();
  });

  it('names schedules within Scheduler’s limits', () => {
    const { group } = make();
    expect(group.nameOf('acme', 'r1')).toBe('acme.r1');
    expect(group.nameOf('x'.repeat(80), 'y'.repeat(80), 'z')).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
    expect(group.groupName).toBe(GROUP);
  });
});
