/**
 * What a normalised page means for the graph: per entity, created, changed, unchanged or deleted, and the one write
 * (entity + source record + relations, with its audit and event) a changed entity needs. Pure: the caller loads the
 * stored state and commits the writes.
 */
import type { Entity } from '../../../../schemas/entity.js';
import { CONNECTOR_SYNC_ACTOR } from '../../auth/actors.js';
import type { MutationRecord } from '../../ports.js';
import { hashOf } from '../../shared/hash.js';
import type { EntityRef, NormalisedEntity, NormalisedRecord } from '../ports.js';
import { entityIdOf } from './entity-ids.js';
import type { EntityWrite, RelationEdge, SourceRecordState, StoredEntityState } from './store.js';

/** `repeat`: a record this run already wrote and committed (read again by a restarted pass); counted once only. */
export type Outcome = 'created' | 'changed' | 'unchanged' | 'deleted' | 'repeat';

/** The attribute an entity carries when its source record was deleted at the vendor (the entity keeps its history). */
export const SOURCE_DELETED_ATTRIBUTE = 'sourceDeletedAt';

export interface UpsertContext {
  connectorId: string;
  system: string;
  object: string;
  runId: string;
  /** The run's current checkpoint sequence (the page being committed). */
  runSeq: number;
  /** The sequence at which the current pass last restarted (0: never); see planEntity. */
  passRestartSeq: number;
  at: string;
  requestId: string;
  actor: string;
}

export interface PlannedEntity {
  entityId: string;
  outcome: Outcome;
  /** Present when something must be written. */
  write?: EntityWrite;
  mutation?: MutationRecord;
}

/** The refs whose stored state a page needs (every entity of every record). */
export function refsOfPage(
  connectorId: string,
  records: readonly NormalisedRecord[],
): { entityId: string; connectorId: string; namespace: string; sourceId: string }[] {
  return records.flatMap((r) =>
    r.entities.map((e) => ({
      entityId: entityIdOf(connectorId, e.ref),
      connectorId,
      namespace: e.ref.namespace,
      sourceId: e.ref.sourceId,
    })),
  );
}

/** What the record states about one entity, hashed: equal hashes mean there is nothing to write. */
const edgeKey = (r: RelationEdge) => `${r.kind}#${r.from}#${r.to}`;

function contentOf(
  entity: NormalisedEntity,
  relations: RelationEdge[],
  deletedAt: string | null,
): { hash: string; relations: RelationEdge[] } {
  const sorted = [...relations].sort((a, b) => edgeKey(a).localeCompare(edgeKey(b)));
  return {
    hash: hashOf({ attributes: entity.attributes, relations: sorted, deleted: deletedAt !== null }),
    relations: sorted,
  };
}

/**
 * Plans one entity of a record. Unchanged content writes nothing; content already written by this same run (a page
 * read again after a crash) counts as what that write was, so a resumed run reports the same counts as an
 * uninterrupted one.
 */
export function planEntity(
  record: NormalisedRecord,
  entity: NormalisedEntity,
  stored: StoredEntityState | undefined,
  ctx: UpsertContext,
): PlannedEntity {
  const entityId = entityIdOf(ctx.connectorId, entity.ref);
  const relations = record.relations
    .filter((r) => sameRef(ownerOf(record, r), entity.ref))
    .map((r) => ({ kind: r.kind, from: entityIdOf(ctx.connectorId, r.from), to: entityIdOf(ctx.connectorId, r.to) }));
  const previous = stored?.source;
  const current = stored?.entity;
  // A deleted record keeps the deletion instant it was first seen deleted with.
  const deletedAt = record.deleted ? (previous?.deletedAt ?? ctx.at) : null;
  const content = contentOf(entity, dedupe(relations), deletedAt);

  if (previous && previous.contentHash === content.hash && current) {
    // Written by this run: on the page being committed (a crash re-read), or before the pass restarted (its counts
    // were reset), it counts as what that write was; on an earlier committed page of this pass it was counted then.
    const counted = previous.runSeq === ctx.runSeq || previous.runSeq < ctx.passRestartSeq;
    const outcome: Outcome = previous.runId !== ctx.runId ? 'unchanged' : counted ? previous.outcome : 'repeat';
    return { entityId, outcome };
  }
  if (!current && record.deleted) {
    // Deleted before we ever saw it: nothing to keep history of.
    return { entityId, outcome: 'unchanged' };
  }

  const outcome: 'created' | 'changed' | 'deleted' = !current ? 'created' : record.deleted ? 'deleted' : 'changed';
  const attributes: Record<string, unknown> = { ...(current?.attributes ?? {}) };
  // Attributes the record gave before and no longer gives are removed; others (set through the API) stay.
  for (const name of Object.keys(previous?.attributes ?? {})) {
    if (!(name in entity.attributes)) delete attributes[name];
  }
  Object.assign(attributes, entity.attributes);
  if (deletedAt) attributes[SOURCE_DELETED_ATTRIBUTE] = deletedAt;
  else delete attributes[SOURCE_DELETED_ATTRIBUTE];

  const changed = current ? changedNames(current.attributes, attributes) : Object.keys(attributes).sort();
  const oldRelations = previous?.relations ?? [];
  const oldKeys = new Set(oldRelations.map(edgeKey));
  const newKeys = new Set(content.relations.map(edgeKey));
  const addRelations = content.relations.filter((r) => !oldKeys.has(edgeKey(r)));
  const removeRelations = oldRelations.filter((r) => !newKeys.has(edgeKey(r)));
  const relationChanges = [...new Set([...addRelations, ...removeRelations].map((r) => `relations.${r.kind}`))].sort();

  const next: Entity = current
    ? { ...current, attributes, version: current.version + 1, updatedAt: ctx.at }
    : { id: entityId, type: entity.type, attributes, version: 1, createdAt: ctx.at, updatedAt: ctx.at };
  const source: SourceRecordState = {
    entityId,
    connectorId: ctx.connectorId,
    system: ctx.system,
    object: ctx.object,
    namespace: entity.ref.namespace,
    sourceId: entity.ref.sourceId,
    role: entity.ref.role,
    syncedAt: ctx.at,
    modifiedAt: record.modifiedAt,
    deletedAt,
    attributes: entity.attributes,
    relations: content.relations,
    contentHash: content.hash,
    runId: ctx.runId,
    runSeq: ctx.runSeq,
    outcome,
  };
  const write: EntityWrite = {
    entity: next,
    expectedVersion: current ? current.version : null,
    source,
    expectedSourceHash: previous?.contentHash ?? null,
    addRelations,
    removeRelations,
  };
  const audit = {
    action: outcome === 'created' ? 'entity.create' : 'entity.update',
    actor: ctx.actor,
    via: CONNECTOR_SYNC_ACTOR,
    runId: ctx.runId,
    resourceType: 'entity',
    resourceId: entityId,
    at: ctx.at,
    requestId: ctx.requestId,
    beforeHash: current ? hashOf(current) : null,
    afterHash: hashOf(next),
  };
  const mutation: MutationRecord = {
    audit,
    events: [
      current
        ? {
            name: 'entity.updated',
            payload: {
              entity: next,
              previousVersion: current.version,
              changed: [...changed, ...relationChanges],
              actor: ctx.actor,
            },
          }
        : { name: 'entity.created', payload: { entity: next, actor: ctx.actor } },
    ],
  };
  return { entityId, outcome, write, mutation };
}

const sameRef = (a: EntityRef, b: EntityRef) =>
  a.namespace === b.namespace && a.sourceId === b.sourceId && a.role === b.role;

/**
 * The entity of the record a relation is kept with: its `from` end if that is the record's, else its `to` end (an
 * opportunity states `owns-deal` from its account's organization to itself), else the record's first entity.
 */
function ownerOf(record: NormalisedRecord, relation: NormalisedRecord['relations'][number]): EntityRef {
  const own = (ref: EntityRef) => record.entities.find((e) => sameRef(e.ref, ref))?.ref;
  return own(relation.from) ?? own(relation.to) ?? record.entities[0]!.ref;
}

function dedupe(relations: RelationEdge[]): RelationEdge[] {
  const seen = new Set<string>();
  return relations.filter((r) => {
    const k = edgeKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Attribute names whose value differs (added, removed or changed). */
export function changedNames(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => hashOf(before[n] ?? null) !== hashOf(after[n] ?? null)).sort();
}

/**
 * The write that records a deletion found by the deletion feed or a full pass's diff (no record in hand): the
 * source record is marked deleted and the entity carries `sourceDeletedAt`; nothing else changes.
 */
export function planDeletion(
  source: SourceRecordState,
  entity: Entity,
  ctx: UpsertContext,
): { write: EntityWrite; mutation: MutationRecord } {
  const attributes = { ...entity.attributes, [SOURCE_DELETED_ATTRIBUTE]: ctx.at };
  const next: Entity = { ...entity, attributes, version: entity.version + 1, updatedAt: ctx.at };
  const contentHash = hashOf({ attributes: source.attributes, relations: source.relations, deleted: true });
  const write: EntityWrite = {
    entity: next,
    expectedVersion: entity.version,
    source: {
      ...source,
      deletedAt: ctx.at,
      syncedAt: ctx.at,
      contentHash,
      runId: ctx.runId,
      runSeq: ctx.runSeq,
      outcome: 'deleted',
    },
    expectedSourceHash: source.contentHash,
    addRelations: [],
    removeRelations: [],
  };
  const mutation: MutationRecord = {
    audit: {
      action: 'entity.update',
      actor: ctx.actor,
      via: CONNECTOR_SYNC_ACTOR,
      runId: ctx.runId,
      resourceType: 'entity',
      resourceId: entity.id,
      at: ctx.at,
      requestId: ctx.requestId,
      beforeHash: hashOf(entity),
      afterHash: hashOf(next),
    },
    events: [
      {
        name: 'entity.updated',
        payload: {
          entity: next,
          previousVersion: entity.version,
          changed: [SOURCE_DELETED_ATTRIBUTE],
          actor: ctx.actor,
        },
      },
    ],
  };
  return { write, mutation };
}
