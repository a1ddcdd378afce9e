/**
 * PATCH /api/v1/entities/{id}
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Input: UpdateEntityRequest (version read + attribute merge patch). Output: 200 Entity.
 * Errors: ValidationError 400, NotFoundError 404, ConflictError 409 (stale version), ForbiddenError 403.
 */
import { EntityIdPath, UpdateEntityRequest } from '../../schemas/entity.js';
import { updateEntity, type EntityDeps } from '../domain/entities/entity-use-cases.js';
import { entityDeps } from '../platform/composition.js';
import { httpRoute } from '../platform/http.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: Omit<EntityDeps, 'ids'>) =>
  httpRoute(ROUTE_CONTRACTS['PATCH /api/v1/entities/{id}'], ({ params, body, ctx }) =>
    updateEntity(params.id, body, ctx, deps),
  );

export const handler = makeHandler(entityDeps());
