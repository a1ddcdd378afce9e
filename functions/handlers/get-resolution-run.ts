/**
 * GET /api/v1/resolution/runs/{id}
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Input: run id. Output: 200 ResolutionRun with its progress and, when done, its result.
 * Errors: ForbiddenError 403 (admin only), NotFoundError 404; mapped by httpRoute.
 */
import { ResolutionRunIdPath } from '../../schemas/resolution.js';
import { getResolutionRun } from '../domain/resolution/runs.js';
import type { ResolutionDeps } from '../domain/resolution/store.js';
import { resolutionDeps } from '../platform/composition.js';
import { httpRoute } from '../platform/http.js';
import { RESOLUTION_ROUTE_CONTRACTS } from '../../schemas/resolution-api.js';

export const makeHandler = (deps: ResolutionDeps) =>
  httpRoute(RESOLUTION_ROUTE_CONTRACTS['GET /api/v1/resolution/runs/{id}'], ({ params, ctx }) =>
    getResolutionRun(params.id, ctx, deps),
  );

export const handler = makeHandler(resolutionDeps());
