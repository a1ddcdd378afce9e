/**
 * POST /api/v1/connectors/{id}/sync
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Input: StartSyncRequest (`{ "full": true }` forces a full resync). Output: 202 SyncStarted; the ConnectorSync
 * state machine does the work. Errors: ValidationError 400, ForbiddenError 403 (admin), NotFoundError 404,
 * ConflictError 409 (a sync of the connector is running, or it is disabled), TransientError 503; mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { startSync, type SyncApiDeps } from '../domain/connectors/sync/runs.js';
import { httpRoute } from '../platform/http.js';
import { syncApiDeps } from '../platform/sync-composition.js';

export const makeHandler = (deps: SyncApiDeps) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['POST /api/v1/connectors/{id}/sync'], ({ params, body, ctx }) =>
    startSync(params.id, body, ctx, deps),
  );

export const handler = makeHandler(syncApiDeps());
