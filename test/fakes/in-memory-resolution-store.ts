import type { Entity } from '../../schemas/entity.js';
import type { ResolutionRun, ResolvableType } from '../../schemas/resolution.js';
import { ConflictError } from '../../functions/domain/errors.js';
import type { Clock, IdGenerator, MutationRecord } from '../../functions/domain/ports.js';
import {
  CHANGE_LIMITS,
  ChangeTooLargeError,
  type ClusterChange,
  type ClusterState,
  type PairDecisionRecord,
  type ResolutionDeps,
  type ResolutionStore,
  type ReviewQueueRecord,
} from '../../functions/domain/resolution/store.js';
import type { StoredModel } from '../../functions/domain/resolution/stored-model.js';

/** ResolutionStore in memory, per tenant, with the adapter's conditions (version, pointer) and atomicity. */
export class InMemoryResolutionStore implements ResolutionStore {
  entities = new Map<string, Entity>();
  keys = new Map<string, Set<string>>();
  /** tenant#entity → the keys it is filed under, and the entity version they were computed from. */
  keySets = new Map<string, { type: ResolvableType; keys: string[]; entityVersion?: number }>();
  models = new Map<string, StoredModel>();
  clusters = new Map<string, ClusterState>();
  pointers = new Map<string, string>();
  decisions = new Map<string, PairDecisionRecord>();
  runs = new Map<string, ResolutionRun>();
  reviewQueues = new Map<string, ReviewQueueRecord>();
  mutations: { tenantId: string; mutation: MutationRecord }[] = [];
  /**
   * With `limits`, a change is sized as the DynamoDB adapter sizes its transaction (a head per cluster, a
   * page per 1 000 members before and after, joining pointers, decisions, events, 3 of bookkeeping): its
   * conditioned part over the limit is refused with ChangeTooLargeError, and every size is recorded.
   */
  limits = false;
  transactionItems: number[] = [];

  private k = (tenantId: string, ...parts: string[]) => [tenantId, ...parts].join('#');

  addEntity(tenantId: string, entity: Entity): void {
    this.entities.set(this.k(tenantId, entity.id), entity);
  }
  events(name?: string) {
    return this.mutations.flatMap((m) => m.mutation.events).filter((e) => !name || e.name === name);
  }

  async candidates(tenantId: string, type: ResolvableType, keys: readonly string[], cap: number) {
    let hotKeys = 0;
    const ids = new Set<string>();
    for (const key of keys) {
      const members = this.keys.get(this.k(tenantId, type, key)) ?? new Set<string>();
      if (members.size > cap) hotKeys++;
      else for (const id of members) ids.add(id);
    }
    return { ids: [...ids], hotKeys };
  }
  async index(
    tenantId: string,
    type: ResolvableType,
    entityId: string,
    keys: readonly string[],
    entityVersion?: number,
  ) {
    const set = this.keySets.get(this.k(tenantId, entityId));
    if (set?.entityVersion !== undefined && entityVersion !== undefined && set.entityVersion > entityVersion) return;
    for (const key of set?.keys ?? []) this.keys.get(this.k(tenantId, set!.type, key))?.delete(entityId);
    for (const key of keys) {
      const k = this.k(tenantId, type, key);
      this.keys.set(k, (this.keys.get(k) ?? new Set()).add(entityId));
    }
    this.keySets.set(this.k(tenantId, entityId), { type, keys: [...new Set(keys)], entityVersion });
  }
  async getEntities(tenantId: string, ids: readonly string[]) {
    return [...new Set(ids)].flatMap((id) => {
      const e = this.entities.get(this.k(tenantId, id));
      return e ? [structuredClone(e)] : [];
    });
  }
  async listEntities(tenantId: string, type: ResolvableType) {
    return [...this.entities]
      .filter(([k, e]) => k.startsWith(`${tenantId}#`) && e.type === type)
      .map(([, e]) => structuredClone(e));
  }
  async getModel(tenantId: string, type: ResolvableType) {
    return this.models.get(this.k(tenantId, type));
  }
  async putModel(tenantId: string, model: StoredModel) {
    this.models.set(this.k(tenantId, model.type), structuredClone(model));
  }
  async clusterOf(tenantId: string, entityId: string) {
    const id = this.pointers.get(this.k(tenantId, entityId));
    const c = id ? this.clusters.get(this.k(tenantId, id)) : undefined;
    // a stale pointer (its cluster no longer lists the entity) means no cluster, and is healed
    if (id && !c?.members.includes(entityId)) this.pointers.delete(this.k(tenantId, entityId));
    return c?.members.includes(entityId) ? structuredClone(c) : undefined;
  }
  async listClusters(tenantId: string, type: ResolvableType) {
    return [...this.clusters]
      .filter(([k, c]) => k.startsWith(`${tenantId}#`) && c.type === type)
      .map(([, c]) => structuredClone(c));
  }
  async decisionsOf(tenantId: string, entityId: string) {
    return [...this.decisions].filter(([k]) => k.startsWith(this.k(tenantId, entityId, ''))).map(([, d]) => ({ ...d }));
  }
  async listDecisions(tenantId: string, type: ResolvableType) {
    return [...this.decisions]
      .filter(([k, d]) => k.startsWith(`${tenantId}#`) && d.type === type && d.entityId < d.otherId)
      .map(([, d]) => ({ ...d }));
  }
  async applyChange(tenantId: string, change: ClusterChange, mutation: MutationRecord) {
    if (this.limits) {
      const pages = (n: number) => Math.ceil(n / CHANGE_LIMITS.membersPerPage);
      let conditioned = 3 + mutation.events.length + (change.decisions?.length ?? 0);
      let all = conditioned;
      for (const c of change.clusters) {
        const was = this.clusters.get(this.k(tenantId, c.clusterId))?.members.length ?? 0;
        const items = 1 + Math.max(pages(was), pages(c.members.length));
        all += items;
        if (c.expectedVersion > 0) conditioned += items;
      }
      all += change.pointers.filter((p) => p.clusterId !== null).length;
      if (conditioned > CHANGE_LIMITS.items) throw new ChangeTooLargeError(`change of ${conditioned} items`);
      this.transactionItems.push(all);
    }
    // a pointer expected absent that names a cluster not listing the entity is stale: healed, as the adapter does
    for (const p of change.pointers) {
      if (p.expectedClusterId === null && !(await this.clusterOf(tenantId, p.entityId))) {
        this.pointers.delete(this.k(tenantId, p.entityId));
      }
    }
    for (const c of change.clusters) {
      const current = this.clusters.get(this.k(tenantId, c.clusterId));
      if ((current?.version ?? 0) !== c.expectedVersion) throw new ConflictError(`cluster ${c.clusterId} changed`);
    }
    for (const p of change.pointers) {
      if ((this.pointers.get(this.k(tenantId, p.entityId)) ?? null) !== p.expectedClusterId)
        throw new ConflictError(`pointer ${p.entityId} changed`);
    }
    for (const c of change.clusters) {
      if (c.members.length === 0) this.clusters.delete(this.k(tenantId, c.clusterId));
      else
        this.clusters.set(this.k(tenantId, c.clusterId), {
          clusterId: c.clusterId,
          type: c.type,
          members: [...c.members],
          version: c.expectedVersion + 1,
        });
    }
    for (const p of change.pointers) {
      if (p.clusterId === null) this.pointers.delete(this.k(tenantId, p.entityId));
      else this.pointers.set(this.k(tenantId, p.entityId), p.clusterId);
    }
    for (const d of change.decisions ?? []) this.decisions.set(this.k(tenantId, d.entityId, d.otherId), { ...d });
    this.mutations.push({ tenantId, mutation: structuredClone(mutation) });
  }
  async createRun(tenantId: string, run: ResolutionRun, mutation: MutationRecord) {
    this.runs.set(this.k(tenantId, run.id), structuredClone(run));
    this.mutations.push({ tenantId, mutation: structuredClone(mutation) });
  }
  async getRun(tenantId: string, id: string) {
    const r = this.runs.get(this.k(tenantId, id));
    return r ? structuredClone(r) : undefined;
  }
  async saveRun(tenantId: string, run: ResolutionRun) {
    this.runs.set(this.k(tenantId, run.id), structuredClone(run));
  }
  async putReviewQueue(tenantId: string, queue: ReviewQueueRecord) {
    this.reviewQueues.set(this.k(tenantId, queue.type), structuredClone(queue));
  }
  async getReviewQueue(tenantId: string, type: ResolvableType) {
    const q = this.reviewQueues.get(this.k(tenantId, type));
    return q ? structuredClone(q) : undefined;
  }
}

export function resolutionTestDeps(): ResolutionDeps & { store: InMemoryResolutionStore } {
  let n = 0;
  const ids: IdGenerator = { newId: () => `id${String(++n).padStart(4, '0')}` };
  const clock: Clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  return { store: new InMemoryResolutionStore(), clock, ids };
}
