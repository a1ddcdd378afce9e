/**
 * Persistence ports of connector syncs: runs (with their checkpoints), cursors, and the entities a sync writes with
 * their source records and relations. Every method is scoped to one tenant.
 */
import type { SyncRun } from '../../../../schemas/connectors.js';
import type { Entity } from '../../../../schemas/entity.js';
import type { MutationRecord, Page } from '../../ports.js';

/** A relation between two entities (ids), stored as an outgoing item at `from` and an incoming one at `to`. */
export interface RelationEdge {
  kind: string;
  from: string;
  to: string;
}

/** Where one object's pass stands; stored in the run and replaced by every checkpoint. */
export interface ObjectPass {
  object: string;
  /** Position of the next page to read; null before the first page (status pending/running) or after the last. */
  position: string | null;
  /** Highest modification instant seen in this pass (becomes the object's watermark when the run completes). */
  maxModifiedAt: string | null;
  /** `pages`: reading records; `deletions`: reading the vendor's deletion feed (incremental passes); `done`. */
  phase: 'pages' | 'deletions' | 'done';
  /** Position in the deletion feed. */
  deletionPosition: string | null;
  /** Lower bound of the deletion feed window (the previous pass's start, minus the overlap). */
  deletionsSince: string | null;
  /** Pages read in this pass (names the raw page objects). */
  pageNo: number;
  /** Records this pass read, of the vendor's `total` (for the completeness check). */
  read: number;
  /** Consecutive retryable failures of the page at `position` (reset by a committed page). */
  failedAttempts?: number;
  /** Times the pass started again from its first page (the vendor dropped its cursor). */
  restarts?: number;
  /** The run's sequence when the pass last restarted: writes before it were counted by counts since reset. */
  restartSeq?: number;
  /** The deletion feed lost deletions (it looks back less far than the last pass): the next pass must be full. */
  forceFullNext?: boolean;
}

/** A sync run as stored: the API's view plus the engine's passes and its optimistic-locking sequence. */
export interface SyncRunRecord extends SyncRun {
  /** Incremented by every checkpoint; each is conditioned on the one read. */
  seq: number;
  passes: ObjectPass[];
  /** Page size asked of the vendor. */
  pageSize: number;
  /** While `waiting`: until when (ISO). */
  waitUntil?: string | null;
}

/** An object's incremental cursor, promoted when a run completes its pass. */
export interface ObjectCursor {
  object: string;
  /** Highest modification instant of the last completed pass (incremental lower bound, minus the overlap). */
  watermark: string | null;
  /** When the last completed full pass started (deletion feeds that look back less far force a full pass). */
  lastFullPassAt: string | null;
  /** When the last completed pass (any mode) started. */
  lastPassAt: string | null;
}

/** What a source record item holds (functions/adapters/dynamodb/sync-items.ts). */
export interface SourceRecordState {
  entityId: string;
  connectorId: string;
  system: string;
  object: string;
  namespace: string;
  sourceId: string;
  role: string;
  syncedAt: string;
  modifiedAt: string | null;
  deletedAt: string | null;
  attributes: Record<string, unknown>;
  /** Relations this record states (either end may be another record's entity). */
  relations: RelationEdge[];
  contentHash: string;
  runId: string;
  /** The run's checkpoint sequence when it was written: equal to the run's current one means "this uncommitted page". */
  runSeq: number;
  outcome: 'created' | 'changed' | 'deleted';
}

/** One entity of a page and what is stored for it. */
export interface StoredEntityState {
  entity?: Entity;
  source?: SourceRecordState;
}

/** The write of one changed entity: its item, its source record and relation changes, in one transaction. */
export interface EntityWrite {
  entity: Entity;
  /** null: the entity is new (must not exist); else the version read (optimistic locking). */
  expectedVersion: number | null;
  source: SourceRecordState;
  /** The source record item's hash read (null: none), so two writers of one record cannot both win. */
  expectedSourceHash: string | null;
  addRelations: RelationEdge[];
  removeRelations: RelationEdge[];
}

export interface SyncStore {
  /**
   * Stores a new run and takes the connector's sync lock in one transaction (with the audit record):
   * ConflictError if the connector is gone or locked by another run than `takeOverFrom` (a stale run being replaced).
   */
  beginRun(tenantId: string, run: SyncRunRecord, mutation: MutationRecord, takeOverFrom?: string): Promise<void>;
  getRun(tenantId: string, runId: string): Promise<SyncRunRecord | undefined>;
  listRuns(
    tenantId: string,
    connectorId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<SyncRunRecord>>;
  /** A checkpoint: replaces the run if its stored `seq` is `expectedSeq` (else ConflictError). Bookkeeping, no audit. */
  saveRun(tenantId: string, run: SyncRunRecord, expectedSeq: number): Promise<void>;
  /**
   * The end of a run in one transaction: the run's final state (conditioned on `expectedSeq`), the connector's lock
   * released and its `lastRun` set, the cursors of completed passes promoted, the audit record and events.
   */
  finishRun(
    tenantId: string,
    run: SyncRunRecord,
    expectedSeq: number,
    cursors: ObjectCursor[],
    mutation: MutationRecord,
  ): Promise<void>;
  cursors(tenantId: string, connectorId: string): Promise<ObjectCursor[]>;
  /** Entities and source records of a page, by entity id (at most a few hundred ids; strongly consistent reads). */
  loadEntities(
    tenantId: string,
    refs: { entityId: string; connectorId: string; namespace: string; sourceId: string }[],
  ): Promise<Map<string, StoredEntityState>>;
  /** One changed entity in one transaction with its mutation (audit + events): ConflictError if a condition failed. */
  writeEntity(tenantId: string, write: EntityWrite, mutation: MutationRecord): Promise<void>;
  /**
   * Changed entities of a page, several per transaction (never more than one transaction per entity), each with its
   * own audit record and events. Returns the entities whose own condition failed (written by someone else since they
   * were read); everything else is written.
   */
  writeEntities(
    tenantId: string,
    batch: readonly { write: EntityWrite; mutation: MutationRecord }[],
  ): Promise<{ conflicts: string[] }>;
  /** Every source record of a connector's namespace (deletion diff of a full pass). */
  sourceRecords(tenantId: string, connectorId: string, namespace: string): AsyncIterable<SourceRecordState>;
}
