import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import * as z from 'zod';
import { isReservedActor } from '../functions/domain/auth/actors.js';
import { ROLES } from '../schemas/roles.js';

/**
 * The local platform's signing key: an ES256 pair kept in the data folder (private key file mode
 * 0600). The platform verifies tokens against `jwks.json`, exactly as the AWS authorizer verifies
 * against the identity provider's JWKS.
 */
/** Issuer and audience of local tokens (the AWS stage takes its own from the identity provider). */
export const LOCAL_ISSUER = 'https://auth.modos.local/';
export const LOCAL_AUDIENCE = 'modos-api';

export interface LocalKeys {
  jwksFile: string;
  privateJwk: JWK;
}

export async function ensureLocalKeys(dataDir: string): Promise<LocalKeys> {
  const dir = join(dataDir, 'keys');
  const privateFile = join(dir, 'signing-key.private.jwk.json');
  const jwksFile = join(dir, 'jwks.json');
  if (!existsSync(privateFile) || !existsSync(jwksFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `local-${Date.now().toString(36)}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    writeFileSync(privateFile, JSON.stringify(privateJwk), { mode: 0o600 });
    writeFileSync(jwksFile, JSON.stringify({ keys: [publicJwk] }));
  }
  return { jwksFile, privateJwk: JSON.parse(readFileSync(privateFile, 'utf8')) as JWK };
}

export interface TokenRequest {
  tenantId: string;
  roles: string[];
  userId?: string;
  issuer?: string;
  audience?: string;
  expiresInSeconds?: number;
}

/** The longest a local token may live: 30 days (a longer one is refused, not shortened). */
export const MAX_LOCAL_TOKEN_SECONDS = 30 * 24 * 3600;

const TENANT_RULE = '1-64 characters of A-Z, a-z, 0-9, _ or -';
const rule =
  (text: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'required' : text;

/**
 * What a local token may be asked for, the same rules as the authorizer's claims (functions/adapters/jose/
 * token-verifier.ts), so a token minted here is one the platform accepts: a tenant id of 1-64 characters of
 * A-Z, a-z, 0-9, _ or -; at least one role, each a known one (schemas/roles.ts) and none twice; a user id of
 * 1-256 characters outside the platform's reserved actor namespaces (`system:`, `callback:`, `trigger:`); a
 * lifetime of 1 s to 30 days.
 */
const LocalTokenRequest = z.strictObject({
  tenant: z.string({ error: rule(TENANT_RULE) }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: TENANT_RULE }),
  roles: z
    .array(z.enum(ROLES, { error: `one of ${ROLES.join(', ')}` }), { error: rule(`a list of ${ROLES.join(', ')}`) })
    .min(1, { error: `at least one of ${ROLES.join(', ')}` })
    .superRefine((roles, ctx) => {
      roles.forEach((role, i) => {
        if (roles.indexOf(role) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${role} is listed twice` });
      });
    }),
  user: z
    .string({ error: '1-256 characters' })
    .min(1, { error: '1-256 characters' })
    .max(256, { error: '1-256 characters' })
    .refine((user) => !isReservedActor(user), {
      error: 'must not start with a reserved actor namespace (system:, callback:, trigger:)',
    })
    .optional(),
  expiresInSeconds: z
    .int({ error: rule(`a whole number of seconds, 1 to ${MAX_LOCAL_TOKEN_SECONDS}`) })
    .min(1, { error: `a whole number of seconds, 1 to ${MAX_LOCAL_TOKEN_SECONDS}` })
    .max(MAX_LOCAL_TOKEN_SECONDS, { error: `at most ${MAX_LOCAL_TOKEN_SECONDS} (30 days)` })
    .optional(),
});

/** A refused token request: one entry per problem, `field` the path in the request (`tenant`, `roles.1`). */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
  constructor(readonly details: { field: string; message: string }[]) {
    super(`invalid token request: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`);
  }
}

/**
 * Checks a request for a local token (`npm run -s token` and the development sign-in `POST /local/sign-in` both
 * call this): `{ tenant, roles, user?, expiresInSeconds? }` → the TokenRequest to sign. Throws TokenRequestError
 * naming every field that breaks a rule, and any field it does not know.
 */
export function parseTokenRequest(input: unknown): TokenRequest {
  const parsed = LocalTokenRequest.safeParse(input);
  if (!parsed.success) {
    throw new TokenRequestError(
      parsed.error.issues.flatMap((issue) => {
        const path = issue.path.map(String).join('.');
        if (issue.code === 'unrecognized_keys')
          return issue.keys.map((key) => ({ field: [path, key].filter(Boolean).join('.'), message: 'unknown field' }));
        return [{ field: path || 'body', message: path ? issue.message : 'a JSON object' }];
      }),
    );
  }
  const { tenant, roles, user, expiresInSeconds } = parsed.data;
  return {
    tenantId: tenant,
    roles,
    ...(user !== undefined ? { userId: user } : {}),
    ...(expiresInSeconds !== undefined ? { expiresInSeconds } : {}),
  };
}

export async function signLocalToken(key: JWK, req: TokenRequest): Promise<string> {
  const privateKey = await importJWK(key, 'ES256');
  return new SignJWT({ tenant_id: req.tenantId, roles: req.roles })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid!, typ: 'JWT' })
    .setSubject(req.userId ?? `user-${req.tenantId}`)
    .setIssuer(req.issuer ?? LOCAL_ISSUER)
    .setAudience(req.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (req.expiresInSeconds ?? 3600))
    .sign(privateKey);
}

/** What the local platform reads from an OpenID Provider's discovery document. */
export interface DiscoveredProvider {
  /** Where the provider publishes its signing keys: the functions' JWKS_URL, as the stage's `jwksUrl` in AWS. */
  jwksUri: string;
  /** Where the console exchanges its code (its origin joins the console's `connect-src` when it is not the issuer's). */
  tokenEndpoint: string;
}

/** Hosts a provider may be reached on over plain http: this machine only. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or http to a loopback host. */
export const isSecureOrLoopback = (url: URL): boolean =>
  url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));

/**
 * Reads `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4) and checks it: the document's
 * `issuer` is the one asked for, exactly (§4.3), and it names its keys and its token endpoint. Throws naming what is
 * wrong, so the platform does not start against a provider whose tokens it could never verify.
 */
export async function discoverProvider(issuer: string): Promise<DiscoveredProvider> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new Error(`the OpenID Provider's discovery document ${url} could not be read: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`the OpenID Provider's discovery document ${url} answered ${response.status}`);
  const doc = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!doc || doc.issuer !== issuer)
    throw new Error(
      `the discovery document ${url} names the issuer ${JSON.stringify(doc?.issuer)}, not ${JSON.stringify(issuer)}`,
    );
  const endpoint = (name: string): string => {
    const value = doc[name];
    if (typeof value !== 'string' || !URL.canParse(value))
      throw new Error(`the discovery document ${url} has no ${name} URL`);
    // As a stage's jwksUrl: https, or http on a loopback address only (a provider run on this machine).
    if (!isSecureOrLoopback(new URL(value)))
      throw new Error(
        `the discovery document ${url} names an insecure ${name} ${value}: https:// only (http:// on loopback)`,
      );
    return value;
  };
  return { jwksUri: endpoint('jwks_uri'), tokenEndpoint: endpoint('token_endpoint') };
}
