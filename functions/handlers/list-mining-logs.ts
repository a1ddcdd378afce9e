/**
 * GET /api/v1/mining/logs. Trigger: API Gateway (JWT).
 * Output: 200 MiningJobList, newest first (`limit`, `cursor`).
 * Errors: ValidationError 400 (limit, cursor), ForbiddenError 403 (needs mining:read); mapped by httpRoute.
 */
import { MINING_ROUTE_CONTRACTS } from '../../schemas/mining-api.js';
import type { MiningDeps } from '../domain/mining/service/ports.js';
import { listMiningLogs } from '../domain/mining/service/uploaded-logs.js';
import { httpRoute } from '../platform/http.js';
import { miningJobStore } from '../platform/mining-composition.js';

export const makeHandler = (deps: Pick<MiningDeps, 'jobs'>) =>
  httpRoute(MINING_ROUTE_CONTRACTS['GET /api/v1/mining/logs'], ({ query, ctx }) => listMiningLogs(query, ctx, deps));

export const handler = makeHandler({ jobs: miningJobStore() });
