import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  InternalServerException,
  ResourceNotFoundException,
  SchedulerClient,
  ServiceQuotaExceededException,
  ThrottlingException,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  SYNC_SCHEDULE_RETRY,
  SchedulerSyncScheduler,
  scheduleNameOf,
} from '../../../functions/adapters/scheduler/sync-scheduler.js';
import { TransientError, ValidationError } from '../../../functions/domain/errors.js';

const client = new SchedulerClient({ region: 'us-east-1' });
const mock = mockClient(client);
const settings = {
  groupName: 'modos-test-connector-syncs',
  targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:ScheduledSync',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:sync-dlq',
};
const scheduler = new SchedulerSyncScheduler(client, settings);

/** The options the SDK's exception classes take. */
const opts = (message: string) => ({ message, Message: message, $metadata: {} });
const conflict = () => new ConflictException(opts('Schedule acme.c1 already exists.'));
const notFound = () => new ResourceNotFoundException(opts('Schedule acme.c1 does not exist.'));

/** What GetSchedule answers for a schedule this adapter wrote with `expression`. */
function stored(expression: string) {
  return {
    Name: 'acme.c1',
    GroupName: settings.groupName,
    ScheduleExpression: expression,
    ScheduleExpressionTimezone: 'UTC',
    State: 'ENABLED' as const,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    Description: 'modos connector sync: tenant acme, connector c1',
    Target: {
      Arn: settings.targetArn,
      RoleArn: settings.roleArn,
      Input: '{"tenantId":"acme","connectorId":"c1"}',
      RetryPolicy: { ...SYNC_SCHEDULE_RETRY },
      DeadLetterConfig: { Arn: settings.deadLetterArn },
    },
  };
}

describe('scheduleNameOf', () => {
  it('is tenant.connector when that fits', () => {
    expect(scheduleNameOf('acme', 'c1')).toBe('acme.c1');
  });

  it('stays within 64 characters of [0-9a-zA-Z-_.] and apart for long ids', () => {
    const a = scheduleNameOf('t'.repeat(64), `${'c'.repeat(63)}1`);
    const b = scheduleNameOf('t'.repeat(64), `${'c'.repeat(63)}2`);
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[0-9A-Za-z_.-]+$/);
    }
    expect(a).not.toBe(b);
    expect(scheduleNameOf('t'.repeat(64), `${'c'.repeat(63)}1`)).toBe(a);
  });

  it('never gives two connectors the same name through the dot', () => {
    expect(scheduleNameOf('a-b', 'c')).not.toBe(scheduleNameOf('a', 'b-c'));
    // A long pair's name has two dots, a short one's one.
    expect(scheduleNameOf('t'.repeat(40), 'c'.repeat(40)).split('.')).toHaveLength(3);
  });
});

describe('SchedulerSyncScheduler', () => {
  beforeEach(() => mock.reset());

  it('creates the schedule: group, no flexible window, UTC, ScheduledSync with its input, retries and DLQ', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });

    await scheduler.put('acme', 'c1', 'rate(15 minutes)');

    const calls = mock.commandCalls(CreateScheduleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Name: 'acme.c1',
      GroupName: settings.groupName,
      ScheduleExpression: 'rate(15 minutes)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Description: 'modos connector sync: tenant acme, connector c1',
      Target: {
        Arn: settings.targetArn,
        RoleArn: settings.roleArn,
        Input: JSON.stringify({ tenantId: 'acme', connectorId: 'c1' }),
        RetryPolicy: { MaximumEventAgeInSeconds: 21_600, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: settings.deadLetterArn },
      },
    });
  });

  it('leaves DeadLetterConfig out when the stage has no queue', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
    const { deadLetterArn: _, ...withoutDlq } = settings;
    await new SchedulerSyncScheduler(client, withoutDlq).put('acme', 'c1', 'rate(1 hour)');
    expect(mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target).not.toHaveProperty('DeadLetterConfig');
  });

  it('updates an existing schedule whose expression changed', async () => {
    mock.on(CreateScheduleCommand).rejects(conflict());
    mock.on(GetScheduleCommand).resolves(stored('rate(15 minutes)'));
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });

    await scheduler.put('acme', 'c1', 'cron(0 2 * * ? *)');

    expect(mock.commandCalls(GetScheduleCommand)[0]!.args[0].input).toEqual({
      Name: 'acme.c1',
      GroupName: settings.groupName,
    });
    const update = mock.commandCalls(UpdateScheduleCommand);
    expect(update).toHaveLength(1);
    expect(update[0]!.args[0].input).toEqual(mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input);
    expect(update[0]!.args[0].input.ScheduleExpression).toBe('cron(0 2 * * ? *)');
  });

  it('does not touch a schedule that is already the wanted one (a rate keeps its period)', async () => {
    mock.on(CreateScheduleCommand).rejects(conflict());
    mock.on(GetScheduleCommand).resolves(stored('rate(15 minutes)'));

    await scheduler.put('acme', 'c1', 'rate(15 minutes)');

    expect(mock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('updates a schedule changed by hand (another role, disabled)', async () => {
    mock.on(CreateScheduleCommand).rejects(conflict());
    mock.on(GetScheduleCommand).resolves({ ...stored('rate(15 minutes)'), State: 'DISABLED' });
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });

    await scheduler.put('acme', 'c1', 'rate(15 minutes)');

    expect(mock.commandCalls(UpdateScheduleCommand)[0]!.args[0].input.State).toBe('ENABLED');
  });

  it('creates again when the schedule disappears between the conflict and the update', async () => {
    mock.on(CreateScheduleCommand).rejectsOnce(conflict()).resolves({ ScheduleArn: 'arn:x' });
    mock.on(GetScheduleCommand).rejects(notFound());
    mock.on(UpdateScheduleCommand).rejects(notFound());

    await scheduler.put('acme', 'c1', 'rate(15 minutes)');

    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(2);
  });

  it('deletes the schedule for null, and a missing one is not an error', async () => {
    mock.on(DeleteScheduleCommand).rejectsOnce(notFound()).resolves({});

    await scheduler.put('acme', 'c1', null);
    await scheduler.put('acme', 'c1', null);

    const calls = mock.commandCalls(DeleteScheduleCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input).toEqual({ Name: 'acme.c1', GroupName: settings.groupName });
  });

  it('refuses an invalid expression before calling Scheduler', async () => {
    await expect(scheduler.put('acme', 'c1', 'rate(1 minute)')).rejects.toBeInstanceOf(ValidationError);
    await expect(scheduler.put('acme', 'c1', 'at(2030-01-01T00:00:00)')).rejects.toThrow(/one-time/);
    expect(mock.calls()).toHaveLength(0);
  });

  it.each([
    ['throttling', () => new ThrottlingException(opts('Rate exceeded'))],
    ['a 500', () => new InternalServerException(opts('oops'))],
    ['a concurrent change', () => new ConflictException(opts('conflict'))],
  ])('translates %s into TransientError', async (_, error) => {
    mock.on(DeleteScheduleCommand).rejects(error());
    await expect(scheduler.put('acme', 'c1', null)).rejects.toBeInstanceOf(TransientError);
  });

  it('translates a 503 without a modelled name into TransientError', async () => {
    const unavailable = Object.assign(new Error('Service Unavailable'), {
      name: 'Unknown',
      $metadata: { httpStatusCode: 503 },
    });
    mock.on(CreateScheduleCommand).rejects(unavailable);
    await expect(scheduler.put('acme', 'c1', 'rate(1 day)')).rejects.toBeInstanceOf(TransientError);
  });

  it("translates Scheduler's ValidationException into ValidationError with its message", async () => {
    mock.on(CreateScheduleCommand).rejects(new ValidationException(opts('Invalid Schedule Expression')));
    const error = await scheduler.put('acme', 'c1', 'rate(1 day)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/Invalid Schedule Expression/);
  });

  it('rethrows what it does not know (a quota) as it is', async () => {
    mock.on(CreateScheduleCommand).rejects(new ServiceQuotaExceededException(opts('quota')));
    await expect(scheduler.put('acme', 'c1', 'rate(1 day)')).rejects.toBeInstanceOf(ServiceQuotaExceededException);
  });

  it('translates a failed GetSchedule and a failed update', async () => {
    mock.on(CreateScheduleCommand).rejects(conflict());
    mock.on(GetScheduleCommand).rejectsOnce(new ThrottlingException(opts('slow down')));
    await expect(scheduler.put('acme', 'c1', 'rate(1 day)')).rejects.toBeInstanceOf(TransientError);
    mock.on(GetScheduleCommand).resolves(stored('rate(2 days)'));
    mock.on(UpdateScheduleCommand).rejects(new InternalServerException(opts('oops')));
    await expect(scheduler.put('acme', 'c1', 'rate(1 day)')).rejects.toBeInstanceOf(TransientError);
  });
});
