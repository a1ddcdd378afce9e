/**
 * POST /api/v1/workflows/execute. Trigger: API Gateway (JWT).
 * Input: { workflowId, input, version? }. Output: 202 { executionId, status: "RUNNING" }; emits workflow.started.
 * Errors: ValidationError 400, NotFoundError 404 (workflow or version), ForbiddenError 403 (workflows:execute).
 */
import { ExecuteWorkflowRequest } from '../../schemas/workflow.js';
import type { StartDeps } from '../domain/workflows/runs/run-state.js';
import { startRun } from '../domain/workflows/runs/use-cases.js';
import { httpRoute } from '../platform/http.js';
import { startDeps } from '../platform/sfn-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: StartDeps) =>
  httpRoute(ROUTE_CONTRACTS['POST /api/v1/workflows/execute'], ({ body, ctx }) => startRun(body, ctx, deps));
export const handler = makeHandler(startDeps());
