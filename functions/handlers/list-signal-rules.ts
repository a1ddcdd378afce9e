/**
 * GET /api/v1/signal-rules?limit=&cursor=. Trigger: API Gateway (JWT).
 * Output: 200 SignalRuleList, the tenant's live rules in id order.
 * Errors: ValidationError 400 (limit, cursor), ForbiddenError 403 (needs signals:read); mapped by httpRoute.
 */
import { SIGNAL_ROUTE_CONTRACTS } from '../../schemas/signals-api.js';
import { listSignalRules, type SignalRuleDeps } from '../domain/signals/use-cases/signal-rules.js';
import { httpRoute } from '../platform/http.js';
import { signalRuleDeps } from '../platform/signals-composition.js';

export const makeHandler = (deps: Pick<SignalRuleDeps, 'rules'>) =>
  httpRoute(SIGNAL_ROUTE_CONTRACTS['GET /api/v1/signal-rules'], ({ query, ctx }) => listSignalRules(query, ctx, deps));
export const handler = makeHandler(signalRuleDeps());
