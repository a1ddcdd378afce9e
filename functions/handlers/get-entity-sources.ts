/**
 * GET /api/v1/entities/{id}/sources. Trigger: API Gateway (JWT).
 * Output: 200 EntitySources: the source records of the entity and of its resolved cluster (capped, with
 * `truncated`), and the golden record with the record behind each value.
 * Errors: ValidationError 400 (id), ForbiddenError 403 (needs entities:read), NotFoundError 404 (also another
 * tenant's id); mapped by httpRoute.
 */
import { CONNECTOR_ROUTE_CONTRACTS } from '../../schemas/connectors-api.js';
import { getEntitySources, type ProvenanceDeps } from '../domain/connectors/provenance.js';
import { provenanceDeps } from '../platform/connector-composition.js';
import { httpRoute } from '../platform/http.js';

export const makeHandler = (deps: ProvenanceDeps) =>
  httpRoute(CONNECTOR_ROUTE_CONTRACTS['GET /api/v1/entities/{id}/sources'], ({ params, ctx }) =>
    getEntitySources(params.id, ctx, deps),
  );
export const handler = makeHandler(provenanceDeps());
