/**
 * The development sign-in, `POST /local/sign-in` (LOCAL_SIGN_IN_PATH of console/src/config.ts): on the local
 * platform only, it mints a token for a chosen tenant and roles, signed with the platform's key, so the console
 * (and anyone on this machine) can act as any user of any tenant. In AWS there is no such route: the console signs
 * in with the stage's identity provider (OIDC).
 *
 * Body `{ tenant, roles: [..], user?, expiresInSeconds? }`, checked by `parseTokenRequest` (local/keys.ts, the
 * rules of `npm run -s token`); 400 names each field (`tenant`, `roles.1`). Answers `{ token, expiresAt,
 * localOnly: true }`.
 *
 * It answers only requests addressed to this machine's loopback name (Host `127.0.0.1`, `localhost` or `[::1]` on
 * the server's port) and, when the browser names one, from the server's own origin: a page of another site cannot
 * post to it (an Origin of its own), nor reach it through a name of its own that resolves to 127.0.0.1 (DNS
 * rebinding: a Host of its own).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { decodeJwt, type JWK } from 'jose';
import { type ErrorDetail, ValidationError } from '../functions/domain/errors.js';
import { parseStrictJson } from '../functions/platform/strict-json.js';
import { consoleSecurityHeaders } from '../console/headers.js';
import type { SiteHandler, SiteRequest } from './api-server.js';
import { parseTokenRequest, signLocalToken, TokenRequestError } from './keys.js';

export interface DevelopmentSignInOptions {
  key: JWK;
  issuer: string;
  audience: string;
}

export interface LocalSignInResponse {
  token: string;
  /** When the token expires (ISO 8601). */
  expiresAt: string;
  localOnly: true;
}

const json = (
  status: number,
  body: unknown,
  requestId: string,
  security = consoleSecurityHeaders(),
): APIGatewayProxyResult => {
  const text = JSON.stringify(body);
  return {
    statusCode: status,
    headers: {
      ...security,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      // A token is in the answer: no cache keeps it.
      'cache-control': 'no-store',
      'x-request-id': requestId,
    },
    body: text,
  };
};

const refuse = (status: number, code: string, message: string, requestId: string, details?: readonly ErrorDetail[]) =>
  json(status, { error: { code, message, requestId, ...(details ? { details } : {}) } }, requestId);

/** The loopback authorities the server answers as: `127.0.0.1:<port>`, `localhost:<port>`, `[::1]:<port>`. */
function loopbackHosts(origin: string): Set<string> {
  const port = new URL(origin).port;
  return new Set(['127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${port}`));
}

/** Why the request may not sign in, or undefined: a Host or an Origin other than this machine's own. */
function foreignRequest(req: SiteRequest): string | undefined {
  const hosts = loopbackHosts(req.origin);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return `the development sign-in answers only on ${[...hosts].join(', ')}`;
  const origin = req.headers.origin;
  if (
    origin !== undefined &&
    !(origin.startsWith('http://') && hosts.has(origin.slice('http://'.length).toLowerCase()))
  )
    return 'the development sign-in answers only requests from the console on this machine';
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const JSON_TYPE = /^application\/json\s*(;\s*charset=("?)utf-8\2\s*)?$/i;

export function developmentSignIn(options: DevelopmentSignInOptions): SiteHandler {
  return async (req) => {
    const foreign = foreignRequest(req);
    if (foreign) return refuse(403, 'FORBIDDEN', foreign, req.requestId);
    if (!JSON_TYPE.test(req.headers['content-type'] ?? ''))
      return refuse(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body is JSON: Content-Type application/json', req.requestId, [
        { field: 'content-type', message: 'application/json is required' },
      ]);
    let text: string;
    try {
      text = utf8.decode(req.body);
    } catch {
      return refuse(400, 'VALIDATION_ERROR', 'request body is not valid UTF-8', req.requestId, [
        { field: 'body', message: 'invalid UTF-8' },
      ]);
    }
    if (!text)
      return refuse(400, 'VALIDATION_ERROR', 'request body is required', req.requestId, [
        { field: 'body', message: 'required' },
      ]);
    let body: unknown;
    try {
      body = parseStrictJson(text);
    } catch (error) {
      if (error instanceof ValidationError)
        return refuse(400, 'VALIDATION_ERROR', error.message, req.requestId, error.details);
      throw error;
    }
    let request: ReturnType<typeof parseTokenRequest>;
    try {
      request = parseTokenRequest(body);
    } catch (error) {
      if (error instanceof TokenRequestError)
        return refuse(400, 'VALIDATION_ERROR', error.message, req.requestId, error.details);
      throw error;
    }
    const token = await signLocalToken(options.key, { issuer: options.issuer, audience: options.audience, ...request });
    const answer: LocalSignInResponse = {
      token,
      expiresAt: new Date(decodeJwt(token).exp! * 1000).toISOString(),
      localOnly: true,
    };
    return json(200, answer, req.requestId);
  };
}

/** Every method a request may come with: the development sign-in that is off answers each the same. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * `/local/sign-in` of a platform started with an identity provider (local/platform.ts `identityProvider`): there is
 * no development sign-in, as on a deployed stage, since tokens come from the provider. Every request is answered 404
 * `NOT_FOUND` saying so and naming the provider.
 */
export function developmentSignInOff(options: {
  issuer: string;
  connectSrc?: readonly string[];
}): Partial<Record<string, SiteHandler>> {
  const security = consoleSecurityHeaders({ connectSrc: options.connectSrc ?? [] });
  const off: SiteHandler = async (req) =>
    json(
      404,
      {
        error: {
          code: 'NOT_FOUND',
          message: `the development sign-in is off: this platform signs in with the identity provider ${options.issuer}`,
          requestId: req.requestId,
        },
      },
      req.requestId,
      security,
    );
  return Object.fromEntries(METHODS.map((m) => [m, off]));
}
