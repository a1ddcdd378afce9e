/**
 * GET /api/v1/workflows/{id}?version=N. Trigger: API Gateway (JWT).
 * Output: 200 the latest (or the given) version. Errors: NotFoundError 404, ForbiddenError 403.
 */
import * as z from 'zod';
import { WorkflowIdPath } from '../../schemas/workflow.js';
import { getWorkflow, type DefinitionDeps } from '../domain/workflows/definitions.js';
import { httpRoute } from '../platform/http.js';
import { definitionDeps } from '../platform/workflow-composition.js';

const Query = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
export const makeHandler = (deps: Pick<DefinitionDeps, 'workflows' | 'tools'>) =>
  httpRoute({ params: WorkflowIdPath, query: Query }, ({ params, query, ctx }) =>
    getWorkflow(params.id, query.version, ctx, deps),
  );
export const handler = makeHandler(definitionDeps());
