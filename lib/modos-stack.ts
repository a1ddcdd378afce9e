import { CfnOutput, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  EVENT_RULES,
  FUNCTIONS,
  STATE_MACHINES,
  STREAM_CONSUMERS,
  scheduleGroups,
  stateMachineAccessOf,
  type FunctionName,
  type FunctionSpec,
  type ScheduleGroupName,
} from '../functions/platform/manifest.js';
import { ROUTES } from '../functions/platform/api-routes.js';
import { consoleSecurityHeaders } from '../console/headers.js';
import type { ConsoleConfig } from '../console/src/config.js';
import { CallbackKey } from './constructs/callback-key.js';
import { ConsoleHosting } from './constructs/console-hosting.js';
import { ModosFunction } from './constructs/modos-function.js';
import { ObjectStore } from './constructs/object-store.js';
import { PlatformApi } from './constructs/platform-api.js';
import { PlatformBus } from './constructs/platform-bus.js';
import { PlatformTable } from './constructs/platform-table.js';
import { ScheduleGroupResources, scheduleGroupConstructId } from './constructs/schedule-group-resources.js';
import { StreamConsumer } from './constructs/stream-consumer.js';
import { WorkflowStateMachine } from './constructs/workflow-state-machine.js';
import type { StageConfig } from './stage-config.js';

export interface ModosStackProps extends StackProps {
  config: StageConfig;
  /** Repository root: handler entries and package-lock.json are resolved from here. */
  projectRoot: string;
}

/**
 * One isolated copy of the platform for one tenant stage, built from the manifest
 * (functions/platform/manifest.ts): what exists is decided there, not here. Environment-agnostic
 * (no account/region lookups), so it synthesizes offline and deploys to whatever the CLI credentials point at.
 */
export class ModosStack extends Stack {
  readonly functions = new Map<FunctionName, ModosFunction>();
  readonly table: PlatformTable;
  readonly store: ObjectStore;
  readonly platformBus: PlatformBus;
  readonly platformApi: PlatformApi;
  readonly stateMachines = new Map<string, WorkflowStateMachine>();
  readonly callbackKey: CallbackKey;
  /** Each schedule group of the manifest (SCHEDULE_GROUPS): its group, execution role and dead-letter queue. */
  readonly scheduleGroups = new Map<ScheduleGroupName, ScheduleGroupResources>();
  /** The operator console: its bucket, distribution (the API under /api/*) and deployed build. */
  readonly console: ConsoleHosting;
  /** What PUBLIC_API_URL is set to: `-c publicApiUrl=` or the stage's execute-api URL. */
  readonly publicApiUrl: string;

  constructor(scope: Construct, id: string, props: ModosStackProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
      stackName: config.stackName,
      description: `modos tenant stage ${config.stage}: API, functions, workflow state machine, single table, bucket, event bus, console`,
      terminationProtection: config.retainData,
    });
    Tags.of(this).add('modos:stage', config.stage);

    this.table = new PlatformTable(this, 'Data', { retain: config.retainData });
    this.store = new ObjectStore(this, 'Objects', { accessLogRetentionDays: config.retainData ? 365 : 30 });

    const fn = (name: FunctionName): ModosFunction => {
      const f = this.functions.get(name);
      if (!f) throw new Error(`manifest references unknown function ${name}`);
      return f;
    };

    // Functions first (rules, routes and stream consumers refer to them), then the bus, which they may publish to.
    for (const spec of Object.values(FUNCTIONS) as FunctionSpec[]) {
      this.functions.set(
        spec.name as FunctionName,
        new ModosFunction(this, spec.name, {
          spec,
          projectRoot: props.projectRoot,
          stage: config.stage,
          logLevel: config.logLevel,
          logRetention: logs.RetentionDays.ONE_MONTH,
          logRemovalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }),
      );
    }

    this.platformBus = new PlatformBus(this, 'Events', {
      stage: config.stage,
      rules: EVENT_RULES,
      functions: (name) => fn(name).function,
      logRetention: logs.RetentionDays.THREE_MONTHS,
      retain: config.retainData,
    });

    // State machines after the functions they invoke; the functions that start them or complete their tasks then bind to them.
    for (const spec of STATE_MACHINES) {
      this.stateMachines.set(
        spec.name,
        new WorkflowStateMachine(this, spec.name, {
          spec,
          projectRoot: props.projectRoot,
          stage: config.stage,
          functions: (name) => fn(name).function,
          logRetention: logs.RetentionDays.THREE_MONTHS,
          retainLogs: config.retainData,
        }),
      );
    }

    this.callbackKey = new CallbackKey(this, 'CallbackKey', { stage: config.stage, retain: config.retainData });
    for (const group of scheduleGroups()) {
      this.scheduleGroups.set(
        group.name,
        new ScheduleGroupResources(this, scheduleGroupConstructId(group.name), {
          stage: config.stage,
          group,
          target: fn(group.target).function,
          retain: config.retainData,
        }),
      );
    }

    for (const f of this.functions.values()) {
      const { spec } = f;
      if (spec.table) f.bindTable(this.table.table, spec.table, this.table.indexNames);
      if (spec.bucket) f.bindBucket(this.store.bucket, spec.bucket);
      if (spec.bus) f.bindBus(this.platformBus.bus);
      if (spec.jwt) f.bindJwt({ issuer: config.jwtIssuer, audience: config.jwtAudience, jwksUrl: config.jwksUrl });
      const machines = stateMachineAccessOf(spec.name);
      for (const m of machines.starts) f.bindStateMachine(this.stateMachines.get(m.name)!.stateMachine, m);
      if (machines.callbacks) f.bindTaskCallbacks();
      if (spec.callbackKey) f.bindCallbackKey(this.callbackKey.secret);
      if (spec.model) f.bindModelKey(config.modelApiKeySecretArn);
      for (const name of spec.schedules ?? []) f.bindScheduleGroup(this.scheduleGroups.get(name)!);
    }

    STREAM_CONSUMERS.forEach((consumer) => {
      new StreamConsumer(this, `${consumer.function}Stream`, {
        table: this.table.table,
        consumer: fn(consumer.function).function,
        filter: consumer.filter as unknown as Record<string, unknown>,
      });
    });

    const authorizer = (Object.values(FUNCTIONS) as FunctionSpec[]).filter((s) => s.jwt);
    if (authorizer.length !== 1 || !authorizer[0])
      throw new Error('the manifest must declare exactly one function with jwt: true (the authorizer)');
    this.platformApi = new PlatformApi(this, 'Http', {
      stage: config.stage,
      routes: ROUTES,
      functions: (name) => fn(name).function,
      authorizer: fn(authorizer[0].name as FunctionName).function,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      waf: config.waf,
      wafRateLimitPer5Min: config.wafRateLimitPer5Min,
      tenants: config.tenants,
      tenantLimits: config.tenantLimits,
      logRetention: logs.RetentionDays.ONE_MONTH,
      retainLogs: config.retainData,
    });

    // Callback links point at the API. Its stage URL is built from the RestApi id (not api.url, whose
    // Stage depends on every integrated function through the Deployment and the nested stack of routes:
    // DecideApproval and ApprovalCallback would form a cycle).
    this.publicApiUrl = config.publicApiUrl ?? this.platformApi.stageUrl;
    for (const f of this.functions.values()) if (f.spec.callbackKey) f.bindPublicApiUrl(this.publicApiUrl);

    this.console = new ConsoleHosting(this, 'Console', {
      stage: config.stage,
      projectRoot: props.projectRoot,
      api: this.platformApi.api,
      config: consoleConfigOf(config),
      securityHeaders: consoleSecurityHeaders({ connectSrc: consoleConnectSrcOf(config) }),
      ...(config.consoleDomain ? { domain: config.consoleDomain } : {}),
      ...(config.consoleWebAclArn ? { webAclArn: config.consoleWebAclArn } : {}),
      accessLogRetentionDays: config.retainData ? 365 : 30,
      logRetention: logs.RetentionDays.ONE_MONTH,
      retainLogs: config.retainData,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.platformApi.api.url,
      description: 'Base URL of the stage API (append api/v1/...)',
    });
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.console.url,
      description: 'The operator console; register <ConsoleUrl>/ as the redirect URI of its OIDC client',
    });
    new CfnOutput(this, 'ConsoleDistributionDomain', {
      value: this.console.distribution.distributionDomainName,
      description: 'Where a custom console domain (-c consoleDomainName=) points: CNAME or Route 53 alias',
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.store.bucket.bucketName });
    new CfnOutput(this, 'EventBusName', { value: this.platformBus.bus.eventBusName });
    for (const [name, sm] of this.stateMachines)
      new CfnOutput(this, `${name}StateMachineArn`, { value: sm.stateMachine.stateMachineArn });
    new CfnOutput(this, 'CallbackKeySecretArn', {
      value: this.callbackKey.secret.secretArn,
      description: 'HMAC key of approval callback links (rotation: docs/deploy.md)',
    });
  }
}

/** What the deployed console reads from /config.json: sign-in at the stage's identity provider. */
export function consoleConfigOf(config: StageConfig): ConsoleConfig {
  return {
    stage: config.stage,
    apiBase: '/api/v1',
    signIn: {
      mode: 'oidc',
      issuer: config.jwtIssuer,
      clientId: config.consoleClientId,
      scopes: config.consoleScopes,
      tokenUse: config.consoleTokenUse,
    },
  };
}

/** Origins the console may call besides its own: the issuer's (discovery, token endpoint) and any listed. */
export function consoleConnectSrcOf(config: StageConfig): string[] {
  return [...new Set([new URL(config.jwtIssuer).origin, ...config.consoleConnectOrigins])];
}
