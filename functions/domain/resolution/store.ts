import type { Entity } from '../../../schemas/entity.js';
import type { MatchDecisionKind, ResolutionRun, ResolvableType } from '../../../schemas/resolution.js';
import { ValidationError } from '../errors.js';
import type { Clock, IdGenerator, MutationRecord } from '../ports.js';
import type { StoredModel } from './stored-model.js';

/** A cluster of entities the platform holds to be the same real-world thing (two members or more). */
export interface ClusterState {
  clusterId: string;
  type: ResolvableType;
  members: string[];
  /** Optimistic-locking version; every change of the cluster is conditioned on it. */
  version: number;
}

/** An admin's decision on a pair: confirm = must-link, reject = cannot-link. */
export interface PairDecisionRecord {
  entityId: string;
  otherId: string;
  type: ResolvableType;
  decision: MatchDecisionKind;
  decidedBy: string;
  decidedAt: string;
}

/**
 * The undecided pairs a batch run proposed for review (the engine's `result.review`), most informative first.
 * Ids and scores only: the explanation is computed again when the queue is read.
 */
export interface ReviewQueueRecord {
  type: ResolvableType;
  runId: string;
  createdAt: string;
  pairs: { id1: string; id2: string; probability: number; weight: number; uncertainty: number }[];
}

/**
 * One atomic change of clusters: every cluster written is conditioned on the version read (0 = must not
 * exist); every pointer (entity → cluster) on the cluster it pointed to when read (null = none).
 */
export interface ClusterChange {
  /** Clusters after the change; `members: []` deletes the cluster. */
  clusters: { clusterId: string; type: ResolvableType; members: string[]; expectedVersion: number }[];
  pointers: { entityId: string; clusterId: string | null; expectedClusterId: string | null }[];
  /** Pair decisions stored in the same transaction. */
  decisions?: PairDecisionRecord[];
}

/**
 * What one change may hold so that the store writes it in one transaction (DynamoDB: 100 items, 4 MB): items
 * (cluster heads, member pages, pointers of entities that join a cluster, decisions, events and 3 of
 * bookkeeping) and bytes. Pointers of entities that leave for no cluster may follow the transaction.
 */
export const CHANGE_LIMITS = { items: 100, bytes: 3_500_000, membersPerPage: 1000 } as const;

/** A change larger than one transaction holds: nothing was written. Batch runs write it in smaller steps. */
export class ChangeTooLargeError extends ValidationError {}

/** Persistence of identity resolution, every method scoped to one tenant. */
export interface ResolutionStore {
  /**
   * Entity ids filed under any of the blocking keys. A key holding more than `cap` entities is hot: it is
   * skipped (it would not discriminate) and counted.
   */
  candidates(
    tenantId: string,
    type: ResolvableType,
    keys: readonly string[],
    cap: number,
  ): Promise<{ ids: string[]; hotKeys: number }>;
  /**
   * Files the entity under exactly these blocking keys: keys it was filed under before and no longer has are
   * deleted (bookkeeping: no audit, no event). Idempotent. With `entityVersion`, keys already filed for a newer
   * version of the entity are left as they are, so a late delivery of an older state cannot undo a newer one.
   */
  index(
    tenantId: string,
    type: ResolvableType,
    entityId: string,
    keys: readonly string[],
    entityVersion?: number,
  ): Promise<void>;
  getEntities(tenantId: string, ids: readonly string[]): Promise<Entity[]>;
  /** Every entity of the type (batch runs), with a callback per page loaded. */
  listEntities(
    tenantId: string,
    type: ResolvableType,
    onPage?: (loaded: number) => Promise<void> | void,
  ): Promise<Entity[]>;
  getModel(tenantId: string, type: ResolvableType): Promise<StoredModel | undefined>;
  putModel(tenantId: string, model: StoredModel): Promise<void>;
  clusterOf(tenantId: string, entityId: string): Promise<ClusterState | undefined>;
  listClusters(tenantId: string, type: ResolvableType): Promise<ClusterState[]>;
  decisionsOf(tenantId: string, entityId: string): Promise<PairDecisionRecord[]>;
  listDecisions(tenantId: string, type: ResolvableType): Promise<PairDecisionRecord[]>;
  /**
   * Applies the change with its audit record and events in one transaction; a failed condition is ConflictError.
   * A change whose conditioned part (changed existing clusters, decisions, events) exceeds CHANGE_LIMITS is
   * ChangeTooLargeError. New clusters and pointers that do not fit follow it (see the adapter).
   */
  applyChange(tenantId: string, change: ClusterChange, mutation: MutationRecord): Promise<void>;
  createRun(tenantId: string, run: ResolutionRun, mutation: MutationRecord): Promise<void>;
  getRun(tenantId: string, id: string): Promise<ResolutionRun | undefined>;
  /** Progress and result of a run (bookkeeping). */
  saveRun(tenantId: string, run: ResolutionRun): Promise<void>;
  /** Replaces the type's review queue (bookkeeping, like the model: no audit, no event). */
  putReviewQueue(tenantId: string, queue: ReviewQueueRecord): Promise<void>;
  getReviewQueue(tenantId: string, type: ResolvableType): Promise<ReviewQueueRecord | undefined>;
}

export interface ResolutionDeps {
  store: ResolutionStore;
  clock: Clock;
  ids: IdGenerator;
}

/** Actor of the changes resolution makes on its own (kept with the other reserved actors). */
export { RESOLUTION_ACTOR } from '../auth/actors.js';
