// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Id } from './common.js';

/** Entity types identity resolution runs on. */
export const RESOLVABLE_TYPES = ['person', 'organization'] as const;
export const ResolvableType = z.enum(RESOLVABLE_TYPES).meta({ id: 'ResolvableType' });
export type ResolvableType = z.infer<typeof ResolvableType>;

/**
 * Why a pair scored as it did: per field the comparison level reached and its weight (log2 m/u) plus the
 * term-frequency adjustment. Field names and level labels only, never attribute values.
 */
export const MatchExplanation = z
  .object({
    weight: z.number(),
    probability: z.number(),
    priorWeight: z.number(),
    fields: z.array(
      z.object({ field: z.string(), level: z.string().nullable(), weight: z.number(), tfAdjustment: z.number() }),
    ),
    rules: z.array(z.string()),
  })
  .meta({ id: 'MatchExplanation' });
export type MatchExplanation = z.infer<typeof MatchExplanation>;

/** Why entities joined a cluster: a create (`incremental`), an update of identifying attributes, a batch run, an admin confirm. */
export const MergeReason = z.enum(['incremental', 'updated', 'batch', 'confirmed']);
/** Why a cluster lost members: an admin reject, a batch run, an update after which the entity no longer fits. */
export const SplitReason = z.enum(['rejected', 'updated', 'batch']);

/**
 * Ids an id list of a resolution event holds at most, so an event stays far below EventBridge's 256 KB whatever
 * the cluster's size: a longer list holds its first ids and a count says how many there are.
 */
export const MAX_EVENT_IDS = 500;
/** Resulting clusters an `entity.split` lists at most, and member ids listed per resulting cluster. */
export const MAX_EVENT_CLUSTERS = 20;
export const MAX_EVENT_CLUSTER_IDS = 100;

/** `entity.merged`: entities joined a cluster (one event per cluster change). */
export const EntityMergedPayload = z.object({
  type: ResolvableType,
  clusterId: z.string(),
  /** The entities that joined the cluster in this change (the first MAX_EVENT_IDS). */
  entityIds: z.array(z.string()),
  /** How many joined, when more than `entityIds` lists. */
  entityCount: z.number().int().optional(),
  /** Every member after the change (the first MAX_EVENT_IDS). */
  memberIds: z.array(z.string()),
  /** How many members the cluster has, when more than `memberIds` lists. */
  memberCount: z.number().int().optional(),
  /** The member the strongest pair links them to, with its score and explanation. */
  matchedEntityId: z.string().optional(),
  probability: z.number().optional(),
  weight: z.number().optional(),
  explanation: MatchExplanation.optional(),
  /** Clusters absorbed by this one (their ids no longer exist). */
  absorbedClusterIds: z.array(z.string()).optional(),
  reason: MergeReason,
  runId: z.string().optional(),
  modelSource: z.enum(['default', 'fitted']).optional(),
  actor: z.string(),
});

/** `entity.split`: a cluster lost members (a rejected pair, or a batch run that disagrees). */
export const EntitySplitPayload = z.object({
  type: ResolvableType,
  clusterId: z.string(),
  /** For a reject, the rejected pair; for a batch or an update, the entities that left the cluster (the first MAX_EVENT_IDS). */
  entityIds: z.array(z.string()),
  /** How many left, when more than `entityIds` lists. */
  entityCount: z.number().int().optional(),
  /**
   * Where the former members are now: a cluster id, or null for an entity that stands alone (the first
   * MAX_EVENT_CLUSTERS, each with its first MAX_EVENT_CLUSTER_IDS members and `memberCount` when it has more).
   */
  resultingClusters: z.array(
    z.object({
      clusterId: z.string().nullable(),
      memberIds: z.array(z.string()),
      memberCount: z.number().int().optional(),
    }),
  ),
  /** How many resulting clusters there are, when more than `resultingClusters` lists. */
  resultingClusterCount: z.number().int().optional(),
  reason: SplitReason,
  runId: z.string().optional(),
  actor: z.string(),
});

export const ResolutionRunRequestedPayload = z.object({
  runId: z.string(),
  type: ResolvableType,
  requestedBy: z.string(),
});

// ---- API -------------------------------------------------------------------------------------

export const StartResolutionRunRequest = z
  .strictObject({ type: ResolvableType })
  .meta({ id: 'StartResolutionRunRequest' });
export type StartResolutionRunRequest = z.infer<typeof StartResolutionRunRequest>;

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export const ResolutionRun = z
  .object({
    id: z.string(),
    type: ResolvableType,
    status: z.enum(RUN_STATUSES),
    requestedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    progress: z.object({
      phase: z.enum(['queued', 'loading', 'resolving', 'writing', 'done']),
      entities: z.number().int(),
      /** Cluster changes written so far out of `changesTotal`. */
      changesWritten: z.number().int(),
      changesTotal: z.number().int(),
    }),
    result: z
      .object({
        entities: z.number().int(),
        candidatePairs: z.number().int(),
        clusters: z.number().int(),
        mergedEvents: z.number().int(),
        splitEvents: z.number().int(),
        conflicts: z.number().int(),
        mustLinks: z.number().int(),
        cannotLinks: z.number().int(),
        lambda: z.number(),
        durationMs: z.number(),
      })
      .optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: 'ResolutionRun' });
export type ResolutionRun = z.infer<typeof ResolutionRun>;

export const ResolutionRunIdPath = z.strictObject({ id: Id });

export const MatchDecisionKind = z.enum(['confirm', 'reject']);
export type MatchDecisionKind = z.infer<typeof MatchDecisionKind>;

export const PairDecision = z
  .object({ otherId: z.string(), decision: MatchDecisionKind, decidedBy: z.string(), decidedAt: z.string() })
  .meta({ id: 'PairDecision' });

export const MatchList = z
  .object({
    entityId: z.string(),
    type: z.string(),
    clusterId: z.string().nullable(),
    /** The entity's cluster members, scored against it with the tenant's current model, strongest first. */
    items: z.array(
      z.object({
        entityId: z.string(),
        probability: z.number(),
        weight: z.number(),
        explanation: MatchExplanation,
        decision: MatchDecisionKind.nullable(),
      }),
    ),
    decisions: z.array(PairDecision),
    modelSource: z.enum(['default', 'fitted']),
  })
  .meta({ id: 'MatchList' });
export type MatchList = z.infer<typeof MatchList>;

export const MatchPairPath = z.strictObject({ id: Id, otherId: Id });

export const MatchDecisionResult = z
  .object({
    entityId: z.string(),
    otherId: z.string(),
    decision: MatchDecisionKind,
    decidedBy: z.string(),
    decidedAt: z.string(),
    /** False when the same decision was already recorded (nothing was written). */
    changed: z.boolean(),
    clusterId: z.string().nullable(),
    otherClusterId: z.string().nullable(),
  })
  .meta({ id: 'MatchDecisionResult' });
export type MatchDecisionResult = z.infer<typeof MatchDecisionResult>;

/** Largest page of the review queue, and the default one. */
export const MAX_REVIEW_PAGE = 100;
export const DEFAULT_REVIEW_PAGE = 20;

export const ReviewQueueQuery = z.strictObject({
  type: ResolvableType,
  limit: z.coerce.number().int().min(1).max(MAX_REVIEW_PAGE).default(DEFAULT_REVIEW_PAGE),
});
export type ReviewQueueQuery = z.infer<typeof ReviewQueueQuery>;

/** One undecided pair proposed for review, with the two requests that answer it. */
export const ReviewPair = z
  .object({
    entityId: z.string(),
    otherId: z.string(),
    probability: z.number(),
    weight: z.number(),
    /** 1 at the threshold (the answer teaches the model most), falling towards 0 for a certain pair. */
    uncertainty: z.number(),
    explanation: MatchExplanation,
    links: z.object({
      /** `POST` this path: the pair is one thing (must-link). */
      confirm: z.string(),
      /** `POST` this path: the pair are two things (cannot-link). */
      reject: z.string(),
    }),
  })
  .meta({ id: 'ReviewPair' });
export type ReviewPair = z.infer<typeof ReviewPair>;

export const ReviewQueue = z
  .object({
    type: ResolvableType,
    /** The pending pairs, most uncertain first (at most `limit`). */
    items: z.array(ReviewPair),
    /** Pairs still pending in the queue (decided pairs and pairs of deleted entities left out). */
    pending: z.number().int(),
    /** The batch run that proposed the queue, and when; null before the first run. */
    runId: z.string().nullable(),
    generatedAt: z.string().nullable(),
    /** The model the pairs were re-scored with. */
    modelSource: z.enum(['default', 'fitted']),
    /** What to do when there is nothing to review. */
    hint: z.string().optional(),
  })
  .meta({ id: 'ReviewQueue' });
export type ReviewQueue = z.infer<typeof ReviewQueue>;
