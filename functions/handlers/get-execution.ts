/**
 * GET /api/v1/workflows/executions/{id}. Trigger: API Gateway (JWT).
 * Output: 200 the run: status (RUNNING, WAITING_FOR_APPROVAL, SUCCEEDED, FAILED, TIMED_OUT, REJECTED) and per-step history.
 * Errors: NotFoundError 404 (also another tenant's id), ForbiddenError 403.
 */
import { ExecutionIdPath } from '../../schemas/workflow.js';
import type { RunDeps } from '../domain/workflows/runs/run-state.js';
import { getRun } from '../domain/workflows/runs/use-cases.js';
import { httpRoute } from '../platform/http.js';
import { runRepository } from '../platform/workflow-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: Pick<RunDeps, 'runs'>) =>
  httpRoute(ROUTE_CONTRACTS['GET /api/v1/workflows/executions/{id}'], ({ params, ctx }) =>
    getRun(params.id, ctx, deps),
  );
export const handler = makeHandler({ runs: runRepository() });
