/**
 * EventBridge target of `resolution.run.requested`: executes a batch resolution run (see
 * executeResolutionRun). Runs up to the function timeout (15 min); progress is saved on the run record.
 * Errors: TransientError is rethrown so the target's retry redelivers; the run resumes from the start
 * (its writes are idempotent: unchanged clusters write nothing).
 */
import { executeResolutionRun } from '../domain/resolution/runs.js';
import type { ResolutionDeps } from '../domain/resolution/store.js';
import { resolutionDeps } from '../platform/composition.js';
import { logger } from '../platform/logger.js';
import { eventTarget } from '../platform/task.js';

export const makeHandler = (deps: () => ResolutionDeps) =>
  eventTarget('resolution-run-worker', 'resolution.run.requested', async (detail) => {
    const { tenantId, eventId, payload } = detail;
    const run = await executeResolutionRun(tenantId, payload.runId, eventId, deps());
    logger.info('resolution run finished', { tenantId, runId: run.id, status: run.status, ...run.result });
    return { runId: run.id, status: run.status };
  });

export const handler = makeHandler(resolutionDeps);
