import type { Entity } from '../../../schemas/entity.js';
import type { MatchDecisionKind, MatchDecisionResult, MatchList, ResolvableType } from '../../../schemas/resolution.js';
import { requirePermission } from '../auth/authorize.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Principal, RequestContext } from '../ports.js';
import { hashOf } from '../shared/hash.js';
import { type ScoredEdge, clusterByAverageLinkage } from './engine/clustering.js';
import { entityToRecord, isResolvableType } from './entity-records.js';
import { boundEventIds } from './event-ids.js';
import type { ClusterChange, ClusterState, PairDecisionRecord, ResolutionDeps } from './store.js';
import { defaultModel, pairScorer, type StoredModel } from './stored-model.js';

/** Resolution decisions and runs need `resolution:manage` (admin only: seed 000 gives the other roles reads). */
export function requireAdmin(principal: Principal): void {
  requirePermission(principal, 'resolution:manage');
}

async function loadPair(
  tenantId: string,
  id: string,
  otherId: string,
  deps: ResolutionDeps,
): Promise<[Entity, Entity, ResolvableType]> {
  if (id === otherId)
    throw new ValidationError('an entity cannot be matched with itself', {
      details: [{ field: 'path.otherId', message: 'same as id' }],
    });
  const loaded = await deps.store.getEntities(tenantId, [id, otherId]);
  const a = loaded.find((e) => e.id === id);
  const b = loaded.find((e) => e.id === otherId);
  if (!a) throw new NotFoundError(`entity ${id} not found`);
  if (!b) throw new NotFoundError(`entity ${otherId} not found`);
  if (!isResolvableType(a.type))
    throw new ValidationError(`entities of type ${a.type} are not resolved`, {
      details: [{ field: 'path.id', message: 'not a person or organization' }],
    });
  if (a.type !== b.type)
    throw new ValidationError('the two entities have different types', {
      details: [{ field: 'path.otherId', message: `not a ${a.type}` }],
    });
  return [a, b, a.type];
}

/**
 * The entity's cluster members, each scored against the entity with the tenant's current model (fields and
 * levels, no values), strongest first, with the admin decisions recorded for the entity.
 */
export async function listMatches(id: string, ctx: RequestContext, deps: ResolutionDeps): Promise<MatchList> {
  requirePermission(ctx.principal, 'entities:read');
  const tenantId = ctx.principal.tenantId;
  const [entity] = await deps.store.getEntities(tenantId, [id]);
  if (!entity) throw new NotFoundError(`entity ${id} not found`);
  if (!isResolvableType(entity.type))
    return { entityId: id, type: entity.type, clusterId: null, items: [], decisions: [], modelSource: 'default' };
  const type = entity.type;
  const [cluster, decisions, stored] = await Promise.all([
    deps.store.clusterOf(tenantId, id),
    deps.store.decisionsOf(tenantId, id),
    deps.store.getModel(tenantId, type),
  ]);
  const model = stored ?? defaultModel(type);
  const decisionOf = new Map(decisions.map((d) => [d.otherId, d.decision]));
  const others = cluster
    ? await deps.store.getEntities(
        tenantId,
        cluster.members.filter((m) => m !== id),
      )
    : [];
  const score = pairScorer(model, [entityToRecord(entity), ...others.map(entityToRecord)]);
  const items = others
    .map((o, k) => {
      const s = score(0, k + 1);
      return {
        entityId: o.id,
        probability: s.probability,
        weight: s.weight,
        explanation: s.explanation,
        decision: decisionOf.get(o.id) ?? null,
      };
    })
    .sort((x, y) => y.weight - x.weight);
  return {
    entityId: id,
    type,
    clusterId: cluster?.clusterId ?? null,
    items,
    decisions: decisions.map((d) => ({
      otherId: d.otherId,
      decision: d.decision,
      decidedBy: d.decidedBy,
      decidedAt: d.decidedAt,
    })),
    modelSource: model.source,
  };
}

/**
 * Records an admin's decision on a pair, both directions. A confirm (must-link) merges the pair's clusters
 * unless that would put a rejected pair together (409); a reject (cannot-link) splits their cluster if they
 * share one, re-clustering its members with every decision among them. Decision, cluster change, audit and
 * `entity.merged` / `entity.split` are one transaction. Repeating the decision changes nothing.
 */
export async function decideMatch(
  id: string,
  otherId: string,
  decision: MatchDecisionKind,
  ctx: RequestContext,
  deps: ResolutionDeps,
): Promise<MatchDecisionResult> {
  requireAdmin(ctx.principal);
  const tenantId = ctx.principal.tenantId;
  const [a, b, type] = await loadPair(tenantId, id, otherId, deps);
  const [existing, ca, cb] = await Promise.all([
    deps.store.decisionsOf(tenantId, id).then((ds) => ds.find((d) => d.otherId === otherId)),
    deps.store.clusterOf(tenantId, id),
    deps.store.clusterOf(tenantId, otherId),
  ]);
  if (existing?.decision === decision) {
    return {
      entityId: id,
      otherId,
      decision,
      decidedBy: existing.decidedBy,
      decidedAt: existing.decidedAt,
      changed: false,
      clusterId: ca?.clusterId ?? null,
      otherClusterId: cb?.clusterId ?? null,
    };
  }
  const at = deps.clock.now().toISOString();
  const actor = ctx.principal.userId;
  const records: PairDecisionRecord[] = [
    { entityId: id, otherId, type, decision, decidedBy: actor, decidedAt: at },
    { entityId: otherId, otherId: id, type, decision, decidedBy: actor, decidedAt: at },
  ];
  const model = (await deps.store.getModel(tenantId, type)) ?? defaultModel(type);
  const pair: PairDecision = { tenantId, a, b, type, ca, cb, model, deps };
  const plan = decision === 'confirm' ? await planConfirm(pair) : await planReject(pair);
  const change: ClusterChange = { ...plan.change, decisions: records };
  await deps.store.applyChange(tenantId, change, {
    audit: {
      action: `entity.match.${decision}`,
      actor,
      resourceType: 'entity',
      resourceId: id,
      at,
      requestId: ctx.requestId,
      beforeHash: existing ? hashOf({ id, otherId, decision: existing.decision }) : null,
      afterHash: hashOf({ id, otherId, decision }),
    },
    events: plan.events.map((e) => boundEventIds({ ...e, payload: { ...e.payload, actor } })) as never,
  });
  return {
    entityId: id,
    otherId,
    decision,
    decidedBy: actor,
    decidedAt: at,
    changed: true,
    clusterId: plan.clusterOf(id),
    otherClusterId: plan.clusterOf(otherId),
  };
}

/** What planning a decision on the pair (a, b) works from: both entities, their clusters and the model. */
interface PairDecision {
  tenantId: string;
  a: Entity;
  b: Entity;
  type: ResolvableType;
  ca: ClusterState | undefined;
  cb: ClusterState | undefined;
  model: StoredModel;
  deps: ResolutionDeps;
}

interface Plan {
  change: ClusterChange;
  events: { name: 'entity.merged' | 'entity.split'; payload: Record<string, unknown> }[];
  clusterOf: (id: string) => string | null;
}

/**
 * Whether a reject stands between the two sides, other than one on the pair being re-decided (`except`),
 * which the new decision replaces in the same write.
 */
async function rejectsAcross(
  tenantId: string,
  left: readonly string[],
  right: readonly string[],
  deps: ResolutionDeps,
  except: readonly [string, string],
): Promise<boolean> {
  const rightSet = new Set(right);
  const isExcepted = (a: string, b: string) =>
    (a === except[0] && b === except[1]) || (a === except[1] && b === except[0]);
  const lists = await Promise.all(left.map(async (m) => ({ m, ds: await deps.store.decisionsOf(tenantId, m) })));
  return lists.some(({ m, ds }) =>
    ds.some((d) => d.decision === 'reject' && rightSet.has(d.otherId) && !isExcepted(m, d.otherId)),
  );
}

async function planConfirm({ tenantId, a, b, type, ca, cb, model, deps }: PairDecision): Promise<Plan> {
  if (ca && cb && ca.clusterId === cb.clusterId)
    return { change: { clusters: [], pointers: [] }, events: [], clusterOf: () => ca.clusterId };
  const membersA = ca?.members ?? [a.id];
  const membersB = cb?.members ?? [b.id];
  if (await rejectsAcross(tenantId, membersA, membersB, deps, [a.id, b.id])) {
    throw new ConflictError(
      'confirming this pair would put a rejected pair in one cluster; reject or re-decide that pair first',
    );
  }
  const [target, absorbed] = ca && (!cb || ca.members.length >= cb.members.length) ? [ca, cb] : [cb, ca];
  const clusterId = target?.clusterId ?? deps.ids.newId();
  const memberIds = [...new Set([...membersA, ...membersB])];
  const pointerOf = new Map<string, string | null>([
    ...membersA.map((m) => [m, ca?.clusterId ?? null] as const),
    ...membersB.map((m) => [m, cb?.clusterId ?? null] as const),
  ]);
  const joined = memberIds.filter((m) => pointerOf.get(m) !== clusterId);
  const s = pairScorer(model, [entityToRecord(a), entityToRecord(b)])(0, 1);
  return {
    change: {
      clusters: [
        { clusterId, type, members: memberIds, expectedVersion: target?.version ?? 0 },
        ...(absorbed ? [{ clusterId: absorbed.clusterId, type, members: [], expectedVersion: absorbed.version }] : []),
      ],
      pointers: joined.map((m) => ({ entityId: m, clusterId, expectedClusterId: pointerOf.get(m) ?? null })),
    },
    events: [
      {
        name: 'entity.merged',
        payload: {
          type,
          clusterId,
          entityIds: joined,
          memberIds,
          matchedEntityId: joined.includes(b.id) ? a.id : b.id,
          probability: s.probability,
          weight: s.weight,
          explanation: s.explanation,
          ...(absorbed ? { absorbedClusterIds: [absorbed.clusterId] } : {}),
          reason: 'confirmed',
          modelSource: model.source,
        },
      },
    ],
    clusterOf: () => clusterId,
  };
}

async function planReject({ tenantId, a, b, type, ca, cb, model, deps }: PairDecision): Promise<Plan> {
  if (!ca || !cb || ca.clusterId !== cb.clusterId) {
    return {
      change: { clusters: [], pointers: [] },
      events: [],
      clusterOf: (id) => (id === a.id ? (ca?.clusterId ?? null) : (cb?.clusterId ?? null)),
    };
  }
  const groups = await reclusterWithDecisions(tenantId, ca.members, model, [[a.id, b.id]], deps);
  const split = assignClusterIds(ca, groups, deps);
  return {
    change: { clusters: split.clusters, pointers: split.pointers },
    events: [
      {
        name: 'entity.split',
        payload: {
          type,
          clusterId: ca.clusterId,
          entityIds: [a.id, b.id],
          resultingClusters: split.resulting,
          reason: 'rejected',
        },
      },
    ],
    clusterOf: (id) => split.clusterOf.get(id) ?? null,
  };
}

/**
 * Re-clusters a cluster's members with the engine's chaining-resistant clustering, honouring every decision
 * among them plus `extraRejects`.
 */
export async function reclusterWithDecisions(
  tenantId: string,
  memberIds: readonly string[],
  model: StoredModel,
  extraRejects: readonly [string, string][],
  deps: ResolutionDeps,
): Promise<string[][]> {
  const entities = await deps.store.getEntities(tenantId, memberIds);
  const index = new Map(entities.map((e, i) => [e.id, i]));
  const decisions = (await Promise.all(entities.map((e) => deps.store.decisionsOf(tenantId, e.id)))).flat();
  const pairs = (kind: MatchDecisionKind): [number, number][] =>
    decisions
      .filter((d) => d.decision === kind && index.has(d.otherId))
      .map((d) => [index.get(d.entityId)!, index.get(d.otherId)!]);
  const cannotLink = [
    ...pairs('reject'),
    ...extraRejects
      .filter(([x, y]) => index.has(x) && index.has(y))
      .map(([x, y]) => [index.get(x)!, index.get(y)!] as [number, number]),
  ];
  const score = pairScorer(model, entities.map(entityToRecord));
  const edges: ScoredEdge[] = [];
  for (let i = 0; i < entities.length; i++) {
    for (let j = i + 1; j < entities.length; j++) {
      const s = score(i, j);
      if (s.probability >= model.threshold) edges.push({ a: i, b: j, probability: s.probability, weight: s.weight });
    }
  }
  const result = clusterByAverageLinkage(entities.length, edges, (i, j) => score(i, j).probability, {
    threshold: model.threshold,
    constraints: { mustLink: pairs('confirm'), cannotLink },
  });
  return result.clusters.map((c) => c.map((i) => entities[i]!.id));
}

/** The largest group keeps the cluster id, other groups of two or more get new ids, singletons leave. */
function assignClusterIds(old: ClusterState, groups: string[][], deps: ResolutionDeps) {
  const sorted = [...groups].sort((x, y) => y.length - x.length);
  const clusters: ClusterChange['clusters'] = [];
  const pointers: ClusterChange['pointers'] = [];
  const resulting: { clusterId: string | null; memberIds: string[] }[] = [];
  const clusterOf = new Map<string, string | null>();
  sorted.forEach((group, k) => {
    const id = group.length < 2 ? null : k === 0 ? old.clusterId : deps.ids.newId();
    resulting.push({ clusterId: id, memberIds: group });
    for (const m of group) {
      clusterOf.set(m, id);
      if (id !== old.clusterId) pointers.push({ entityId: m, clusterId: id, expectedClusterId: old.clusterId });
    }
    if (id && id !== old.clusterId)
      clusters.push({ clusterId: id, type: old.type, members: group, expectedVersion: 0 });
  });
  const kept = sorted[0] && sorted[0].length >= 2 ? sorted[0] : [];
  clusters.unshift({ clusterId: old.clusterId, type: old.type, members: kept, expectedVersion: old.version });
  return { clusters, pointers, resulting, clusterOf };
}
