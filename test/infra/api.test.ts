import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/platform/api-routes.js';
import { FUNCTIONS } from '../../functions/platform/manifest.js';
import { DEFAULT_TENANT_LIMITS, tenantUsageKey } from '../../functions/platform/tenant-limits.js';
import { PUBLIC_ROUTE_REASONS } from '../../lib/constructs/platform-api.js';
import {
  referencedIds,
  resourcesOfType,
  settleRunner,
  synthStage,
  SYNTH_TIMEOUT_MS,
  type SynthesizedStage,
} from './support/synth.js';

let s: SynthesizedStage;

interface DeployedMethod {
  key: string;
  path: string;
  method: string;
  authorizationType: string;
  authorizerId: string | undefined;
  integrationTarget: string | undefined;
  requestParameters: Record<string, boolean>;
}

/** Rebuilds each method's full resource path from the Resource parent chain of the template. */
function deployedMethods(stage: SynthesizedStage): DeployedMethod[] {
  const resources = Object.fromEntries(resourcesOfType(stage.json, 'AWS::ApiGateway::Resource'));
  const pathOf = (id: string): string => {
    const r = resources[id];
    if (!r) throw new Error(`unknown resource ${id}`);
    const parent = r.Properties!.ParentId;
    const parentPath = parent?.Ref ? pathOf(parent.Ref) : '';
    return `${parentPath}/${r.Properties!.PathPart}`;
  };
  return resourcesOfType(stage.json, 'AWS::ApiGateway::Method').map(([, m]) => {
    const p = m.Properties!;
    const path = p.ResourceId?.Ref ? pathOf(p.ResourceId.Ref) : '/';
    return {
      key: `${p.HttpMethod} ${path}`,
      path,
      method: p.HttpMethod,
      authorizationType: p.AuthorizationType,
      authorizerId: p.AuthorizerId?.Ref,
      integrationTarget: referencedIds(p.Integration?.Uri)[0],
      requestParameters: p.RequestParameters ?? {},
    };
  });
}

describe('REST API built from the route manifest', () => {
  beforeAll(async () => {
    await settleRunner();
    s = synthStage();
  }, SYNTH_TIMEOUT_MS);

  it('has exactly the methods of ROUTES, no more and no fewer', () => {
    const deployed = new Set(deployedMethods(s).map((m) => m.key));
    const declared = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    expect([...declared].filter((k) => !deployed.has(k))).toEqual([]);
    expect([...deployed].filter((k) => !declared.has(k))).toEqual([]);
    expect(deployed.size).toBe(ROUTES.length);
  });

  it('protects jwt routes with the TOKEN authorizer and leaves none routes open', () => {
    const [authorizerId] = resourcesOfType(s.json, 'AWS::ApiGateway::Authorizer').map(([id]) => id);
    const byKey = new Map(deployedMethods(s).map((m) => [m.key, m]));
    for (const route of ROUTES) {
      const m = byKey.get(`${route.method} ${route.path}`)!;
      if (route.auth === 'jwt') {
        expect(m.authorizationType, m.key).toBe('CUSTOM');
        expect(m.authorizerId, m.key).toBe(authorizerId);
      } else {
        expect(m.authorizationType, m.key).toBe('NONE');
        expect(m.authorizerId, m.key).toBeUndefined();
      }
    }
  });

  it('limits each tenant on its own: a usage plan with throttle and daily quota, one key per tenant named by the authorizer', () => {
    const api = resourcesOfType(s.json, 'AWS::ApiGateway::RestApi')[0]![1];
    expect(api.Properties!.ApiKeySourceType).toBe('AUTHORIZER');
    const plans = resourcesOfType(s.json, 'AWS::ApiGateway::UsagePlan');
    expect(plans).toHaveLength(1);
    const plan = plans[0]![1].Properties!;
    expect(plan.Throttle).toEqual({
      RateLimit: DEFAULT_TENANT_LIMITS.ratePerSecond,
      BurstLimit: DEFAULT_TENANT_LIMITS.burst,
    });
    expect(plan.Quota).toEqual({ Limit: DEFAULT_TENANT_LIMITS.quotaPerDay, Period: 'DAY' });
    const keys = resourcesOfType(s.json, 'AWS::ApiGateway::ApiKey').map(([, k]) => k.Properties!.Value);
    expect(keys.sort()).toEqual([tenantUsageKey('acme-test', 'acme'), tenantUsageKey('acme-test', 'globex')].sort());
    expect(resourcesOfType(s.json, 'AWS::ApiGateway::UsagePlanKey')).toHaveLength(2);
    const byKey = new Map(resourcesOfType(s.json, 'AWS::ApiGateway::Method').map(([, m]) => [m, m.Properties!]));
    for (const p of byKey.values())
      expect(p.ApiKeyRequired === true, `${p.HttpMethod}`).toBe(p.AuthorizationType === 'CUSTOM');
  });

  it('answers throttling and an exhausted quota with 429 RATE_LIMITED and Retry-After', () => {
    const responses = resourcesOfType(s.json, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties!);
    for (const type of ['THROTTLED', 'QUOTA_EXCEEDED']) {
      const r = responses.find((p) => p.ResponseType === type)!;
      expect(r.StatusCode, type).toBe('429');
      expect(r.ResponseParameters['gatewayresponse.header.Retry-After'], type).toMatch(/^'\d+'$/);
      expect(r.ResponseTemplates['application/json'], type).toContain('"RATE_LIMITED"');
    }
  });

  it('serves the approval callback publicly (no authorizer), with both path parameters required', () => {
    const callback = deployedMethods(s).find((m) => m.key === 'POST /api/v1/approvals/{id}/callback/{decision}')!;
    expect(callback).toBeDefined();
    expect(callback.authorizationType).toBe('NONE');
    expect(callback.authorizerId).toBeUndefined();
    expect(callback.requestParameters).toEqual({
      'method.request.path.id': true,
      'method.request.path.decision': true,
    });
    expect(callback.integrationTarget).toBe(s.logicalId(s.stack.functions.get('ApprovalCallback')!.function));
  });

  it('has a reviewed reason for every public route, and for no other', () => {
    const publicRoutes = ROUTES.filter((r) => r.auth === 'none').map((r) => `${r.method} ${r.path}`);
    expect(Object.keys(PUBLIC_ROUTE_REASONS).sort()).toEqual(publicRoutes.sort());
  });

  it('puts the static /workflows/execute beside /workflows/{id} under one parent', () => {
    const resources = resourcesOfType(s.json, 'AWS::ApiGateway::Resource');
    const workflows = resources.filter(([, r]) => r.Properties!.PathPart === 'workflows');
    expect(workflows).toHaveLength(1);
    const children = resources
      .filter(([, r]) => r.Properties!.ParentId?.Ref === workflows[0]![0])
      .map(([, r]) => r.Properties!.PathPart);
    expect(children).toEqual(expect.arrayContaining(['execute', '{id}', 'executions']));
  });

  it('routes /approve and /reject to one DecideApproval function, which dispatches on the resource suffix', () => {
    const decide = ROUTES.filter((r) => r.function === 'DecideApproval');
    expect(decide.map((r) => r.path.split('/').at(-1)).sort()).toEqual(['approve', 'reject']);
    const target = s.logicalId(s.stack.functions.get('DecideApproval')!.function);
    const byKey = new Map(deployedMethods(s).map((m) => [m.key, m]));
    for (const r of decide) expect(byKey.get(`${r.method} ${r.path}`)!.integrationTarget).toBe(target);
  });

  it('integrates every route (Lambda proxy) with the function the manifest names', () => {
    const byKey = new Map(deployedMethods(s).map((m) => [m.key, m]));
    for (const route of ROUTES) {
      const fn = s.stack.functions.get(route.function)!;
      expect(byKey.get(`${route.method} ${route.path}`)!.integrationTarget, `${route.method} ${route.path}`).toBe(
        s.logicalId(fn.function),
      );
    }
    s.template.allResourcesProperties('AWS::ApiGateway::Method', {
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
    });
  });

  it('requires the path parameters of templated routes', () => {
    for (const m of deployedMethods(s)) {
      const params = [...m.path.matchAll(/\{(\w+)\}/g)].map((x) => `method.request.path.${x[1]}`);
      for (const p of params) expect(m.requestParameters[p], `${m.key} ${p}`).toBe(true);
      if (params.length) expect(m.requestParameters, m.key).not.toEqual({});
    }
  });

  it('builds the TOKEN authorizer from the Authorizer function, Authorization header, 5 minute cache', () => {
    const authorizers = resourcesOfType(s.json, 'AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    const props = authorizers[0]![1].Properties!;
    expect(props.Type).toBe('TOKEN');
    expect(props.IdentitySource).toBe('method.request.header.Authorization');
    expect(props.AuthorizerResultTtlInSeconds).toBe(300);
    expect(referencedIds(props.AuthorizerUri)).toContain(
      s.logicalId(s.stack.functions.get(FUNCTIONS.Authorizer.name)!.function),
    );
    expect(new RegExp(props.IdentityValidationExpression).test('Bearer aaa.bbb.ccc')).toBe(true);
    expect(new RegExp(props.IdentityValidationExpression).test('Basic dXNlcjpwYXNz')).toBe(false);
  });

  it.each([
    ['UNAUTHORIZED', '401', 'UNAUTHORIZED'],
    ['ACCESS_DENIED', '403', 'FORBIDDEN'],
    ['MISSING_AUTHENTICATION_TOKEN', '404', 'NOT_FOUND'],
    ['THROTTLED', '429', 'RATE_LIMITED'],
  ])('renders the %s gateway response as the modos error body with status %s', (type, status, code) => {
    const [[, r]] = resourcesOfType(s.json, 'AWS::ApiGateway::GatewayResponse').filter(
      ([, g]) => g.Properties!.ResponseType === type,
    ) as [[string, any]];
    expect(r.Properties.StatusCode).toBe(status);
    const body = JSON.parse(r.Properties.ResponseTemplates['application/json']);
    expect(body).toEqual({ error: { code, message: expect.any(String), requestId: '$context.requestId' } });
    expect(r.Properties.ResponseParameters['gatewayresponse.header.Content-Type']).toBe("'application/json'");
  });

  it('renders DEFAULT_4XX and DEFAULT_5XX in the same error shape', () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      const [[, r]] = resourcesOfType(s.json, 'AWS::ApiGateway::GatewayResponse').filter(
        ([, g]) => g.Properties!.ResponseType === type,
      ) as [[string, any]];
      // The VTL variables are substituted by API Gateway; the skeleton must be the error envelope.
      const skeleton = (r.Properties.ResponseTemplates['application/json'] as string).replace(
        /\$context\.error\.messageString/g,
        '"m"',
      );
      expect(JSON.parse(skeleton)).toEqual({
        error: { code: expect.any(String), message: expect.any(String), requestId: '$context.requestId' },
      });
    }
  });

  it('logs access as JSON without client IPs or user agents, traces, and throttles the stage', () => {
    const [[, stage]] = resourcesOfType(s.json, 'AWS::ApiGateway::Stage') as [[string, any]];
    const p = stage.Properties;
    expect(p.TracingEnabled).toBe(true);
    expect(p.StageName).toBe('acme-test');
    const format = JSON.parse(p.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      tenantId: '$context.authorizer.tenantId',
    });
    expect(p.AccessLogSetting.Format).not.toMatch(/sourceIp|userAgent|caller|\.user\b/);
    expect(p.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      }),
    ]);
    const logGroupId = referencedIds(p.AccessLogSetting.DestinationArn)[0]!;
    expect(s.json.Resources[logGroupId]!.Properties!.RetentionInDays).toBeGreaterThan(0);
  });

  it('attaches a WAF web ACL with a per-IP rate limit to a non-dev stage', () => {
    s.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    s.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({ Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 2000 } } }),
      ]),
    });
  });

  it('outputs the API URL', () => {
    expect(Object.keys(s.json.Outputs ?? {})).toEqual(
      expect.arrayContaining(['ApiUrl', 'TableName', 'BucketName', 'EventBusName']),
    );
  });
});
