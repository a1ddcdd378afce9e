/**
 * EventBridge target of `entity.created` (person and organization).
 * Input: the bus event. Output: the outcome (skipped | indexed | merged), also logged by ids only.
 * Errors: TransientError and a ConflictError that outlived the retries are rethrown, so the event target's
 * retry policy (and its dead-letter queue) takes over; a redelivery is safe.
 */
import { resolveCreatedEntity } from '../domain/resolution/incremental.js';
import type { ResolutionDeps } from '../domain/resolution/store.js';
import { resolutionDeps } from '../platform/composition.js';
import { logger } from '../platform/logger.js';
import { eventTarget } from '../platform/task.js';

export const makeHandler = (deps: () => ResolutionDeps) =>
  eventTarget('resolve-entity', 'entity.created', async (detail) => {
    const started = performance.now();
    const { tenantId, eventId, payload } = detail;
    const outcome = await resolveCreatedEntity(tenantId, payload.entity, eventId, deps());
    logger.info('entity resolved', {
      tenantId,
      entityId: payload.entity.id,
      ...outcome,
      ms: Math.round(performance.now() - started),
    });
    return outcome;
  });

export const handler = makeHandler(resolutionDeps);
