// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { EVENT_CATALOGUE, type EventName } from './events.js';

/**
 * The event catalogue integrators read (GET /api/v1/events/catalogue): every event on the bus with a JSON Schema
 * generated from its zod schema, and the EventBridge pattern of a rule that receives it.
 */

export const EventCatalogueEntry = z
  .object({
    source: z.string().meta({ description: 'EventBridge `source`: modos.<component>' }),
    detailType: z.string().meta({ description: 'EventBridge `detail-type`: the event name' }),
    schemaVersion: z.number().int().meta({
      description: '`detail.schemaVersion`; a new version is a breaking change, fields may be added within one',
    }),
    schema: z.record(z.string(), z.unknown()).meta({
      description:
        'JSON Schema (draft 2020-12) of the whole event as EventBridge delivers it (`source`, `detail-type`, `detail`…); `properties.detail` is the detail alone',
    }),
    pattern: z.object({ source: z.array(z.string()), 'detail-type': z.array(z.string()) }).meta({
      description: 'An EventBridge event pattern matching exactly this event; add `detail` filters as needed',
    }),
  })
  .meta({ id: 'EventCatalogueEntry' });
export type EventCatalogueEntry = z.infer<typeof EventCatalogueEntry>;

export const EventCatalogue = z.object({ events: z.array(EventCatalogueEntry) }).meta({ id: 'EventCatalogue' });
export type EventCatalogue = z.infer<typeof EventCatalogue>;

/** The zod schema of a whole event as EventBridge delivers it to a target, its detail the event's own schema. */
export function busEventSchema<N extends EventName>(name: N) {
  const { source, detail } = EVENT_CATALOGUE[name];
  return z.object({
    version: z.string(),
    id: z.string(),
    'detail-type': z.literal(name),
    source: z.literal(source),
    account: z.string(),
    time: z.string(),
    region: z.string(),
    resources: z.array(z.string()),
    detail,
  });
}

/**
 * The catalogue, one entry per event of EVENT_CATALOGUE. Schemas describe what the zod schema accepts (`io:
 * 'input'`): objects allow members they do not name, as the platform's own consumers strip them, so a field
 * added within a schema version does not break a validating integrator.
 */
export function buildEventCatalogue(): EventCatalogue {
  const events = (Object.keys(EVENT_CATALOGUE) as EventName[]).map((name) => {
    const { source, detail } = EVENT_CATALOGUE[name];
    // An empty metadata registry: no shared `$defs` (the ids of the API's components), so `properties.detail`
    // stands alone for a target that receives only the detail.
    const schema = z.toJSONSchema(busEventSchema(name), {
      target: 'draft-2020-12',
      io: 'input',
      metadata: z.registry(),
    });
    return {
      source,
      detailType: name,
      schemaVersion: detail.shape.schemaVersion.value,
      schema: { ...schema, title: name },
      pattern: { source: [source], 'detail-type': [name] },
    };
  });
  return { events };
}
