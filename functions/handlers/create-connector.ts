/**
 * POST /api/v1/connectors. Trigger: API Gateway (JWT).
 * Input: CreateConnectorRequest (system, name, baseUrl, credentials, settings, schedule, enabled).
 * Output: 201 Connector (no credentials, only their kind).
 * Errors: ValidationError 400 (the field the registry, the URL guard or the schedule check refuses), ForbiddenError
 * 403 (needs connectors:manage), ScheduleNotAppliedError 503 (the schedule could not be created; nothing kept);
 * mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { createConnector, type ConnectorDeps } from '../domain/connectors/connector-use-cases.js';
import { secretBox } from '../platform/callback-key.js';
import { connectorDeps, lazyScheduler } from '../platform/connector-composition.js';
import { httpRoute } from '../platform/http.js';
import { syncScheduler } from '../platform/scheduler-composition.js';

export const makeHandler = (deps: ConnectorDeps) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['POST /api/v1/connectors'], ({ body, ctx }) => createConnector(body, ctx, deps));
export const handler = makeHandler({
  ...connectorDeps(),
  secrets: secretBox(),
  scheduler: lazyScheduler(syncScheduler),
});
