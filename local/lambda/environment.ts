import {
  BASE_ENV,
  BINDING_ENV,
  bindingsOf,
  LOCAL_ALTERNATIVES,
  scheduleGroupEnv,
  type BindingKind,
} from '../../functions/platform/bindings.js';
import { stateMachineAccessOf, type FunctionSpec, type ScheduleGroupName } from '../../functions/platform/manifest.js';

/** One schedule group as the local platform binds it (the values behind bindings.ts `scheduleGroupEnv`). */
export interface LocalScheduleGroupValues {
  groupName: string;
  roleArn: string;
  targetArn: string;
  deadLetterArn: string;
}

/** A schedule group's variables with their values. */
export function scheduleGroupVariables(name: ScheduleGroupName, g: LocalScheduleGroupValues): Record<string, string> {
  const env = scheduleGroupEnv(name);
  return {
    [env.group]: g.groupName,
    [env.roleArn]: g.roleArn,
    [env.targetArn]: g.targetArn,
    [env.deadLetterArn]: g.deadLetterArn,
  };
}

/**
 * The keys the functions bound to `jwt` verify tokens with: the platform's own (`jwksFile`, JWKS_FILE), or an
 * external OpenID Provider's by URL (`jwksUrl`, JWKS_URL, the variable the stack sets in AWS).
 */
export type LocalJwks = { jwksFile: string; jwksUrl?: never } | { jwksUrl: string; jwksFile?: never };

/** What the local platform binds: the values behind each binding's variables, and the emulators' endpoints. */
export type LocalBindingValues = LocalJwks & LocalBindingSettings;

interface LocalBindingSettings {
  stage: string;
  logLevel: string;
  region: string;
  tableName: string;
  bucketName: string;
  busName: string;
  jwtIssuer: string;
  jwtAudience: string;
  /** State machine name → ARN (the local Step Functions runtime's). */
  stateMachineArns: Record<string, string>;
  callbackKey: string;
  publicApiUrl: string;
  /** The model API key functions bound to the model get (`offline`: the offline model), and a local base URL. */
  modelApiKey: string;
  modelBaseUrl?: string;
  /** Each schedule group's name in the local scheduler, the role and dead-letter "queue" it records, its target. */
  scheduleGroups: Record<ScheduleGroupName, LocalScheduleGroupValues>;
  endpoints: { dynamodb: string; s3: string; eventbridge: string; sfn: string; scheduler: string };
  /**
   * Local-development switches every function gets (the loopback webhook allowance, read where webhook
   * URLs are validated and where they are called); the CDK stack sets none of them, and test/infra checks it.
   */
  developmentEnv: Record<string, string>;
}

/**
 * A function's whole environment on the local platform: what the CDK stack sets (the base variables and
 * exactly those of its bindings, functions/platform/bindings.ts), what the Lambda service sets
 * (region, function name, memory, the role's credentials: dummies here), and the emulator endpoint of
 * each bound service. Nothing from the platform's own process leaks in.
 */
export function localEnvironment(spec: FunctionSpec, v: LocalBindingValues): Record<string, string> {
  const memoryMb = spec.memoryMb ?? 512;
  const base: Record<(typeof BASE_ENV)[number], string> = {
    STAGE: v.stage,
    LOG_LEVEL: v.logLevel,
    POWERTOOLS_SERVICE_NAME: 'modos',
    AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    NODE_OPTIONS: '--enable-source-maps',
    MODOS_FUNCTION: spec.name,
  };
  const values: Record<string, string> = {
    TABLE_NAME: v.tableName,
    BUCKET_NAME: v.bucketName,
    EVENT_BUS_NAME: v.busName,
    JWT_ISSUER: v.jwtIssuer,
    JWT_AUDIENCE: v.jwtAudience,
    ...(v.jwksUrl !== undefined ? { JWKS_URL: v.jwksUrl } : { JWKS_FILE: v.jwksFile }),
    CALLBACK_KEY: v.callbackKey,
    ANTHROPIC_API_KEY: v.modelApiKey,
    PUBLIC_API_URL: v.publicApiUrl,
  };
  const endpointOf: Partial<Record<BindingKind, [string, string]>> = {
    table: ['MODOS_DYNAMODB_ENDPOINT', v.endpoints.dynamodb],
    bucket: ['MODOS_S3_ENDPOINT', v.endpoints.s3],
    bus: ['MODOS_EVENTBRIDGE_ENDPOINT', v.endpoints.eventbridge],
  };
  const env: Record<string, string> = {
    ...base,
    AWS_REGION: v.region,
    AWS_DEFAULT_REGION: v.region,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    TZ: 'UTC',
  };
  for (const kind of bindingsOf(spec)) {
    for (const name of BINDING_ENV[kind]) {
      // The stack's own variable when the platform has its value (JWKS_URL of an external provider), else the
      // local alternative (JWKS_FILE, CALLBACK_KEY…).
      const localName = name in values ? name : (LOCAL_ALTERNATIVES[name] ?? name);
      const value = values[localName];
      if (value === undefined)
        throw new Error(`the local platform has no value for ${localName} (binding ${kind} of ${spec.name})`);
      env[localName] = value;
    }
    const endpoint = endpointOf[kind];
    if (endpoint) env[endpoint[0]] = endpoint[1];
    if (kind === 'model' && v.modelBaseUrl) env.ANTHROPIC_BASE_URL = v.modelBaseUrl;
  }
  // Each state machine the function starts: its ARN variable. Starting and task-token callbacks (which
  // need no variable in AWS, IAM grants them) both reach the emulator's endpoint here.
  const machines = stateMachineAccessOf(spec.name);
  for (const m of machines.starts) {
    const arn = v.stateMachineArns[m.name];
    if (!arn) throw new Error(`the local platform has no ARN for state machine ${m.name} (started by ${spec.name})`);
    env[m.arnVariable] = arn;
  }
  if (machines.starts.length || machines.callbacks) env.MODOS_SFN_ENDPOINT = v.endpoints.sfn;
  // Each schedule group the function writes: its variables, and the local scheduler's endpoint.
  for (const name of spec.schedules ?? []) {
    const group = v.scheduleGroups[name];
    if (!group) throw new Error(`the local platform has no schedule group ${name} (written by ${spec.name})`);
    Object.assign(env, scheduleGroupVariables(name, group));
    env.MODOS_SCHEDULER_ENDPOINT = v.endpoints.scheduler;
  }
  Object.assign(env, v.developmentEnv);
  return env;
}
