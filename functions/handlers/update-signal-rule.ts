/**
 * PATCH /api/v1/signal-rules/{id}. Trigger: API Gateway (JWT).
 * Input: `{ version, …changed body fields }` (null removes an optional field). Output: 200 SignalRule (version N+1;
 * the same version when nothing changed).
 * Errors: ValidationError 400 (the merged rule's field at fault, `id` changed), ForbiddenError 403 (needs
 * signals:write), NotFoundError 404, ConflictError 409 (`version` is stale); mapped by httpRoute.
 */
import { SIGNAL_ROUTE_CONTRACTS } from '../../schemas/signals-api.js';
import { updateSignalRule, type SignalRuleDeps } from '../domain/signals/use-cases/signal-rules.js';
import { httpRoute } from '../platform/http.js';
import { signalRuleDeps } from '../platform/signals-composition.js';

export const makeHandler = (deps: SignalRuleDeps) =>
  httpRoute(SIGNAL_ROUTE_CONTRACTS['PATCH /api/v1/signal-rules/{id}'], ({ params, body, ctx }) =>
    updateSignalRule(params.id, body, ctx, deps),
  );
export const handler = makeHandler(signalRuleDeps());
