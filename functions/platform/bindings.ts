import { type FunctionSpec, type ScheduleGroupName, stateMachineAccessOf } from './manifest.js';

/**
 * The environment a function gets, by binding. lib/constructs/modos-function.ts sets these names in
 * its `bind*` calls (each with its grant), the local runtime gives a function exactly these names and
 * no others, and test/infra checks the synthesized functions against this list: a function whose binding
 * is missing has no variable, and fails at init in both runtimes.
 */
export const BASE_ENV = [
  'STAGE',
  'LOG_LEVEL',
  'POWERTOOLS_SERVICE_NAME',
  'AWS_NODEJS_CONNECTION_REUSE_ENABLED',
  'NODE_OPTIONS',
  'MODOS_FUNCTION',
] as const;

/**
 * The two variables whose local value differs in kind from AWS's: the JWKS comes from a file instead of
 * an HTTPS URL, and the platform key is given directly instead of as a Secrets Manager secret ARN.
 */
export const LOCAL_ALTERNATIVES: Readonly<Record<string, string>> = {
  JWKS_URL: 'JWKS_FILE',
  CALLBACK_KEY_SECRET_ARN: 'CALLBACK_KEY',
  ANTHROPIC_API_KEY_SECRET_ARN: 'ANTHROPIC_API_KEY',
};

export const BINDING_ENV = {
  table: ['TABLE_NAME'],
  bucket: ['BUCKET_NAME'],
  bus: ['EVENT_BUS_NAME'],
  jwt: ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URL'],
  callbackKey: ['CALLBACK_KEY_SECRET_ARN', 'PUBLIC_API_URL'],
  model: ['ANTHROPIC_API_KEY_SECRET_ARN'],
} as const;

export type BindingKind = keyof typeof BINDING_ENV;

/** The bindings a function spec declares. */
export function bindingsOf(spec: FunctionSpec): BindingKind[] {
  const kinds: BindingKind[] = [];
  if (spec.table) kinds.push('table');
  if (spec.bucket) kinds.push('bucket');
  if (spec.bus) kinds.push('bus');
  if (spec.jwt) kinds.push('jwt');
  if (spec.callbackKey) kinds.push('callbackKey');
  if (spec.model) kinds.push('model');
  return kinds;
}

/**
 * The binding variables a function's environment lacks (neither the name nor its local alternative is
 * set): checked at init from `MODOS_FUNCTION`, so a function deployed without its binding fails when it
 * starts, in both runtimes, instead of on the first request that reads the setting.
 */
export function missingBindings(spec: FunctionSpec, env: Record<string, string | undefined>): string[] {
  return boundNamesOf(spec).filter(
    (name) => !env[name] && !(LOCAL_ALTERNATIVES[name] && env[LOCAL_ALTERNATIVES[name]!]),
  );
}

/** Every environment variable name the deployed function has (base + bindings). */
export function environmentNamesOf(spec: FunctionSpec): string[] {
  return [...BASE_ENV, ...boundNamesOf(spec)];
}

/**
 * The variables of a function's bindings: resources, the ARN of each state machine it starts (STATE_MACHINES) and
 * the settings of each schedule group it writes (SCHEDULE_GROUPS).
 */
export function boundNamesOf(spec: FunctionSpec): string[] {
  return [
    ...bindingsOf(spec).flatMap((k) => [...BINDING_ENV[k]]),
    ...stateMachineAccessOf(spec.name).starts.map((m) => m.arnVariable),
    ...(spec.schedules ?? []).flatMap((g) => Object.values(scheduleGroupEnv(g))),
  ];
}

/** The variables of one schedule group's binding. */
export interface ScheduleGroupEnv {
  /** The stage's group name. */
  group: string;
  /** The execution role Scheduler assumes for the group's schedules (passed with iam:PassRole). */
  roleArn: string;
  /** The group's target function. */
  targetArn: string;
  /** The group's dead-letter queue. */
  deadLetterArn: string;
}

/**
 * A schedule group's variables, named from its key: `connectorSyncs` → SCHEDULES_CONNECTOR_SYNCS_GROUP, _ROLE_ARN,
 * _TARGET_ARN, _DLQ_ARN. One rule for every group, so a new group needs no new setting anywhere.
 */
export function scheduleGroupEnv(name: ScheduleGroupName): ScheduleGroupEnv {
  const prefix = `SCHEDULES_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
  return {
    group: `${prefix}_GROUP`,
    roleArn: `${prefix}_ROLE_ARN`,
    targetArn: `${prefix}_TARGET_ARN`,
    deadLetterArn: `${prefix}_DLQ_ARN`,
  };
}
