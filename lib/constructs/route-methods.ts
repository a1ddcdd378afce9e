import { NestedStack, Validations, type NestedStackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { FunctionName, RouteSpec } from '../../functions/platform/manifest.js';

/** What every route method shares: where it points, who checks it, which stage its invoke permission names. */
export interface RouteMethodOptions {
  /** The stage name as a literal: the invoke permissions name it without a reference to the Stage resource. */
  stageName: string;
  functions: (name: FunctionName) => lambda.IFunction;
  authorizer: apigw.IAuthorizer;
  validator: apigw.IRequestValidator;
  /** Tenants have usage-plan keys: `jwt` routes require one (the authorizer names it). */
  apiKeyRequired: boolean;
  /** `METHOD path` → why that `auth: 'none'` route is public (PlatformApi's PUBLIC_ROUTE_REASONS). */
  publicRouteReasons: Readonly<Record<string, string>>;
}

/** `{param}` path segments as the execute-api ARN matches them (`*`), as Method.methodArn renders them. */
const arnPathOf = (path: string) => path.replace(/\{[^}]*\}/g, '*');

/** The path parameters of a templated path, each required (the gateway refuses a request without one). */
function requestParametersOf(path: string): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const m of path.matchAll(/\{(\w+)\}/g)) out[`method.request.path.${m[1]}`] = true;
  return out;
}

/**
 * A route's method as plain data: everything its AWS::ApiGateway::Method and invoke permission are made of. The
 * stage's Deployment hashes this for the routes of nested stacks into its logical id (CDK only hashes the methods
 * it sees on the RestApi itself), so changing, adding or removing a route deploys the stage again.
 */
export function routeMethodSignature(route: RouteSpec, options: RouteMethodOptions): Record<string, unknown> {
  return {
    method: route.method,
    path: route.path,
    integration: { type: 'AWS_PROXY', function: options.functions(route.function).node.path },
    auth: route.auth,
    apiKeyRequired: route.auth === 'jwt' && options.apiKeyRequired,
    requestParameters: requestParametersOf(route.path),
    invokePermissionStage: options.stageName,
  };
}

/**
 * One route of the manifest on `api` (the RestApi or an imported one): the resource path, the method with a Lambda
 * proxy integration to the route's function, the TOKEN authorizer on `jwt` routes, no authorizer on `none` routes
 * (each with its reviewed reason), the required path parameters, and the function's invoke permission for exactly
 * this method on this stage (`<api>/<stage>/<METHOD>/<path>`), created beside the method.
 *
 * Not LambdaIntegration: its permission names the stage through `api.deploymentStage`, which an imported API lacks
 * (the permission would then allow every stage), and which on the RestApi is the Stage resource, depending on every
 * nested stack of methods (a method in one would close a cycle). The integration is the one LambdaIntegration
 * builds (AwsIntegration, proxy, lambda `2015-03-31/functions/<arn>/invocations`, POST).
 */
export function addRouteMethod(api: apigw.IRestApi, route: RouteSpec, options: RouteMethodOptions): apigw.Method {
  const fn = options.functions(route.function);
  const integration = new apigw.AwsIntegration({
    proxy: true,
    service: 'lambda',
    path: `2015-03-31/functions/${fn.functionArn}/invocations`,
  });
  const method = api.root.resourceForPath(route.path).addMethod(route.method, integration, {
    ...(route.auth === 'jwt'
      ? {
          authorizer: options.authorizer,
          authorizationType: apigw.AuthorizationType.CUSTOM,
          apiKeyRequired: options.apiKeyRequired,
        }
      : { authorizationType: apigw.AuthorizationType.NONE }),
    requestParameters: requestParametersOf(route.path),
    requestValidator: options.validator,
  });
  fn.addPermission('InvokePermission', {
    principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    scope: method,
    sourceArn: api.arnForExecuteApi(route.method, arnPathOf(route.path), options.stageName),
  });

  if (route.auth === 'none') {
    const reason = options.publicRouteReasons[`${route.method} ${route.path}`];
    if (!reason)
      throw new Error(
        `public route ${route.method} ${route.path} has no reason in PUBLIC_ROUTE_REASONS (lib/constructs/platform-api.ts)`,
      );
    Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason });
  } else {
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        "Tokens come from the tenant stage's own identity provider (jwtIssuer + jwksUrl), verified by the Lambda TOKEN authorizer (pinned algorithms, issuer, audience, expiry); there is no Cognito user pool.",
    });
  }
  return method;
}

export interface RouteMethodsStackProps extends NestedStackProps, RouteMethodOptions {
  /** The parent stack's RestApi. */
  restApiId: string;
  rootResourceId: string;
  routes: readonly RouteSpec[];
}

/**
 * A nested stack holding the resources, methods and invoke permissions of some routes of the stage's RestApi,
 * which stays in the parent stack with its Deployment and Stage (PlatformApi). About three resources per route
 * live here instead of in the parent, against CloudFormation's 500 resources per stack.
 *
 * It imports the API by id and root resource id (the documented way to split a RestApi across stacks); its only
 * inputs are the parent's RestApi, authorizer, validator and functions, and the parent consumes nothing from it
 * but the Deployment's dependency on it. So nothing here may name the Stage (see addRouteMethod).
 */
export class RouteMethodsStack extends NestedStack {
  readonly methods: apigw.Method[];
  /** routeMethodSignature of each route here, for the Deployment's logical id. */
  readonly signature: ReadonlyArray<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: RouteMethodsStackProps) {
    super(scope, id, { description: props.description });
    const api = apigw.RestApi.fromRestApiAttributes(this, 'Api', {
      restApiId: props.restApiId,
      rootResourceId: props.rootResourceId,
    });
    this.methods = props.routes.map((route) => addRouteMethod(api, route, props));
    this.signature = props.routes.map((route) => routeMethodSignature(route, props));
  }
}
