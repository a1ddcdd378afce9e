/**
 * PUT /api/v1/workflows/{id}. Trigger: API Gateway (JWT).
 * Input: the full definition plus the `version` it replaces. Output: 200 workflow at version N+1.
 * Errors: ValidationError 400, NotFoundError 404, ConflictError 409 (not the latest version), ForbiddenError 403.
 */
import { UpdateWorkflowRequest, WorkflowIdPath } from '../../schemas/workflow.js';
import { updateWorkflow, type DefinitionDeps } from '../domain/workflows/definitions.js';
import { httpRoute } from '../platform/http.js';
import { secretBox } from '../platform/callback-key.js';
import { definitionDeps } from '../platform/workflow-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: DefinitionDeps) =>
  httpRoute(ROUTE_CONTRACTS['PUT /api/v1/workflows/{id}'], ({ params, body, ctx }) =>
    updateWorkflow(params.id, body, ctx, deps),
  );
export const handler = makeHandler({ ...definitionDeps(), secrets: secretBox() });
