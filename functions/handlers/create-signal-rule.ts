/**
 * POST /api/v1/signal-rules. Trigger: API Gateway (JWT).
 * Input: a signal rule body (schemas/signals.ts SignalRuleBody). Output: 201 SignalRule (version 1, or the version
 * after a deleted rule's last one).
 * Errors: ValidationError 400 (the field the schema or the rule compiler refuses; `then.startWorkflow` /
 * `action.startWorkflow` naming no workflow), ForbiddenError 403 (needs signals:write), ConflictError 409 (the id is
 * taken); mapped by httpRoute.
 */
import { SIGNAL_ROUTE_CONTRACTS } from '../../schemas/signals-api.js';
import { createSignalRule, type SignalRuleDeps } from '../domain/signals/use-cases/signal-rules.js';
import { httpRoute } from '../platform/http.js';
import { signalRuleDeps } from '../platform/signals-composition.js';

export const makeHandler = (deps: SignalRuleDeps) =>
  httpRoute(SIGNAL_ROUTE_CONTRACTS['POST /api/v1/signal-rules'], ({ body, ctx }) => createSignalRule(body, ctx, deps));
export const handler = makeHandler(signalRuleDeps());
