/**
 * Items the connector sync writes beside entities (keys in keys.ts): the source record an entity was built from
 * (provenance) and relations. Read back with these schemas, so an old or corrupt item fails loudly.
 */
import * as z from 'zod';
import { ITEM_TYPES } from './keys.js';

export const SourceRecordItem = z.object({
  entityType: z.literal(ITEM_TYPES.sourceRecord),
  schemaVersion: z.literal(1),
  entityId: z.string(),
  connectorId: z.string(),
  system: z.enum(['salesforce', 'hubspot', 'workday']),
  /** The vendor object it was read from (`Contact`, `contacts`, `workers`…). */
  object: z.string(),
  /** Namespace of the source id (see EntityRef.namespace). */
  namespace: z.string(),
  sourceId: z.string(),
  /** Which of the record's entities this is (`person`, `employee`…). */
  role: z.string(),
  syncedAt: z.string(),
  modifiedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  /** The canonical attributes the record gave (what the entity took from it). */
  attributes: z.record(z.string(), z.unknown()),
  /** Relations the record stated (entity ids), so a later sync can remove those it no longer states. */
  relations: z.array(z.object({ kind: z.string(), from: z.string(), to: z.string() })),
  /** SHA-256 of the canonical JSON of attributes + relations + deletedAt: equal means nothing to write. */
  contentHash: z.string(),
  /** The run that last wrote it and what that write was, so a page re-read after a crash counts the same. */
  runId: z.string(),
  /** The run's checkpoint sequence at the write (see SourceRecordState.runSeq). */
  runSeq: z.number().int(),
  outcome: z.enum(['created', 'changed', 'deleted']),
});
export type SourceRecordItem = z.infer<typeof SourceRecordItem>;

export const RelationItem = z.object({
  entityType: z.literal(ITEM_TYPES.relation),
  schemaVersion: z.literal(1),
  kind: z.string(),
  direction: z.enum(['out', 'in']),
  /** The entity whose partition holds the item. */
  entityId: z.string(),
  /** The entity at the other end. */
  otherId: z.string(),
  connectorId: z.string(),
  syncedAt: z.string(),
});
export type RelationItem = z.infer<typeof RelationItem>;
