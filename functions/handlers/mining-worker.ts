/**
 * EventBridge target of `mining.log.uploaded`: mines the uploaded log (see executeMiningJob) and stores its model
 * and pictures; the job records each phase, and a log that cannot be read fails its job with the importer's message.
 * Errors: TransientError is rethrown so the target's retry redelivers (the job starts again); a redelivered event of
 * a finished job does nothing.
 */
import { executeMiningJob } from '../domain/mining/service/worker.js';
import type { MiningDeps } from '../domain/mining/service/ports.js';
import { logger } from '../platform/logger.js';
import { miningWorkerDeps } from '../platform/mining-composition.js';
import { eventTarget } from '../platform/task.js';

export const makeHandler = (deps: () => Pick<MiningDeps, 'jobs' | 'logs' | 'results' | 'clock'>) =>
  eventTarget('mining-worker', 'mining.log.uploaded', async (detail) => {
    const { tenantId, payload } = detail;
    const job = await executeMiningJob(tenantId, payload.jobId, deps());
    logger.info('mining job finished', {
      tenantId,
      jobId: payload.jobId,
      status: job?.status ?? 'missing',
      events: job?.progress.events,
      errorCode: job?.error?.code,
    });
    return { jobId: payload.jobId, status: job?.status ?? 'missing' };
  });

export const handler = makeHandler(miningWorkerDeps);
