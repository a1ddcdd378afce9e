import type { ReviewQueue, ReviewQueueQuery } from '../../../schemas/resolution.js';
import type { RequestContext } from '../ports.js';
import type { ResolveResult } from './engine/resolve.js';
import { entityToRecord } from './entity-records.js';
import { requireAdmin } from './matches.js';
import type { ResolutionDeps, ReviewQueueRecord } from './store.js';
import { defaultModel, pairScorer } from './stored-model.js';

/** Pairs a batch run keeps for review: enough for several sessions of answers between runs. */
export const REVIEW_QUEUE_SIZE = 200;

const orderFree = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * How much an answer on a pair of this probability would teach: 1 at the threshold, halving with every bit of
 * match weight away from it (the engine's measure, so 0.4 and 0.6 around 0.5 are equally uncertain).
 */
export function uncertaintyOf(probability: number, threshold: number): number {
  const logit = (p: number): number => Math.log2(p / (1 - p));
  const p = Math.min(1 - 1e-12, Math.max(1e-12, probability));
  return 2 ** -Math.abs(logit(p) - logit(threshold));
}

/** The review queue a batch run stores: the engine's proposals, ids and scores only. */
export function reviewQueueFrom(
  type: ReviewQueueRecord['type'],
  result: Pick<ResolveResult, 'review'> | undefined,
  meta: { runId: string; createdAt: string },
): ReviewQueueRecord {
  return {
    type,
    runId: meta.runId,
    createdAt: meta.createdAt,
    pairs: (result?.review ?? []).map((p) => ({
      id1: p.id1,
      id2: p.id2,
      probability: p.probability,
      weight: p.weight,
      uncertainty: p.uncertainty,
    })),
  };
}

const decisionPath = (id: string, otherId: string, verb: 'confirm' | 'reject'): string =>
  `/api/v1/entities/${encodeURIComponent(id)}/matches/${encodeURIComponent(otherId)}/${verb}`;

/**
 * The tenant's pending review pairs of a type (admin): the pairs the last batch run proposed, less those
 * decided since and those whose entities no longer exist, re-scored with the current stored model (fields
 * and levels, never values) and ordered most uncertain first. Each pair carries the confirm / reject paths
 * that answer it. Before any run the queue is empty, with a hint to start one.
 */
export async function getReviewQueue(
  query: ReviewQueueQuery,
  ctx: RequestContext,
  deps: ResolutionDeps,
): Promise<ReviewQueue> {
  requireAdmin(ctx.principal);
  const tenantId = ctx.principal.tenantId;
  const { type, limit } = query;
  const [queue, stored] = await Promise.all([
    deps.store.getReviewQueue(tenantId, type),
    deps.store.getModel(tenantId, type),
  ]);
  const model = stored ?? defaultModel(type);
  if (!queue) {
    return {
      type,
      items: [],
      pending: 0,
      runId: null,
      generatedAt: null,
      modelSource: model.source,
      hint: `no review queue for ${type} yet: start a batch run (POST /api/v1/resolution/runs {"type":"${type}"})`,
    };
  }
  const decided = new Set(
    (await deps.store.listDecisions(tenantId, type)).map((d) => orderFree(d.entityId, d.otherId)),
  );
  const undecided = queue.pairs.filter((p) => !decided.has(orderFree(p.id1, p.id2)));
  const entities = await deps.store.getEntities(
    tenantId,
    undecided.flatMap((p) => [p.id1, p.id2]),
  );
  const byId = new Map(entities.filter((e) => e.type === type).map((e) => [e.id, e]));
  const live = undecided.filter((p) => byId.has(p.id1) && byId.has(p.id2));
  // one scorer over every entity of the queue: standardisation (and its TF-IDF) sees them together, as a cluster would
  const ids = [...new Set(live.flatMap((p) => [p.id1, p.id2]))];
  const position = new Map(ids.map((id, i) => [id, i]));
  const score = pairScorer(
    model,
    ids.map((id) => entityToRecord(byId.get(id)!)),
  );
  const items = live
    .map((p) => {
      const s = score(position.get(p.id1)!, position.get(p.id2)!);
      return {
        entityId: p.id1,
        otherId: p.id2,
        probability: s.probability,
        weight: s.weight,
        uncertainty: uncertaintyOf(s.probability, model.threshold),
        explanation: s.explanation,
        links: { confirm: decisionPath(p.id1, p.id2, 'confirm'), reject: decisionPath(p.id1, p.id2, 'reject') },
      };
    })
    // stable: equally uncertain pairs keep the engine's order, which spreads comparison patterns
    .sort((x, y) => y.uncertainty - x.uncertainty);
  return {
    type,
    items: items.slice(0, limit),
    pending: items.length,
    runId: queue.runId,
    generatedAt: queue.createdAt,
    modelSource: model.source,
    ...(items.length === 0
      ? {
          hint: `every proposed ${type} pair is answered: start a batch run to learn from the answers and propose more`,
        }
      : {}),
  };
}
