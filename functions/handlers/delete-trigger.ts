/**
 * DELETE /api/v1/triggers/{id}. Trigger: API Gateway (JWT).
 * Output: 204, no body. The trigger and its schedule go; the runs it started stay.
 * Errors: ValidationError 400 (id), ForbiddenError 403 (needs workflows:write), NotFoundError 404,
 * TriggerScheduleNotAppliedError 503 (deleted, but the schedule is still to be removed: send the DELETE again);
 * mapped by httpRoute.
 */
import { TRIGGER_ROUTE_CONTRACTS } from '../../schemas/triggers-api.js';
import { deleteTrigger, type TriggerDeps } from '../domain/triggers/trigger-use-cases.js';
import { httpRoute } from '../platform/http.js';
import { lazySchedules, triggerDeps } from '../platform/trigger-composition.js';
import { triggerSchedules } from '../platform/trigger-schedule-composition.js';

export const makeHandler = (deps: Pick<TriggerDeps, 'triggers' | 'schedules' | 'clock'>) =>
  httpRoute(TRIGGER_ROUTE_CONTRACTS['DELETE /api/v1/triggers/{id}'], ({ params, ctx }) =>
    deleteTrigger(params.id, ctx, deps),
  );
export const handler = makeHandler({ ...triggerDeps(), schedules: lazySchedules(triggerSchedules) });
