/**
 * POST /api/v1/resolution/runs
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Input: StartResolutionRunRequest. Output: 202 ResolutionRun (QUEUED); the run worker does the work.
 * Errors: ValidationError 400, ForbiddenError 403 (admin only), TransientError 503; mapped by httpRoute.
 */
import { StartResolutionRunRequest } from '../../schemas/resolution.js';
import { startResolutionRun } from '../domain/resolution/runs.js';
import type { ResolutionDeps } from '../domain/resolution/store.js';
import { resolutionDeps } from '../platform/composition.js';
import { httpRoute } from '../platform/http.js';
import { RESOLUTION_ROUTE_CONTRACTS } from '../../schemas/resolution-api.js';

export const makeHandler = (deps: ResolutionDeps) =>
  httpRoute(RESOLUTION_ROUTE_CONTRACTS['POST /api/v1/resolution/runs'], ({ body, ctx }) =>
    startResolutionRun(body, ctx, deps),
  );

export const handler = makeHandler(resolutionDeps());
