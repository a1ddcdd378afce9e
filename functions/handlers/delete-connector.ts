/**
 * DELETE /api/v1/connectors/{id}. Trigger: API Gateway (JWT).
 * Output: 204, no body. The connector, its token, breaker, cursors and schedule go; synced entities and their
 * source records stay.
 * Errors: ValidationError 400 (id), ForbiddenError 403 (needs connectors:manage), NotFoundError 404, ConflictError
 * 409 (a sync holds the connector), ScheduleNotAppliedError 503 (deleted, but the schedule is still to be removed:
 * send the DELETE again); mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { deleteConnector, type ConnectorDeps } from '../domain/connectors/connector-use-cases.js';
import { connectorDeps, lazyScheduler } from '../platform/connector-composition.js';
import { httpRoute } from '../platform/http.js';
import { syncScheduler } from '../platform/scheduler-composition.js';

export const makeHandler = (deps: Omit<ConnectorDeps, 'secrets'>) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['DELETE /api/v1/connectors/{id}'], ({ params, ctx }) =>
    deleteConnector(params.id, ctx, deps),
  );
export const handler = makeHandler({ ...connectorDeps(), scheduler: lazyScheduler(syncScheduler) });
