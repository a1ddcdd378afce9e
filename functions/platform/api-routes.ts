/**
 * The API routes, derived from their contracts (schemas/routes.ts ROUTE_CONTRACTS, keyed `METHOD path`), which
 * also give each route's schemas, permission and statuses to its handler and to the OpenAPI document. The CDK stack
 * and the local API serve them; they are part of the platform spec with the manifest.
 *
 * Not in manifest.ts: every Lambda imports the manifest (the config module checks the function's bindings against
 * it), and a bundle that contains a module of zod schemas contains all of them, since building a schema is a call
 * esbuild cannot drop. Here, only the bundles that import the contracts anyway (the API handlers) carry them; the
 * event targets and workers no longer carry every route's schemas (about 11 KB) that they never read.
 */
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';
import { FUNCTIONS, type FunctionName, type HttpMethod, type RouteSpec } from './manifest.js';

export const ROUTES: readonly RouteSpec[] = Object.entries(ROUTE_CONTRACTS).map(([key, c]) => {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  if (!(c.function in FUNCTIONS)) throw new Error(`${key}: no function ${c.function} in the manifest`);
  return { method, path, function: c.function as FunctionName, auth: c.auth };
});
