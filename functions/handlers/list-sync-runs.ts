/**
 * GET /api/v1/connectors/{id}/runs
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Input: connector id, `limit`, `cursor`. Output: 200 SyncRunList, newest first.
 * Errors: ValidationError 400 (query), ForbiddenError 403, NotFoundError 404; mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { listSyncRuns, type SyncApiDeps } from '../domain/connectors/sync/runs.js';
import { httpRoute } from '../platform/http.js';
import { syncApiDeps } from '../platform/sync-composition.js';

export const makeHandler = (deps: Pick<SyncApiDeps, 'store' | 'connectors'>) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['GET /api/v1/connectors/{id}/runs'], ({ params, query, ctx }) =>
    listSyncRuns(params.id, query, ctx, deps),
  );

export const handler = makeHandler(syncApiDeps());
