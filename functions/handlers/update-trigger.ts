/**
 * PATCH /api/v1/triggers/{id}. Trigger: API Gateway (JWT).
 * Input: UpdateTriggerRequest (the version read, and the fields to change). Output: 200 Trigger.
 * Errors: ValidationError 400 (the field refused), ForbiddenError 403 (needs workflows:write), NotFoundError 404,
 * ConflictError 409 (stale version), TriggerScheduleNotAppliedError 503 (the schedule could not follow; the change
 * was undone); mapped by httpRoute.
 */
import { TRIGGER_ROUTE_CONTRACTS } from '../../schemas/triggers-api.js';
import { updateTrigger, type TriggerDeps } from '../domain/triggers/trigger-use-cases.js';
import { httpRoute } from '../platform/http.js';
import { lazySchedules, triggerDeps } from '../platform/trigger-composition.js';
import { triggerSchedules } from '../platform/trigger-schedule-composition.js';

export const makeHandler = (deps: Omit<TriggerDeps, 'secrets'>) =>
  httpRoute(TRIGGER_ROUTE_CONTRACTS['PATCH /api/v1/triggers/{id}'], ({ params, body, ctx }) =>
    updateTrigger(params.id, body, ctx, deps),
  );
export const handler = makeHandler({ ...triggerDeps(), schedules: lazySchedules(triggerSchedules) });
