/**
 * GET /api/v1/entities/{id}
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Output: 200 Entity. Errors: NotFoundError 404 (also for another tenant's id), ForbiddenError 403.
 */
import { EntityIdPath } from '../../schemas/entity.js';
import { getEntity, type EntityDeps } from '../domain/entities/entity-use-cases.js';
import { entityDeps } from '../platform/composition.js';
import { httpRoute } from '../platform/http.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: Pick<EntityDeps, 'entities'>) =>
  httpRoute(ROUTE_CONTRACTS['GET /api/v1/entities/{id}'], ({ params, ctx }) => getEntity(params.id, ctx, deps));

export const handler = makeHandler(entityDeps());
