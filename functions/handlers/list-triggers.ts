/**
 * GET /api/v1/triggers?limit=&cursor=. Trigger: API Gateway (JWT).
 * Output: 200 TriggerList, newest first (no secrets).
 * Errors: ValidationError 400 (limit, cursor), ForbiddenError 403 (needs workflows:read); mapped by httpRoute.
 */
import { TRIGGER_ROUTE_CONTRACTS } from '../../schemas/triggers-api.js';
import { listTriggers, type TriggerDeps } from '../domain/triggers/trigger-use-cases.js';
import { httpRoute } from '../platform/http.js';
import { triggerDeps } from '../platform/trigger-composition.js';

export const makeHandler = (deps: Pick<TriggerDeps, 'triggers'>) =>
  httpRoute(TRIGGER_ROUTE_CONTRACTS['GET /api/v1/triggers'], ({ query, ctx }) => listTriggers(query, ctx, deps));
export const handler = makeHandler(triggerDeps());
