/**
 * The connector sync schedules in the synthesized template: one schedule group per stage, an execution role only
 * Scheduler (for this group's schedules, in this account) may assume and that may only invoke ScheduledSync and
 * send to the dead-letter queue, and for the functions with the `scheduler` binding, exactly the four schedule
 * actions on this group's schedules and iam:PassRole of that role only; no other function gets either.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, SYNC_SCHEDULES, type FunctionSpec } from '../../functions/platform/manifest.js';
import { SCHEDULER_ACTIONS } from '../../lib/constructs/sync-schedules.js';
import {
  asArray,
  referencedIds,
  resourcesOfType,
  statementsOfRole,
  synthStage,
  SYNTH_TIMEOUT_MS,
  type SynthesizedStage,
} from './support/synth.js';

/** A template value as text: Fn::Join flattened, Ref and Fn::GetAtt as `<Id>` / `<Id.Attr>`. */
function render(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, any>;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(render).join(o['Fn::Join'][0]);
  if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'][0]}.${o['Fn::GetAtt'][1]}>`;
  if (o.Ref) return `<${o.Ref}>`;
  throw new Error(`cannot render ${JSON.stringify(v)}`);
}

const specs = Object.values(FUNCTIONS) as FunctionSpec[];
const GROUP = SYNC_SCHEDULES.groupName('acme-test');
const SCHEDULES_ARN = `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${GROUP}/*`;

describe('connector sync schedules', () => {
  let s: SynthesizedStage;
  let ids: { role: string; queue: string; target: string };
  const roleOf = (name: string) => {
    const fn = s.stack.functions.get(name as never)!;
    return s.logicalId(fn.role);
  };
  const lambdaId = (name: string) => s.logicalId(s.stack.functions.get(name as never)!.function);

  beforeAll(() => {
    s = synthStage();
    ids = {
      role: s.logicalId(s.stack.syncSchedules.role),
      queue: s.logicalId(s.stack.syncSchedules.deadLetterQueue),
      target: lambdaId(SYNC_SCHEDULES.target),
    };
  }, SYNTH_TIMEOUT_MS);

  it('has one schedule group, named after the stage', () => {
    const groups = resourcesOfType(s.json, 'AWS::Scheduler::ScheduleGroup');
    expect(groups.map(([, g]) => g.Properties!.Name)).toEqual([GROUP]);
    expect(GROUP).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
  });

  it('has an execution role only Scheduler may assume, for the schedules of this group in this account', () => {
    const trust = s.json.Resources[ids.role]!.Properties!.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust[0].Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(render(trust[0].Condition.ArnLike['aws:SourceArn'])).toBe(SCHEDULES_ARN);
  });

  it('lets that role invoke ScheduledSync and send to the dead-letter queue, nothing else', () => {
    const statements = statementsOfRole(s.json, ids.role);
    expect(statements.map((st) => ({ actions: asArray(st.Action), resources: referencedIds(st.Resource) }))).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: [ids.target] },
      { actions: ['sqs:SendMessage'], resources: [ids.queue] },
    ]);
    expect(statements.every((st) => st.Effect === 'Allow')).toBe(true);
  });

  it.each(specs.map((f) => [f.name, f]))('%s: the schedule actions and PassRole exactly when bound', (name, spec) => {
    const statements = statementsOfRole(s.json, roleOf(name));
    const schedulerStatements = statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('scheduler:')));
    const passRole = statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('iam:')));
    if (!spec.scheduler) {
      expect(schedulerStatements).toEqual([]);
      expect(passRole).toEqual([]);
      return;
    }
    expect(schedulerStatements).toHaveLength(1);
    expect(asArray(schedulerStatements[0]!.Action).sort()).toEqual([...SCHEDULER_ACTIONS].sort());
    expect(render(schedulerStatements[0]!.Resource)).toBe(SCHEDULES_ARN);
    expect(passRole).toHaveLength(1);
    expect(asArray(passRole[0]!.Action)).toEqual(['iam:PassRole']);
    expect(referencedIds(passRole[0]!.Resource)).toEqual([ids.role]);
    expect((passRole[0] as unknown as { Condition: unknown }).Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
  });

  it('binds the group, role, target and queue into the functions that write schedules', () => {
    const bound = specs.filter((f) => f.scheduler);
    expect(bound.map((f) => f.name).sort()).toEqual(['CreateConnector', 'DeleteConnector', 'UpdateConnector']);
    for (const spec of bound) {
      const env = s.json.Resources[lambdaId(spec.name)]!.Properties!.Environment.Variables;
      expect(env.SCHEDULE_GROUP_NAME).toBe(GROUP);
      expect(referencedIds(env.SCHEDULER_ROLE_ARN)).toEqual([ids.role]);
      expect(referencedIds(env.SCHEDULED_SYNC_FUNCTION_ARN)).toEqual([ids.target]);
      expect(referencedIds(env.SCHEDULER_DLQ_ARN)).toEqual([ids.queue]);
    }
  });

  it('sends ScheduledSync handler failures to the same queue after Lambda’s retries, and alarms on it', () => {
    const configs = resourcesOfType(s.json, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) =>
      referencedIds(c.Properties!.FunctionName).includes(ids.target),
    );
    expect(configs).toHaveLength(1);
    const props = configs[0]![1].Properties!;
    expect(props.MaximumRetryAttempts).toBe(2);
    expect(referencedIds(props.DestinationConfig.OnFailure.Destination)).toEqual([ids.queue]);
    const queue = s.json.Resources[ids.queue]!.Properties!;
    expect(queue.SqsManagedSseEnabled).toBe(true);
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
      referencedIds(a.Properties!.Dimensions).includes(ids.queue),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties!.Threshold).toBe(0);
  });
});
