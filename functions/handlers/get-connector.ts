/**
 * GET /api/v1/connectors/{id}. Trigger: API Gateway (JWT).
 * Output: 200 Connector (no credentials, only their kind).
 * Errors: ValidationError 400 (id), ForbiddenError 403 (needs connectors:read), NotFoundError 404 (also another
 * tenant's id); mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { getConnector, type ConnectorDeps } from '../domain/connectors/connector-use-cases.js';
import { connectorDeps } from '../platform/connector-composition.js';
import { httpRoute } from '../platform/http.js';

export const makeHandler = (deps: Pick<ConnectorDeps, 'connectors'>) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['GET /api/v1/connectors/{id}'], ({ params, ctx }) =>
    getConnector(params.id, ctx, deps),
  );
export const handler = makeHandler(connectorDeps());
