/**
 * GET /api/v1/signals?rule=&entity=&since=&limit=&cursor=. Trigger: API Gateway (JWT).
 * Output: 200 SignalList, newest first (by detection time).
 * Errors: ValidationError 400 (a query parameter, a cursor of another query), ForbiddenError 403 (needs
 * signals:read); mapped by httpRoute.
 */
import { SIGNAL_ROUTE_CONTRACTS } from '../../schemas/signals-api.js';
import { listSignals, type SignalQueryDeps } from '../domain/signals/use-cases/signal-queries.js';
import { httpRoute } from '../platform/http.js';
import { signalQueryDeps } from '../platform/signals-composition.js';

export const makeHandler = (deps: SignalQueryDeps) =>
  httpRoute(SIGNAL_ROUTE_CONTRACTS['GET /api/v1/signals'], ({ query, ctx }) => listSignals(query, ctx, deps));
export const handler = makeHandler(signalQueryDeps());
