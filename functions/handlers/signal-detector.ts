/**
 * EventBridge target of the entity change events: `entity.created`, `entity.updated` (rules DetectSignalsOn*) and
 * the resolution's `entity.merged`, `entity.split`. Evaluates the tenant's signal rules, writes the signals (each
 * audited, with its `signal.detected` event) and arms the deadlines of absence and inactivity rules; records the
 * event in the signal history that rule previews replay (trimmed when large, counted).
 * Input: the bus event. Output: `{ evaluated, signals, history: { recorded, trimmed, skipped } }` (also logged, ids
 * and counts only).
 * Errors: EventSchemaError (a detail that does not match its event's schema) dead-letters; TransientError (the
 * table, the scheduler, a key that kept changing) is rethrown, so the target's retry policy redelivers the event,
 * which is safe: a redelivery writes nothing twice.
 */
import { EVENT_SOURCES } from '../../schemas/event-names.js';
import type { EntityBusEvent } from '../domain/signals/use-cases/entity-events.js';
import { deadlineTimersOn } from '../domain/signals/use-cases/deadline-timers.js';
import { type DetectionDeps, detectSignals } from '../domain/signals/use-cases/detection.js';
import { logger } from '../platform/logger.js';
import { scheduleGroup } from '../platform/scheduler-composition.js';
import { detectionDeps, lazyTimers } from '../platform/signals-composition.js';
import { eventTarget } from '../platform/task.js';

const DETECTED_ON = ['entity.created', 'entity.updated', 'entity.merged', 'entity.split'] as const;
type DetectedOn = (typeof DETECTED_ON)[number];

export const makeHandler = (deps: DetectionDeps) => {
  const targets = new Map(
    DETECTED_ON.map((name) => [
      name,
      eventTarget('signal-detector', name, async (detail, envelope) => {
        const started = performance.now();
        // The event as EventBridge delivered it (its source and detail-type checked, its detail parsed).
        const bus: EntityBusEvent = {
          ...(envelope.id !== undefined ? { id: envelope.id } : {}),
          ...(envelope.time !== undefined ? { time: envelope.time } : {}),
          source: EVENT_SOURCES[name],
          'detail-type': name,
          detail: detail as EntityBusEvent['detail'],
        };
        const outcome = await detectSignals(bus, deps);
        logger.info('signals evaluated', {
          tenantId: detail.tenantId,
          eventId: detail.eventId,
          detailType: name,
          evaluated: outcome.evaluated,
          signals: outcome.signals,
          historyRecorded: outcome.history.recorded,
          historyTrimmed: outcome.history.trimmed,
          historySkipped: outcome.history.skipped,
          ms: Math.round(performance.now() - started),
        });
        return outcome;
      }),
    ]),
  );
  // One function, several rules: the detail-type says which (anything else is refused by the created target).
  return (event: unknown, context?: unknown) => {
    const type = (event as { 'detail-type'?: unknown } | null)?.['detail-type'];
    const target = targets.get(type as DetectedOn) ?? targets.get('entity.created')!;
    return target(event, context);
  };
};

export const handler = makeHandler(detectionDeps(lazyTimers(() => deadlineTimersOn(scheduleGroup('signalDeadlines')))));
