import type { Entity } from '../../../schemas/entity.js';
import type { ResolvableType } from '../../../schemas/resolution.js';
import { ConflictError } from '../errors.js';
import { hashOf } from '../shared/hash.js';
import { entityToRecord, hasResolvableAttributes, isResolvableType } from './entity-records.js';
import { type ClusterChange, RESOLUTION_ACTOR, type ResolutionDeps } from './store.js';
import { defaultModel, indexKeysFor, type PairScore, pairScorer, type StoredModel } from './stored-model.js';

/** Entities filed under one blocking key beyond which the key is too common to find candidates with. */
export const HOT_KEY_CAP = 50;
/** Candidates scored per new entity at most (strongest keys first would need statistics; the cap bounds cost). */
const MAX_CANDIDATES = 200;
const MAX_ATTEMPTS = 4;

export interface IncrementalOutcome {
  status: 'skipped' | 'indexed' | 'merged';
  candidates: number;
  hotKeys: number;
  clusterId?: string;
  matchedEntityId?: string;
  probability?: number;
}

/**
 * Resolves a newly created entity against the tenant's existing entities of its type: candidates come
 * from the blocking-key index (a few Queries), are scored with the tenant's stored model (priors before the
 * first batch), and the best candidate whose cluster the entity fits joins it. "Fits" is the engine's
 * average-linkage rule over every member, and no cannot-link decision may be violated. The link, the
 * entity's index items, the audit record and `entity.merged` are one transaction. Safe to redeliver.
 */
export async function resolveCreatedEntity(
  tenantId: string,
  entity: Entity,
  requestId: string,
  deps: ResolutionDeps,
): Promise<IncrementalOutcome> {
  if (!isResolvableType(entity.type)) return { status: 'skipped', candidates: 0, hotKeys: 0 };
  const type: ResolvableType = entity.type;
  const record = entityToRecord(entity);
  if (!hasResolvableAttributes(record)) return { status: 'skipped', candidates: 0, hotKeys: 0 };
  const keys = indexKeysFor(type, record);
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptResolution(tenantId, type, entity, keys, requestId, deps);
    } catch (error) {
      // another change moved a cluster between our read and write: read again
      if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function attemptResolution(
  tenantId: string,
  type: ResolvableType,
  entity: Entity,
  keys: string[],
  requestId: string,
  deps: ResolutionDeps,
): Promise<IncrementalOutcome> {
  const { store } = deps;
  const found = await store.candidates(tenantId, type, keys, HOT_KEY_CAP);
  const already = await store.clusterOf(tenantId, entity.id);
  if (already) {
    // a redelivery after the link was written (or an admin confirm got there first)
    await store.index(tenantId, type, entity.id, keys);
    return { status: 'skipped', candidates: 0, hotKeys: found.hotKeys, clusterId: already.clusterId };
  }
  const candidateIds = found.ids.filter((id) => id !== entity.id).slice(0, MAX_CANDIDATES);
  const candidates = (await store.getEntities(tenantId, candidateIds)).filter((e) => e.type === type);
  const model = (await store.getModel(tenantId, type)) ?? defaultModel(type);
  const records = [entityToRecord(entity), ...candidates.map(entityToRecord)];
  const score = pairScorer(model, records);
  const ranked = candidates
    .map((c, k) => ({ entity: c, index: k + 1, score: score(0, k + 1) }))
    .filter((c) => c.score.probability >= model.threshold)
    .sort((x, y) => y.score.weight - x.score.weight || (x.entity.id < y.entity.id ? -1 : 1));
  const rejected = new Set(
    (await store.decisionsOf(tenantId, entity.id)).filter((d) => d.decision === 'reject').map((d) => d.otherId),
  );
  for (const best of ranked) {
    const cluster = await store.clusterOf(tenantId, best.entity.id);
    const members = cluster ? cluster.members : [best.entity.id];
    if (members.some((m) => rejected.has(m))) continue;
    if (!(await fitsCluster(tenantId, model, entity, members, deps))) continue;
    const clusterId = cluster?.clusterId ?? deps.ids.newId();
    const memberIds = [...members, entity.id];
    const change: ClusterChange = {
      clusters: [{ clusterId, type, members: memberIds, expectedVersion: cluster?.version ?? 0 }],
      pointers: [
        ...(cluster ? [] : [{ entityId: best.entity.id, clusterId, expectedClusterId: null }]),
        { entityId: entity.id, clusterId, expectedClusterId: null },
      ],
      index: { entityId: entity.id, type, keys },
    };
    await store.applyChange(
      tenantId,
      change,
      mergeMutation(
        clusterId,
        type,
        entity.id,
        cluster ? members : null,
        memberIds,
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
  await store.index(tenantId, type, entity.id, keys);
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
 * resistance). Large clusters are sampled, so a create costs at most MAX_SCORED_MEMBERS comparisons.
 */
async function fitsCluster(
  tenantId: string,
  model: StoredModel,
  entity: Entity,
  members: string[],
  deps: ResolutionDeps,
): Promise<boolean> {
  if (members.length <= 1) return true;
  const loaded = await deps.store.getEntities(tenantId, evenSample(members, MAX_SCORED_MEMBERS));
  const score = pairScorer(model, [entityToRecord(entity), ...loaded.map(entityToRecord)]);
  const total = loaded.reduce((sum, _, k) => sum + score(0, k + 1).probability, 0);
  return loaded.length > 0 && total / loaded.length >= model.threshold;
}

function mergeMutation(
  clusterId: string,
  type: ResolvableType,
  entityId: string,
  before: string[] | null,
  memberIds: string[],
  matchedEntityId: string,
  score: PairScore,
  model: StoredModel,
  requestId: string,
  deps: ResolutionDeps,
) {
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
      {
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
          reason: 'incremental' as const,
          modelSource: model.source,
          actor: RESOLUTION_ACTOR,
        },
      },
    ],
  };
}
