/**
 * The entity change events of the bus as the signal engine sees them. One view for the platform and for
 * `signals:replay`, so a rule body means the same in both: the event is the EventBridge event as delivered, and its
 * `detail` is extended with
 *
 * - `entityId`: the entity the change is about (`payload.entity.id`; replay: the case id),
 * - `entityType`: its type (`payload.entity.type`; replay: absent unless the log has the attribute),
 * - `activity`: what happened, the event's detail-type (`entity.created`, `entity.updated`…; replay: the activity).
 *
 * The event's time is the change's `occurredAt`, its id the detail's `eventId`, so a redelivered bus event is the
 * same engine event (counted once) and a late one is placed by when the change happened, not when it arrived.
 * The rest of the detail is the envelope as published (`tenantId`, `payload.entity.attributes`, `payload.changed`…).
 */
import type { SignalEvent } from '../types.js';

/** What the detector receives: an EventBridge event of an entity change (validated by its catalogue schema). */
export interface EntityBusEvent {
  source: string;
  'detail-type': string;
  id?: string;
  time?: string;
  detail: {
    tenantId: string;
    eventId: string;
    occurredAt: string;
    payload: Record<string, unknown>;
    [field: string]: unknown;
  };
}

/** The entity change events whose detail names one entity (`payload.entity`). */
export const SINGLE_ENTITY_EVENTS = ['entity.created', 'entity.updated'] as const;
/** The resolution events whose detail names several entities (`payload.entityIds`, `payload.type`). */
export const MULTI_ENTITY_EVENTS = ['entity.merged', 'entity.split'] as const;

function eventTime(occurredAt: string): number {
  const t = Date.parse(occurredAt);
  if (Number.isNaN(t)) throw new RangeError(`occurredAt ${JSON.stringify(occurredAt)} is not a time`);
  return t;
}

/**
 * The engine's events of one bus event: one for a change of one entity; for a merge or split, one per entity it
 * names (id `<eventId>/<entityId>`, so each entity's key counts the change once). Empty for any other event.
 */
export function signalEventsOf(bus: EntityBusEvent): SignalEvent[] {
  const type = bus['detail-type'];
  const time = eventTime(bus.detail.occurredAt);
  const view = (id: string, entityId: string, entityType: unknown): SignalEvent => ({
    id,
    time,
    event: {
      ...bus,
      detail: { ...bus.detail, entityId, ...(typeof entityType === 'string' ? { entityType } : {}), activity: type },
    },
  });
  if ((SINGLE_ENTITY_EVENTS as readonly string[]).includes(type)) {
    const entity = bus.detail.payload.entity as { id?: unknown; type?: unknown } | undefined;
    if (typeof entity?.id !== 'string') return [];
    return [view(bus.detail.eventId, entity.id, entity.type)];
  }
  if ((MULTI_ENTITY_EVENTS as readonly string[]).includes(type)) {
    const ids = bus.detail.payload.entityIds;
    if (!Array.isArray(ids)) return [];
    const unique = [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
    return unique.map((entityId) => view(`${bus.detail.eventId}/${entityId}`, entityId, bus.detail.payload.type));
  }
  return [];
}

/** The `detail.entityId` of an engine event, when it carries one. */
export function entityIdOf(ev: SignalEvent): string | null {
  const id = (ev.event.detail as { entityId?: unknown } | undefined)?.entityId;
  return typeof id === 'string' ? id : null;
}
