/**
 * The run routes that read (one function): GET /api/v1/workflows/executions?workflowId=&status=&limit=&cursor= and
 * GET /api/v1/workflows/executions/{id}. Trigger: API Gateway (JWT); routeTable picks the route by method and path.
 * Output: 200 { items, nextCursor }: the tenant's runs newest first as a list shows them (a filtered page reads at most
 * EXECUTION_FILTER_READ_LIMIT runs); 200 one run: status (RUNNING, WAITING_FOR_APPROVAL, SUCCEEDED, FAILED,
 * TIMED_OUT, REJECTED) and per-step history.
 * Errors: ValidationError 400 (the field: `status`, `workflowId`, `limit`, `cursor`), NotFoundError 404 (also another
 * tenant's id), ForbiddenError 403 (needs workflows:read); mapped by httpRoute.
 */
import type { RunDeps } from '../domain/workflows/runs/run-state.js';
import { getRun, listRuns } from '../domain/workflows/runs/use-cases.js';
import { httpRoute, routeTable } from '../platform/http.js';
import { runRepository } from '../platform/workflow-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: Pick<RunDeps, 'runs'>) =>
  routeTable({
    'GET /api/v1/workflows/executions': httpRoute(
      ROUTE_CONTRACTS['GET /api/v1/workflows/executions'],
      ({ query, ctx }) => listRuns(query, ctx, deps),
    ),
    'GET /api/v1/workflows/executions/{id}': httpRoute(
      ROUTE_CONTRACTS['GET /api/v1/workflows/executions/{id}'],
      ({ params, ctx }) => getRun(params.id, ctx, deps),
    ),
  });
export const handler = makeHandler({ runs: runRepository() });
