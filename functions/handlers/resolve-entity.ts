/**
 * EventBridge target of `entity.created` (rule ResolveCreatedEntity) and `entity.updated` (rule
 * ResolveUpdatedEntity), for persons and organizations.
 * Input: the bus event. Output: the outcome (skipped | unchanged | kept | indexed | merged), also logged by ids only.
 * Errors: EventSchemaError (a detail that does not match its event's schema) dead-letters; TransientError and a
 * ConflictError that outlived the retries are rethrown, so the event target's retry policy (and its dead-letter
 * queue) takes over; a redelivery is safe.
 */
import { resolveCreatedEntity, resolveUpdatedEntity } from '../domain/resolution/incremental.js';
import type { ResolutionDeps } from '../domain/resolution/store.js';
import { resolutionDeps } from '../platform/composition.js';
import { logger } from '../platform/logger.js';
import { eventTarget } from '../platform/task.js';

export const makeHandler = (deps: () => ResolutionDeps) => {
  const onCreated = eventTarget('resolve-entity', 'entity.created', async (detail) => {
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
  const onUpdated = eventTarget('resolve-entity', 'entity.updated', async (detail) => {
    const started = performance.now();
    const { tenantId, eventId, payload } = detail;
    const outcome = await resolveUpdatedEntity(tenantId, payload, eventId, deps());
    logger.info('updated entity resolved', {
      tenantId,
      entityId: payload.entity.id,
      version: payload.entity.version,
      ...outcome,
      ms: Math.round(performance.now() - started),
    });
    return outcome;
  });
  // one function, two rules: the detail-type says which (anything else is refused by the created target)
  return (event: unknown, context?: unknown) =>
    (event as { 'detail-type'?: unknown } | null)?.['detail-type'] === 'entity.updated'
      ? onUpdated(event, context)
      : onCreated(event, context);
};

export const handler = makeHandler(resolutionDeps);
