/**
 * GET /api/v1/resolution/review?type=person|organization&limit=N
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Input: type (required), limit 1–100 (default 20). Output: 200 ReviewQueue (pending pairs, most uncertain first,
 * with explanations and confirm/reject paths; empty with a hint before the first batch run).
 * Errors: ValidationError 400 (bad type or limit, naming the field), ForbiddenError 403 (needs resolution:manage);
 * mapped by httpRoute.
 */
import { getReviewQueue } from '../domain/resolution/review.js';
import type { ResolutionDeps } from '../domain/resolution/store.js';
import { resolutionDeps } from '../platform/composition.js';
import { httpRoute } from '../platform/http.js';
import { RESOLUTION_ROUTE_CONTRACTS } from '../../schemas/resolution-api.js';

export const makeHandler = (deps: ResolutionDeps) =>
  httpRoute(RESOLUTION_ROUTE_CONTRACTS['GET /api/v1/resolution/review'], ({ query, ctx }) =>
    getReviewQueue(query, ctx, deps),
  );

export const handler = makeHandler(resolutionDeps());
