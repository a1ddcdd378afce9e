import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { resetClients, schedulerClient } from '../../../functions/platform/aws-clients.js';
import { bindingsOf, environmentNamesOf } from '../../../functions/platform/bindings.js';
import { ConfigurationError, loadConfig, resetConfig } from '../../../functions/platform/config.js';
import { FUNCTIONS, type FunctionSpec } from '../../../functions/platform/manifest.js';
import { resetSyncScheduler, syncScheduler } from '../../../functions/platform/scheduler-composition.js';

const base = { STAGE: 'acme-test', AWS_REGION: 'eu-west-1', LOG_LEVEL: 'ERROR' };
const schedulerEnv = {
  SCHEDULE_GROUP_NAME: 'modos-acme-test-connector-syncs',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/sync-scheduler',
  SCHEDULED_SYNC_FUNCTION_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:ScheduledSync',
  SCHEDULER_DLQ_ARN: 'arn:aws:sqs:eu-west-1:123456789012:sync-dlq',
};
const SCHEDULER_VARS = Object.keys(schedulerEnv);

describe('the scheduler binding', () => {
  afterEach(() => {
    for (const k of [...SCHEDULER_VARS, 'MODOS_SCHEDULER_ENDPOINT']) delete process.env[k];
    resetConfig();
    resetClients();
    resetSyncScheduler();
  });

  it('gives exactly the functions with scheduler: true the four variables', () => {
    for (const spec of Object.values(FUNCTIONS) as FunctionSpec[]) {
      const names = environmentNamesOf(spec);
      for (const v of SCHEDULER_VARS) expect(names.includes(v), `${spec.name} ${v}`).toBe(Boolean(spec.scheduler));
    }
    expect(bindingsOf(FUNCTIONS.DeleteConnector)).toContain('scheduler');
    expect(bindingsOf(FUNCTIONS.ScheduledSync)).not.toContain('scheduler');
  });

  it('fails at init when a bound function lacks one, naming it', () => {
    const env = { ...base, MODOS_FUNCTION: 'DeleteConnector', TABLE_NAME: 't' };
    expect(() => loadConfig(env)).toThrow(/DeleteConnector is missing SCHEDULE_GROUP_NAME, SCHEDULER_ROLE_ARN/);
    const { SCHEDULER_DLQ_ARN: _, ...withoutDlq } = schedulerEnv;
    expect(() => loadConfig({ ...env, ...withoutDlq })).toThrow(/missing SCHEDULER_DLQ_ARN/);
    expect(loadConfig({ ...env, ...schedulerEnv }).SCHEDULE_GROUP_NAME).toBe(schedulerEnv.SCHEDULE_GROUP_NAME);
  });

  it('has no defaults: an unbound function reading them is told which variable', () => {
    const c = loadConfig(base);
    expect(() => c.SCHEDULE_GROUP_NAME).toThrow(ConfigurationError);
    expect(() => c.SCHEDULED_SYNC_FUNCTION_ARN).toThrow(/SCHEDULED_SYNC_FUNCTION_ARN is not set/);
    expect(() => loadConfig({ ...base, SCHEDULER_ROLE_ARN: 'role' })).toThrow(/SCHEDULER_ROLE_ARN/);
  });

  it('points the one client at the local endpoint when MODOS_SCHEDULER_ENDPOINT is set', async () => {
    Object.assign(process.env, { MODOS_SCHEDULER_ENDPOINT: 'http://127.0.0.1:4599' });
    resetConfig();
    const endpoint = await schedulerClient().config.endpoint?.();
    expect(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`).toBe('http://127.0.0.1:4599');
    expect(schedulerClient()).toBe(schedulerClient());
  });

  it('syncScheduler() writes schedules with the bound group, role, target and queue', async () => {
    Object.assign(process.env, schedulerEnv);
    resetConfig();
    const mock = mockClient(SchedulerClient);
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
    try {
      await syncScheduler().put('acme', 'c1', 'rate(1 hour)');
      const input = mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
      expect(input.GroupName).toBe(schedulerEnv.SCHEDULE_GROUP_NAME);
      expect(input.Target).toMatchObject({
        Arn: schedulerEnv.SCHEDULED_SYNC_FUNCTION_ARN,
        RoleArn: schedulerEnv.SCHEDULER_ROLE_ARN,
        DeadLetterConfig: { Arn: schedulerEnv.SCHEDULER_DLQ_ARN },
      });
    } finally {
      mock.restore();
    }
  });
});
