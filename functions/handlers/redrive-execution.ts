/**
 * POST /api/v1/workflows/executions/{id}/redrive. Trigger: API Gateway (JWT).
 * Output: 202 the run, RUNNING again in a new generation from the first step whose effect is not in place.
 * Errors: NotFoundError 404, ConflictError 409 (not FAILED, TIMED_OUT or REJECTED), ForbiddenError 403.
 */
import { ExecutionIdPath } from '../../schemas/workflow.js';
import type { StartDeps } from '../domain/workflows/runs/run-state.js';
import { redriveRun } from '../domain/workflows/runs/use-cases.js';
import { httpRoute } from '../platform/http.js';
import { startDeps } from '../platform/sfn-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: StartDeps) =>
  httpRoute(ROUTE_CONTRACTS['POST /api/v1/workflows/executions/{id}/redrive'], ({ params, ctx }) =>
    redriveRun(params.id, ctx, deps),
  );
export const handler = makeHandler(startDeps());
