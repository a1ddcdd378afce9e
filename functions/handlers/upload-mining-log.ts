/**
 * POST /api/v1/mining/logs. Trigger: API Gateway (JWT).
 * Input: UploadMiningLogRequest (the log base64 in `content`, at most MAX_MINING_UPLOAD_BYTES of body).
 * Output: 202 MiningJob (queued); the MiningWorker mines it on `mining.log.uploaded`.
 * Errors: ValidationError 400 (naming the field: `body` too large, `content` not a log, `format`, `options.*`),
 * ForbiddenError 403 (needs mining:write), TransientError 503; mapped by httpRoute.
 */
import { MINING_ROUTE_CONTRACTS } from '../../schemas/mining-api.js';
import type { MiningDeps } from '../domain/mining/service/ports.js';
import { uploadMiningLog } from '../domain/mining/service/uploaded-logs.js';
import { httpRoute } from '../platform/http.js';
import { miningUploadDeps } from '../platform/mining-composition.js';

export const makeHandler = (deps: Pick<MiningDeps, 'jobs' | 'logs' | 'clock' | 'ids'>) =>
  httpRoute(MINING_ROUTE_CONTRACTS['POST /api/v1/mining/logs'], ({ body, ctx }) => uploadMiningLog(body, ctx, deps));

export const handler = makeHandler(miningUploadDeps());
