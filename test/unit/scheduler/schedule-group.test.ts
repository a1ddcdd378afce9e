import { createHash } from 'node:crypto';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  atExpressionOf,
  SchedulerScheduleGroup,
  scheduleNameOf,
} from '../../../functions/adapters/scheduler/schedule-group.js';
import { TransientError, ValidationError } from '../../../functions/domain/errors.js';

const client = new SchedulerClient({ region: 'us-east-1' });
const mock = mockClient(client);
const NOW = Date.parse('2030-03-01T10:00:00Z');
const settings = {
  groupName: 'modos-test-signal-deadlines',
  targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:SignalDeadline',
  roleArn: 'arn:aws:iam::123456789012:role/deadlines',
  deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:deadlines-dlq',
  retry: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
};
let now = NOW;
const group = new SchedulerScheduleGroup(client, { ...settings, now: () => now });

const opts = (message: string) => ({ message, Message: message, $metadata: {} });

/** The connector schedule names as they were written before schedule groups had names (the reference). */
function legacyConnectorName(tenantId: string, connectorId: string): string {
  const short = `${tenantId}.${connectorId}`;
  const ok = /^[0-9A-Za-z_-]+$/;
  if (short.length <= 64 && ok.test(tenantId) && ok.test(connectorId)) return short;
  const clean = (s: string) => s.replace(/[^0-9A-Za-z_-]/g, '_').slice(0, 20);
  const hash = createHash('sha256').update(`${tenantId}\n${connectorId}`).digest('hex').slice(0, 20);
  return `${clean(tenantId)}.${clean(connectorId)}.${hash}`;
}

describe('scheduleNameOf', () => {
  it('gives two ids exactly the names connector schedules were deployed with', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (t, c) => {
        expect(scheduleNameOf(t, c)).toBe(legacyConnectorName(t, c));
      }),
    );
    expect(scheduleNameOf('acme', 'c1')).toBe('acme.c1');
  });

  it('is always a valid name, and two different tuples of as many ids never share one', () => {
    const id = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,30}$/), fc.string({ maxLength: 70 }));
    fc.assert(
      fc.property(
        fc.array(id, { minLength: 1, maxLength: 6 }),
        fc.array(id, { minLength: 1, maxLength: 6 }),
        (a, b) => {
          const [na, nb] = [scheduleNameOf(...a), scheduleNameOf(...b)];
          for (const n of [na, nb]) expect(n).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
          if (a.length === b.length && JSON.stringify(a) !== JSON.stringify(b)) expect(na).not.toBe(nb);
        },
      ),
    );
  });

  it('keeps ids apart that only a newline inside an id would confuse', () => {
    expect(scheduleNameOf('a\nb', 'c')).not.toBe(scheduleNameOf('a', 'b\nc'));
  });

  it('shortens four long ids to 64 characters with one dot more than the joined form', () => {
    const name = scheduleNameOf('t'.repeat(30), 'r'.repeat(30), 'k'.repeat(16), 'd'.repeat(9));
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name.split('.')).toHaveLength(5);
    expect(scheduleNameOf('tenant', 'rule', 'key', 'deadline')).toBe('tenant.rule.key.deadline');
  });

  it('refuses no ids and too many', () => {
    expect(() => scheduleNameOf()).toThrow(RangeError);
    expect(() => scheduleNameOf(...Array.from({ length: 21 }, () => 'x'))).toThrow(RangeError);
  });
});

describe('atExpressionOf', () => {
  it('rounds up to the whole minute, in UTC, and leaves a whole minute as it is', () => {
    expect(atExpressionOf(Date.parse('2030-03-01T10:04:00.001Z')).expression).toBe('at(2030-03-01T10:05:00)');
    expect(atExpressionOf(Date.parse('2030-03-01T10:04:00Z')).expression).toBe('at(2030-03-01T10:04:00)');
    expect(atExpressionOf(Date.parse('2030-12-31T23:59:30Z'))).toEqual({
      expression: 'at(2031-01-01T00:00:00)',
      fireAt: Date.parse('2031-01-01T00:00:00Z'),
    });
  });
});

describe('SchedulerScheduleGroup', () => {
  beforeEach(() => {
    mock.reset();
    now = NOW;
  });

  it('writes a one-shot schedule that fires no earlier than its time and deletes itself afterwards', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });

    const outcome = await group.putOnce('d1', new Date('2030-03-01T12:30:15.500Z'), { key: 'k' }, { description: 'd' });

    expect(outcome).toBe('scheduled');
    expect(mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input).toEqual({
      Name: 'd1',
      GroupName: settings.groupName,
      ScheduleExpression: 'at(2030-03-01T12:31:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Description: 'd',
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: settings.targetArn,
        RoleArn: settings.roleArn,
        Input: '{"key":"k"}',
        RetryPolicy: settings.retry,
        DeadLetterConfig: { Arn: settings.deadLetterArn },
      },
    });
  });

  it("answers 'past' for a time that is not in the future, writes nothing and deletes one of that name", async () => {
    mock.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException(opts('Schedule d1 does not exist.')));

    expect(await group.putOnce('d1', new Date(NOW), {})).toBe('past');
    expect(await group.putOnce('d1', new Date(NOW - 3_600_000), {})).toBe('past');

    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(mock.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'd1', GroupName: settings.groupName },
      { Name: 'd1', GroupName: settings.groupName },
    ]);
  });

  it("answers 'past' when Scheduler refuses a time whose minute came on the way, and refuses a far one", async () => {
    mock.on(CreateScheduleCommand).rejects(new ValidationException(opts('Invalid Schedule Expression')));
    mock.on(DeleteScheduleCommand).resolves({});

    expect(await group.putOnce('soon', new Date(NOW + 20_000), {})).toBe('past');
    expect(mock.commandCalls(DeleteScheduleCommand)).toHaveLength(1);
    await expect(group.putOnce('later', new Date(NOW + 3_600_000), {})).rejects.toBeInstanceOf(ValidationError);
  });

  it('leaves an existing one-shot alone when it is already the wanted one, and updates it when its time moved', async () => {
    const at = new Date('2030-03-01T11:00:00Z');
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
    await group.putOnce('d1', at, { key: 'k' });
    const wanted = mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    mock.reset();
    mock.on(CreateScheduleCommand).rejects(new ConflictException(opts('exists')));
    mock.on(GetScheduleCommand).resolves({ ...wanted, Arn: 'arn:x' });
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });

    expect(await group.putOnce('d1', at, { key: 'k' })).toBe('scheduled');
    expect(mock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);

    await group.putOnce('d1', new Date('2030-03-01T11:30:00Z'), { key: 'k' });
    const update = mock.commandCalls(UpdateScheduleCommand);
    expect(update).toHaveLength(1);
    expect(update[0]!.args[0].input).toMatchObject({
      ScheduleExpression: 'at(2030-03-01T11:30:00)',
      ActionAfterCompletion: 'DELETE',
    });
  });

  it('updates a stored schedule whose completion action differs from the wanted one', async () => {
    mock.on(CreateScheduleCommand).resolvesOnce({ ScheduleArn: 'arn:x' });
    await group.putOnce('d1', new Date('2030-03-01T11:00:00Z'), {});
    const { ActionAfterCompletion: _, ...kept } = mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    mock.on(CreateScheduleCommand).rejects(new ConflictException(opts('exists')));
    mock.on(GetScheduleCommand).resolves({ ...kept, ActionAfterCompletion: 'NONE' });
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });

    await group.putOnce('d1', new Date('2030-03-01T11:00:00Z'), {});

    expect(mock.commandCalls(UpdateScheduleCommand)).toHaveLength(1);
  });

  it('writes a recurring schedule without a completion action, and refuses at(...) and invalid expressions', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
    await group.putRecurring('w1', 'cron(0 9 ? * MON-FRI *)', { triggerId: 'w1' });
    const input = mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ ScheduleExpression: 'cron(0 9 ? * MON-FRI *)', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(input).not.toHaveProperty('ActionAfterCompletion');
    expect(input).not.toHaveProperty('Description');

    for (const bad of ['at(2030-03-01T11:00:00)', 'rate(1 minutes)', 'cron(0 9 * * * *)']) {
      const error = await group.putRecurring('w1', bad, {}).catch((e: unknown) => e);
      expect(error, bad).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details).toEqual([{ field: 'schedule', message: expect.any(String) }]);
    }
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(1);
  });

  it('deletes, a missing schedule being no error, and translates throttling into TransientError', async () => {
    mock
      .on(DeleteScheduleCommand)
      .rejectsOnce(new ResourceNotFoundException(opts('gone')))
      .resolves({});
    await group.delete('d1');
    await group.delete('d1');
    expect(mock.commandCalls(DeleteScheduleCommand)).toHaveLength(2);
    mock.on(DeleteScheduleCommand).rejects(new ThrottlingException(opts('slow down')));
    await expect(group.delete('d1')).rejects.toBeInstanceOf(TransientError);
  });

  it('refuses a date that is not a date', async () => {
    await expect(group.putOnce('d1', new Date(Number.NaN), {})).rejects.toBeInstanceOf(ValidationError);
    expect(mock.calls()).toHaveLength(0);
  });

  it('names schedules as scheduleNameOf does', () => {
    expect(group.nameOf('acme', 'r1', 'k')).toBe(scheduleNameOf('acme', 'r1', 'k'));
    expect(group.groupName).toBe(settings.groupName);
  });
});
