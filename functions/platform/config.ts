// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { parsePortList } from '../domain/webhooks/loopback-ports.js';
import { missingBindings, scheduleGroupEnv } from './bindings.js';
import { FUNCTIONS, STATE_MACHINES, type FunctionSpec, type ScheduleGroupName } from './manifest.js';

/**
 * The only module that reads process.env. Parsed once, validated with zod, so a missing or malformed
 * setting fails at cold start with the variable's name instead of deep inside a request.
 */
const ConfigSchema = z.object({
  STAGE: z.string().min(1),
  /** Set by a binding (functions/platform/bindings.ts); read through `bound()` getters below. */
  TABLE_NAME: z.string().min(1).optional(),
  BUCKET_NAME: z.string().min(1).optional(),
  EVENT_BUS_NAME: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1),
  /** Set by the local runtime only: endpoints of the embedded emulators. */
  MODOS_DYNAMODB_ENDPOINT: z.string().url().optional(),
  MODOS_S3_ENDPOINT: z.string().url().optional(),
  MODOS_EVENTBRIDGE_ENDPOINT: z.string().url().optional(),
  MODOS_SFN_ENDPOINT: z.string().url().optional(),
  MODOS_SCHEDULER_ENDPOINT: z.string().url().optional(),
  /** JWT verification. In AWS the authorizer fetches keys from JWKS_URL (rotation); locally from JWKS_FILE. */
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWKS_URL: z.string().url().optional(),
  JWKS_FILE: z.string().optional(),
  /** Number of lanes a tenant's audit hash chain is split into (see domain/audit/audit-chain.ts). */
  AUDIT_CHAIN_LANES: z.coerce.number().int().min(1).max(256).default(16),
  OUTBOX_TTL_DAYS: z.coerce.number().int().min(1).default(7),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** The workflow-run state machine (Step Functions). */
  /** Base URL of the public API (approval callback links). */
  PUBLIC_API_URL: z.string().url().optional(),
  /** HMAC key of approval callback credentials: a Secrets Manager secret in AWS, base64 locally. */
  CALLBACK_KEY_SECRET_ARN: z.string().optional(),
  CALLBACK_KEY: z.string().min(32).optional(),
  /** The model API key: a Secrets Manager secret in AWS, the key itself locally; `offline`: the offline model. */
  ANTHROPIC_API_KEY_SECRET_ARN: z.string().min(1).optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  /** Set locally only, to reach a fake of the Messages API (tests, benches). */
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  /** Webhooks to http://127.0.0.1 / localhost are allowed only on the local platform (never in AWS). */
  ALLOW_HTTP_LOOPBACK_WEBHOOKS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** With the above: the only loopback ports webhooks may reach, e.g. `8900-8999,9100` (ports >= 1024). */
  LOOPBACK_WEBHOOK_PORTS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parsePortList(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

/** Settings a binding provides: reading one the function is not bound to fails, naming the variable. */
const BOUND = ['TABLE_NAME', 'BUCKET_NAME', 'EVENT_BUS_NAME', 'JWT_ISSUER', 'JWT_AUDIENCE', 'PUBLIC_API_URL'] as const;
type Bound = (typeof BOUND)[number];

export type Config = Omit<z.infer<typeof ConfigSchema>, Bound> & Record<Bound, string>;

/** A function read a setting its manifest entry does not bind (in AWS as locally: there are no defaults). */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

let cached: Config | undefined;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const data = parsed.data;
  // A deployed function names its manifest entry: every variable its bindings provide must be there.
  const fn = env.MODOS_FUNCTION;
  if (fn !== undefined) {
    const spec = (FUNCTIONS as Record<string, FunctionSpec>)[fn];
    if (!spec) throw new ConfigurationError(`MODOS_FUNCTION ${JSON.stringify(fn)} is not a function of the manifest`);
    const missing = missingBindings(spec, env);
    if (missing.length)
      throw new ConfigurationError(
        `${fn} is missing ${missing.join(', ')}: its manifest bindings provide them (functions/platform/manifest.ts)`,
      );
  }
  const out = { ...data } as Record<string, unknown>;
  for (const name of BOUND) {
    Object.defineProperty(out, name, {
      enumerable: true,
      get() {
        const value = data[name];
        if (value === undefined)
          throw new ConfigurationError(
            `${name} is not set: this function has no binding that provides it (functions/platform/manifest.ts)`,
          );
        return value;
      },
    });
  }
  return out as Config;
}

/**
 * The ARN of a state machine of the manifest, from the variable its `arnVariable` names (bound in the
 * functions that start it). A new state machine needs no change here.
 */
export function stateMachineArn(name: string, env: Record<string, string | undefined> = process.env): string {
  const spec = STATE_MACHINES.find((m) => m.name === name);
  if (!spec) throw new ConfigurationError(`no state machine ${JSON.stringify(name)} in the manifest`);
  const arn = env[spec.arnVariable];
  if (!arn)
    throw new ConfigurationError(
      `${spec.arnVariable} is not set: this function does not start ${name} (STATE_MACHINES startedBy)`,
    );
  return arn;
}

/** What a function bound to a schedule group needs to write its schedules. */
export interface ScheduleGroupSettings {
  groupName: string;
  roleArn: string;
  targetArn: string;
  deadLetterArn: string;
}

const ScheduleGroupSettingsSchema = z.object({
  groupName: z.string().regex(/^[0-9A-Za-z_.-]{1,64}$/, 'a schedule group name: 1-64 characters of [0-9A-Za-z-_.]'),
  roleArn: z.string().startsWith('arn:'),
  targetArn: z.string().startsWith('arn:'),
  deadLetterArn: z.string().startsWith('arn:'),
});

/**
 * The settings of a schedule group of the manifest, from the variables its binding sets (bindings.ts
 * `scheduleGroupEnv`) in the functions whose `schedules` name it. A function without the binding is told which
 * variables it lacks; a malformed one is named too. A new group needs no change here.
 */
export function scheduleGroupSettings(
  name: ScheduleGroupName,
  env: Record<string, string | undefined> = process.env,
): ScheduleGroupSettings {
  const names = scheduleGroupEnv(name);
  const missing = Object.values(names).filter((v) => !env[v]);
  if (missing.length)
    throw new ConfigurationError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: this function does not write the ${name} schedules (manifest FUNCTIONS schedules)`,
    );
  const variables: Record<keyof ScheduleGroupSettings, string> = {
    groupName: names.group,
    roleArn: names.roleArn,
    targetArn: names.targetArn,
    deadLetterArn: names.deadLetterArn,
  };
  const parsed = ScheduleGroupSettingsSchema.safeParse(
    Object.fromEntries(Object.entries(variables).map(([key, variable]) => [key, env[variable]])),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${variables[i.path[0] as keyof ScheduleGroupSettings]}: ${i.message}`)
      .join('; ');
    throw new ConfigurationError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** The process-wide configuration, parsed on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** For the local runtime and tests, which set env vars before the first use. */
export function resetConfig(): void {
  cached = undefined;
}
