/**
 * GET /api/v1/outputs?agent_id=&status=&limit=&cursor= and GET /api/v1/outputs/{id} (one function, routeTable).
 * Trigger: API Gateway (JWT). Output: 200 OutputList (newest first) / OutputDetail (metadata, content read from S3,
 * approval and approval record). Errors: ValidationError 400 (a filter, limit, cursor, id), ForbiddenError 403 (needs
 * outputs:read), NotFoundError 404; mapped by httpRoute.
 */
import { AGENT_OUTPUT_ROUTE_CONTRACTS } from '../../schemas/agent-outputs-api.js';
import { getOutput, listOutputs, type OutputQueryDeps } from '../domain/agents/outputs/queries.js';
import { outputQueryDeps } from '../platform/agent-output-composition.js';
import { httpRoute, routeTable } from '../platform/http.js';

export const makeHandler = (deps: OutputQueryDeps) =>
  routeTable({
    'GET /api/v1/outputs': httpRoute(AGENT_OUTPUT_ROUTE_CONTRACTS['GET /api/v1/outputs'], ({ query, ctx }) =>
      listOutputs(query, ctx, deps),
    ),
    'GET /api/v1/outputs/{id}': httpRoute(AGENT_OUTPUT_ROUTE_CONTRACTS['GET /api/v1/outputs/{id}'], ({ params, ctx }) =>
      getOutput(params.id, ctx, deps),
    ),
  });
export const handler = makeHandler(outputQueryDeps());
