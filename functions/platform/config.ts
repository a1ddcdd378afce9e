// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';

/**
 * The only module that reads process.env. Parsed once, validated with zod, so a missing or malformed
 * setting fails at cold start with the variable's name instead of deep inside a request.
 */
const ConfigSchema = z.object({
  STAGE: z.string().default('local'),
  TABLE_NAME: z.string().min(1).default('modos-local'),
  BUCKET_NAME: z.string().min(1).default('modos-local'),
  EVENT_BUS_NAME: z.string().min(1).default('modos-local'),
  AWS_REGION: z.string().default('us-east-1'),
  /** Set by the local runtime only: endpoints of the embedded emulators. */
  MODOS_DYNAMODB_ENDPOINT: z.string().url().optional(),
  MODOS_S3_ENDPOINT: z.string().url().optional(),
  MODOS_EVENTBRIDGE_ENDPOINT: z.string().url().optional(),
  MODOS_SFN_ENDPOINT: z.string().url().optional(),
  /** JWT verification. In AWS the authorizer fetches keys from JWKS_URL (rotation); locally from JWKS_FILE. */
  JWT_ISSUER: z.string().min(1).default('https://auth.modos.local/'),
  JWT_AUDIENCE: z.string().min(1).default('modos-api'),
  JWKS_URL: z.string().url().optional(),
  JWKS_FILE: z.string().optional(),
  /** Number of lanes a tenant's audit hash chain is split into (see domain/audit/audit-chain.ts). */
  AUDIT_CHAIN_LANES: z.coerce.number().int().min(1).max(256).default(16),
  OUTBOX_TTL_DAYS: z.coerce.number().int().min(1).default(7),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** The workflow-run state machine (Step Functions). */
  WORKFLOW_STATE_MACHINE_ARN: z.string().min(1).default('arn:aws:states:us-east-1:000000000000:stateMachine:modos-local-workflow-run'),
  /** Base URL of the public API (approval callback links). */
  PUBLIC_API_URL: z.string().url().default('http://127.0.0.1:3000'),
  /** HMAC key of approval callback credentials: a Secrets Manager secret in AWS, base64 locally. */
  CALLBACK_KEY_SECRET_ARN: z.string().optional(),
  CALLBACK_KEY: z.string().min(32).optional(),
  /** Webhooks to http://127.0.0.1 / localhost are allowed only on the local platform (never in AWS). */
  ALLOW_HTTP_LOOPBACK_WEBHOOKS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

export type Config = z.infer<typeof ConfigSchema>;

let cached: Config | undefined;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
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
