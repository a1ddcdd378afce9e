import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import type { ZodType } from 'zod';
import { MAX_BODY_BYTES } from '../../schemas/common.js';
import {
  ForbiddenError,
  isDomainError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  type ErrorDetail,
} from '../domain/errors.js';
import { requirePermission } from '../domain/auth/authorize.js';
import { PERMISSIONS, type Permission } from '../domain/auth/permissions.js';
import type { Principal, RequestContext } from '../domain/ports.js';
import { logger } from './logger.js';
import { recordRefusal } from './refusals.js';
import { parseStrictJson } from './strict-json.js';

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  ctx: RequestContext;
  /** The request's headers, names in lower case (the last value of a repeated header). */
  headers: Record<string, string>;
}

/**
 * What httpRoute reads of a route's contract (schemas/route-contract.ts RouteContract): the schemas of the body,
 * query and path parameters, the permission the principal's roles must grant, and the success status.
 */
export interface HttpRouteContract {
  permission?: string;
  body?: ZodType;
  query?: ZodType;
  params?: ZodType;
  /** Status of a successful response (default 200). */
  status?: number;
  /** Largest request body read, in bytes (default MAX_BODY_BYTES); a route of uploads raises it. */
  maxBodyBytes?: number;
}

/**
 * A result sent as it is instead of as JSON (a picture: `image/svg+xml`, Graphviz DOT, PNML), with the contract's
 * status. Text only: the API's media types are UTF-8 text.
 */
export class RawBody {
  constructor(
    readonly contentType: string,
    readonly body: string,
  ) {}
}

/** The parsed type of a part (`body`, `query`, `params`) of a contract; `undefined` when it has none. */
type PartOf<C, K extends 'body' | 'query' | 'params'> = C extends Record<K, ZodType<infer T>> ? T : undefined;

export type ApiHandler = (event: APIGatewayProxyEvent, context?: unknown) => Promise<APIGatewayProxyResult>;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export function jsonResponse(status: number, body: unknown, requestId: string): APIGatewayProxyResult {
  // 204 No Content has no body (RFC 9110 §15.3.5), so no media type either.
  if (status === 204) return { statusCode: 204, headers: { 'x-request-id': requestId }, body: '' };
  return { statusCode: status, headers: { ...JSON_HEADERS, 'x-request-id': requestId }, body: JSON.stringify(body) };
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  requestId: string,
  details?: ErrorDetail[],
): APIGatewayProxyResult {
  return jsonResponse(status, { error: { code, message, requestId, ...(details ? { details } : {}) } }, requestId);
}

/** Clock skew allowed on `exp`, as the authorizer allows. */
const TOKEN_CLOCK_SKEW_SECONDS = 30;

/**
 * Every value of a request header, under any spelling of its name. API Gateway REST puts every value
 * of a repeated header in `multiValueHeaders` (and only the last in `headers`), keeping the client's
 * spelling of the name; `headers` serves events that carry no `multiValueHeaders`.
 */
function headerValues(event: APIGatewayProxyEvent, name: string): string[] {
  const values: string[] = [];
  const multi = event.multiValueHeaders ?? {};
  const source: Record<string, unknown> = Object.keys(multi).length ? multi : (event.headers ?? {});
  for (const [key, value] of Object.entries(source)) {
    if (key.toLowerCase() !== name || value === undefined || value === null) continue;
    values.push(...(Array.isArray(value) ? value.map(String) : [String(value)]));
  }
  return values;
}

/**
 * The principal the authorizer verified; the tenant never comes from the path, query or body.
 * A request with more than one Authorization header is refused: the authorizer saw one of them (the
 * last in API Gateway), other readers may take another, so which credential it carries is ambiguous.
 */
export function principalOf(event: APIGatewayProxyEvent): Principal {
  if (headerValues(event, 'authorization').length > 1) {
    throw new UnauthorizedError('more than one Authorization header', { reason: 'duplicate_authorization' });
  }
  const a = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const tenantId = a?.tenantId;
  const userId = a?.sub;
  if (typeof tenantId !== 'string' || !tenantId || typeof userId !== 'string' || !userId) {
    throw new UnauthorizedError('no verified principal', { reason: 'no_principal' });
  }
  const roles = typeof a?.roles === 'string' && a.roles ? a.roles.split(',') : [];
  // The authorizer's result is cached per token (5 min): a token that expired since is refused here.
  const exp = a?.exp === undefined ? undefined : Number(a.exp);
  if (exp !== undefined && (!Number.isFinite(exp) || exp + TOKEN_CLOCK_SKEW_SECONDS < Date.now() / 1000))
    throw new UnauthorizedError('token expired', { reason: 'token_expired' });
  return { tenantId, userId, roles, ...(exp !== undefined ? { expiresAt: exp } : {}) };
}

function zodDetails(error: z.ZodError, prefix: string): ErrorDetail[] {
  return error.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    const message = i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message;
    return {
      field:
        i.code === 'unrecognized_keys' && i.keys.length === 1
          ? [path, i.keys[0]].filter(Boolean).join('.')
          : path || prefix || 'body',
      message,
    };
  });
}

function parsePart<T>(schema: ZodType<T> | undefined, value: unknown, part: string): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const details = zodDetails(parsed.error, part);
    throw new ValidationError(`invalid ${part}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, {
      details,
    });
  }
  return parsed.data;
}

/** `application/json` or a structured `+json` type (`application/merge-patch+json`), any parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.+-]+\+)?json$/;

/**
 * A body is read only when it is declared JSON in UTF-8 (RFC 8259): a missing Content-Type is refused
 * too, rather than guessed, so a form post or a text upload never reaches a JSON schema by accident.
 */
function requireJsonContentType(event: APIGatewayProxyEvent): void {
  const name = Object.keys(event.headers ?? {}).find((h) => h.toLowerCase() === 'content-type');
  const all = name ? (event.multiValueHeaders?.[name] ?? [event.headers[name]]) : [];
  const refuse = (message: string): never => {
    throw new UnsupportedMediaTypeError(`request bodies are JSON: ${message}`, {
      details: [{ field: 'content-type', message }],
    });
  };
  if (!name || all.length === 0) refuse('Content-Type application/json is required with a body');
  if (new Set(all).size > 1) refuse('one Content-Type, not several');
  const [type = '', ...params] = (event.headers[name!] ?? '').split(';');
  if (!JSON_MEDIA_TYPE.test(type.trim().toLowerCase()))
    refuse('Content-Type must be application/json or application/*+json');
  const charset = params
    .map((p) => p.split('='))
    .find(([key]) => key?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    refuse('JSON is UTF-8 (charset=utf-8, or no charset)');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body; a request without one is `{}` where the contract's body accepts `{}` (every field optional, e.g.
 * `POST /connectors/{id}/sync`): the OpenAPI document marks those bodies not required (schemas/api.ts).
 */
function bodyOrEmpty(event: APIGatewayProxyEvent, schema: ZodType, maxBytes?: number): unknown {
  const absent = event.body === null || event.body === undefined || event.body === '';
  return absent && schema.safeParse({}).success ? {} : readBody(event, maxBytes);
}

function readBody(event: APIGatewayProxyEvent, maxBytes = MAX_BODY_BYTES): unknown {
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new ValidationError('request body is required', { details: [{ field: 'body', message: 'required' }] });
  }
  requireJsonContentType(event);
  let raw = event.body;
  if (event.isBase64Encoded) {
    try {
      raw = utf8.decode(Buffer.from(event.body, 'base64'));
    } catch {
      throw new ValidationError('request body is not valid UTF-8', {
        details: [{ field: 'body', message: 'invalid UTF-8' }],
      });
    }
  }
  if (Buffer.byteLength(raw, 'utf8') > maxBytes) {
    throw new ValidationError(`request body exceeds ${maxBytes} bytes`, {
      details: [{ field: 'body', message: 'too large' }],
    });
  }
  return parseStrictJson(raw);
}

/** The authorizer's verified user and tenant, if it passed any (for the refusal's log line). */
function verifiedIdentity(event: APIGatewayProxyEvent): { userId?: string; tenantId?: string } {
  const a = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  return {
    ...(typeof a?.sub === 'string' && a.sub ? { userId: a.sub } : {}),
    ...(typeof a?.tenantId === 'string' && a.tenantId ? { tenantId: a.tenantId } : {}),
  };
}

function mapError(error: unknown, requestId: string, event: APIGatewayProxyEvent): APIGatewayProxyResult {
  if (isDomainError(error)) {
    if (error.status >= 500)
      logger.error('request failed', {
        errorName: error.name,
        code: error.code,
        cause: (error.cause as Error | undefined)?.name,
      });
    else if (error instanceof UnauthorizedError || error instanceof ForbiddenError) {
      recordRefusal({
        status: error.status,
        reason: error.reason,
        detail: error.message,
        method: event.httpMethod,
        route: event.resource ?? event.path,
        ...verifiedIdentity(event),
      });
    } else logger.info('request not served', { errorName: error.name, code: error.code, status: error.status });
    return errorResponse(error.status, error.code, error.message, requestId, error.details);
  }
  // The stack's first line repeats the message, which may quote input: log the frames only.
  logger.error('unhandled error', {
    errorName: (error as Error)?.name,
    frames: (error as Error)?.stack?.split('\n').slice(1, 8).join('\n'),
  });
  return errorResponse(500, 'INTERNAL_ERROR', 'internal error', requestId);
}

const withLambdaContext = (core: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>): ApiHandler =>
  middy(core).use(injectLambdaContext(logger, { resetKeys: true })) as unknown as ApiHandler;

const isPermission = (value: string): value is Permission => (PERMISSIONS as readonly string[]).includes(value);

/**
 * Builds an API Gateway proxy handler from a route's contract: verified principal → the contract's permission
 * (403 without it, before anything of the request is read) → zod-parsed body, query and path → use case → JSON
 * response with the contract's status. Domain errors map to their status and code; anything else is a 500 with
 * the request id (logged by name, never by content). The use cases check their permission too (defence in
 * depth): a request refused here never reaches them, so a refusal is logged once.
 */
export function httpRoute<C extends HttpRouteContract>(
  contract: C,
  run: (input: RouteInput<PartOf<C, 'body'>, PartOf<C, 'query'>, PartOf<C, 'params'>>) => Promise<unknown>,
): ApiHandler {
  type B = PartOf<C, 'body'>;
  type Q = PartOf<C, 'query'>;
  type P = PartOf<C, 'params'>;
  const { permission } = contract;
  if (permission !== undefined && !isPermission(permission))
    throw new Error(`the route contract names an unknown permission ${permission}`);
  return withLambdaContext(async (event) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    try {
      const principal = principalOf(event);
      logger.appendKeys({ requestId, tenantId: principal.tenantId });
      if (permission !== undefined) requirePermission(principal, permission);
      const query = parsePart(contract.query, event.queryStringParameters ?? {}, 'query') as Q;
      const params = parsePart(contract.params, event.pathParameters ?? {}, 'path') as P;
      const body = (
        contract.body
          ? parsePart(contract.body, bodyOrEmpty(event, contract.body, contract.maxBodyBytes), '')
          : undefined
      ) as B;
      const headers = Object.fromEntries(
        Object.entries(event.headers ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k.toLowerCase(), v]])),
      );
      const result = await run({ body, query, params, ctx: { principal, requestId }, headers });
      if (result instanceof RawBody)
        return {
          statusCode: contract.status ?? 200,
          headers: { 'content-type': result.contentType, 'x-request-id': requestId },
          body: result.body,
        };
      return jsonResponse(contract.status ?? 200, result, requestId);
    } catch (error) {
      return mapError(error, requestId, event);
    } finally {
      logger.removeKeys(['requestId', 'tenantId']);
    }
  });
}

/**
 * One function serving several routes (an area's CRUD): each route keeps its own `httpRoute` handler and contract,
 * chosen by the method and resource path API Gateway (and the local API) put on the event. A route the table does
 * not hold is a wiring fault, not a client error: it answers 404 and is logged.
 */
export function routeTable(routes: Record<string, ApiHandler>): ApiHandler {
  return async (event, context) => {
    const route = routes[`${event.httpMethod} ${event.resource}`];
    if (route) return route(event, context);
    logger.error('route not served by this function', { method: event.httpMethod, resource: event.resource });
    const requestId = event.requestContext?.requestId ?? 'unknown';
    return errorResponse(404, 'NOT_FOUND', `no route ${event.httpMethod} ${event.resource}`, requestId);
  };
}

/**
 * A route without the JWT authorizer (its own credential authenticates it, e.g. approval callbacks).
 * The body is optional: parsed only when one was sent.
 */
export function httpPublicRoute<B = undefined, Q = undefined, P = undefined>(
  spec: { optionalBody?: ZodType<B>; query?: ZodType<Q>; params?: ZodType<P>; status?: number },
  run: (input: { body: B | undefined; query: Q; params: P; requestId: string }) => Promise<unknown>,
): ApiHandler {
  return withLambdaContext(async (event) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    try {
      logger.appendKeys({ requestId });
      const query = parsePart(spec.query, event.queryStringParameters ?? {}, 'query');
      const params = parsePart(spec.params, event.pathParameters ?? {}, 'path');
      const hasBody = event.body !== null && event.body !== undefined && event.body !== '';
      const body = spec.optionalBody && hasBody ? parsePart(spec.optionalBody, readBody(event), '') : undefined;
      return jsonResponse(spec.status ?? 200, await run({ body, query, params, requestId }), requestId);
    } catch (error) {
      return mapError(error, requestId, event);
    } finally {
      logger.removeKeys(['requestId']);
    }
  });
}
