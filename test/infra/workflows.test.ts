import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FUNCTIONS,
  STATE_MACHINES,
  stateMachineAccessOf,
  type FunctionName,
  type FunctionSpec,
} from '../../functions/platform/manifest.js';
import { PROJECT_ROOT } from '../../lib/app.js';
import {
  asArray,
  findDependencyCycle,
  referencedIds,
  resourcesOfType,
  statementsOfRole,
  settleRunner,
  synthStage,
  SYNTH_TIMEOUT_MS,
  type CfnResourceJson,
  type PolicyStatementJson,
  type SynthesizedStage,
} from './support/synth.js';

let s: SynthesizedStage;
const specs = Object.values(FUNCTIONS) as FunctionSpec[];
const SFN_CALLBACKS = ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'];

const fnId = (name: FunctionName | string) => s.logicalId(s.stack.functions.get(name as FunctionName)!.function);
const lambdaOf = (name: string): CfnResourceJson => s.json.Resources[fnId(name)]!;
const envOf = (name: string) => lambdaOf(name).Properties!.Environment.Variables as Record<string, unknown>;
const statementsOf = (name: string) => statementsOfRole(s.json, referencedIds(lambdaOf(name).Properties!.Role)[0]!);
const actions = (st: PolicyStatementJson) => asArray(st.Action);
const starts = (spec: FunctionSpec) => stateMachineAccessOf(spec.name).starts.length > 0;
const callbacks = (spec: FunctionSpec) => stateMachineAccessOf(spec.name).callbacks;

/** `FunctionName` values of every Task state, recursively (Parallel branches, Map iterators). */
function taskFunctionNames(definition: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (v && typeof v === 'object') {
      const o = v as Record<string, any>;
      if (o.Type === 'Task' && typeof o.Parameters?.FunctionName === 'string') out.push(o.Parameters.FunctionName);
      Object.values(o).forEach(walk);
    }
  };
  walk(definition);
  return out;
}

describe('workflow runtime', () => {
  beforeAll(async () => {
    await settleRunner();
    s = synthStage();
  }, SYNTH_TIMEOUT_MS);

  describe.each(STATE_MACHINES.map((sm) => [sm.name, sm]))('state machine %s', (name, spec) => {
    const sm = () => s.stack.stateMachines.get(name)!;
    const props = () => s.json.Resources[s.logicalId(sm().stateMachine)]!.Properties!;

    it('is a STANDARD state machine with the definition file inlined unchanged', () => {
      expect(props().StateMachineType).toBe('STANDARD');
      expect(typeof props().DefinitionString).toBe('string');
      const file = JSON.parse(readFileSync(path.join(PROJECT_ROOT, spec.definitionFile), 'utf8'));
      expect(JSON.parse(props().DefinitionString)).toEqual(file);
    });

    it("invokes exactly the manifest's functions: every placeholder resolves to the ARN of the function it maps to", () => {
      const definition = props().DefinitionString as string;
      const substitutions = props().DefinitionSubstitutions as Record<string, unknown>;
      const placeholders = [...new Set([...definition.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))].sort();
      expect(placeholders).toEqual(Object.keys(spec.functions).sort());
      expect(Object.keys(substitutions).sort()).toEqual(Object.keys(spec.functions).sort());
      for (const [placeholder, fn] of Object.entries(spec.functions)) {
        expect(substitutions[placeholder], placeholder).toEqual({ 'Fn::GetAtt': [fnId(fn), 'Arn'] });
      }
      // Every Task names its function through a placeholder (no hard-coded ARN or name), and the
      // functions invoked after substitution are exactly the manifest's.
      const names = taskFunctionNames(JSON.parse(definition));
      expect(names.length).toBeGreaterThan(0);
      for (const n of names) expect(n, n).toMatch(/^\$\{\w+\}$/);
      const invoked = new Set(names.map((n) => referencedIds(substitutions[n.slice(2, -1)])[0]));
      expect([...invoked].sort()).toEqual([...new Set(Object.values(spec.functions).map(fnId))].sort());
    });

    it('has a role that may invoke exactly those functions, and nothing else on any resource', () => {
      const roleId = referencedIds(props().RoleArn)[0]!;
      const statements = statementsOfRole(s.json, roleId);
      const lambdaStatements = statements.filter((st) => actions(st).some((a) => a.startsWith('lambda:')));
      for (const st of lambdaStatements) expect(actions(st)).toEqual(['lambda:InvokeFunction']);
      const invokable = lambdaStatements.flatMap((st) => asArray(st.Resource as unknown[]));
      expect(invokable.map((r) => JSON.stringify(r)).sort()).toEqual(
        [...new Set(Object.values(spec.functions))]
          .map((fn) => JSON.stringify({ 'Fn::GetAtt': [fnId(fn), 'Arn'] }))
          .sort(),
      );
      // "*" only for log delivery and X-Ray, which have no resource-level permissions.
      const onStar = new Set([
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ]);
      for (const st of statements) {
        expect(st.Effect).toBe('Allow');
        if (asArray(st.Resource as unknown[]).includes('*'))
          for (const a of actions(st)) expect(onStar.has(a), `${a} on *`).toBe(true);
        else expect(actions(st), JSON.stringify(st)).toEqual(['lambda:InvokeFunction']);
      }
      const trust = JSON.stringify(s.json.Resources[roleId]!.Properties!.AssumeRolePolicyDocument);
      expect(trust).toContain('states.amazonaws.com');
    });

    it('logs to a vended-logs group with retention, without execution data, and traces', () => {
      const logging = props().LoggingConfiguration;
      expect(['ALL', 'ERROR']).toContain(logging.Level);
      expect(logging.IncludeExecutionData).toBe(false);
      const logGroupId = referencedIds(logging.Destinations)[0]!;
      expect(logGroupId).toBe(s.logicalId(sm().logGroup));
      expect(s.json.Resources[logGroupId]!.Properties).toMatchObject({
        LogGroupName: expect.stringMatching(/^\/aws\/vendedlogs\/states\//),
        RetentionInDays: expect.any(Number),
      });
      expect(props().TracingConfiguration).toEqual({ Enabled: true });
    });
  });

  describe('Step Functions access of the functions (manifest STATE_MACHINES startedBy / callbacksFrom)', () => {
    const smId = (name: string) => s.logicalId(s.stack.stateMachines.get(name)!.stateMachine);

    it.each(specs.map((f) => [f.name, f]))(
      '%s: StartExecution on exactly the state machines it starts, with their ARN variables',
      (name, spec) => {
        const startStatements = statementsOf(name).filter((st) => actions(st).includes('states:StartExecution'));
        const machines = stateMachineAccessOf(name).starts;
        for (const m of STATE_MACHINES) if (!machines.includes(m)) expect(envOf(name)[m.arnVariable]).toBeUndefined();
        expect(startStatements).toHaveLength(machines.length);
        for (const m of machines) {
          const st = startStatements.find((x) => JSON.stringify(x.Resource) === JSON.stringify({ Ref: smId(m.name) }));
          expect(st, m.name).toBeDefined();
          expect(actions(st!)).toEqual(['states:StartExecution']);
          expect(envOf(name)[m.arnVariable]).toEqual({ Ref: smId(m.name) });
        }
        expect(starts(spec)).toBe(machines.length > 0);
      },
    );

    it.each(specs.map((f) => [f.name, f]))(
      '%s: SendTaskSuccess/Failure/Heartbeat (on "*") only if it completes tasks',
      (name, spec) => {
        const callbackStatements = statementsOf(name).filter((st) =>
          actions(st).some((a) => a.startsWith('states:SendTask')),
        );
        if (!callbacks(spec)) {
          expect(callbackStatements).toEqual([]);
          return;
        }
        expect(callbackStatements).toHaveLength(1);
        expect([...actions(callbackStatements[0]!)].sort()).toEqual(SFN_CALLBACKS);
        expect(callbackStatements[0]!.Resource).toBe('*');
      },
    );

    it.each(specs.map((f) => [f.name, f]))('%s has no other states: action', (name, spec) => {
      const allowed = new Set([
        ...(starts(spec) ? ['states:StartExecution'] : []),
        ...(callbacks(spec) ? SFN_CALLBACKS : []),
      ]);
      const stateActions = statementsOf(name)
        .flatMap(actions)
        .filter((a) => a.startsWith('states:'));
      for (const a of stateActions) expect(allowed.has(a), a).toBe(true);
    });
  });

  describe('approval callback key', () => {
    const secretId = () => s.logicalId(s.stack.callbackKey.secret);

    it('is one generated secret: long, no punctuation, its value nowhere in the template', () => {
      const secrets = resourcesOfType(s.json, 'AWS::SecretsManager::Secret');
      expect(secrets.map(([id]) => id)).toEqual([secretId()]);
      const p = secrets[0]![1].Properties!;
      expect(p.SecretString).toBeUndefined();
      expect(p.GenerateSecretString.PasswordLength).toBeGreaterThanOrEqual(32);
      expect(p.GenerateSecretString.ExcludePunctuation).toBe(true);
    });

    it.each(specs.map((f) => [f.name, f]))(
      '%s reads that secret (GetSecretValue only) if and only if it has callbackKey',
      (name, spec) => {
        const secretStatements = statementsOf(name).filter((st) =>
          actions(st).some((a) => a.startsWith('secretsmanager:')),
        );
        if (!spec.callbackKey) {
          expect(secretStatements).toEqual([]);
          expect(envOf(name).CALLBACK_KEY_SECRET_ARN).toBeUndefined();
          return;
        }
        expect(secretStatements.map((st) => ({ actions: actions(st), resource: st.Resource }))).toEqual([
          { actions: ['secretsmanager:GetSecretValue'], resource: { Ref: secretId() } },
        ]);
        expect(envOf(name).CALLBACK_KEY_SECRET_ARN).toEqual({ Ref: secretId() });
      },
    );

    it('is readable by no other role of the stack', () => {
      const readers = new Set(
        specs.filter((f) => f.callbackKey).map((f) => referencedIds(lambdaOf(f.name).Properties!.Role)[0]!),
      );
      for (const [id, policy] of resourcesOfType(s.json, 'AWS::IAM::Policy')) {
        if (!referencedIds(policy.Properties!.PolicyDocument).includes(secretId())) continue;
        for (const role of referencedIds(policy.Properties!.Roles))
          expect(readers.has(role), `${id} (${role})`).toBe(true);
      }
    });
  });

  describe('PUBLIC_API_URL (base of approval callback links)', () => {
    it.each(specs.map((f) => [f.name, f]))('%s has it if and only if it has callbackKey', (name, spec) => {
      expect('PUBLIC_API_URL' in envOf(name)).toBe(Boolean(spec.callbackKey));
    });

    it("is the stage's execute-api URL built from the RestApi id alone (no reference to the Stage or Deployment)", () => {
      const restApiId = s.logicalId(s.stack.platformApi.api);
      const expected = {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: restApiId },
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/acme-test/',
          ],
        ],
      };
      for (const spec of specs.filter((f) => f.callbackKey))
        expect(envOf(spec.name).PUBLIC_API_URL, spec.name).toEqual(expected);
      // The same URL as the ApiUrl output (api.url, built from the Stage resource) once deployed.
      const stageId = s.logicalId(s.stack.platformApi.api.deploymentStage);
      const deployed: Record<string, string> = {
        [restApiId]: 'a1b2c3',
        [stageId]: 'acme-test',
        'AWS::Region': 'eu-west-1',
        'AWS::URLSuffix': 'amazonaws.com',
      };
      const render = (v: any): string =>
        typeof v === 'string' ? v : v.Ref ? deployed[v.Ref]! : v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
      expect(render(expected)).toBe('https://a1b2c3.execute-api.eu-west-1.amazonaws.com/acme-test/');
      expect(render(s.json.Outputs!.ApiUrl!.Value)).toBe(render(expected));
    });

    it('leaves every template free of dependency cycles (functions behind the API carry its URL)', () => {
      // CloudFormation checks each template on its own (a nested stack is one node of its parent's); the deployed
      // view joins them, each nested resource pointing straight at what its parameters carry.
      expect(s.stacks.length).toBeGreaterThan(1);
      for (const stack of s.stacks) expect(findDependencyCycle(stack.json), stack.path).toBeUndefined();
      expect(findDependencyCycle(s.json)).toBeUndefined();
    });

    it(
      'is the custom domain given with -c publicApiUrl',
      async () => {
        await settleRunner();
        const custom = synthStage({ publicApiUrl: 'https://api.acme.example/modos' });
        for (const spec of specs.filter((f) => f.callbackKey)) {
          const env =
            custom.json.Resources[custom.logicalId(custom.stack.functions.get(spec.name as FunctionName)!.function)]!
              .Properties!.Environment.Variables;
          expect(env.PUBLIC_API_URL, spec.name).toBe('https://api.acme.example/modos');
        }
      },
      SYNTH_TIMEOUT_MS,
    );
  });
});
