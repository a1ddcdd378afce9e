/**
 * API Gateway TOKEN authorizer.
 * Trigger: API Gateway, identity source `Authorization` header, result cached per token.
 * Output: an IAM policy allowing the stage's methods, with context { tenantId, sub, roles }, and the
 * tenant's usage identifier (per-tenant rate limit and quota of the stage's usage plan).
 * Errors: any verification failure throws 'Unauthorized', which API Gateway turns into 401
 * (the UNAUTHORIZED gateway response renders the modos error body), after a "request refused" line
 * with the reason and the RequestsRefused metric (platform/refusals.ts); never the token. Permissions are checked per
 * route by the handlers, so one cached policy serves every route of the API.
 */
import { readFileSync } from 'node:fs';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { JSONWebKeySet } from 'jose';
import {
  bearerToken,
  createTokenVerifier,
  localKeys,
  remoteKeys,
  type TokenVerifier,
} from '../adapters/jose/token-verifier.js';
import { UnauthorizedError } from '../domain/errors.js';
import type { Principal } from '../domain/ports.js';
import { config } from '../platform/config.js';
import { recordRefusal } from '../platform/refusals.js';
import { tenantUsageKey } from '../platform/tenant-limits.js';

export function defaultVerifier(): TokenVerifier {
  const c = config();
  const keys = c.JWKS_URL
    ? remoteKeys(c.JWKS_URL)
    : c.JWKS_FILE
      ? localKeys(JSON.parse(readFileSync(c.JWKS_FILE, 'utf8')) as JSONWebKeySet)
      : undefined;
  if (!keys) throw new Error('JWKS_URL or JWKS_FILE must be set');
  return createTokenVerifier({ issuer: c.JWT_ISSUER, audience: c.JWT_AUDIENCE, keys });
}

/** The whole API (every stage method), so the cached policy applies to all routes. */
function apiWildcard(methodArn: string): string {
  const [arnPrefix, stage] = methodArn.split('/');
  return `${arnPrefix}/${stage}/*/*`;
}

/**
 * What API Gateway passes to the handlers. `exp` travels along because API Gateway caches this result
 * per token for the TTL regardless of the token's expiry: the handlers refuse an expired one themselves.
 */
export function authorizerContext(p: Principal): Record<string, string | number> {
  return {
    tenantId: p.tenantId,
    sub: p.userId,
    roles: p.roles.join(','),
    ...(p.expiresAt ? { exp: p.expiresAt } : {}),
  };
}

/** Method and path of the request, from `arn:…:api-id/stage/METHOD/path…` (the authorizer gets no more). */
function requestOf(methodArn: string): { method: string; route: string } {
  const [, , method = 'UNKNOWN', ...path] = methodArn.split('/');
  return { method, route: `/${path.join('/')}` };
}

export const makeHandler =
  (verify: TokenVerifier) =>
  async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    let principal: Principal;
    try {
      principal = await verify(bearerToken(event.authorizationToken));
    } catch (error) {
      const { method, route } = requestOf(event.methodArn);
      recordRefusal({
        status: 401,
        // Every refusal of the verifier is an UnauthorizedError; anything else (a bug) is counted too.
        reason: error instanceof UnauthorizedError ? error.reason : 'token_invalid',
        detail: error instanceof UnauthorizedError ? error.message : 'verification failed',
        method,
        route,
      });
      throw new Error('Unauthorized');
    }
    return {
      principalId: principal.userId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiWildcard(event.methodArn) }],
      },
      context: authorizerContext(principal),
      // The tenant's key in the stage's usage plan: per-tenant throttling and quota (tenant-limits.ts).
      usageIdentifierKey: tenantUsageKey(config().STAGE, principal.tenantId),
    };
  };

let verifier: TokenVerifier | undefined;
export const handler = (event: APIGatewayTokenAuthorizerEvent) => makeHandler((verifier ??= defaultVerifier()))(event);
