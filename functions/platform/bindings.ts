import { stateMachineAccessOf, type FunctionSpec } from './manifest.js';

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
};

export const BINDING_ENV = {
  table: ['TABLE_NAME'],
  bucket: ['BUCKET_NAME'],
  bus: ['EVENT_BUS_NAME'],
  jwt: ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URL'],
  callbackKey: ['CALLBACK_KEY_SECRET_ARN', 'PUBLIC_API_URL'],
  /** Connector sync schedules: the stage's schedule group, the role Scheduler invokes with, its target and DLQ. */
  scheduler: ['SCHEDULE_GROUP_NAME', 'SCHEDULER_ROLE_ARN', 'SCHEDULED_SYNC_FUNCTION_ARN', 'SCHEDULER_DLQ_ARN'],
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
  if (spec.scheduler) kinds.push('scheduler');
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

/** The variables of a function's bindings: resources, and the ARN of each state machine it starts (STATE_MACHINES). */
export function boundNamesOf(spec: FunctionSpec): string[] {
  return [
    ...bindingsOf(spec).flatMap((k) => [...BINDING_ENV[k]]),
    ...stateMachineAccessOf(spec.name).starts.map((m) => m.arnVariable),
  ];
}
