// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import type * as z from 'zod';
import type { ZodType } from 'zod';

/**
 * The contract of one API route, keyed `METHOD path` in ROUTE_CONTRACTS (schemas/routes.ts). The route manifest
 * (functions/platform/api-routes.ts ROUTES), the handler (`httpRoute(contract, …)`: schemas, permission, status),
 * both runtimes' API and the OpenAPI document all read it.
 */
export interface RouteContract {
  /** The function serving the route (a key of the manifest's FUNCTIONS). */
  function: string;
  /** `jwt`: behind the authorizer; `none`: public (its own credential, if any, authenticates it). */
  auth: 'jwt' | 'none';
  summary: string;
  /** The permission the principal's roles must grant; httpRoute refuses (403) without it. */
  permission?: string;
  body?: ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  /** Status of a successful response. */
  status: number;
  /** Largest request body read, in bytes (default MAX_BODY_BYTES of schemas/common.ts): routes of uploads. */
  maxBodyBytes?: number;
  response: ZodType;
  /** The error statuses the route answers (documented with the ErrorResponse body). */
  errors: readonly number[];
  /**
   * The OpenAPI operationId, where the one derived from the function (schemas/api.ts operationIds) cannot tell the
   * routes apart: one function serving the CRUD routes of several resources. Unique like every derived one.
   */
  operationId?: string;
  /** Example bodies for the document (schemas/api-examples.ts); a unit test parses each with `body` / `response`. */
  examples?: { request?: unknown; response?: unknown };
}

/**
 * A contract with its error statuses: 400/401/403/404/409 behind the authorizer (public routes with path
 * parameters: 400/401/404/409), 415 with a body, and 429 on every route (API Gateway's stage throttle answers
 * any of them, public ones included).
 */
export function routeContract<C extends Omit<RouteContract, 'errors'>>(c: C): C & { errors: readonly number[] } {
  const errors = [
    ...(c.auth === 'jwt' ? [400, 401, 403, 404, 409] : c.params ? [400, 401, 404, 409] : []),
    ...(c.body ? [415] : []),
    429,
  ];
  return { ...c, errors };
}
