import type { Entity } from '../../../schemas/entity.js';
import type { ResolvableType } from '../../../schemas/resolution.js';
import type { MutationRecord } from '../ports.js';
import { ConflictError } from '../errors.js';
import { hashOf } from '../shared/hash.js';
import { entityToRecord, hasResolvableAttributes, identifyingAttributes, isResolvableType } from './entity-records.js';
import { boundEventIds } from './event-ids.js';
import { type ClusterChange, type ClusterState, RESOLUTION_ACTOR, type ResolutionDeps } from './store.js';
import { defaultModel, indexKeysFor, type PairScore, pairScorer, type StoredModel } from './stored-model.js';

/** Entities filed under one blocking key beyond which the key is too common to find candidates with. */
export const HOT_KEY_CAP = 50;
/** Candidates scored per new entity at most (strongest keys first would need statistics; the cap bounds cost). */
const MAX_CANDIDATES = 200;
const MAX_ATTEMPTS = 4;

export interface IncrementalOutcome {
  /**
   * skipped: not resolvable, gone, or already linked (a redelivery); unchanged: an update of no attribute the
   * matcher reads; kept: an updated entity still belongs to its cluster; indexed: no match, keys written;
   * merged: joined a cluster (after leaving its old one, for an update, when `leftClusterId` is set).
   */
  status: 'skipped' | 'unchanged' | 'kept' | 'indexed' | 'merged';
  candidates: number;
  hotKeys: number;
  clusterId?: string;
  matchedEntityId?: string;
  probability?: number;
  /** The cluster an updated entity no longer belonged to and left (`entity.split`, reason `updated`). */
  leftClusterId?: string;
}

type LinkReason = 'incremental' | 'updated';

/**
 * The entity's stored state when it is newer than the event's: a delivery that arrives after a later update
 * resolves what the entity is now, not what it was.
 */
async function latestState(tenantId: string, entity: Entity, deps: ResolutionDeps): Promise<Entity | undefined> {
  const [stored] = await deps.store.getEntities(tenantId, [entity.id]);
  return stored && stored.version >= entity.version ? stored : stored ? entity : undefined;
}

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      // another change moved a cluster between our read and write: read again
      if (!(error instanceof ConflictError) || n >= MAX_ATTEMPTS) throw error;
    }
  }
}

/**
 * Resolves a newly created entity against the tenant's existing entities of its type: candidates come
 * from the blocking-key index (a few Queries), are scored with the tenant's stored model (priors before the
 * first batch), and the best candidate whose cluster the entity fits joins it. "Fits" is the engine's
 * average-linkage rule over every member, and no cannot-link decision may be violated. The entity's key items
 * are written first (bookkeeping), then the link, its audit record and `entity.merged` are one transaction.
 * Safe to redeliver.
 */
export async function resolveCreatedEntity(
  tenantId: string,
  entity: Entity,
  requestId: string,
  deps: ResolutionDeps,
): Promise<IncrementalOutcome> {
  if (!isResolvableType(entity.type)) return { status: 'skipped', candidates: 0, hotKeys: 0 };
  const type: ResolvableType = entity.type;
  const current = (await latestState(tenantId, entity, deps)) ?? entity;
  const record = entityToRecord(current);
  if (!hasResolvableAttributes(record)) return { status: 'skipped', candidates: 0, hotKeys: 0 };
  const keys = indexKeysFor(type, record);
  await deps.store.index(tenantId, type, current.id, keys, current.version);
  return withRetries(async () => {
    const already = await deps.store.clusterOf(tenantId, current.id);
    // a redelivery after the link was written (or an admin confirm got there first)
    if (already) return { status: 'skipped', candidates: 0, hotKeys: 0, clusterId: already.clusterId };
    return linkToBestCandidate(tenantId, type, current, keys, 'incremental', requestId, deps);
  });
}

/**
 * Re-resolves an updated entity when the update changed an attribute the matcher reads (otherwise it does
 * nothing and says `unchanged`). Its blocking keys are rewritten (keys that no longer apply deleted), then it
 * is scored against its cluster with the stored model: if its average probability against the other members
 * fell below the threshold — the rule incremental linking joins by — and no member is a confirmed partner, it
 * leaves (`entity.split`, reason `updated`, one audited transaction). Outside a cluster it looks for
 * candidates as a created entity does and may join one (`entity.merged`, reason `updated`); rejected pairs
 * never join. The entity's current stored state is used, so redeliveries and late deliveries converge.
 */
export async function resolveUpdatedEntity(
  tenantId: string,
  update: { entity: Entity; changed: readonly string[] },
  requestId: string,
  deps: ResolutionDeps,
): Promise<IncrementalOutcome> {
  const { entity } = update;
  if (!isResolvableType(entity.type)) return { status: 'skipped', candidates: 0, hotKeys: 0 };
  const type: ResolvableType = entity.type;
  if (identifyingAttributes(type, update.changed).length === 0)
    return { status: 'unchanged', candidates: 0, hotKeys: 0 };
  const current = await latestState(tenantId, entity, deps);
  if (!current) return { status: 'skipped', candidates: 0, hotKeys: 0 };
  const record = entityToRecord(current);
  const keys = hasResolvableAttributes(record) ? indexKeysFor(type, record) : [];
  await deps.store.index(tenantId, type, current.id, keys, current.version);
  let leftClusterId: string | undefined;
  return withRetries(async () => {
    const cluster = await deps.store.clusterOf(tenantId, current.id);
    if (cluster) {
      const model = (await deps.store.getModel(tenantId, type)) ?? defaultModel(type);
      const others = cluster.members.filter((m) => m !== current.id);
      const confirmed = (await deps.store.decisionsOf(tenantId, current.id)).some(
        (d) => d.decision === 'confirm' && others.includes(d.otherId),
      );
      if (confirmed || (await fitsCluster(tenantId, model, current, others, deps)))
        return { status: 'kept', candidates: 0, hotKeys: 0, clusterId: cluster.clusterId };
      await leaveCluster(tenantId, cluster, current.id, requestId, deps);
      leftClusterId = cluster.clusterId;
    }
    if (!hasResolvableAttributes(record))
      return { status: 'indexed', candidates: 0, hotKeys: 0, ...(leftClusterId ? { leftClusterId } : {}) };
    const outcome = await linkToBestCandidate(tenantId, type, current, keys, 'updated', requestId, deps);
    return { ...outcome, ...(leftClusterId ? { leftClusterId } : {}) };
  });
}

/**
 * Takes the entity out of its cluster: the others stay together (a cluster of one ceases to exist), the
 * pointers follow, and the audit record and `entity.split` are in the same transaction.
 */
async function leaveCluster(
  tenantId: string,
  cluster: ClusterState,
  entityId: string,
  requestId: string,
  deps: ResolutionDeps,
): Promise<void> {
  const rest = cluster.members.filter((m) => m !== entityId);
  const survives = rest.length >= 2;
  const change: ClusterChange = {
    clusters: [
      {
        clusterId: cluster.clusterId,
        type: cluster.type,
        members: survives ? rest : [],
        expectedVersion: cluster.version,
      },
    ],
    pointers: [
      { entityId, clusterId: null, expectedClusterId: cluster.clusterId },
      ...(survives ? [] : rest.map((m) => ({ entityId: m, clusterId: null, expectedClusterId: cluster.clusterId }))),
    ],
  };
  const mutation: MutationRecord = {
    audit: {
      action: 'entity.split',
      actor: RESOLUTION_ACTOR,
      resourceType: 'entity-cluster',
      resourceId: cluster.clusterId,
      at: deps.clock.now().toISOString(),
      requestId,
      beforeHash: hashOf({ clusterId: cluster.clusterId, memberIds: cluster.members }),
      afterHash: hashOf({ clusterId: cluster.clusterId, memberIds: survives ? rest : [] }),
    },
    events: [
      {
        name: 'entity.split',
        payload: {
          type: cluster.type,
          clusterId: cluster.clusterId,
          entityIds: [entityId],
          resultingClusters: [
            { clusterId: survives ? cluster.clusterId : null, memberIds: rest },
            { clusterId: null, memberIds: [entityId] },
          ],
          reason: 'updated',
          actor: RESOLUTION_ACTOR,
        },
      },
    ],
  };
  await deps.store.applyChange(tenantId, change, { ...mutation, events: mutation.events.map(boundEventIds) });
}

/**
 * Scores the entity's candidates and joins the strongest one whose cluster it fits (no rejected member, average
 * probability at or above the threshold). Without one the entity stays alone (its keys are already written).
 */
async function linkToBestCandidate(
  tenantId: string,
  type: ResolvableType,
  entity: Entity,
  keys: string[],
  reason: LinkReason,
  requestId: string,
  deps: ResolutionDeps,
): Promise<IncrementalOutcome> {
  const { store } = deps;
  const found = await store.candidates(tenantId, type, keys, HOT_KEY_CAP);
  const candidateIds = found.ids.filter((id) => id !== entity.id).slice(0, MAX_CANDIDATES);
  const candidates = (await store.getEntities(tenantId, candidateIds)).filter((e) => e.type === type);
  const model = (await store.getModel(tenantId, type)) ?? defaultModel(type);
  const records = [entityToRecord(entity), ...candidates.map(entityToRecord)];
  const score = pairScorer(model, records);
  const ranked = candidates
    .map((c, k) => ({ entity: c, score: score(0, k + 1) }))
    .filter((c) => c.score.probability >= model.threshold)
    .sort((x, y) => y.score.weight - x.score.weight || (x.entity.id < y.entity.id ? -1 : 1));
  const rejected = new Set(
    (await store.decisionsOf(tenantId, entity.id)).filter((d) => d.decision === 'reject').map((d) => d.otherId),
  );
  for (const best of ranked) {
    const cluster = await store.clusterOf(tenantId, best.entity.id);
    const members = cluster ? cluster.members : [best.entity.id];
    if (members.some((m) => rejected.has(m))) continue;
    // a single candidate was scored above; a cluster is judged on all its members
    if (cluster && !(await fitsCluster(tenantId, model, entity, members, deps))) continue;
    const clusterId = cluster?.clusterId ?? deps.ids.newId();
    const memberIds = [...members, entity.id];
    const change: ClusterChange = {
      clusters: [{ clusterId, type, members: memberIds, expectedVersion: cluster?.version ?? 0 }],
      pointers: [
        ...(cluster ? [] : [{ entityId: best.entity.id, clusterId, expectedClusterId: null }]),
        { entityId: entity.id, clusterId, expectedClusterId: null },
      ],
    };
    await store.applyChange(
      tenantId,
      change,
      mergeMutation(
        { clusterId, type, entityId: entity.id, before: cluster ? members : null, memberIds, reason },
        best.entity.id,
        best.score,
        model,
        requestId,
        deps,
      ),
    );
    return {
      status: 'merged',
      candidates: candidates.length,
      hotKeys: found.hotKeys,
      clusterId,
      matchedEntityId: best.entity.id,
      probability: best.score.probability,
    };
  }
  return { status: 'indexed', candidates: candidates.length, hotKeys: found.hotKeys };
}

/** Members scored against a new entity at most: a large cluster is represented by an evenly spaced sample. */
export const MAX_SCORED_MEMBERS = 64;

/** Evenly spaced sample of at most `max` items (all of them when there are fewer). */
export function evenSample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

/**
 * Average match probability of the entity against the members stays at or above the threshold (chaining
 * resistance). Large clusters are sampled, so a create or update costs at most MAX_SCORED_MEMBERS comparisons.
 */
async function fitsCluster(
  tenantId: string,
  model: StoredModel,
  entity: Entity,
  members: string[],
  deps: ResolutionDeps,
): Promise<boolean> {
  if (members.length === 0) return false;
  const loaded = await deps.store.getEntities(tenantId, evenSample(members, MAX_SCORED_MEMBERS));
  const score = pairScorer(model, [entityToRecord(entity), ...loaded.map(entityToRecord)]);
  const total = loaded.reduce((sum, _, k) => sum + score(0, k + 1).probability, 0);
  return loaded.length > 0 && total / loaded.length >= model.threshold;
}

function mergeMutation(
  link: {
    clusterId: string;
    type: ResolvableType;
    entityId: string;
    before: string[] | null;
    memberIds: string[];
    reason: LinkReason;
  },
  matchedEntityId: string,
  score: PairScore,
  model: StoredModel,
  requestId: string,
  deps: ResolutionDeps,
): MutationRecord {
  const { clusterId, type, entityId, before, memberIds, reason } = link;
  const at = deps.clock.now().toISOString();
  return {
    audit: {
      action: 'entity.merge',
      actor: RESOLUTION_ACTOR,
      resourceType: 'entity-cluster',
      resourceId: clusterId,
      at,
      requestId,
      beforeHash: before ? hashOf({ clusterId, memberIds: before }) : null,
      afterHash: hashOf({ clusterId, memberIds }),
    },
    events: [
      boundEventIds({
        name: 'entity.merged' as const,
        payload: {
          type,
          clusterId,
          entityIds: [entityId],
          memberIds,
          matchedEntityId,
          probability: score.probability,
          weight: score.weight,
          explanation: score.explanation,
          reason,
          modelSource: model.source,
          actor: RESOLUTION_ACTOR,
        },
      }),
    ],
  };
}
