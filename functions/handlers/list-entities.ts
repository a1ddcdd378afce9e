/**
 * GET /api/v1/entities?type=&limit=&cursor=
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Output: 200 { items, nextCursor }. Errors: ValidationError 400 (bad type, limit or cursor), ForbiddenError 403.
 */
import { ListEntitiesQuery } from '../../schemas/entity.js';
import { listEntities, type EntityDeps } from '../domain/entities/entity-use-cases.js';
import { entityDeps } from '../platform/composition.js';
import { httpRoute } from '../platform/http.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: Pick<EntityDeps, 'entities'>) =>
  httpRoute(ROUTE_CONTRACTS['GET /api/v1/entities'], ({ query, ctx }) => listEntities(query, ctx, deps));

export const handler = makeHandler(entityDeps());
