/**
 * GET /api/v1/workflows/{id}?version=N. Trigger: API Gateway (JWT).
 * Output: 200 the latest (or the given) version. Errors: NotFoundError 404, ForbiddenError 403.
 */
import { getWorkflow, type DefinitionDeps } from '../domain/workflows/definitions.js';
import { httpRoute } from '../platform/http.js';
import { definitionDeps } from '../platform/workflow-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: Pick<DefinitionDeps, 'workflows' | 'tools'>) =>
  httpRoute(ROUTE_CONTRACTS['GET /api/v1/workflows/{id}'], ({ params, query, ctx }) =>
    getWorkflow(params.id, query.version, ctx, deps),
  );
export const handler = makeHandler(definitionDeps());
