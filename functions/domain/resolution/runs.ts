import type { ResolutionRun, ResolvableType, StartResolutionRunRequest } from '../../../schemas/resolution.js';
import { ConflictError, isDomainError, NotFoundError, TransientError } from '../errors.js';
import {
  type BatchComponent,
  type BatchEvent,
  type BatchStep,
  DEFAULT_STEP_BUDGET,
  estimateItems,
  mergedEvent,
  nextBatchStep,
  splitEvent,
  StepState,
} from './batch-steps.js';
import type { RequestContext } from '../ports.js';
import { hashOf } from '../shared/hash.js';
import { entityToRecord, hasResolvableAttributes } from './entity-records.js';
import { boundEventIds } from './event-ids.js';
import { ResolutionInputError } from './engine/errors.js';
import { requireAdmin } from './matches.js';
import { REVIEW_QUEUE_SIZE, reviewQueueFrom } from './review.js';
import { type MatchedPair, type ResolveResult, resolve } from './engine/resolve.js';
import {
  ChangeTooLargeError,
  type ClusterChange,
  type ClusterState,
  RESOLUTION_ACTOR,
  type ResolutionDeps,
} from './store.js';
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
  const written = await writeBatchPlans(tenantId, plans, requestId, deps, (k) =>
    (k + 1) % 25 === 0 || k + 1 === plans.length ? save({}, { changesWritten: k + 1 }) : undefined,
  );
  const { conflicts, mergedEvents, splitEvents } = written;
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

export interface BatchPlan extends BatchStep {
  /** The component the change comes from, to write it step by step when one transaction cannot hold it. */
  component?: BatchComponent;
}

/**
 * Writes the batch's changes, each as one audited transaction with its events. A change larger than one
 * transaction holds is written as a sequence of steps (`nextBatchStep`), each a consistent change of its own;
 * a step the store still finds too large is planned again with half the budget. A conflict (a concurrent
 * incremental link or decision) stops that change where it is: the concurrent write wins, and the steps
 * already written stand. Re-running the batch plans again from what is stored, so a crash mid-way converges.
 */
export async function writeBatchPlans(
  tenantId: string,
  plans: readonly BatchPlan[],
  requestId: string,
  deps: ResolutionDeps,
  onWritten?: (k: number) => Promise<void> | undefined,
): Promise<{ conflicts: number; mergedEvents: number; splitEvents: number; transactions: number }> {
  const { store, clock } = deps;
  const out = { conflicts: 0, mergedEvents: 0, splitEvents: 0, transactions: 0 };
  const apply = async (step: BatchStep, runId: string) => {
    await store.applyChange(tenantId, step.change, {
      audit: {
        action: 'entity.resolve.batch',
        actor: RESOLUTION_ACTOR,
        resourceType: 'entity-cluster',
        resourceId: step.change.clusters[0]?.clusterId ?? runId,
        at: clock.now().toISOString(),
        requestId,
        beforeHash: hashOf(step.before),
        afterHash: hashOf(step.change.clusters.map((c) => ({ clusterId: c.clusterId, members: c.members }))),
      },
      events: step.events.map(boundEventIds),
    });
    out.transactions++;
    out.mergedEvents += step.events.filter((e) => e.name === 'entity.merged').length;
    out.splitEvents += step.events.filter((e) => e.name === 'entity.split').length;
  };
  for (let k = 0; k < plans.length; k++) {
    const plan = plans[k]!;
    const runId = plan.component?.runId ?? '';
    try {
      let stepwise = plan.component !== undefined && estimateItems(plan) > DEFAULT_STEP_BUDGET.items;
      if (!stepwise) {
        try {
          await apply(plan, runId);
        } catch (error) {
          if (!(error instanceof ChangeTooLargeError) || !plan.component) throw error;
          stepwise = true;
        }
      }
      if (stepwise) {
        const component = plan.component!;
        const state = new StepState(component.olds);
        let budget = DEFAULT_STEP_BUDGET;
        for (let step = nextBatchStep(component, state, budget); step; step = nextBatchStep(component, state, budget)) {
          try {
            await apply(step, runId);
            state.advance(step);
          } catch (error) {
            if (!(error instanceof ChangeTooLargeError) || budget.items <= 8) throw error;
            budget = { items: Math.floor(budget.items / 2), bytes: Math.floor(budget.bytes / 2) };
          }
        }
      }
    } catch (error) {
      // an incremental link or an admin decision changed these clusters meanwhile: theirs stands
      if (!(error instanceof ConflictError)) throw error;
      out.conflicts++;
    }
    await onWritten?.(k);
  }
  return out;
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
  const storedById = new Map(stored.map((c) => [c.clusterId, c]));
  const context = { type, runId, bestPair };

  const plans: BatchPlan[] = [];
  for (const { olds, news } of components.values()) {
    const clusters: ClusterChange['clusters'] = [];
    const pointers: ClusterChange['pointers'] = [];
    const events: BatchEvent[] = [];
    for (const g of news) {
      const id = idOf[g]!;
      const group = groups[g]!;
      const old = storedById.get(id);
      const unchanged =
        old && old.members.length === group.length && group.every((m) => oldOf.get(m)?.clusterId === id);
      if (unchanged) continue;
      clusters.push({ clusterId: id, type, members: group, expectedVersion: old?.version ?? 0 });
      const joined = group.filter((m) => oldOf.get(m)?.clusterId !== id);
      for (const m of joined)
        pointers.push({ entityId: m, clusterId: id, expectedClusterId: oldOf.get(m)?.clusterId ?? null });
      if (joined.length > 0) {
        const absorbed = olds
          .filter((o) => !reused.has(o.clusterId) && o.members.some((m) => newOf.get(m) === id))
          .map((o) => o.clusterId);
        events.push(mergedEvent(context, id, joined, group, group, absorbed));
      }
    }
    for (const old of olds) {
      const kept = reused.has(old.clusterId);
      if (!kept) clusters.push({ clusterId: old.clusterId, type, members: [], expectedVersion: old.version });
      for (const m of old.members)
        if (!newOf.has(m)) pointers.push({ entityId: m, clusterId: null, expectedClusterId: old.clusterId });
      const split = splitEvent(context, old, newOf);
      if (split) events.push(split);
    }
    if (clusters.length === 0 && pointers.length === 0) continue;
    plans.push({
      change: { clusters, pointers },
      events,
      before: olds.map((o) => ({ clusterId: o.clusterId, members: o.members })),
      component: {
        ...context,
        olds,
        targets: news.map((g) => ({ clusterId: idOf[g]!, members: groups[g]!, reused: reused.has(idOf[g]!) })),
      },
    });
  }
  return plans;
}
