/**
 * GET /api/v1/mining/logs/{id}[?format=json|dot|svg|pnml]. Trigger: API Gateway (JWT).
 * Output: 200 MiningJobWithResult (the model once the job succeeded), or the mined net as DOT, SVG or PNML.
 * Errors: ValidationError 400 (id, format), ForbiddenError 403 (needs mining:read), NotFoundError 404 (also another
 * tenant's id), ConflictError 409 (a picture of a job that has not succeeded); mapped by httpRoute.
 */
import { MINING_ROUTE_CONTRACTS } from '../../schemas/mining-api.js';
import type { MiningDeps } from '../domain/mining/service/ports.js';
import { getMiningLog } from '../domain/mining/service/uploaded-logs.js';
import { httpRoute, RawBody } from '../platform/http.js';
import { miningReadDeps } from '../platform/mining-composition.js';

export const makeHandler = (deps: Pick<MiningDeps, 'jobs' | 'results'>) =>
  httpRoute(MINING_ROUTE_CONTRACTS['GET /api/v1/mining/logs/{id}'], async ({ params, query, ctx }) => {
    const out = await getMiningLog(params.id, query.format, ctx, deps);
    return 'contentType' in out ? new RawBody(out.contentType, out.body) : out;
  });

export const handler = makeHandler(miningReadDeps('GetMiningLog'));
