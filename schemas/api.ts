import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { ErrorResponse } from './common.js';
import { CONTRACTS_BY_KEY } from './routes.js';

export type { RouteContract } from './route-contract.js';
export { CONTRACTS_BY_KEY, ROUTE_CONTRACTS, type RouteKey } from './routes.js';

const ERROR_STATUSES: Record<number, string> = {
  400: 'VALIDATION_ERROR: malformed JSON, repeated keys, values DynamoDB cannot store as sent (numbers, nesting, keys, lone surrogates), wrong types, unknown fields, oversized body, bad cursor',
  401: 'UNAUTHORIZED: missing, expired or invalid token',
  403: 'FORBIDDEN: the token lacks the permission',
  404: 'NOT_FOUND',
  409: 'CONFLICT: stale version or duplicate',
  415: 'UNSUPPORTED_MEDIA_TYPE: a body not sent as application/json (or application/*+json), UTF-8',
  429: "RATE_LIMITED: over the stage's throttle (any route) or the tenant's rate or daily quota (routes with a token); retry after `Retry-After` seconds",
};

/** The document's view of a manifest route (functions/platform/manifest.ts RouteSpec). */
export interface DocumentedRoute {
  method: string;
  path: string;
  function: string;
  auth: 'jwt' | 'none';
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * The `operationId` of every route, derived here only: its function's name in camelCase (`CreateEntity` →
 * `createEntity`). A function serving several routes takes each route's last literal path segment as its verb
 * in place of its own first word (`DecideApproval` → `approveApproval`, `rejectApproval`). A contract may name its
 * own (`operationId`: a function of several resources' CRUD routes). Refuses duplicates, so a new route cannot
 * silently share an id (generated clients key their operations on it).
 */
export function operationIds(routes: readonly DocumentedRoute[]): Map<string, string> {
  const routesOf = new Map<string, number>();
  for (const r of routes) routesOf.set(r.function, (routesOf.get(r.function) ?? 0) + 1);
  const ids = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    const named = CONTRACTS_BY_KEY[key]?.operationId;
    let id = named ?? lowerFirst(r.function);
    if (named === undefined && (routesOf.get(r.function) ?? 0) > 1) {
      const action =
        r.path
          .split('/')
          .filter((s) => s && !s.startsWith('{'))
          .at(-1) ?? r.method.toLowerCase();
      id = action + r.function.replace(/^[A-Z][a-z0-9]*/, '');
    }
    const owner = owners.get(id);
    if (owner) throw new Error(`operationId ${id} of ${key} is already the id of ${owner}`);
    owners.set(id, key);
    ids.set(key, id);
  }
  return ids;
}

const json = (schema: ZodType, example: unknown) => ({
  'application/json': { schema, ...(example === undefined ? {} : { example }) },
});

/** Builds the OpenAPI 3.1 document for the given routes from their zod contracts. */
export function buildOpenApiDocument(routes: readonly DocumentedRoute[], version: string) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  const ids = operationIds(routes);
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const c = CONTRACTS_BY_KEY[key];
    if (!c) throw new Error(`no API contract for ${key}`);
    if (c.function !== route.function || c.auth !== route.auth)
      throw new Error(`${key}: the route (${route.function}, ${route.auth}) is not its contract's`);
    registry.registerPath({
      method: route.method.toLowerCase() as 'get',
      path: route.path,
      operationId: ids.get(key),
      summary: c.summary,
      description: c.permission ? `Requires permission \`${c.permission}\`.` : undefined,
      security: route.auth === 'jwt' ? [{ [bearer.name]: [] }] : [],
      request: {
        ...(c.params ? { params: c.params } : {}),
        ...(c.query ? { query: c.query } : {}),
        ...(c.body
          ? {
              body: {
                content: json(c.body, c.examples?.request),
                required: !(c.body as ZodType).safeParse({}).success,
              },
            }
          : {}),
      },
      responses: {
        // 204 No Content: no body to describe.
        [c.status]:
          c.status === 204
            ? { description: 'Success (no content)' }
            : { description: 'Success', content: json(c.response, c.examples?.response) },
        ...Object.fromEntries(
          c.errors.map((s) => [
            s,
            {
              description: ERROR_STATUSES[s] ?? String(s),
              ...(s === 429
                ? {
                    headers: {
                      'Retry-After': {
                        description: 'Seconds to wait before retrying',
                        schema: { type: 'integer', minimum: 1 },
                      },
                    },
                  }
                : {}),
              content: json(ErrorResponse, undefined),
            },
          ]),
        ),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'modos API',
      version,
      description: 'Multi-tenant entity graph, signals and safe workflow execution.',
    },
    servers: [{ url: '/' }],
  });
}
