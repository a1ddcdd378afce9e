/**
 * DELETE /api/v1/signal-rules/{id}?version=. Trigger: API Gateway (JWT).
 * Output: 204, no body. Detection by the rule stops with the next event; its pending deadlines fire into nothing;
 * its versions and signals stay.
 * Errors: ValidationError 400 (id, version), ForbiddenError 403 (needs signals:write), NotFoundError 404,
 * ConflictError 409 (`version` given and stale); mapped by httpRoute.
 */
import { SIGNAL_ROUTE_CONTRACTS } from '../../schemas/signals-api.js';
import { deleteSignalRule, type SignalRuleDeps } from '../domain/signals/use-cases/signal-rules.js';
import { httpRoute } from '../platform/http.js';
import { signalRuleDeps } from '../platform/signals-composition.js';

export const makeHandler = (deps: Pick<SignalRuleDeps, 'rules' | 'clock'>) =>
  httpRoute(SIGNAL_ROUTE_CONTRACTS['DELETE /api/v1/signal-rules/{id}'], ({ params, query, ctx }) =>
    deleteSignalRule(params.id, query.version, ctx, deps),
  );
export const handler = makeHandler(signalRuleDeps());
