/**
 * GET /api/v1/entities/{id}/relations?kind=&direction=&limit=&cursor=. Trigger: API Gateway (JWT).
 * Output: 200 EntityRelations, one page (`entityId` of each item is the entity at the other end).
 * Errors: ValidationError 400 (id, kind, direction, limit, cursor), ForbiddenError 403 (needs entities:read),
 * NotFoundError 404 (also another tenant's id); mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { getEntityRelations, type ProvenanceDeps } from '../domain/connectors/provenance.js';
import { provenanceDeps } from '../platform/connector-composition.js';
import { httpRoute } from '../platform/http.js';

export const makeHandler = (deps: Pick<ProvenanceDeps, 'resolution' | 'provenance'>) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['GET /api/v1/entities/{id}/relations'], ({ params, query, ctx }) =>
    getEntityRelations(params.id, query, ctx, deps),
  );
export const handler = makeHandler(provenanceDeps());
