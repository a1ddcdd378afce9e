import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { resetClients, schedulerClient } from '../../../functions/platform/aws-clients.js';
import { environmentNamesOf, scheduleGroupEnv } from '../../../functions/platform/bindings.js';
import {
  ConfigurationError,
  loadConfig,
  resetConfig,
  scheduleGroupSettings,
} from '../../../functions/platform/config.js';
import { FUNCTIONS, scheduleGroups, type FunctionSpec } from '../../../functions/platform/manifest.js';
import {
  resetScheduleGroups,
  scheduleGroup,
  syncScheduler,
} from '../../../functions/platform/scheduler-composition.js';

const base = { STAGE: 'acme-test', AWS_REGION: 'eu-west-1', LOG_LEVEL: 'ERROR' };
const schedulerEnv = {
  SCHEDULES_CONNECTOR_SYNCS_GROUP: 'modos-acme-test-connector-syncs',
  SCHEDULES_CONNECTOR_SYNCS_ROLE_ARN: 'arn:aws:iam::123456789012:role/sync-scheduler',
  SCHEDULES_CONNECTOR_SYNCS_TARGET_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:ScheduledSync',
  SCHEDULES_CONNECTOR_SYNCS_DLQ_ARN: 'arn:aws:sqs:eu-west-1:123456789012:sync-dlq',
};
const SCHEDULER_VARS = Object.keys(schedulerEnv);

describe('the schedule group bindings', () => {
  afterEach(() => {
    for (const k of [...SCHEDULER_VARS, 'MODOS_SCHEDULER_ENDPOINT']) delete process.env[k];
    resetConfig();
    resetClients();
    resetScheduleGroups();
  });

  it('names the variables of a group from its key', () => {
    expect(Object.values(scheduleGroupEnv('connectorSyncs')).sort()).toEqual([...SCHEDULER_VARS].sort());
  });

  it('gives each group’s variables to exactly the functions whose schedules name it', () => {
    for (const group of scheduleGroups()) {
      const vars = Object.values(scheduleGroupEnv(group.name));
      for (const spec of Object.values(FUNCTIONS) as FunctionSpec[]) {
        const names = environmentNamesOf(spec);
        const bound = Boolean(spec.schedules?.includes(group.name));
        for (const v of vars) expect(names.includes(v), `${spec.name} ${v}`).toBe(bound);
      }
    }
    expect(environmentNamesOf(FUNCTIONS.ScheduledSync)).not.toContain('SCHEDULES_CONNECTOR_SYNCS_GROUP');
  });

  it('fails at init when a bound function lacks one, naming it', () => {
    const env = { ...base, MODOS_FUNCTION: 'DeleteConnector', TABLE_NAME: 't' };
    expect(() => loadConfig(env)).toThrow(
      /DeleteConnector is missing SCHEDULES_CONNECTOR_SYNCS_GROUP, SCHEDULES_CONNECTOR_SYNCS_ROLE_ARN/,
    );
    const { SCHEDULES_CONNECTOR_SYNCS_DLQ_ARN: _, ...withoutDlq } = schedulerEnv;
    expect(() => loadConfig({ ...env, ...withoutDlq })).toThrow(/missing SCHEDULES_CONNECTOR_SYNCS_DLQ_ARN/);
    expect(() => loadConfig({ ...env, ...schedulerEnv })).not.toThrow();
  });

  it('has no defaults: an unbound function reading a group’s settings is told which variables', () => {
    expect(() => scheduleGroupSettings('connectorSyncs', base)).toThrow(ConfigurationError);
    expect(() => scheduleGroupSettings('connectorSyncs', base)).toThrow(
      /SCHEDULES_CONNECTOR_SYNCS_GROUP, .*SCHEDULES_CONNECTOR_SYNCS_DLQ_ARN are not set: this function does not write the connectorSyncs schedules/,
    );
    expect(() =>
      scheduleGroupSettings('connectorSyncs', { ...schedulerEnv, SCHEDULES_CONNECTOR_SYNCS_ROLE_ARN: 'role' }),
    ).toThrow(/SCHEDULES_CONNECTOR_SYNCS_ROLE_ARN: /);
    expect(() =>
      scheduleGroupSettings('connectorSyncs', { ...schedulerEnv, SCHEDULES_CONNECTOR_SYNCS_GROUP: 'a/b' }),
    ).toThrow(/SCHEDULES_CONNECTOR_SYNCS_GROUP: a schedule group name/);
    expect(scheduleGroupSettings('connectorSyncs', schedulerEnv)).toEqual({
      groupName: schedulerEnv.SCHEDULES_CONNECTOR_SYNCS_GROUP,
      roleArn: schedulerEnv.SCHEDULES_CONNECTOR_SYNCS_ROLE_ARN,
      targetArn: schedulerEnv.SCHEDULES_CONNECTOR_SYNCS_TARGET_ARN,
      deadLetterArn: schedulerEnv.SCHEDULES_CONNECTOR_SYNCS_DLQ_ARN,
    });
  });

  it('scheduleGroup() of an unbound function throws ConfigurationError before calling Scheduler', () => {
    expect(() => scheduleGroup('connectorSyncs')).toThrow(ConfigurationError);
  });

  it('points the one client at the local endpoint when MODOS_SCHEDULER_ENDPOINT is set', async () => {
    Object.assign(process.env, { MODOS_SCHEDULER_ENDPOINT: 'http://127.0.0.1:4599' });
    resetConfig();
    const endpoint = await schedulerClient().config.endpoint?.();
    expect(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`).toBe('http://127.0.0.1:4599');
    expect(schedulerClient()).toBe(schedulerClient());
  });

  it('syncScheduler() writes schedules with the bound group, role, target, queue and the group’s retries', async () => {
    Object.assign(process.env, schedulerEnv);
    resetConfig();
    const mock = mockClient(SchedulerClient);
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
    try {
      expect(scheduleGroup('connectorSyncs')).toBe(scheduleGroup('connectorSyncs'));
      expect(scheduleGroup('connectorSyncs').groupName).toBe(schedulerEnv.SCHEDULES_CONNECTOR_SYNCS_GROUP);
      await syncScheduler().put('acme', 'c1', 'rate(1 hour)');
      const input = mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
      expect(input.GroupName).toBe(schedulerEnv.SCHEDULES_CONNECTOR_SYNCS_GROUP);
      expect(input.Target).toMatchObject({
        Arn: schedulerEnv.SCHEDULES_CONNECTOR_SYNCS_TARGET_ARN,
        RoleArn: schedulerEnv.SCHEDULES_CONNECTOR_SYNCS_ROLE_ARN,
        DeadLetterConfig: { Arn: schedulerEnv.SCHEDULES_CONNECTOR_SYNCS_DLQ_ARN },
        RetryPolicy: { MaximumEventAgeInSeconds: 21_600, MaximumRetryAttempts: 185 },
      });
    } finally {
      mock.restore();
    }
  });
});
