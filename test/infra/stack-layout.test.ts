/**
 * How the stage is split across CloudFormation stacks (docs/deploy.md, Stack layout): every stack of the assembly
 * stays under a budget below CloudFormation's per-template limits, the routes under /api/ live in a nested stack
 * whose only inputs are the parent's RestApi, authorizer, validator and functions, the stage deploys after every
 * method and again whenever a route changes, and the function roles carry their grants inline.
 */
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/platform/api-routes.js';
import { FUNCTIONS, type FunctionSpec, type RouteSpec } from '../../functions/platform/manifest.js';
import { DEFAULT_TENANT_LIMITS } from '../../functions/platform/tenant-limits.js';
import { GRANTS_POLICY_NAME } from '../../lib/constructs/modos-function.js';
import { NESTED_ROUTES_PREFIX, PlatformApi } from '../../lib/constructs/platform-api.js';
import {
  asArray,
  referencedIds,
  resourcesOfType,
  settleRunner,
  synthStage,
  SYNTH_TIMEOUT_MS,
  type AssemblyStack,
  type SynthesizedStage,
  type TemplateJson,
} from './support/synth.js';

/**
 * What each stack may hold: 90 % of CloudFormation's limits per template (500 resources, 200 parameters,
 * 200 outputs, 1 MB of template in S3), so growth shows up here, with room left to split further, long before a
 * deploy fails. Past the resource budget, the next step is docs/deploy.md, Stack layout.
 */
const STACK_BUDGET = { resources: 450, parameters: 180, outputs: 180, templateBytes: 900_000 } as const;

const specs = Object.values(FUNCTIONS) as FunctionSpec[];
const nestedRoutes = ROUTES.filter((r) => r.path.startsWith(NESTED_ROUTES_PREFIX));
const ownRoutes = ROUTES.filter((r) => !r.path.startsWith(NESTED_ROUTES_PREFIX));

/** A template value as text: Fn::Join flattened, Ref and Fn::GetAtt as `<Id>` / `<Id.Attr>`. */
function render(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, any>;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(render).join(o['Fn::Join'][0]);
  if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'][0]}.${o['Fn::GetAtt'][1]}>`;
  if (o.Ref) return `<${o.Ref}>`;
  throw new Error(`cannot render ${JSON.stringify(v)}`);
}

/** `METHOD /path` of every method of a template, its resource path rebuilt from the parent chain of `view`. */
function methodKeys(stackJson: TemplateJson, view: TemplateJson): Map<string, string> {
  const pathOf = (id: string): string => {
    const r = view.Resources[id]!;
    const parent = r.Properties!.ParentId;
    return `${parent?.Ref && view.Resources[parent.Ref] ? pathOf(parent.Ref) : ''}/${r.Properties!.PathPart}`;
  };
  return new Map(
    Object.entries(stackJson.Resources)
      .filter(([, r]) => r.Type === 'AWS::ApiGateway::Method')
      .map(([id, m]) => {
        const resourceId = view.Resources[id]!.Properties!.ResourceId?.Ref;
        return [id, `${m.Properties!.HttpMethod} ${resourceId ? pathOf(resourceId) : '/'}`];
      }),
  );
}

describe.each([
  ['a tenant stage', { stage: 'acme-test' }],
  ['the dev stage', { stage: 'dev', jwtIssuer: undefined, jwtAudience: undefined, jwksUrl: undefined }],
])('stack budget on %s', (_label, context) => {
  let s: SynthesizedStage;
  beforeAll(async () => {
    await settleRunner();
    s = synthStage(context);
  }, SYNTH_TIMEOUT_MS);

  it('keeps every stack of the assembly, nested ones included, under the budget', () => {
    expect(s.stacks.length).toBeGreaterThan(1);
    for (const stack of s.stacks) {
      const figures = {
        resources: Object.keys(stack.json.Resources).length,
        parameters: Object.keys(stack.json.Parameters ?? {}).length,
        outputs: Object.keys(stack.json.Outputs ?? {}).length,
        templateBytes: stack.templateBytes,
      };
      for (const [what, limit] of Object.entries(STACK_BUDGET))
        expect(figures[what as keyof typeof figures], `${stack.path}: ${what}`).toBeLessThanOrEqual(limit);
    }
  });
});

describe('stack layout', () => {
  let s: SynthesizedStage;
  let main: AssemblyStack;
  let routes: AssemblyStack;
  let nestedResourceId: string;

  beforeAll(async () => {
    await settleRunner();
    s = synthStage();
    main = s.stacks[0]!;
    routes = s.stacks.find((x) => x.stack === s.stack.platformApi.routes)!;
    const resource = s.stack.platformApi.routes.nestedStackResource!;
    nestedResourceId = s.stack.resolve(resource.logicalId) as string;
  }, SYNTH_TIMEOUT_MS);

  it('is the stage stack and the nested stack of routes, nothing else', () => {
    expect(s.stacks.map((x) => x.path)).toEqual([s.stack.node.path, s.stack.platformApi.routes.node.path]);
    expect(main.json.Resources[nestedResourceId]!.Type).toBe('AWS::CloudFormation::Stack');
  });

  it(`holds the methods of the routes under ${NESTED_ROUTES_PREFIX} in the nested stack, the others on the RestApi`, () => {
    expect(nestedRoutes.length).toBeGreaterThan(0);
    expect(ownRoutes.length).toBeGreaterThan(0);
    const keys = (routes: RouteSpec[]) => routes.map((r) => `${r.method} ${r.path}`).sort();
    expect([...methodKeys(routes.json, s.json).values()].sort()).toEqual(keys(nestedRoutes));
    expect([...methodKeys(main.json, s.json).values()].sort()).toEqual(keys(ownRoutes));
  });

  it('holds only route resources, methods and their invoke permissions in the nested stack', () => {
    const types = new Set(Object.values(routes.json.Resources).map((r) => r.Type));
    expect([...types].sort()).toEqual([
      'AWS::ApiGateway::Method',
      'AWS::ApiGateway::Resource',
      'AWS::Lambda::Permission',
    ]);
    for (const type of [
      'AWS::ApiGateway::RestApi',
      'AWS::ApiGateway::Deployment',
      'AWS::ApiGateway::Stage',
      'AWS::ApiGateway::Authorizer',
      'AWS::ApiGateway::RequestValidator',
      'AWS::ApiGateway::UsagePlan',
      'AWS::WAFv2::WebACLAssociation',
    ])
      expect(resourcesOfType(main.json, type), type).toHaveLength(1);
    expect(resourcesOfType(main.json, 'AWS::ApiGateway::GatewayResponse').length).toBeGreaterThan(0);
  });

  it('lets API Gateway invoke each route function for its own method on this stage only, one permission per method', () => {
    const restApiId = s.logicalId(s.stack.platformApi.api);
    for (const stack of [main, routes]) {
      const methods = methodKeys(stack.json, s.json);
      for (const [methodId, key] of methods) {
        const [method, path] = key.split(' ') as [string, string];
        const integrated = referencedIds(s.json.Resources[methodId]!.Properties!.Integration.Uri);
        const own = Object.entries(stack.json.Resources).filter(
          ([id, r]) =>
            r.Type === 'AWS::Lambda::Permission' &&
            render(s.json.Resources[id]!.Properties!.SourceArn) ===
              `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${restApiId}>/acme-test/${method}${path.replace(/\{\w+\}/g, '*')}`,
        );
        expect(own, key).toHaveLength(1);
        const p = s.json.Resources[own[0]![0]]!.Properties!;
        expect(p.Action).toBe('lambda:InvokeFunction');
        expect(p.Principal).toBe('apigateway.amazonaws.com');
        expect(referencedIds(p.FunctionName), key).toEqual(integrated);
      }
    }
    // Besides the methods' permissions, only the authorizer's (its own ARN as source).
    const permissions = Object.values(s.json.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Permission' && r.Properties!.Principal === 'apigateway.amazonaws.com',
    );
    expect(permissions.length).toBe(ROUTES.length + 1);
  });

  it('deploys the stage after every method exists: the Deployment depends on the nested stack and on its own methods', () => {
    const [[, deployment]] = resourcesOfType(main.json, 'AWS::ApiGateway::Deployment') as [[string, any]];
    const dependsOn = asArray(deployment.DependsOn as string[]);
    expect(dependsOn).toContain(nestedResourceId);
    for (const methodId of methodKeys(main.json, s.json).keys()) expect(dependsOn).toContain(methodId);
    const [[, stage]] = resourcesOfType(main.json, 'AWS::ApiGateway::Stage') as [[string, any]];
    expect(referencedIds(stage.Properties.DeploymentId)).toEqual([
      s.logicalId(s.stack.platformApi.api.latestDeployment!),
    ]);
  });

  it('passes the nested stack nothing that depends on it: no Stage, Deployment, usage plan or WAF association', () => {
    const parameters = main.json.Resources[nestedResourceId]!.Properties!.Parameters as Record<string, unknown>;
    expect(Object.keys(parameters).sort()).toEqual(Object.keys(routes.json.Parameters ?? {}).sort());
    const passed = new Set(referencedIds(parameters));
    const allowed = new Set([
      s.logicalId(s.stack.platformApi.api),
      s.logicalId(s.stack.platformApi.authorizer),
      ...resourcesOfType(main.json, 'AWS::ApiGateway::RequestValidator').map(([id]) => id),
      ...specs.map((f) => s.logicalId(s.stack.functions.get(f.name as never)!.function)),
    ]);
    for (const id of passed) expect(allowed.has(id), `${id} (${main.json.Resources[id]?.Type})`).toBe(true);
    expect(Object.keys(routes.json.Outputs ?? {})).toEqual([]);
  });

  it("keeps each function role's grants in one inline policy of the role, no AWS::IAM::Policy beside it", () => {
    const attached = new Set(
      resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([, p]) => referencedIds(p.Properties!.Roles)),
    );
    for (const spec of specs) {
      const roleId = s.logicalId(s.stack.functions.get(spec.name as never)!.role);
      expect(attached.has(roleId), spec.name).toBe(false);
      const policies = s.json.Resources[roleId]!.Properties!.Policies as Array<{ PolicyName: string }>;
      expect(
        policies.map((p) => p.PolicyName),
        spec.name,
      ).toEqual([GRANTS_POLICY_NAME]);
    }
  });
});

describe('the Deployment of a stage whose routes are in a nested stack', () => {
  /** The logical id of the stage's Deployment for these routes (a small stack, stand-in functions). */
  function deploymentIdFor(routes: readonly RouteSpec[], target: (name: string) => 'a' | 'b' = () => 'a'): string {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'RoutesOnly');
    const stand = (id: string) =>
      new lambda.Function(stack, id, {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('export const handler = async () => ({ statusCode: 200 })'),
      });
    const functions = { a: stand('A'), b: stand('B') };
    const api = new PlatformApi(stack, 'Http', {
      stage: 'x1',
      routes,
      functions: (name) => functions[target(name)],
      authorizer: stand('Authorizer'),
      throttleRateLimit: 10,
      throttleBurstLimit: 20,
      waf: false,
      wafRateLimitPer5Min: 2000,
      tenants: [],
      tenantLimits: DEFAULT_TENANT_LIMITS,
      logRetention: logs.RetentionDays.ONE_WEEK,
      retainLogs: false,
    });
    app.synth();
    const ids = Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>)
      .filter(([, r]) => r.Type === 'AWS::ApiGateway::Deployment')
      .map(([id]) => id);
    expect(ids).toHaveLength(1);
    expect(ids[0]).toBe(stack.resolve((api.api.latestDeployment!.node.defaultChild as CfnElement).logicalId));
    return ids[0]!;
  }

  const base: RouteSpec[] = [
    { method: 'GET', path: '/health', function: 'Health', auth: 'none' },
    { method: 'GET', path: '/api/v1/openapi.json', function: 'GetOpenApi', auth: 'jwt' },
    { method: 'GET', path: '/api/v1/entities', function: 'ListEntities', auth: 'jwt' },
    { method: 'GET', path: '/api/v1/entities/{id}', function: 'GetEntity', auth: 'jwt' },
  ];
  const [health, openApi, list, get] = base as [RouteSpec, RouteSpec, RouteSpec, RouteSpec];

  it('keeps its logical id while nothing changes', () => {
    expect(deploymentIdFor(base)).toBe(deploymentIdFor([...base]));
  });

  it.each([
    ['a route is added under /api/', [...base, { ...get, method: 'PATCH' as const }]],
    ['a route under /api/ is removed', [health, openApi, list]],
    ['a route under /api/ changes its path', [health, openApi, list, { ...get, path: '/api/v1/entities/{key}' }]],
    ['a route under /api/ becomes public', [health, { ...openApi, auth: 'none' as const }, list, get]],
    ['a route is added outside /api/', [...base, { ...list, path: '/status' }]],
  ])('gets a new logical id (a new deployment of the stage) when %s', (_label, routes) => {
    expect(deploymentIdFor(routes)).not.toBe(deploymentIdFor(base));
  });

  it('gets a new logical id when a route under /api/ is served by another function', () => {
    const other = (name: string) => (name === 'GetEntity' ? 'b' : 'a');
    expect(deploymentIdFor(base, other)).not.toBe(deploymentIdFor(base));
  });
});
