/**
 * The schedule groups of the manifest (SCHEDULE_GROUPS) in the synthesized template: one Scheduler group each,
 * named after the stage, with an execution role only Scheduler (for that group's schedules, in this account) may
 * assume and that may only invoke the group's target and send to the group's dead-letter queue; the functions whose
 * `schedules` name a group get its four variables, the four schedule actions on its schedules and iam:PassRole of
 * its role only, and no other function gets any of it. The connector syncs' resources keep the logical ids they
 * were first deployed with.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scheduleGroupEnv } from '../../functions/platform/bindings.js';
import { FUNCTIONS, scheduleGroups, type FunctionSpec } from '../../functions/platform/manifest.js';
import { SCHEDULER_ACTIONS } from '../../lib/constructs/schedule-group-resources.js';
import { STAGE_PATTERN } from '../../lib/stage-config.js';
import {
  asArray,
  referencedIds,
  resourcesOfType,
  statementsOfRole,
  settleRunner,
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

const STAGE = 'acme-test';
const specs = Object.values(FUNCTIONS) as FunctionSpec[];
const groups = scheduleGroups();
const schedulesArn = (groupName: string) =>
  `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*`;

describe('schedule groups', () => {
  let s: SynthesizedStage;
  const resources = (name: string) => s.stack.scheduleGroups.get(name as never)!;
  const ids = (name: string) => ({
    role: s.logicalId(resources(name).role),
    queue: s.logicalId(resources(name).deadLetterQueue),
    target: lambdaId(groups.find((g) => g.name === name)!.target),
  });
  const roleOf = (fn: string) => s.logicalId(s.stack.functions.get(fn as never)!.role);
  const lambdaId = (fn: string) => s.logicalId(s.stack.functions.get(fn as never)!.function);

  beforeAll(async () => {
    await settleRunner();
    s = synthStage();
  }, SYNTH_TIMEOUT_MS);

  it('has one Scheduler group per manifest group, named after the stage', () => {
    const names = resourcesOfType(s.json, 'AWS::Scheduler::ScheduleGroup').map(([, g]) => g.Properties!.Name);
    expect(names.sort()).toEqual(groups.map((g) => g.groupName(STAGE)).sort());
    expect(groups.map((g) => g.groupName('acme-test'))).toContain('modos-acme-test-connector-syncs');
  });

  it('gives every group a valid, distinct Scheduler name for every stage name the stack accepts', () => {
    for (const stage of ['ab', 'a'.repeat(21), 'z9-'.repeat(7)]) {
      expect(stage).toMatch(STAGE_PATTERN);
      const names = groups.map((g) => g.groupName(stage));
      for (const name of names) expect(name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('keeps the logical ids the connector sync schedules were deployed with (no replacement of the group)', () => {
    const sync = resources('connectorSyncs');
    expect(s.logicalId(sync.group)).toBe('SyncSchedulesGroupA500F665');
    expect(s.logicalId(sync.role)).toBe('SyncSchedulesRole202E4114');
    expect(s.logicalId(sync.deadLetterQueue)).toBe('SyncSchedulesDeadLettersC54B1817');
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    expect(alarms).toContain('SyncSchedulesDeadLettersNotEmpty6B5A088A');
  });

  describe.each(groups.map((g) => [g.name, g] as const))('%s', (name, group) => {
    it('has an execution role only Scheduler may assume, for the schedules of this group in this account', () => {
      const trust = s.json.Resources[ids(name).role]!.Properties!.AssumeRolePolicyDocument.Statement;
      expect(trust).toHaveLength(1);
      expect(trust[0].Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
      expect(trust[0].Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
      expect(render(trust[0].Condition.ArnLike['aws:SourceArn'])).toBe(schedulesArn(group.groupName(STAGE)));
    });

    it(`lets that role invoke ${group.target} and send to the group's dead-letter queue, nothing else`, () => {
      const { role, queue, target } = ids(name);
      const statements = statementsOfRole(s.json, role);
      expect(statements.map((st) => ({ actions: asArray(st.Action), resources: referencedIds(st.Resource) }))).toEqual([
        { actions: ['lambda:InvokeFunction'], resources: [target] },
        { actions: ['sqs:SendMessage'], resources: [queue] },
      ]);
      expect(statements.every((st) => st.Effect === 'Allow')).toBe(true);
    });

    it('binds the group name, role, target and queue into the functions that write its schedules', () => {
      const bound = specs.filter((f) => f.schedules?.includes(name));
      expect(bound.length).toBeGreaterThan(0);
      const env = scheduleGroupEnv(name);
      const { role, queue, target } = ids(name);
      for (const spec of bound) {
        const vars = s.json.Resources[lambdaId(spec.name)]!.Properties!.Environment.Variables;
        expect(vars[env.group]).toBe(group.groupName(STAGE));
        expect(referencedIds(vars[env.roleArn])).toEqual([role]);
        if (spec.name === group.target) {
          // The target writes its own group's schedules: its ARN from its name, as its own ARN would make it
          // depend on itself.
          const functionName = s.json.Resources[target]!.Properties!.FunctionName;
          expect(functionName).toBe(`modos-${STAGE}-${spec.name}`);
          expect(render(vars[env.targetArn])).toBe(
            `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${functionName}`,
          );
        } else expect(referencedIds(vars[env.targetArn])).toEqual([target]);
        expect(referencedIds(vars[env.deadLetterArn])).toEqual([queue]);
      }
      for (const spec of specs.filter((f) => !f.schedules?.includes(name))) {
        const vars = s.json.Resources[lambdaId(spec.name)]!.Properties!.Environment.Variables;
        for (const variable of Object.values(env))
          expect(vars, `${spec.name} ${variable}`).not.toHaveProperty(variable);
      }
    });

    it(`sends ${group.target}'s handler failures to a queue after Lambda's retries, and alarms on the group's queue`, () => {
      const { queue, target } = ids(name);
      const configs = resourcesOfType(s.json, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) =>
        referencedIds(c.Properties!.FunctionName).includes(target),
      );
      expect(configs).toHaveLength(1);
      const props = configs[0]![1].Properties!;
      expect(props.MaximumRetryAttempts).toBe(2);
      expect(referencedIds(props.DestinationConfig.OnFailure.Destination)).toHaveLength(1);
      expect(s.json.Resources[queue]!.Properties!.SqsManagedSseEnabled).toBe(true);
      const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
        referencedIds(a.Properties!.Dimensions).includes(queue),
      );
      expect(alarms).toHaveLength(1);
      expect(alarms[0]![1].Properties!.Threshold).toBe(0);
    });
  });

  it('sends ScheduledSync handler failures to the connector syncs’ queue', () => {
    const { queue, target } = ids('connectorSyncs');
    const config = resourcesOfType(s.json, 'AWS::Lambda::EventInvokeConfig').find(([, c]) =>
      referencedIds(c.Properties!.FunctionName).includes(target),
    )!;
    expect(referencedIds(config[1].Properties!.DestinationConfig.OnFailure.Destination)).toEqual([queue]);
  });

  it.each(specs.map((f) => [f.name, f]))('%s: the schedule actions and PassRole of its groups only', (name, spec) => {
    const statements = statementsOfRole(s.json, roleOf(name));
    const schedulerStatements = statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('scheduler:')));
    const passRole = statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('iam:')));
    const bound = spec.schedules ?? [];
    expect(schedulerStatements.map((st) => render(st.Resource)).sort()).toEqual(
      bound.map((g) => schedulesArn(groups.find((x) => x.name === g)!.groupName(STAGE))).sort(),
    );
    for (const st of schedulerStatements) expect(asArray(st.Action).sort()).toEqual([...SCHEDULER_ACTIONS].sort());
    expect(passRole.flatMap((st) => referencedIds(st.Resource)).sort()).toEqual(bound.map((g) => ids(g).role).sort());
    for (const st of passRole) {
      expect(asArray(st.Action)).toEqual(['iam:PassRole']);
      expect((st as unknown as { Condition: unknown }).Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    }
  });

  it('names only the functions that write schedules of a group they are the target of (the others keep generated names)', () => {
    const schedulesItself = specs
      .filter((f) => (f.schedules ?? []).some((g) => groups.find((x) => x.name === g)!.target === f.name))
      .map((f) => f.name);
    // SignalDeadline re-arms deadlines that invoke itself; without such a function this would prove nothing.
    expect(schedulesItself.length).toBeGreaterThan(0);
    const named = specs.filter((f) => s.json.Resources[lambdaId(f.name)]!.Properties!.FunctionName !== undefined);
    expect(named.map((f) => f.name)).toEqual(schedulesItself);
  });

  it('binds the connector functions that write sync schedules, and only them, to connectorSyncs', () => {
    const bound = specs.filter((f) => f.schedules?.includes('connectorSyncs')).map((f) => f.name);
    expect(bound.sort()).toEqual(['CreateConnector', 'DeleteConnector', 'UpdateConnector']);
  });
});
