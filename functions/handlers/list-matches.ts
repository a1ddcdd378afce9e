/**
 * GET /api/v1/entities/{id}/matches
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Input: entity id. Output: 200 MatchList (cluster members scored against the entity, with explanations).
 * Errors: ForbiddenError 403 (needs entities:read), NotFoundError 404; mapped by httpRoute.
 */
import { EntityIdPath } from '../../schemas/entity.js';
import { listMatches } from '../domain/resolution/matches.js';
import type { ResolutionDeps } from '../domain/resolution/store.js';
import { readOnlyResolutionDeps } from '../platform/composition.js';
import { httpRoute } from '../platform/http.js';
import { RESOLUTION_ROUTE_CONTRACTS } from '../../schemas/resolution-api.js';

export const makeHandler = (deps: ResolutionDeps) =>
  httpRoute(RESOLUTION_ROUTE_CONTRACTS['GET /api/v1/entities/{id}/matches'], ({ params, ctx }) =>
    listMatches(params.id, ctx, deps),
  );

export const handler = makeHandler(readOnlyResolutionDeps());
