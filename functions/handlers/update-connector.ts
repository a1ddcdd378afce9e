/**
 * PATCH /api/v1/connectors/{id}. Trigger: API Gateway (JWT).
 * Input: UpdateConnectorRequest (the version read, and the fields to change). Output: 200 Connector.
 * Errors: ValidationError 400 (the field refused), ForbiddenError 403 (needs connectors:manage), NotFoundError 404,
 * ConflictError 409 (stale version), ScheduleNotAppliedError 503 (the schedule could not follow; the change was
 * undone); mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { updateConnector, type ConnectorDeps } from '../domain/connectors/connector-use-cases.js';
import { secretBox } from '../platform/callback-key.js';
import { connectorDeps, lazyScheduler } from '../platform/connector-composition.js';
import { httpRoute } from '../platform/http.js';
import { syncScheduler } from '../platform/scheduler-composition.js';

export const makeHandler = (deps: ConnectorDeps) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['PATCH /api/v1/connectors/{id}'], ({ params, body, ctx }) =>
    updateConnector(params.id, body, ctx, deps),
  );
export const handler = makeHandler({
  ...connectorDeps(),
  secrets: secretBox(),
  scheduler: lazyScheduler(syncScheduler),
});
