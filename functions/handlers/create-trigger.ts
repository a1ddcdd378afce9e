/**
 * POST /api/v1/triggers. Trigger: API Gateway (JWT).
 * Input: CreateTriggerRequest (`schedule`: workflowId, schedule, input?, enabled?; `webhook`: workflowId, input?,
 * enabled?). Output: 201 CreatedTrigger; a webhook trigger carries its hook id and its signing secret, this once.
 * Errors: ValidationError 400 (the field refused: a schedule, an input member its runs fill, an unknown workflow),
 * ForbiddenError 403 (needs workflows:write), TriggerScheduleNotAppliedError 503 (the schedule could not be created;
 * nothing was kept); mapped by httpRoute.
 */
import { TRIGGER_ROUTE_CONTRACTS } from '../../schemas/triggers-api.js';
import { createTrigger, type TriggerDeps } from '../domain/triggers/trigger-use-cases.js';
import { secretBox } from '../platform/callback-key.js';
import { httpRoute } from '../platform/http.js';
import { lazySchedules, triggerDeps } from '../platform/trigger-composition.js';
import { triggerSchedules } from '../platform/trigger-schedule-composition.js';

export const makeHandler = (deps: TriggerDeps) =>
  httpRoute(TRIGGER_ROUTE_CONTRACTS['POST /api/v1/triggers'], ({ body, ctx }) => createTrigger(body, ctx, deps));
export const handler = makeHandler({
  ...triggerDeps(),
  secrets: secretBox(),
  schedules: lazySchedules(triggerSchedules),
});
