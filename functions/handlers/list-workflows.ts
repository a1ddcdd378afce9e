/**
 * GET /api/v1/workflows?limit=&cursor=. Trigger: API Gateway (JWT).
 * Output: 200 { items, nextCursor }, newest first. Errors: ValidationError 400, ForbiddenError 403.
 */
import { PageQuery } from '../../schemas/common.js';
import { listWorkflows, type DefinitionDeps } from '../domain/workflows/definitions.js';
import { httpRoute } from '../platform/http.js';
import { definitionDeps } from '../platform/workflow-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: Pick<DefinitionDeps, 'workflows' | 'tools'>) =>
  httpRoute(ROUTE_CONTRACTS['GET /api/v1/workflows'], ({ query, ctx }) => listWorkflows(query, ctx, deps));
export const handler = makeHandler(definitionDeps());
