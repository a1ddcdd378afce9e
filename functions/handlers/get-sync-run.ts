/**
 * GET /api/v1/connectors/runs/{runId}
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Input: run id. Output: 200 SyncRun (status, counts, per-object cursor and progress, gaps, error).
 * Errors: ForbiddenError 403, NotFoundError 404; mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { getSyncRun, type SyncApiDeps } from '../domain/connectors/sync/runs.js';
import { httpRoute } from '../platform/http.js';
import { syncApiDeps } from '../platform/sync-composition.js';

export const makeHandler = (deps: Pick<SyncApiDeps, 'store'>) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['GET /api/v1/connectors/runs/{runId}'], ({ params, ctx }) =>
    getSyncRun(params.runId, ctx, deps),
  );

export const handler = makeHandler(syncApiDeps());
