/**
 * GET /api/v1/signals/{id}. Trigger: API Gateway (JWT).
 * Output: 200 Signal.
 * Errors: ValidationError 400 (id), ForbiddenError 403 (needs signals:read), NotFoundError 404 (also another
 * tenant's id); mapped by httpRoute.
 */
import { SIGNAL_ROUTE_CONTRACTS } from '../../schemas/signals-api.js';
import { getSignal, type SignalQueryDeps } from '../domain/signals/use-cases/signal-queries.js';
import { httpRoute } from '../platform/http.js';
import { signalQueryDeps } from '../platform/signals-composition.js';

export const makeHandler = (deps: SignalQueryDeps) =>
  httpRoute(SIGNAL_ROUTE_CONTRACTS['GET /api/v1/signals/{id}'], ({ params, ctx }) => getSignal(params.id, ctx, deps));
export const handler = makeHandler(signalQueryDeps());
