import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { AUTHORIZER, type FunctionName, type RouteSpec } from '../../functions/platform/manifest.js';
import { tenantUsageKey, type TenantLimits } from '../../functions/platform/tenant-limits.js';
import { addRouteMethod, RouteMethodsStack, type RouteMethodOptions } from './route-methods.js';

export interface PlatformApiProps {
  stage: string;
  routes: readonly RouteSpec[];
  functions: (name: FunctionName) => lambda.IFunction;
  authorizer: lambda.IFunction;
  throttleRateLimit: number;
  throttleBurstLimit: number;
  waf: boolean;
  wafRateLimitPer5Min: number;
  /** Tenants with their own key in the usage plan; empty: no per-tenant limits (dev only). */
  tenants: readonly string[];
  tenantLimits: TenantLimits;
  logRetention: logs.RetentionDays;
  retainLogs: boolean;
}

/**
 * `{ "error": { code, message, requestId } }`, as local/api-server.ts renders gateway errors.
 * `code` may name a `$context` variable (substituted inside its quotes); a `{ vtl }` message is a
 * variable that already renders as a quoted JSON string, such as `$context.error.messageString`.
 */
function errorTemplate(code: string, message: string | { vtl: string }): string {
  const m = typeof message === 'string' ? JSON.stringify(message) : message.vtl;
  return `{"error":{"code":${JSON.stringify(code)},"message":${m},"requestId":"$context.requestId"}}`;
}

/**
 * API Gateway's own responses (authorizer refusal, unknown route, throttling, validation, WAF) in the
 * modos error shape, so a client parses one error format whoever answered.
 */
export const GATEWAY_RESPONSES: ReadonlyArray<{
  id: string;
  type: apigw.ResponseType;
  status?: string;
  code: string;
  message: string | { vtl: string };
  retryAfter?: string;
}> = [
  {
    id: 'Unauthorized',
    type: apigw.ResponseType.UNAUTHORIZED,
    status: '401',
    code: 'UNAUTHORIZED',
    message: 'Unauthorized',
  },
  {
    id: 'AccessDenied',
    type: apigw.ResponseType.ACCESS_DENIED,
    status: '403',
    code: 'FORBIDDEN',
    message: 'Forbidden',
  },
  // A REST API answers an unknown path or method with 403 "Missing Authentication Token"; the local
  // runtime (and a client) expects 404.
  {
    id: 'MissingRoute',
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: '404',
    code: 'NOT_FOUND',
    message: 'no such route',
  },
  {
    id: 'Throttled',
    type: apigw.ResponseType.THROTTLED,
    status: '429',
    code: 'RATE_LIMITED',
    message: 'Too many requests',
    retryAfter: '1',
  },
  {
    id: 'QuotaExceeded',
    type: apigw.ResponseType.QUOTA_EXCEEDED,
    status: '429',
    code: 'RATE_LIMITED',
    message: 'daily request quota exceeded',
    retryAfter: '3600',
  },
  {
    id: 'TooLarge',
    type: apigw.ResponseType.REQUEST_TOO_LARGE,
    status: '413',
    code: 'VALIDATION_ERROR',
    message: 'request body too large',
  },
  {
    id: 'BadParameters',
    type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
    status: '400',
    code: 'VALIDATION_ERROR',
    message: { vtl: '$context.error.messageString' },
  },
  {
    id: 'BadBody',
    type: apigw.ResponseType.BAD_REQUEST_BODY,
    status: '400',
    code: 'VALIDATION_ERROR',
    message: { vtl: '$context.error.messageString' },
  },
  { id: 'WafFiltered', type: apigw.ResponseType.WAF_FILTERED, status: '403', code: 'FORBIDDEN', message: 'Forbidden' },
  {
    id: 'Default4xx',
    type: apigw.ResponseType.DEFAULT_4XX,
    code: '$context.error.responseType',
    message: { vtl: '$context.error.messageString' },
  },
  { id: 'Default5xx', type: apigw.ResponseType.DEFAULT_5XX, code: 'INTERNAL_ERROR', message: 'internal error' },
];

/**
 * Why each public (`auth: 'none'`) route of the manifest may skip the authorizer: the reason becomes
 * the cdk-nag acknowledgement of its method. A public route without an entry fails synthesis, so making
 * a route public is always a reviewed change here, not only a flag in the manifest.
 */
export const PUBLIC_ROUTE_REASONS: Readonly<Record<string, string>> = {
  'GET /health':
    'GET /health is public by design (auth: none in the route manifest): a liveness answer that carries no tenant data.',
  'GET /api/v1/openapi.json':
    'GET /api/v1/openapi.json is public by design (auth: none in the route manifest): the API contract, generated from the schemas, carries no tenant data.',
  'GET /api/v1/events/catalogue':
    'GET /api/v1/events/catalogue is public by design (auth: none in the route manifest): the contract of the bus events (JSON Schemas generated from the schemas and EventBridge patterns), the same for every tenant, carries no tenant data.',
  'POST /api/v1/approvals/{id}/callback/{decision}':
    'The approval callback link is called by the customer system that received the approval webhook, which holds no modos JWT. It is authenticated by the signed callback credential in the link instead (HMAC with the stage callback key in Secrets Manager, naming tenant, approval and decision, expiring with the approval, bound to its nonce); a bad, expired, replayed or foreign credential gets 401.',
  'POST /api/v1/hooks/{hookId}':
    "An inbound webhook is sent by the customer's own system, which holds no modos JWT. It is authenticated by its Standard Webhooks signature instead (HMAC-SHA256 over webhook-id, webhook-timestamp and the raw body with the hook's whsec_ secret, sealed at rest with the tenant key), with a timestamp within 5 minutes and each webhook-id processed once; an unsigned, tampered, stale or foreign request gets 401 or 404 and starts nothing.",
};

/** Routes whose path starts with this live in the nested stack of route methods (RouteMethodsStack). */
export const NESTED_ROUTES_PREFIX = '/api/';

/** Header a JWT route's token arrives in; also the TOKEN authorizer's identity source. */
const AUTH_HEADER = AUTHORIZER.identityHeader;

/**
 * The stage's REST API, built from ROUTES: one resource + method per route, Lambda proxy integration
 * to the route's function, the JWT TOKEN authorizer on `auth: 'jwt'` routes, open `auth: 'none'` routes.
 * JSON access logs without IPs or user agents (no PII in logs), X-Ray tracing, stage throttling,
 * execution logging at ERROR (never full request/response data), optional WAF.
 *
 * Layout (docs/deploy.md, Stack layout): the RestApi, its Deployment and Stage, authorizer, validator, gateway
 * responses, usage plan, keys and WAF are in this stack; the routes under NESTED_ROUTES_PREFIX are in the nested
 * RouteMethodsStack, which the Deployment depends on. References run one way only, from the nested stack to this one.
 */
export class PlatformApi extends Construct {
  readonly api: apigw.RestApi;
  readonly authorizer: apigw.TokenAuthorizer;
  readonly accessLogs: logs.LogGroup;
  readonly webAcl: wafv2.CfnWebACL | undefined;
  readonly usagePlan: apigw.UsagePlan;
  /** The nested stack of the routes under NESTED_ROUTES_PREFIX. */
  readonly routes: RouteMethodsStack;
  /**
   * The stage's base URL, the same value as `api.url` (`https://<id>.execute-api.<region>.<suffix>/<stage>/`),
   * but built from the RestApi id and the stage name as a literal: it references only the
   * AWS::ApiGateway::RestApi resource, never the Stage or Deployment (which depend on every method and
   * so on every integrated function). A function behind this API can carry it in its environment
   * without a dependency cycle; `api.url` would create one.
   */
  readonly stageUrl: string;

  constructor(scope: Construct, id: string, props: PlatformApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const F = apigw.AccessLogField;
    const accessLogFormat = apigw.AccessLogFormat.custom(
      JSON.stringify({
        requestId: F.contextRequestId(),
        extendedRequestId: F.contextExtendedRequestId(),
        requestTime: F.contextRequestTime(),
        httpMethod: F.contextHttpMethod(),
        resourcePath: F.contextResourcePath(),
        status: F.contextStatus(),
        protocol: F.contextProtocol(),
        responseLength: F.contextResponseLength(),
        responseLatency: F.contextResponseLatency(),
        integrationLatency: F.contextIntegrationLatency(),
        integrationStatus: F.contextIntegrationStatus(),
        authorizerStatus: F.contextAuthorizerStatus(),
        authorizerLatency: F.contextAuthorizerLatency(),
        tenantId: F.contextAuthorizer('tenantId'),
        errorType: F.contextErrorResponseType(),
        wafStatus: F.contextWafStatus(),
        xrayTraceId: F.contextXrayTraceId(),
      }),
    );

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `modos-${props.stage}`,
      description: `modos ${props.stage} API (routes from functions/platform/manifest.ts)`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Usage-plan keys come from the authorizer (the verified tenant), never from a client header.
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      // API Gateway writes access and execution logs through ONE role per account and region (the
      // AWS::ApiGateway::Account setting). Each stage stack declares it; the last deploy wins and it
      // is retained so destroying one stage never breaks another stage's logging.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stage,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat,
      },
    });
    const stack = Stack.of(this);
    this.stageUrl = Fn.join('', [
      'https://',
      this.api.restApiId,
      '.execute-api.',
      stack.region,
      '.',
      stack.urlSuffix,
      '/',
      props.stage,
      '/',
    ]);

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-level CloudWatch role must be able to create any API's log groups and streams; AWS maintains exactly that policy for this one service role.",
    });

    for (const r of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(r.id, {
        type: r.type,
        ...(r.status ? { statusCode: r.status } : {}),
        responseHeaders: {
          'Content-Type': "'application/json'",
          ...(r.retryAfter ? { 'Retry-After': `'${r.retryAfter}'` } : {}),
        },
        templates: { 'application/json': errorTemplate(r.code, r.message) },
      });
    }

    this.authorizer = new apigw.TokenAuthorizer(this, 'JwtAuthorizer', {
      handler: props.authorizer,
      identitySource: apigw.IdentitySource.header(AUTH_HEADER),
      // The local API caches authorizer results for the same time (manifest AUTHORIZER).
      resultsCacheTtl: Duration.seconds(AUTHORIZER.resultsCacheTtlSeconds),
      // Same shape the authorizer's bearerToken() accepts: anything else is refused (401) without
      // invoking (and paying for) the Lambda.
      validationRegex: AUTHORIZER.tokenPattern,
    });

    // Bodies are validated by the handlers' zod schemas (the one source of the contracts, which also
    // generates the OpenAPI document); the gateway checks the required path parameters. (The Authorization header is the
    // authorizer's identity source: a request without it gets 401 before validation runs.)
    const validator = this.api.addRequestValidator('RequiredParameters', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    // Per-tenant throttle and quota: one usage plan, one key per tenant, named by the authorizer.
    const perTenant = props.tenants.length > 0;
    this.usagePlan = this.api.addUsagePlan('TenantUsagePlan', {
      name: `modos-${props.stage}-tenants`,
      description:
        'Per-tenant limits: each tenant key gets this throttle and quota (functions/platform/tenant-limits.ts)',
      throttle: { rateLimit: props.tenantLimits.ratePerSecond, burstLimit: props.tenantLimits.burst },
      quota: { limit: props.tenantLimits.quotaPerDay, period: apigw.Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    for (const tenantId of props.tenants) {
      const key = new apigw.ApiKey(this, `TenantKey-${tenantId}`, {
        apiKeyName: `modos-${props.stage}-${tenantId}`,
        description: `usage identifier of tenant ${tenantId} (returned by the authorizer; not a client credential)`,
        value: tenantUsageKey(props.stage, tenantId),
      });
      this.usagePlan.addApiKey(key);
    }

    // Routes under /api/ go to a nested stack (about three resources each: resource, method, invoke permission), so
    // the parent stays far below CloudFormation's 500 resources as routes and functions grow. The others (GET
    // /health) stay on the RestApi itself, which CDK refuses without a method of its own.
    const routeOptions: RouteMethodOptions = {
      stageName: props.stage,
      functions: props.functions,
      authorizer: this.authorizer,
      validator,
      apiKeyRequired: perTenant,
      publicRouteReasons: PUBLIC_ROUTE_REASONS,
    };
    const nested = props.routes.filter((r) => r.path.startsWith(NESTED_ROUTES_PREFIX));
    for (const route of props.routes.filter((r) => !nested.includes(r))) addRouteMethod(this.api, route, routeOptions);
    this.routes = new RouteMethodsStack(this, 'Routes', {
      ...routeOptions,
      description: `modos ${props.stage} API routes under ${NESTED_ROUTES_PREFIX} (resources, methods, invoke permissions)`,
      restApiId: this.api.restApiId,
      rootResourceId: this.api.restApiRootResourceId,
      routes: nested,
    });
    // The stage serves a deployment taken after every method exists, and a new one whenever a route changes: CDK
    // hashes what it sees on the RestApi (its own methods, gateway responses, validator), the nested routes and the
    // authorizer they use are added here.
    const deployment = this.api.latestDeployment!;
    deployment.node.addDependency(this.routes.nestedStackResource!);
    deployment.addToLogicalId({
      nestedRoutes: this.routes.signature,
      authorizer: {
        function: props.authorizer.node.path,
        identityHeader: AUTH_HEADER,
        resultsCacheTtlSeconds: AUTHORIZER.resultsCacheTtlSeconds,
        tokenPattern: AUTHORIZER.tokenPattern,
      },
    });

    if (props.waf) {
      this.webAcl = this.createWebAcl(props);
    } else {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF is switched off for this stage (-c waf=false, the default for dev only) to save its fixed monthly cost; stage throttling still applies. Every other stage attaches a web ACL.',
      });
    }
  }

  private createWebAcl(props: PlatformApiProps): wafv2.CfnWebACL {
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `modos-${props.stage}-${name}`,
      sampledRequestsEnabled: false,
    });
    const managed = (
      priority: number,
      name: string,
      overrides: wafv2.CfnWebACL.RuleActionOverrideProperty[] = [],
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(overrides.length ? { ruleActionOverrides: overrides } : {}),
        },
      },
      visibilityConfig: visibility(name),
    });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `modos-${props.stage}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('api'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.wafRateLimitPer5Min } },
          visibilityConfig: visibility('rate-limit'),
        },
        managed(1, 'AWSManagedRulesKnownBadInputsRuleSet'),
        // Bodies up to schemas' MAX_BODY_BYTES (64 KiB) are legitimate; the rule set blocks above 8 KiB.
        managed(2, 'AWSManagedRulesCommonRuleSet', [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
    return acl;
  }
}
