/**
 * POST /api/v1/workflows/execute. Trigger: API Gateway (JWT).
 * Input: { workflowId, input, version? }. Output: 202 { executionId, status: "RUNNING" }; emits workflow.started.
 * Errors: ValidationError 400, NotFoundError 404 (workflow or version), ForbiddenError 403 (workflows:execute).
 */
import { ExecuteWorkflowRequest } from '../../schemas/workflow.js';
import { startRun, type RunDeps } from '../domain/workflows/runs.js';
import { httpRoute } from '../platform/http.js';
import { runDeps } from '../platform/workflow-composition.js';

export const makeHandler = (deps: RunDeps) => httpRoute({ body: ExecuteWorkflowRequest, status: 202 }, ({ body, ctx }) => startRun(body, ctx, deps));
export const handler = makeHandler(runDeps());
