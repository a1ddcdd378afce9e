/**
 * Settings of one tenant stage, read from CDK context (`-c key=value` or cdk.json) and validated
 * before any construct is built, so a typo fails with the setting's name instead of deep in a deploy.
 */
import { DEFAULT_TENANT_LIMITS, type TenantLimits } from '../functions/platform/tenant-limits.js';

/** Lowercase, starts with a letter, 2-21 characters: it goes into stack, bus and API stage names. */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{1,20}$/;

/** The stage a bare `cdk synth` / `cdk deploy` targets. */
export const DEFAULT_STAGE = 'dev';

/**
 * JWT settings used when none are given. They point at a reserved `.invalid` host that never
 * resolves, so a dev stack deployed without an identity provider refuses every token (401) instead of
 * trusting anything. Only the `dev` stage may use them.
 */
export const DEV_JWT_PLACEHOLDERS = {
  jwtIssuer: 'https://dev-placeholder-issuer.invalid/',
  jwtAudience: 'modos-api',
  jwksUrl: 'https://dev-placeholder-issuer.invalid/.well-known/jwks.json',
} as const;

/**
 * The console's OIDC client used when none is given: only the `dev` stage may use it (its placeholder issuer never
 * resolves, so the console's sign-in fails there with the identity provider's discovery error, and says so).
 */
export const DEV_CONSOLE_PLACEHOLDERS = { consoleClientId: 'modos-console-dev-placeholder' } as const;

/** What the console asks the identity provider for when `-c consoleScopes=` is not given. */
export const DEFAULT_CONSOLE_SCOPES = 'openid profile email';

export type ConsoleTokenUse = 'id_token' | 'access_token';

export interface StageConfig {
  stage: string;
  /** `Modos-<stage>`. */
  stackName: string;
  jwtIssuer: string;
  jwtAudience: string;
  jwksUrl: string;
  /** True when the dev placeholders above are in use (the authorizer then refuses every token). */
  jwtIsPlaceholder: boolean;
  /** Data survives `cdk destroy` (table, buckets, event log) on every stage but dev. */
  retainData: boolean;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** API Gateway stage throttling: steady-state requests per second and burst. */
  throttleRateLimit: number;
  throttleBurstLimit: number;
  /** Attach a WAFv2 web ACL (AWS managed rules + per-IP rate limit) to the API stage. */
  waf: boolean;
  /** Requests per 5 minutes per client IP before WAF blocks. */
  wafRateLimitPer5Min: number;
  /**
   * Base URL approval callback links point to, when the API is reached through a custom domain
   * (mapped outside this stack). Undefined: the stage's execute-api URL.
   */
  publicApiUrl: string | undefined;
  /**
   * The Secrets Manager secret holding the Anthropic API key of the agent functions (`-c modelApiKeySecretArn=`).
   * Undefined: the agents answer with the offline model, labelled as offline in every answer.
   */
  modelApiKeySecretArn: string | undefined;
  /**
   * Tenant ids served by this stage (`-c tenants=acme,globex`): each gets its key in the stage's usage
   * plan, and JWT routes require one, so every tenant is throttled on its own and a token for a tenant
   * not listed is refused (403). Empty: no per-tenant limits (only the stage throttle), allowed on dev only.
   */
  tenants: string[];
  /** Per-tenant throttle and quota (`-c tenantRateLimit= -c tenantBurstLimit= -c tenantQuotaPerDay=`). */
  tenantLimits: TenantLimits;
  /**
   * The console's client at the identity provider (`-c consoleClientId=`): a public client (no secret), authorization
   * code with PKCE, redirect URI `<ConsoleUrl>/`. Required except on dev, which gets DEV_CONSOLE_PLACEHOLDERS.
   */
  consoleClientId: string;
  /** True when the dev placeholder above is in use. */
  consoleClientIdIsPlaceholder: boolean;
  /** Space-separated scopes the console asks for (`-c consoleScopes=`), `openid` among them. */
  consoleScopes: string;
  /**
   * Which token the console sends as its bearer token (`-c consoleTokenUse=`): the ID token (its `aud` is the client
   * id, so `jwtAudience` must be the client id) or the access token (when the identity provider issues it as a JWT
   * for `jwtAudience` carrying `tenant_id` and `roles`).
   */
  consoleTokenUse: ConsoleTokenUse;
  /**
   * The console's own domain (`-c consoleDomainName=` with `-c consoleCertificateArn=`, an ACM certificate in
   * us-east-1 covering it): CloudFront then answers it with TLS 1.2 at least. Both or neither; DNS is not managed here.
   */
  consoleDomain: { name: string; certificateArn: string } | undefined;
  /** A CLOUDFRONT-scope WAFv2 web ACL (created in us-east-1, outside this stack) for the console's distribution. */
  consoleWebAclArn: string | undefined;
  /**
   * Origins the console may call besides its own and the issuer's (`-c consoleConnectOrigins=`), for an identity
   * provider whose token endpoint is on another host than its issuer (e.g. a Cognito user pool's domain).
   */
  consoleConnectOrigins: string[];
}

export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

type ContextReader = (key: string) => unknown;

function str(get: ContextReader, key: string): string | undefined {
  const v = get(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new StageConfigError(`context "${key}" must be a string, got ${JSON.stringify(v)}`);
  return v.trim();
}

function bool(get: ContextReader, key: string, fallback: boolean): boolean {
  const v = get(key);
  if (v === undefined || v === null || v === '') return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new StageConfigError(`context "${key}" must be true or false, got ${JSON.stringify(v)}`);
}

function int(get: ContextReader, key: string, fallback: number, min: number, max: number): number {
  const v = get(key);
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new StageConfigError(
      `context "${key}" must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

function httpsUrl(key: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new StageConfigError(`context "${key}" must be a URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:')
    throw new StageConfigError(`context "${key}" must be an https:// URL, got ${JSON.stringify(value)}`);
  return value;
}

/** An https base URL that paths can be appended to: no query, no fragment, no credentials. */
function baseUrl(key: string, value: string): string {
  const url = new URL(httpsUrl(key, value));
  if (url.search || url.hash || url.username || url.password) {
    throw new StageConfigError(
      `context "${key}" must be a plain base URL (no query, fragment or credentials), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A DNS name CloudFront can serve: lowercase labels of a-z, 0-9 and inner "-", at least two of them, no wildcard. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** RFC 6749 scope tokens (printable ASCII but space, `"` and `\`), separated by single spaces. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The console's scopes (default DEFAULT_CONSOLE_SCOPES), checked and without repeats: RFC 6749 scope tokens, `openid`
 * among them. `label` names the setting in the error (`context "consoleScopes"`, or a local variable), `error` makes it.
 * One rule for a stage and for the local platform's identity provider (local/platform.ts).
 */
export function consoleScopesOf(
  raw: string | undefined,
  label: string,
  error: (message: string) => Error = (m) => new StageConfigError(m),
): string {
  const value = raw ?? DEFAULT_CONSOLE_SCOPES;
  const scopes = value.split(/\s+/).filter(Boolean);
  const bad = scopes.find((s) => !SCOPE_TOKEN.test(s));
  if (bad !== undefined)
    throw error(`${label} is not a list of OAuth scopes: ${JSON.stringify(bad)} is not an OAuth scope`);
  if (!scopes.includes('openid'))
    throw error(
      `${label} must include openid (the console signs in with OpenID Connect), got ${JSON.stringify(value)}`,
    );
  return [...new Set(scopes)].join(' ');
}

/** Which token the console sends (default `id_token`); the same rule for a stage and the local platform. */
export function consoleTokenUseOf(
  raw: string | undefined,
  label: string,
  error: (message: string) => Error = (m) => new StageConfigError(m),
): ConsoleTokenUse {
  const v = raw ?? 'id_token';
  if (v !== 'id_token' && v !== 'access_token')
    throw error(`${label} must be id_token or access_token, got ${JSON.stringify(v)}`);
  return v;
}

function consoleDomain(get: ContextReader): StageConfig['consoleDomain'] {
  const name = str(get, 'consoleDomainName')?.toLowerCase();
  const certificateArn = str(get, 'consoleCertificateArn');
  if (name === undefined && certificateArn === undefined) return undefined;
  if (name === undefined || certificateArn === undefined)
    throw new StageConfigError(
      "the console's own domain needs both -c consoleDomainName=<host name> and -c consoleCertificateArn=<ACM certificate ARN in us-east-1>",
    );
  if (!HOST_NAME.test(name))
    throw new StageConfigError(
      `context "consoleDomainName" must be a host name such as console.acme.example, got ${JSON.stringify(name)}`,
    );
  // CloudFront takes viewer certificates from ACM in us-east-1 only, whatever region the stack is in.
  if (!/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/.test(certificateArn))
    throw new StageConfigError(
      `context "consoleCertificateArn" must be an ACM certificate ARN in us-east-1 (CloudFront reads certificates there only), got ${JSON.stringify(certificateArn)}`,
    );
  return { name, certificateArn };
}

function consoleWebAclArn(get: ContextReader): string | undefined {
  const arn = str(get, 'consoleWebAclArn');
  if (arn !== undefined && !/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[0-9a-f-]+$/.test(arn))
    throw new StageConfigError(
      `context "consoleWebAclArn" must be the ARN of a CLOUDFRONT-scope WAFv2 web ACL (us-east-1, arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>), got ${JSON.stringify(arn)}`,
    );
  return arn;
}

function consoleConnectOrigins(get: ContextReader): string[] {
  const raw = get('consoleConnectOrigins');
  if (raw === undefined || raw === null || raw === '') return [];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (!list)
    throw new StageConfigError(
      `context "consoleConnectOrigins" must be a comma-separated list of https origins, got ${JSON.stringify(raw)}`,
    );
  return list
    .map((o) => String(o).trim())
    .filter(Boolean)
    .map((o) => {
      const url = new URL(httpsUrl('consoleConnectOrigins', o));
      if (url.origin !== o.replace(/\/$/, '').toLowerCase())
        throw new StageConfigError(
          `context "consoleConnectOrigins": ${JSON.stringify(o)} is not an origin (https://host[:port], no path)`,
        );
      return url.origin;
    });
}

/** Same rule as the JWT `tenant_id` claim. */
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function tenantList(get: ContextReader): string[] {
  const raw = get('tenants');
  if (raw === undefined || raw === null || raw === '') return [];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (!list)
    throw new StageConfigError(
      `context "tenants" must be a comma-separated list of tenant ids, got ${JSON.stringify(raw)}`,
    );
  const ids = list.map((t) => String(t).trim()).filter(Boolean);
  const bad = ids.find((t) => !TENANT_ID.test(t));
  if (bad !== undefined)
    throw new StageConfigError(
      `context "tenants": ${JSON.stringify(bad)} is not a tenant id (1-64 characters of A-Z, a-z, 0-9, _ or -)`,
    );
  if (new Set(ids).size !== ids.length) throw new StageConfigError('context "tenants" lists a tenant twice');
  return ids;
}

/** Per-tenant limits from context, defaulting to the values the local platform uses too. */
export function tenantLimitsFromContext(get: ContextReader): TenantLimits {
  const d = DEFAULT_TENANT_LIMITS;
  return {
    ratePerSecond: int(get, 'tenantRateLimit', d.ratePerSecond, 1, 10_000),
    burst: int(get, 'tenantBurstLimit', d.burst, 1, 5_000),
    quotaPerDay: int(get, 'tenantQuotaPerDay', d.quotaPerDay, 1, 2_000_000_000),
  };
}

/** Reads and validates the stage settings; throws StageConfigError naming the faulty setting. */
export function stageConfigFromContext(get: ContextReader): StageConfig {
  const stage = str(get, 'stage') ?? DEFAULT_STAGE;
  if (!STAGE_PATTERN.test(stage)) {
    throw new StageConfigError(
      `invalid stage ${JSON.stringify(stage)}: use -c stage=<name> with 2-21 characters of a-z, 0-9 and "-", starting with a letter (e.g. -c stage=acme-prod)`,
    );
  }
  const issuer = str(get, 'jwtIssuer');
  const jwksUrl = str(get, 'jwksUrl');
  const audience = str(get, 'jwtAudience');
  const jwtIsPlaceholder = !issuer || !jwksUrl;
  if (jwtIsPlaceholder && stage !== DEFAULT_STAGE) {
    throw new StageConfigError(
      `stage "${stage}" needs its identity provider: -c jwtIssuer=<issuer URL> -c jwksUrl=<JWKS URL> [-c jwtAudience=<audience>] (placeholders are only allowed for the "${DEFAULT_STAGE}" stage)`,
    );
  }
  const logLevel = (str(get, 'logLevel') ?? 'INFO').toUpperCase();
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) {
    throw new StageConfigError(
      `context "logLevel" must be DEBUG, INFO, WARN or ERROR, got ${JSON.stringify(logLevel)}`,
    );
  }
  const isDev = stage === DEFAULT_STAGE;
  const tenants = tenantList(get);
  if (!tenants.length && !isDev) {
    throw new StageConfigError(
      `stage "${stage}" needs the tenants it serves, for per-tenant rate limits: -c tenants=<id>[,<id>...]`,
    );
  }
  const publicApiUrl = str(get, 'publicApiUrl');
  const modelApiKeySecretArn = str(get, 'modelApiKeySecretArn');
  if (
    modelApiKeySecretArn !== undefined &&
    !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(modelApiKeySecretArn)
  )
    throw new StageConfigError(
      `context "modelApiKeySecretArn" must be a Secrets Manager secret ARN, got ${JSON.stringify(modelApiKeySecretArn)}`,
    );
  const clientId = str(get, 'consoleClientId');
  if (clientId === undefined && !isDev)
    throw new StageConfigError(
      `stage "${stage}" needs the console's client at its identity provider: -c consoleClientId=<client id> (a public client with authorization code + PKCE and the redirect URI <ConsoleUrl>/; placeholders are only allowed for the "${DEFAULT_STAGE}" stage)`,
    );
  const tokenUse = consoleTokenUseOf(str(get, 'consoleTokenUse'), 'context "consoleTokenUse"');
  const jwtAudience = audience ?? DEV_JWT_PLACEHOLDERS.jwtAudience;
  // An ID token's aud is the client it was issued to (OpenID Connect Core 2): the API, which checks one audience,
  // would refuse every console call with 401.
  if (clientId !== undefined && tokenUse === 'id_token' && clientId !== jwtAudience)
    throw new StageConfigError(
      `the console sends its ID token to the API, whose aud is the client id: -c jwtAudience must equal -c consoleClientId (${JSON.stringify(jwtAudience)} is not ${JSON.stringify(clientId)}), or use -c consoleTokenUse=access_token with an identity provider that issues access tokens for ${JSON.stringify(jwtAudience)}`,
    );
  return {
    stage,
    stackName: `Modos-${stage}`,
    jwtIssuer: httpsUrl('jwtIssuer', issuer ?? DEV_JWT_PLACEHOLDERS.jwtIssuer),
    jwtAudience,
    jwksUrl: httpsUrl('jwksUrl', jwksUrl ?? DEV_JWT_PLACEHOLDERS.jwksUrl),
    jwtIsPlaceholder,
    retainData: !isDev,
    logLevel: logLevel as StageConfig['logLevel'],
    throttleRateLimit: int(get, 'throttleRateLimit', 50, 1, 10_000),
    throttleBurstLimit: int(get, 'throttleBurstLimit', 100, 1, 5_000),
    waf: bool(get, 'waf', !isDev),
    wafRateLimitPer5Min: int(get, 'wafRateLimitPer5Min', 2_000, 10, 2_000_000_000),
    publicApiUrl: publicApiUrl === undefined ? undefined : baseUrl('publicApiUrl', publicApiUrl),
    modelApiKeySecretArn,
    tenants,
    tenantLimits: tenantLimitsFromContext(get),
    consoleClientId: clientId ?? DEV_CONSOLE_PLACEHOLDERS.consoleClientId,
    consoleClientIdIsPlaceholder: clientId === undefined,
    consoleScopes: consoleScopesOf(str(get, 'consoleScopes'), 'context "consoleScopes"'),
    consoleTokenUse: tokenUse,
    consoleDomain: consoleDomain(get),
    consoleWebAclArn: consoleWebAclArn(get),
    consoleConnectOrigins: consoleConnectOrigins(get),
  };
}
