/**
 * POST /api/v1/entities
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Input: CreateEntityRequest. Output: 201 Entity.
 * Errors: ValidationError 400, ForbiddenError 403 (needs entities:write), TransientError 503; mapped by httpRoute.
 */
import { CreateEntityRequest } from '../../schemas/entity.js';
import { createEntity, type EntityDeps } from '../domain/entities/entity-use-cases.js';
import { entityDeps } from '../platform/composition.js';
import { httpRoute } from '../platform/http.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: EntityDeps) =>
  httpRoute(ROUTE_CONTRACTS['POST /api/v1/entities'], ({ body, ctx }) => createEntity(body, ctx, deps));

export const handler = makeHandler(entityDeps());
