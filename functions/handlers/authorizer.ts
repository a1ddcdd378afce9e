/**
 * API Gateway TOKEN authorizer.
 * Trigger: API Gateway, identity source `Authorization` header, result cached per token.
 * Output: an IAM policy allowing the stage's methods, with context { tenantId, sub, roles }.
 * Errors: any verification failure throws 'Unauthorized', which API Gateway turns into 401
 * (the UNAUTHORIZED gateway response renders the modos error body). Permissions are checked per
 * route by the handlers, so one cached policy serves every route of the API.
 */
import { readFileSync } from 'node:fs';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { JSONWebKeySet } from 'jose';
import { bearerToken, createTokenVerifier, localKeys, remoteKeys, type TokenVerifier } from '../adapters/jose/token-verifier.js';
import type { Principal } from '../domain/ports.js';
import { config } from '../platform/config.js';
import { logger } from '../platform/logger.js';

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
  return { tenantId: p.tenantId, sub: p.userId, roles: p.roles.join(','), ...(p.expiresAt ? { exp: p.expiresAt } : {}) };
}

export const makeHandler =
  (verify: TokenVerifier) =>
  async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    let principal: Principal;
    try {
      principal = await verify(bearerToken(event.authorizationToken));
    } catch (error) {
      logger.info('token refused', { reason: (error as Error).message });
      throw new Error('Unauthorized');
    }
    return {
      principalId: principal.userId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiWildcard(event.methodArn) }],
      },
      context: authorizerContext(principal),
    };
  };

let verifier: TokenVerifier | undefined;
export const handler = (event: APIGatewayTokenAuthorizerEvent) => makeHandler((verifier ??= defaultVerifier()))(event);
