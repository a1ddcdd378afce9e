/**
 * POST /api/v1/workflows. Trigger: API Gateway (JWT).
 * Input: WorkflowDefinitionRequest. Output: 201 workflow at version 1 (with `webhookSecret` once, when generated).
 * Errors: ValidationError 400 (unknown tool, missing gate, forward reference, refused webhook URL), ForbiddenError 403.
 */
import { WorkflowDefinitionRequest } from '../../schemas/workflow.js';
import { createWorkflow, type DefinitionDeps } from '../domain/workflows/definitions.js';
import { httpRoute } from '../platform/http.js';
import { secretBox } from '../platform/callback-key.js';
import { definitionDeps } from '../platform/workflow-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: DefinitionDeps) =>
  httpRoute(ROUTE_CONTRACTS['POST /api/v1/workflows'], ({ body, ctx }) => createWorkflow(body, ctx, deps));
export const handler = makeHandler({ ...definitionDeps(), secrets: secretBox() });
