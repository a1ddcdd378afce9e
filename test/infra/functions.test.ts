import { beforeAll, describe, expect, it } from 'vitest';
import { environmentNamesOf } from '../../functions/platform/bindings.js';
import { FUNCTIONS, stateMachineAccessOf, type FunctionSpec } from '../../functions/platform/manifest.js';
import {
  asArray,
  referencedIds,
  resourcesOfType,
  statementsOfRole,
  settleRunner,
  synthStage,
  SYNTH_TIMEOUT_MS,
  type CfnResourceJson,
  type SynthesizedStage,
} from './support/synth.js';

let s: SynthesizedStage;
const specs = Object.values(FUNCTIONS) as FunctionSpec[];

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

function lambdaOf(name: string): CfnResourceJson {
  return s.json.Resources[s.logicalId(s.stack.functions.get(name as keyof typeof FUNCTIONS)!.function)]!;
}

/** Every statement of the function's role: its inline policies and any AWS::IAM::Policy attached to it. */
function statementsOf(name: string): Statement[] {
  return statementsOfRole(s.json, referencedIds(lambdaOf(name).Properties!.Role)[0]!) as Statement[];
}

const actionsOf = (name: string) => statementsOf(name).flatMap((st) => asArray(st.Action));

describe('functions built from the manifest', () => {
  beforeAll(async () => {
    await settleRunner();
    // The template without the bundles (their asset hashes aside, the same): test/infra/resolution-bundles.test.ts
    // builds them once, for every check that reads or runs one.
    s = synthStage();
  }, SYNTH_TIMEOUT_MS);

  it('deploys exactly one Lambda per FUNCTIONS entry, besides the console deployment function', () => {
    const consoleDeployment = s.logicalId(s.stack.console.deploymentFunction);
    const lambdas = resourcesOfType(s.json, 'AWS::Lambda::Function').map(([id]) => id);
    expect(lambdas).toContain(consoleDeployment);
    expect(lambdas.filter((id) => id !== consoleDeployment)).toHaveLength(specs.length);
  });

  it.each(specs.map((f) => [f.name]))(
    '%s runs nodejs22.x on arm64 with JSON logs into its own log group with retention',
    (name) => {
      const p = lambdaOf(name).Properties!;
      expect(p.Runtime).toBe('nodejs22.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.Handler).toBe('index.handler');
      expect(p.LoggingConfig.LogFormat).toBe('JSON');
      const logGroup = s.json.Resources[p.LoggingConfig.LogGroup.Ref]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties!.RetentionInDays).toBeGreaterThan(0);
      expect(p.Environment.Variables).toMatchObject({
        STAGE: 'acme-test',
        LOG_LEVEL: 'INFO',
        POWERTOOLS_SERVICE_NAME: 'modos',
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      });
    },
  );

  it.each(specs.map((f) => [f.name, f]))('%s gets exactly the env vars of its bindings', (name, spec) => {
    const env = lambdaOf(name).Properties!.Environment.Variables as Record<string, unknown>;
    // The same list the local runtime builds each function's environment from.
    expect(Object.keys(env).sort()).toEqual(environmentNamesOf(spec).sort());
    expect('TABLE_NAME' in env, 'TABLE_NAME').toBe(Boolean(spec.table));
    expect('BUCKET_NAME' in env, 'BUCKET_NAME').toBe(Boolean(spec.bucket));
    expect('EVENT_BUS_NAME' in env, 'EVENT_BUS_NAME').toBe(Boolean(spec.bus));
    expect('JWKS_URL' in env, 'JWKS_URL').toBe(Boolean(spec.jwt));
    const starts = stateMachineAccessOf(spec.name).starts.some((m) => m.name === 'WorkflowRun');
    expect('WORKFLOW_STATE_MACHINE_ARN' in env, 'WORKFLOW_STATE_MACHINE_ARN').toBe(starts);
    expect('CALLBACK_KEY_SECRET_ARN' in env, 'CALLBACK_KEY_SECRET_ARN').toBe(Boolean(spec.callbackKey));
    expect('PUBLIC_API_URL' in env, 'PUBLIC_API_URL').toBe(Boolean(spec.callbackKey));
    if (spec.table) expect(referencedIds(env.TABLE_NAME)).toEqual([s.logicalId(s.stack.table.table)]);
    if (spec.bus) expect(referencedIds(env.EVENT_BUS_NAME)).toEqual([s.logicalId(s.stack.platformBus.bus)]);
  });

  it.each(specs.map((f) => [f.name]))(
    '%s never allows http loopback webhooks (a local-runtime-only switch)',
    (name) => {
      const env = lambdaOf(name).Properties!.Environment.Variables as Record<string, unknown>;
      expect(env.ALLOW_HTTP_LOOPBACK_WEBHOOKS ?? 'false', name).toBe('false');
      expect(env.LOOPBACK_WEBHOOK_PORTS, name).toBeUndefined();
    },
  );

  it('passes the stage identity provider to the authorizer only', () => {
    const env = lambdaOf('Authorizer').Properties!.Environment.Variables;
    expect(env).toMatchObject({
      JWT_ISSUER: 'https://idp.example.com/tenants/acme/',
      JWT_AUDIENCE: 'modos-acme',
      JWKS_URL: 'https://idp.example.com/tenants/acme/.well-known/jwks.json',
    });
  });

  describe('least privilege', () => {
    it('gives no policy statement Action "*" or a service wildcard such as dynamodb:*', () => {
      for (const [id, p] of [
        ...resourcesOfType(s.json, 'AWS::IAM::Policy'),
        ...resourcesOfType(s.json, 'AWS::IAM::Role'),
      ]) {
        const docs =
          p.Type === 'AWS::IAM::Policy'
            ? [p.Properties!.PolicyDocument]
            : (p.Properties!.Policies ?? []).map((x: any) => x.PolicyDocument);
        for (const st of docs.flatMap((d: any) => d.Statement as Statement[])) {
          for (const action of asArray(st.Action)) expect(action, id).not.toMatch(/(^\*$)|(:\*$)/);
        }
      }
    });

    it('uses Resource "*" only for actions that have no resource-level permissions', () => {
      const allowedOnStar = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams']);
      // Step Functions task-token callbacks: the token, not an ARN, names the task. Only on functions
      // whose manifest entry asks for callbacks.
      const sfnCallbacks = new Set(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']);
      for (const spec of specs) {
        const callbacks = stateMachineAccessOf(spec.name).callbacks;
        for (const st of statementsOf(spec.name).filter((x) => asArray(x.Resource as string).includes('*'))) {
          for (const action of asArray(st.Action)) {
            expect(
              allowedOnStar.has(action) || (callbacks && sfnCallbacks.has(action)),
              `${spec.name}: ${action} on *`,
            ).toBe(true);
          }
        }
      }
    });

    it.each(specs.filter((f) => f.table === 'read').map((f) => [f.name]))(
      '%s (read) cannot write the table',
      (name) => {
        const actions = actionsOf(name);
        for (const a of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'])
          expect(actions).not.toContain(a);
        expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      },
    );

    it.each(specs.filter((f) => f.table === 'write').map((f) => [f.name]))(
      '%s (write) can commit its transactions',
      (name) => {
        expect(actionsOf(name)).toEqual(
          expect.arrayContaining([
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:ConditionCheckItem',
            'dynamodb:GetItem',
          ]),
        );
      },
    );

    it('gives no table item access to functions without a table binding, and never Scan', () => {
      for (const spec of specs) {
        const itemActions = actionsOf(spec.name).filter(
          (a) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a),
        );
        if (!spec.table) expect(itemActions, spec.name).toEqual([]);
        expect(itemActions, spec.name).not.toContain('dynamodb:Scan');
      }
    });

    it('lets only bus-bound functions put events, and only on the platform bus', () => {
      const busId = s.logicalId(s.stack.platformBus.bus);
      for (const spec of specs) {
        const puts = statementsOf(spec.name).filter((st) => asArray(st.Action).includes('events:PutEvents'));
        if (!spec.bus) {
          expect(puts, spec.name).toEqual([]);
          continue;
        }
        expect(puts.length, spec.name).toBeGreaterThan(0);
        for (const st of puts) {
          expect(st.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
          expect(asArray(st.Action)).toEqual(['events:PutEvents']);
        }
      }
    });

    it('lets each function write only its own log group (no AWSLambdaBasicExecutionRole)', () => {
      for (const spec of specs) {
        const logGroupId = lambdaOf(spec.name).Properties!.LoggingConfig.LogGroup.Ref;
        const logStatements = statementsOf(spec.name).filter((st) =>
          asArray(st.Action).some((a) => a.startsWith('logs:')),
        );
        expect(
          logStatements.map((st) => st.Resource),
          spec.name,
        ).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
      }
      for (const [, role] of resourcesOfType(s.json, 'AWS::IAM::Role')) {
        expect(JSON.stringify(role.Properties!.ManagedPolicyArns ?? [])).not.toContain('AWSLambdaBasicExecutionRole');
      }
    });
  });
});
