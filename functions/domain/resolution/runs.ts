import type { ResolutionRun, ResolvableType, StartResolutionRunRequest } from '../../../schemas/resolution.js';
import { ConflictError, isDomainError, NotFoundError, TransientError } from '../errors.js';
import type { RequestContext } from '../ports.js';
import { hashOf } from '../shared/hash.js';
import { entityToRecord, hasResolvableAttributes } from './entity-records.js';
import { boundEventIds } from './event-ids.js';
import { ResolutionInputError } from './engine/errors.js';
import { requireAdmin } from './matches.js';
import { REVIEW_QUEUE_SIZE, reviewQueueFrom } from './review.js';
import { type MatchedPair, type ResolveResult, resolve } from './engine/resolve.js';
import { type ClusterChange, type ClusterState, RESOLUTION_ACTOR, type ResolutionDeps } from './store.js';
import { indexKeysFor, storedModelFrom } from './stored-model.js';

/**
 * Queues a batch resolution of the tenant's entities of a type: the run record (QUEUED), its audit record
 * and `resolution.run.requested` are one write; the run worker picks the event up. Answer: 202 + the run.
 */
export async function startResolutionRun(
  input: StartResolutionRunRequest,
  ctx: RequestContext,
  deps: ResolutionDeps,
): Promise<ResolutionRun> {
  requireAdmin(ctx.principal);
  const at = deps.clock.now().toISOString();
  const run: ResolutionRun = {
    id: deps.ids.newId(),
    type: input.type,
    status: 'QUEUED',
    requestedBy: ctx.principal.userId,
    createdAt: at,
    updatedAt: at,
    progress: { phase: 'queued', entities: 0, changesWritten: 0, changesTotal: 0 },
  };
  await deps.store.createRun(ctx.principal.tenantId, run, {
    audit: {
      action: 'resolution.run.start',
      actor: ctx.principal.userId,
      resourceType: 'resolution-run',
      resourceId: run.id,
      at,
      requestId: ctx.requestId,
      beforeHash: null,
      afterHash: hashOf(run),
    },
    events: [
      { name: 'resolution.run.requested', payload: { runId: run.id, type: run.type, requestedBy: run.requestedBy } },
    ],
  });
  return run;
}

export async function getResolutionRun(id: string, ctx: RequestContext, deps: ResolutionDeps): Promise<ResolutionRun> {
  requireAdmin(ctx.principal);
  const run = await deps.store.getRun(ctx.principal.tenantId, id);
  if (!run) throw new NotFoundError(`resolution run ${id} not found`);
  return run;
}

const INDEX_CONCURRENCY = 16;

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * Runs a queued batch: loads every entity of the type, resolves them with the engine (model fitted on this
 * data, must-link / cannot-link decisions honoured), stores the fitted parameters for incremental use and
 * the undecided pairs most worth an admin's answer (the review queue),
 * (re)writes every entity's blocking keys, and writes the cluster changes against the stored clusters, each
 * connected change as one audited transaction with its `entity.merged` / `entity.split` events. Progress is
 * saved on the run as it goes. A redelivered event for a finished run does nothing.
 */
export async function executeResolutionRun(
  tenantId: string,
  runId: string,
  requestId: string,
  deps: ResolutionDeps,
): Promise<ResolutionRun> {
  try {
    return await executeRun(tenantId, runId, requestId, deps);
  } catch (error) {
    // A transient failure is retried by the event's delivery (the run restarts); anything else would fail
    // the same way again, so the run is recorded FAILED instead of staying RUNNING for ever.
    if (error instanceof TransientError) throw error;
    const run = await deps.store.getRun(tenantId, runId).catch(() => undefined);
    if (run && run.status !== 'SUCCEEDED' && run.status !== 'FAILED') {
      const code = isDomainError(error) ? error.code : 'INTERNAL_ERROR';
      await deps.store.saveRun(tenantId, {
        ...run,
        status: 'FAILED',
        error: {
          code,
          message: `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`.slice(0, 500),
        },
        progress: { ...run.progress, phase: 'done' },
        updatedAt: deps.clock.now().toISOString(),
      });
    }
    throw error;
  }
}

async function executeRun(
  tenantId: string,
  runId: string,
  requestId: string,
  deps: ResolutionDeps,
): Promise<ResolutionRun> {
  const { store, clock } = deps;
  const found = await store.getRun(tenantId, runId);
  if (!found) throw new NotFoundError(`resolution run ${runId} not found`);
  if (found.status === 'SUCCEEDED' || found.status === 'FAILED') return found;
  let run: ResolutionRun = found;
  const started = clock.now().getTime();
  const save = async (
    patch: Partial<ResolutionRun>,
    progress: Partial<ResolutionRun['progress']> = {},
  ): Promise<void> => {
    run = { ...run, ...patch, progress: { ...run.progress, ...progress }, updatedAt: clock.now().toISOString() };
    await store.saveRun(tenantId, run);
  };
  const type = run.type;
  await save({ status: 'RUNNING' }, { phase: 'loading' });
  const entities = await store.listEntities(tenantId, type, (loaded) => save({}, { entities: loaded }));
  const usable = entities.filter((e) => hasResolvableAttributes(entityToRecord(e)));
  const records = usable.map(entityToRecord);
  await save({}, { phase: 'resolving', entities: entities.length });

  const decisions = await store.listDecisions(tenantId, type);
  const constraintPairs = (kind: 'confirm' | 'reject') => {
    const seen = new Map<string, [string, string]>();
    for (const d of decisions)
      if (d.decision === kind) seen.set([d.entityId, d.otherId].sort().join('|'), [d.entityId, d.otherId]);
    return [...seen.values()];
  };
  const mustLink = constraintPairs('confirm');
  const cannotLink = constraintPairs('reject');

  let result: ResolveResult | undefined;
  if (records.length >= 2) {
    try {
      result = resolve({
        kind: type,
        records,
        explain: true,
        constraints: { mustLink, cannotLink },
        reviewSize: REVIEW_QUEUE_SIZE,
      });
    } catch (error) {
      if (!(error instanceof ResolutionInputError)) throw error;
      await save({ status: 'FAILED', error: { code: error.code, message: error.message } }, { phase: 'done' });
      return run;
    }
    await store.putModel(
      tenantId,
      storedModelFrom(type, records, result, { trainedAt: clock.now().toISOString(), runId }),
    );
  }
  // the pairs whose answers would teach the model most, replacing the previous run's (answered or not)
  await store.putReviewQueue(tenantId, reviewQueueFrom(type, result, { runId, createdAt: clock.now().toISOString() }));

  await save({}, { phase: 'writing' });
  await inParallel(usable, INDEX_CONCURRENCY, (e) =>
    store.index(tenantId, type, e.id, indexKeysFor(type, entityToRecord(e)), e.version),
  );

  const groups = (result?.clusters ?? []).filter((c) => c.recordIds.length >= 2).map((c) => c.recordIds);
  const plans = planBatchChanges(
    type,
    await store.listClusters(tenantId, type),
    groups,
    result?.pairs ?? [],
    runId,
    deps,
  );
  await save({}, { changesTotal: plans.length });
  let conflicts = 0;
  let mergedEvents = 0;
  let splitEvents = 0;
  for (let k = 0; k < plans.length; k++) {
    const plan = plans[k]!;
    try {
      await store.applyChange(tenantId, plan.change, {
        audit: {
          action: 'entity.resolve.batch',
          actor: RESOLUTION_ACTOR,
          resourceType: 'entity-cluster',
          resourceId: plan.change.clusters[0]?.clusterId ?? runId,
          at: clock.now().toISOString(),
          requestId,
          beforeHash: hashOf(plan.before),
          afterHash: hashOf(plan.change.clusters.map((c) => ({ clusterId: c.clusterId, members: c.members }))),
        },
        events: plan.events.map(boundEventIds),
      });
      mergedEvents += plan.events.filter((e) => e.name === 'entity.merged').length;
      splitEvents += plan.events.filter((e) => e.name === 'entity.split').length;
    } catch (error) {
      // an incremental link or an admin decision changed these clusters meanwhile: theirs stands
      if (!(error instanceof ConflictError)) throw error;
      conflicts++;
    }
    if ((k + 1) % 25 === 0 || k + 1 === plans.length) await save({}, { changesWritten: k + 1 });
  }
  await save(
    {
      status: 'SUCCEEDED',
      result: {
        entities: entities.length,
        candidatePairs: result?.stats.candidatePairs ?? 0,
        clusters: groups.length,
        mergedEvents,
        splitEvents,
        conflicts,
        mustLinks: mustLink.length,
        cannotLinks: cannotLink.length,
        lambda: result?.model.lambda ?? 0,
        durationMs: clock.now().getTime() - started,
      },
    },
    { phase: 'done' },
  );
  return run;
}

type BatchEvent = { name: 'entity.merged' | 'entity.split'; payload: never };
export interface BatchPlan {
  change: ClusterChange;
  events: BatchEvent[];
  before: { clusterId: string; members: string[] }[];
}

/**
 * Diff between the stored clusters and the batch's clusters, as independent changes: clusters that share
 * members (before or after) form one change. A new cluster takes the id of the stored cluster it overlaps
 * most (each id used once), so a stable cluster keeps its id and writes nothing.
 */
export function planBatchChanges(
  type: ResolvableType,
  stored: readonly ClusterState[],
  groups: readonly string[][],
  pairs: readonly MatchedPair[],
  runId: string,
  deps: Pick<ResolutionDeps, 'ids'>,
): BatchPlan[] {
  const oldOf = new Map<string, ClusterState>();
  for (const c of stored) for (const m of c.members) oldOf.set(m, c);
  // reuse ids by largest overlap first
  const overlaps: { g: number; old: ClusterState; n: number }[] = [];
  groups.forEach((group, g) => {
    const counts = new Map<ClusterState, number>();
    for (const m of group) {
      const o = oldOf.get(m);
      if (o) counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    for (const [old, n] of counts) overlaps.push({ g, old, n });
  });
  overlaps.sort((x, y) => y.n - x.n || (x.old.clusterId < y.old.clusterId ? -1 : 1));
  const idOf = new Array<string | undefined>(groups.length);
  const reused = new Map<string, number>();
  for (const o of overlaps) {
    if (idOf[o.g] !== undefined || reused.has(o.old.clusterId)) continue;
    idOf[o.g] = o.old.clusterId;
    reused.set(o.old.clusterId, o.g);
  }
  groups.forEach((_, g) => {
    idOf[g] ??= deps.ids.newId();
  });
  const newOf = new Map<string, string>();
  groups.forEach((group, g) => {
    for (const m of group) newOf.set(m, idOf[g]!);
  });

  // components over cluster ids (old and new) joined by shared members
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (x: string, y: string): void => {
    const a = find(x);
    const b = find(y);
    if (a !== b) parent.set(a, b);
  };
  const key = { old: (id: string) => `o:${id}`, new: (g: number) => `n:${g}` };
  for (const c of stored) find(key.old(c.clusterId));
  groups.forEach((group, g) => {
    find(key.new(g));
    for (const m of group) {
      const o = oldOf.get(m);
      if (o) union(key.new(g), key.old(o.clusterId));
    }
    const same = reused.get(idOf[g]!);
    if (same !== undefined) union(key.new(g), key.old(idOf[g]!));
  });
  const components = new Map<string, { olds: ClusterState[]; news: number[] }>();
  const comp = (k: string) => {
    const root = find(k);
    let c = components.get(root);
    if (!c) components.set(root, (c = { olds: [], news: [] }));
    return c;
  };
  for (const c of stored) comp(key.old(c.clusterId)).olds.push(c);
  groups.forEach((_, g) => {
    comp(key.new(g)).news.push(g);
  });

  const pairOf = new Map(pairs.map((p) => [`${p.id1}|${p.id2}`, p]));
  const bestPair = (id: string, within: readonly string[]): MatchedPair | undefined => {
    let best: MatchedPair | undefined;
    for (const other of within) {
      if (other === id) continue;
      const p = pairOf.get(id < other ? `${id}|${other}` : `${other}|${id}`);
      if (p && (!best || p.weight > best.weight)) best = p;
    }
    return best;
  };

  const plans: BatchPlan[] = [];
  for (const { olds, news } of components.values()) {
    const clusters: ClusterChange['clusters'] = [];
    const pointers: ClusterChange['pointers'] = [];
    const events: BatchEvent[] = [];
    for (const g of news) {
      const id = idOf[g]!;
      const group = groups[g]!;
      const old = stored.find((c) => c.clusterId === id);
      const unchanged =
        old && old.members.length === group.length && group.every((m) => oldOf.get(m)?.clusterId === id);
      if (unchanged) continue;
      clusters.push({ clusterId: id, type, members: group, expectedVersion: old?.version ?? 0 });
      const joined = group.filter((m) => oldOf.get(m)?.clusterId !== id);
      for (const m of joined)
        pointers.push({ entityId: m, clusterId: id, expectedClusterId: oldOf.get(m)?.clusterId ?? null });
      if (joined.length > 0) {
        const first = joined[0]!;
        const p = bestPair(first, group);
        const absorbed = olds
          .filter((o) => !reused.has(o.clusterId) && o.members.some((m) => newOf.get(m) === id))
          .map((o) => o.clusterId);
        events.push({
          name: 'entity.merged',
          payload: {
            type,
            clusterId: id,
            entityIds: joined,
            memberIds: group,
            ...(p
              ? {
                  matchedEntityId: p.id1 === first ? p.id2 : p.id1,
                  probability: p.probability,
                  weight: p.weight,
                  ...(p.explanation ? { explanation: p.explanation } : {}),
                }
              : {}),
            ...(absorbed.length ? { absorbedClusterIds: absorbed } : {}),
            reason: 'batch',
            runId,
            modelSource: 'fitted',
            actor: RESOLUTION_ACTOR,
          } as never,
        });
      }
    }
    for (const old of olds) {
      const destinations = new Map<string, string[]>();
      for (const m of old.members) {
        const d = newOf.get(m) ?? `single:${m}`;
        destinations.set(d, [...(destinations.get(d) ?? []), m]);
      }
      const kept = reused.has(old.clusterId);
      if (!kept) clusters.push({ clusterId: old.clusterId, type, members: [], expectedVersion: old.version });
      for (const m of old.members)
        if (!newOf.has(m)) pointers.push({ entityId: m, clusterId: null, expectedClusterId: old.clusterId });
      const left = old.members.filter((m) => newOf.get(m) !== old.clusterId);
      if (destinations.size >= 2 && left.length > 0) {
        events.push({
          name: 'entity.split',
          payload: {
            type,
            clusterId: old.clusterId,
            entityIds: left,
            resultingClusters: [...destinations].map(([d, memberIds]) => ({
              clusterId: d.startsWith('single:') ? null : d,
              memberIds,
            })),
            reason: 'batch',
            runId,
            actor: RESOLUTION_ACTOR,
          } as never,
        });
      }
    }
    if (clusters.length === 0 && pointers.length === 0) continue;
    plans.push({
      change: { clusters, pointers },
      events,
      before: olds.map((o) => ({ clusterId: o.clusterId, members: o.members })),
    });
  }
  return plans;
}
