/**
 * GET /api/v1/mining/processes?source=workflows|entities[&workflowId=][&entityType=][&since=][&limit=]
 * [&format=json|dot|svg]. Trigger: API Gateway (JWT).
 * Output: 200 MiningProcess (bounds, model, DOT), or the net as DOT or SVG.
 * Errors: ValidationError 400 (the query), ForbiddenError 403 (needs mining:read), TransientError 503; mapped by
 * httpRoute.
 */
import { MINING_ROUTE_CONTRACTS } from '../../schemas/mining-api.js';
import { getMiningProcess } from '../domain/mining/service/processes.js';
import type { PlatformTraceReader } from '../domain/mining/service/traces.js';
import { httpRoute, RawBody } from '../platform/http.js';
import { miningTraceDeps } from '../platform/mining-composition.js';

export const makeHandler = (deps: { traces: PlatformTraceReader }) =>
  httpRoute(MINING_ROUTE_CONTRACTS['GET /api/v1/mining/processes'], async ({ query, ctx }) => {
    const out = await getMiningProcess(query, ctx, deps);
    return 'contentType' in out ? new RawBody(out.contentType, out.body) : out;
  });

export const handler = makeHandler(miningTraceDeps());
