import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { isReservedActor } from '../../domain/auth/actors.js';
import { UnauthorizedError, type RefusalReason } from '../../domain/errors.js';
import { hasDuplicateMember } from '../../domain/shared/duplicate-members.js';
import type { Principal } from '../../domain/ports.js';
import { ROLES } from '../../../schemas/roles.js';

/** Asymmetric algorithms only: a token signed with `none` or an HMAC secret is refused before any key lookup. */
export const ALLOWED_ALGORITHMS = ['ES256', 'RS256'] as const;

const Claims = z.object({
  exp: z.number(),
  sub: z.string().min(1).max(256),
  tenant_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'tenant_id must be 1-64 characters of A-Z, a-z, 0-9, _ or -'),
  roles: z.array(z.enum(ROLES)).max(ROLES.length),
});

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  keys: JWTVerifyGetKey;
  /** Allowed clock skew in seconds for exp/nbf (default 30). */
  clockToleranceSeconds?: number;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * Whether the token's protected header or payload repeats a member name (`tenant_id` twice: JSON.parse,
 * and so jose, would take the last, another reader the first). Run on a token whose signature
 * verified, so both segments are base64url JSON.
 */
function repeatsAMember(token: string): boolean {
  const [header = '', payload = ''] = token.split('.');
  return [header, payload].some((segment) => hasDuplicateMember(Buffer.from(segment, 'base64url').toString('utf8')));
}

/**
 * Verifies a bearer JWT: pinned algorithms, issuer, audience, exp (required) and nbf; no member name
 * repeated in its header or payload; then the modos claims, with a subject outside the reserved actor
 * namespaces (`system:`, `callback:`). Every failure is an UnauthorizedError whose message and
 * `reason` name the rule, never the token.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return async (token) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, options.keys, {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'sub', 'tenant_id'],
        clockTolerance: options.clockToleranceSeconds ?? 30,
      }));
    } catch (error) {
      const [message, reason]: [string, RefusalReason] =
        error instanceof errors.JWTExpired
          ? ['token expired', 'token_expired']
          : error instanceof errors.JWTClaimValidationFailed
            ? [`claim ${error.claim} invalid`, 'claim_invalid']
            : error instanceof errors.JOSEAlgNotAllowed
              ? ['algorithm not allowed', 'algorithm_not_allowed']
              : error instanceof errors.JWSSignatureVerificationFailed
                ? ['signature invalid', 'signature_invalid']
                : ['token invalid', 'token_invalid'];
      throw new UnauthorizedError(message, { cause: error, reason });
    }
    if (repeatsAMember(token))
      throw new UnauthorizedError('token repeats a member name in its header or payload', {
        reason: 'duplicate_member',
      });
    const claims = Claims.safeParse(payload);
    if (!claims.success)
      throw new UnauthorizedError(`token claims invalid: ${claims.error.issues[0]?.path.join('.')}`, {
        reason: 'claim_invalid',
      });
    if (isReservedActor(claims.data.sub))
      throw new UnauthorizedError('token subject is in a reserved actor namespace', { reason: 'reserved_subject' });
    return {
      tenantId: claims.data.tenant_id,
      userId: claims.data.sub,
      roles: claims.data.roles,
      expiresAt: claims.data.exp,
    };
  };
}

/** Keys from a JWKS URL, cached and refetched on an unknown `kid` (key rotation). */
export const remoteKeys = (url: string): JWTVerifyGetKey =>
  createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });

export const localKeys = (jwks: JSONWebKeySet): JWTVerifyGetKey => createLocalJWKSet(jwks);

/** Extracts the token from an `Authorization: Bearer <token>` header value. */
export function bearerToken(header: string | undefined | null): string {
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(header?.trim() ?? '');
  if (!match?.[1]) throw new UnauthorizedError('missing bearer token', { reason: 'token_missing' });
  return match[1];
}
