// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Id, PageQuery } from './common.js';

/**
 * Detected signals at the edges: the record the detector writes (GET /api/v1/signals), and the payload of
 * `signal.detected` on the bus. Kept apart from the rule API's schemas: every function that reads the event
 * catalogue bundles this file, and none of them needs the rule bodies' schemas.
 */

/** What a signal asks to be done: the rule's action (`then` or `action`: start a workflow), or nothing. */
export const SignalAction = z
  .object({
    /** The workflow to start (checked to exist when the rule was saved). */
    startWorkflow: z.string(),
    /** The run's input the rule gives (the signal is added to it when the run starts). */
    input: z.record(z.string(), z.unknown()).optional(),
    /** The roles the run acts with: those of the user who wrote the rule's version (operator when not recorded). */
    roles: z.array(z.string()).optional(),
  })
  .meta({ id: 'SignalAction' });
export type SignalAction = z.infer<typeof SignalAction>;

/** The fields a signal and its `signal.detected` event share. */
const SignalFields = {
  ruleId: z.string(),
  /** The rule's version that detected it (GET /api/v1/signal-rules/{id}?version= reads it). */
  ruleVersion: z.number().int().min(1),
  ruleName: z.string(),
  kind: z.string(),
  /** The value of the rule's `key` the match is about (the entity id by default). */
  key: z.string(),
  /** The entity the key's events came from, when they carry one (`detail.entityId`). */
  entityId: z.string().nullable(),
  /** Deterministic per rule and key: the same match found again has the same id. */
  matchId: z.string(),
  /** Event time at which the rule held (ISO): the completing event's, or the deadline for an absence. */
  at: z.string(),
  /** When the platform detected it (ISO). */
  detectedAt: z.string(),
  /** The events the match is made of, in time order (an absence: its first event). */
  eventIds: z.array(z.string()),
  /** What deduplicates the case it opens or updates: the rule's `case.key` value, else `<ruleId>:<key>`. */
  caseKey: z.string(),
  /** The case title the rule names, if it names one. */
  caseTitle: z.string().nullable(),
  action: SignalAction.nullable(),
};

export const Signal = z
  .object({
    /** Deterministic from the tenant, rule, key and match: a repeated detection writes nothing new. */
    id: z.string(),
    ...SignalFields,
  })
  .meta({ id: 'Signal' });
export type Signal = z.infer<typeof Signal>;

/** `signal.detected`: a signal rule held (source `modos.signals`). */
export const SignalDetectedPayload = z.object({ signalId: z.string(), ...SignalFields });
export type SignalDetectedPayload = z.infer<typeof SignalDetectedPayload>;

export const SignalList = z
  .object({ items: z.array(Signal), nextCursor: z.string().nullable() })
  .meta({ id: 'SignalList' });

/** An ISO 8601 instant with a zone (`2026-11-30T09:00:00Z`, `…+01:00`), as `since` takes it. */
const Instant = z
  .string()
  .max(40)
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
    {
      message: 'an ISO 8601 instant with a zone, e.g. 2026-11-30T09:00:00Z',
    },
  );

/** `GET /api/v1/signals`: newest first, by rule, by entity (or key), detected since an instant. */
export const ListSignalsQuery = PageQuery.extend({
  rule: Id.optional(),
  /** The signal's entity id or key. */
  entity: z.string().min(1).max(1024).optional(),
  since: Instant.optional(),
});
export type ListSignalsQuery = z.infer<typeof ListSignalsQuery>;

export const SignalIdPath = z.strictObject({ id: Id });
