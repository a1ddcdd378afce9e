/**
 * GET /api/v1/signal-rules/{id}?version=. Trigger: API Gateway (JWT).
 * Output: 200 SignalRule: the latest version, or the version asked for (also of a deleted rule).
 * Errors: ValidationError 400 (id, version), ForbiddenError 403 (needs signals:read), NotFoundError 404 (also
 * another tenant's id); mapped by httpRoute.
 */
import { SIGNAL_ROUTE_CONTRACTS } from '../../schemas/signals-api.js';
import { getSignalRule, type SignalRuleDeps } from '../domain/signals/use-cases/signal-rules.js';
import { httpRoute } from '../platform/http.js';
import { signalRuleDeps } from '../platform/signals-composition.js';

export const makeHandler = (deps: Pick<SignalRuleDeps, 'rules'>) =>
  httpRoute(SIGNAL_ROUTE_CONTRACTS['GET /api/v1/signal-rules/{id}'], ({ params, query, ctx }) =>
    getSignalRule(params.id, query.version, ctx, deps),
  );
export const handler = makeHandler(signalRuleDeps());
