/**
 * GET /api/v1/connectors?limit=&cursor=. Trigger: API Gateway (JWT).
 * Output: 200 ConnectorList, newest first (no credentials).
 * Errors: ValidationError 400 (limit, cursor), ForbiddenError 403 (needs connectors:read); mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { listConnectors, type ConnectorDeps } from '../domain/connectors/connector-use-cases.js';
import { connectorDeps } from '../platform/connector-composition.js';
import { httpRoute } from '../platform/http.js';

export const makeHandler = (deps: Pick<ConnectorDeps, 'connectors'>) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['GET /api/v1/connectors'], ({ query, ctx }) => listConnectors(query, ctx, deps));
export const handler = makeHandler(connectorDeps());
