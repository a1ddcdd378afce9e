/**
 * GET /api/v1/triggers/{id}. Trigger: API Gateway (JWT).
 * Output: 200 Trigger (no secret).
 * Errors: ValidationError 400 (id), ForbiddenError 403 (needs workflows:read), NotFoundError 404 (also another
 * tenant's id); mapped by httpRoute.
 */
import { TRIGGER_ROUTE_CONTRACTS } from '../../schemas/triggers-api.js';
import { getTrigger, type TriggerDeps } from '../domain/triggers/trigger-use-cases.js';
import { httpRoute } from '../platform/http.js';
import { triggerDeps } from '../platform/trigger-composition.js';

export const makeHandler = (deps: Pick<TriggerDeps, 'triggers'>) =>
  httpRoute(TRIGGER_ROUTE_CONTRACTS['GET /api/v1/triggers/{id}'], ({ params, ctx }) =>
    getTrigger(params.id, ctx, deps),
  );
export const handler = makeHandler(triggerDeps());
