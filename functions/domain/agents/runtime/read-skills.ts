/**
 * The read-only skills: an agent reads the tenant's graph (entities, matches, signals, cases, changes) through the
 * platform's own use cases, with the session user's principal, so every permission check of the API applies to
 * what the agent reads (an analyst's agent cannot read what the analyst may not). Nothing here writes.
 */
import type { AuditRecord } from '../../../../schemas/audit.js';
import type { Entity } from '../../../../schemas/entity.js';
import { requirePermission } from '../../auth/authorize.js';
import type { CaseDeps } from '../../cases/case-use-cases.js';
import { listCases } from '../../cases/case-use-cases.js';
import { getEntity, listEntities } from '../../entities/entity-use-cases.js';
import { DomainError, ValidationError } from '../../errors.js';
import type { AuditReader, Clock, EntityRepository, RequestContext } from '../../ports.js';
import type { ResolutionStore } from '../../resolution/store.js';
import { listSignals, type SignalQueryDeps } from '../../signals/use-cases/signal-queries.js';

export interface ReadSkillDeps {
  entities: EntityRepository;
  signals: SignalQueryDeps['store'];
  cases: CaseDeps['cases'];
  /** Cluster reads only: the scoring engine (and its data files) stays out of the agent's bundle. */
  resolution: { store: Pick<ResolutionStore, 'clusterOf' | 'decisionsOf' | 'getEntities'> };
  audit: AuditReader;
  clock: Clock;
}

/** At most this many audit records are read to find an entity's changes (the tenant's trail is newest first). */
export const MAX_AUDIT_READ = 2_000;
const DEFAULT_WINDOW_DAYS = 7;

/** The entity as a model should see it: id, type, version, dates and attributes. */
const entityView = (e: Entity) => ({
  id: e.id,
  type: e.type,
  version: e.version,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
  attributes: e.attributes,
});

/**
 * Runs a read-only skill. A refusal of the underlying use case (403, 404, 400) is the skill's answer to the model
 * (`{ error }`), not a failure of the conversation; anything else propagates.
 */
export async function runReadSkill(
  name: string,
  input: Record<string, any>,
  ctx: RequestContext,
  deps: ReadSkillDeps,
): Promise<unknown> {
  try {
    switch (name) {
      case 'search_entities': {
        const page = await listEntities(
          { limit: input.limit ?? 20, ...(input.type ? { type: input.type } : {}) },
          ctx,
          deps,
        );
        return { items: page.items.map(entityView), more: page.nextCursor !== null };
      }
      case 'get_entity':
        return entityView(await getEntity(input.entityId, ctx, deps));
      case 'list_entity_matches':
        return await clusterMatches(input.entityId, ctx, deps);
      case 'list_signals': {
        const page = await listSignals({ entity: input.entityId, limit: input.limit ?? 20 } as never, ctx, {
          store: deps.signals,
        });
        return { items: page.items, more: page.nextCursor !== null };
      }
      case 'list_cases': {
        const page = await listCases({ entity: input.entityId, limit: input.limit ?? 20 } as never, ctx, deps);
        return { items: page.items, more: page.nextCursor !== null };
      }
      case 'get_entity_changes':
        return await entityChanges(input.entityId, input.since, ctx, deps);
      default:
        throw new ValidationError(`${name} is not a read-only skill`, { details: [{ field: 'skill', message: name }] });
    }
  } catch (error) {
    if (error instanceof DomainError && error.status < 500)
      return { error: { code: error.code, message: error.message } };
    throw error;
  }
}

/** At most this many cluster members are shown to the model. */
const MAX_CLUSTER_MEMBERS = 50;

/**
 * The entities identity resolution put in the entity's cluster (the same person or organization in other sources),
 * with the decisions recorded on its pairs. Scores and explanations are GET /entities/{id}/matches (admin).
 */
async function clusterMatches(entityId: string, ctx: RequestContext, deps: ReadSkillDeps) {
  const entity = await getEntity(entityId, ctx, deps);
  const tenantId = ctx.principal.tenantId;
  const [cluster, decisions] = await Promise.all([
    deps.resolution.store.clusterOf(tenantId, entityId),
    deps.resolution.store.decisionsOf(tenantId, entityId),
  ]);
  const others = (cluster?.members ?? []).filter((m) => m !== entityId);
  const members = await deps.resolution.store.getEntities(tenantId, others.slice(0, MAX_CLUSTER_MEMBERS));
  return {
    entity: entityView(entity),
    clusterId: cluster?.clusterId ?? null,
    members: members.map(entityView),
    more: others.length > MAX_CLUSTER_MEMBERS,
    decisions: decisions.map((d) => ({ otherId: d.otherId, decision: d.decision, decidedAt: d.decidedAt })),
  };
}

/**
 * What changed for an entity since an instant (default: 7 days ago): the audit trail's records of it (what was
 * done, by whom, when: newest first, reading at most MAX_AUDIT_READ records of the tenant's trail), the signals
 * detected for it and the cases opened for it in that window, and its current state.
 */
async function entityChanges(entityId: string, since: string | undefined, ctx: RequestContext, deps: ReadSkillDeps) {
  const from = since ?? new Date(deps.clock.now().getTime() - DEFAULT_WINDOW_DAYS * 86_400_000).toISOString();
  const entity = await getEntity(entityId, ctx, deps);
  const changes: Array<Pick<AuditRecord, 'action' | 'actor' | 'at'> & { via?: string }> = [];
  let read = 0;
  let cursor: string | undefined;
  let complete = false;
  // The audit read needs audit:read: without it the changes are left out and the answer says so.
  let auditRefused: string | undefined;
  try {
    requirePermission(ctx.principal, 'audit:read');
    while (read < MAX_AUDIT_READ) {
      const page = await deps.audit.list(ctx.principal.tenantId, { limit: 200, ...(cursor ? { cursor } : {}) });
      read += page.items.length;
      for (const r of page.items) {
        if (r.at < from) {
          complete = true;
          break;
        }
        if (r.resourceId === entityId)
          changes.push({ action: r.action, actor: r.actor, at: r.at, ...(r.via ? { via: r.via } : {}) });
      }
      if (complete || !page.nextCursor) {
        complete = true;
        break;
      }
      cursor = page.nextCursor;
    }
  } catch (error) {
    if (!(error instanceof DomainError) || error.status >= 500) throw error;
    auditRefused = error.message;
  }
  const signals = await runReadSkill('list_signals', { entityId, limit: 50 }, ctx, deps);
  const cases = await runReadSkill('list_cases', { entityId, limit: 50 }, ctx, deps);
  const inWindow = (items: unknown, at: string) =>
    Array.isArray((items as { items?: unknown[] }).items)
      ? (items as { items: Array<Record<string, unknown>> }).items.filter((i) => String(i[at] ?? '') >= from)
      : items;
  return {
    entity: entityView(entity),
    since: from,
    changes,
    changesComplete: complete,
    ...(auditRefused ? { changesRefused: auditRefused } : {}),
    signals: inWindow(signals, 'detectedAt'),
    cases: inWindow(cases, 'openedAt'),
  };
}
