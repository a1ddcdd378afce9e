/**
 * POST /api/v1/entities/{id}/matches/{otherId}/confirm | /reject
 * Trigger: API Gateway (proxy), behind the JWT authorizer. The decision is the last path segment.
 * Input: the pair. Output: 200 MatchDecisionResult (`changed: false` on a repeat).
 * Errors: ValidationError 400 (same entity, other type), ForbiddenError 403 (admin only), NotFoundError 404,
 * ConflictError 409 (a confirm that would join a rejected pair, or a concurrent change); mapped by httpRoute.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { RESOLUTION_ROUTE_CONTRACTS } from '../../schemas/resolution-api.js';
import { decideMatch } from '../domain/resolution/matches.js';
import type { ResolutionDeps } from '../domain/resolution/store.js';
import { resolutionDeps } from '../platform/composition.js';
import { httpRoute, type ApiHandler } from '../platform/http.js';

export const makeHandler = (deps: ResolutionDeps): ApiHandler => {
  const route = (decision: 'confirm' | 'reject') =>
    httpRoute(
      RESOLUTION_ROUTE_CONTRACTS[`POST /api/v1/entities/{id}/matches/{otherId}/${decision}`],
      ({ params, ctx }) => decideMatch(params.id, params.otherId, decision, ctx, deps),
    );
  const confirm = route('confirm');
  const reject = route('reject');
  return (event: APIGatewayProxyEvent, context?: unknown) =>
    ((event.resource ?? event.path ?? '').endsWith('/reject') ? reject : confirm)(event, context);
};

export const handler = makeHandler(resolutionDeps());
