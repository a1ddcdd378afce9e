/**
 * Provenance reads of the entity graph: which source records an entity (and the entities identity resolution
 * holds to be the same thing) were built from, the golden record of that cluster with the record behind each of
 * its values, and the entity's relations.
 */
import { mapLimit } from '../shared/concurrency.js';
import type * as z from 'zod';
import {
  MAX_SOURCE_MEMBERS,
  MAX_SOURCES_PER_ENTITY,
  type EntityRelations as EntityRelationsSchema,
  type EntitySource,
  type EntitySources as EntitySourcesSchema,
} from '../../../schemas/connectors.js';
import type { Entity } from '../../../schemas/entity.js';
import { requirePermission } from '../auth/authorize.js';
import { NotFoundError } from '../errors.js';
import type { Page, RequestContext } from '../ports.js';
import { buildGoldenRecord, type SurvivorshipOptions } from '../resolution/engine/golden-record.js';
import type { Attribute, InputRecord } from '../resolution/engine/types.js';
import type { ResolutionStore } from '../resolution/store.js';
import { canonicalJson } from '../shared/hash.js';
import type { RelationKind } from './ports.js';
import type { ConnectorSystem } from './registry.js';

type EntitySources = z.output<typeof EntitySourcesSchema>;
type EntityRelations = z.output<typeof EntityRelationsSchema>;

/** A source record as the provenance reads need it (the sync's source record item, functions/adapters/dynamodb). */
export interface SourceRecordView {
  entityId: string;
  connectorId: string;
  system: ConnectorSystem;
  object: string;
  sourceId: string;
  syncedAt: string;
  modifiedAt: string | null;
  /** When the source deleted (or archived) the record; its values then no longer count for the golden record. */
  deletedAt: string | null;
  attributes: Record<string, unknown>;
}

/** One relation item, as stored in the partition of `entityId`. */
export interface RelationView {
  kind: string;
  direction: 'out' | 'in';
  entityId: string;
  otherId: string;
  connectorId: string;
  syncedAt: string;
}

export interface RelationQuery {
  kind?: RelationKind;
  direction?: 'out' | 'in';
  limit: number;
  cursor?: string;
}

/** The provenance items of the entity graph, every method scoped to one tenant. */
export interface ProvenanceReader {
  /** At most `limit` source records of the entity, and whether it has more. */
  sourcesOf(tenantId: string, entityId: string, limit: number): Promise<{ items: SourceRecordView[]; more: boolean }>;
  /** A page of the entity's relations (outgoing, incoming or both; of one kind or all). */
  relationsOf(tenantId: string, entityId: string, query: RelationQuery): Promise<Page<RelationView>>;
}

export interface ProvenanceDeps {
  /** Entities and the cluster of an entity (identity resolution's store). */
  resolution: Pick<ResolutionStore, 'getEntities' | 'clusterOf'>;
  provenance: ProvenanceReader;
  /** Survivorship's trust per system (higher wins); DEFAULT_SOURCE_TRUST unless given. */
  sourceTrust?: Readonly<Record<string, number>>;
}

/**
 * Which system's value survives when the systems disagree and nothing else has been configured. The principle:
 * a system of record is trusted over systems that capture the same facts on the side. The HR system (Workday) is
 * where a person's employment facts are kept by process (hire, title, work contact); the sales CRM (Salesforce)
 * holds customer records its users maintain; the marketing CRM (HubSpot) largely collects what forms and imports
 * bring in. Values given through the API (no system) count as unknown (0), as the engine treats unknown sources.
 * Recency breaks ties within a system, then completeness, then frequency.
 */
export const DEFAULT_SOURCE_TRUST: Readonly<Record<ConnectorSystem, number>> = {
  workday: 3,
  salesforce: 2,
  hubspot: 1,
};

/** Attributes that describe where an entity came from rather than the thing itself: not part of a golden record. */
const PROVENANCE_ATTRIBUTES = new Set(['source']);

/** The engine ranks strings: other JSON values take a canonical text form, and the original value is returned. */
function rankable(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return canonicalJson(value);
}

const latest = (instants: readonly string[]): string | undefined =>
  instants.reduce<string | undefined>((a, b) => (a === undefined || Date.parse(b) > Date.parse(a) ? b : a), undefined);

/**
 * The members whose sources are read, at most MAX_SOURCE_MEMBERS: the entity asked about first, then the others
 * from the end of the cluster's member list. A cluster lists its members in the order they joined (new members
 * fill the room left by leavers, then new pages), so its end holds the members linked last: the newest records,
 * whose values recency favours. Scoring every member against the entity ("strongest first") would read them all,
 * which is the cost the cap exists to bound.
 */
export function membersToRead(entityId: string, members: readonly string[], cap = MAX_SOURCE_MEMBERS): string[] {
  const others = members.filter((m) => m !== entityId).reverse();
  return [entityId, ...others.slice(0, cap - 1)];
}

interface MemberReading {
  entity: Entity;
  sources: SourceRecordView[];
}

/**
 * The golden record of the members read. Each member is one candidate record: its current attributes (what the
 * graph holds, API edits included), with the system of its live source records (trust) and the latest of their
 * modification instants (recency; the entity's update instant when it has no source). The engine's survivorship
 * picks each attribute's value; the provenance then names the member's source record that gave that value, or
 * system null when no live record of it holds the value (set through the API).
 */
export function goldenRecordOf(
  clusterId: string | null,
  readings: readonly MemberReading[],
  options: SurvivorshipOptions,
): EntitySources['golden'] {
  const records: InputRecord[] = readings.map(({ entity, sources }) => {
    const live = sources.filter((s) => s.deletedAt === null);
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(entity.attributes)) {
      const text = rankable(value);
      if (text !== undefined && !PROVENANCE_ATTRIBUTES.has(name)) attributes[name] = text;
    }
    // Trust goes to the most trusted system among the member's live records (a member has one in practice).
    const system = [...new Set(live.map((s) => s.system))].sort(
      (a, b) => (options.sourceTrust?.[b] ?? 0) - (options.sourceTrust?.[a] ?? 0),
    )[0];
    const updatedAt = latest(live.map((s) => s.modifiedAt ?? s.syncedAt)) ?? entity.updatedAt;
    return {
      id: entity.id,
      updatedAt,
      attributes: attributes as Partial<Record<Attribute, string>>,
      ...(system ? { source: system } : {}),
    };
  });
  const golden = buildGoldenRecord(clusterId ?? readings[0]!.entity.id, records, options);
  const byId = new Map(readings.map((r) => [r.entity.id, r]));
  const attributes: Record<string, unknown> = {};
  const provenance: EntitySources['golden']['provenance'] = {};
  for (const [name, winner] of Object.entries(golden.provenance)) {
    if (!winner) continue;
    const reading = byId.get(winner.recordId)!;
    const value = reading.entity.attributes[name];
    attributes[name] = value;
    // The live record that states this value, the latest if several do.
    const giver = reading.sources
      .filter((s) => s.deletedAt === null && canonicalJson(s.attributes[name] ?? null) === canonicalJson(value))
      .sort((a, b) => Date.parse(b.syncedAt) - Date.parse(a.syncedAt))[0];
    provenance[name] = {
      entityId: reading.entity.id,
      system: giver?.system ?? null,
      sourceId: giver?.sourceId ?? null,
      syncedAt: giver?.syncedAt ?? null,
      decidedBy: winner.decidedBy,
    };
  }
  return { clusterId, entityIds: readings.map((r) => r.entity.id), attributes, provenance };
}

const toEntitySource = (s: SourceRecordView): EntitySource => ({
  entityId: s.entityId,
  connectorId: s.connectorId,
  system: s.system,
  object: s.object,
  sourceId: s.sourceId,
  syncedAt: s.syncedAt,
  modifiedAt: s.modifiedAt,
  deletedAt: s.deletedAt,
  attributes: s.attributes,
});

/** Source records read at once (one Query each): enough to overlap latency, few enough not to burst the table. */
const SOURCE_READ_CONCURRENCY = 16;

/**
 * The source records of the entity and of the other members of its cluster (at most MAX_SOURCE_MEMBERS entities,
 * MAX_SOURCES_PER_ENTITY records each: `truncated` says when the cap was reached), with the cluster's golden
 * record. An entity in no cluster: its own records, and its attributes as the golden record. NotFoundError for an
 * unknown id (another tenant's included).
 */
export async function getEntitySources(id: string, ctx: RequestContext, deps: ProvenanceDeps): Promise<EntitySources> {
  requirePermission(ctx.principal, 'entities:read');
  const tenantId = ctx.principal.tenantId;
  const [[entity], cluster] = await Promise.all([
    deps.resolution.getEntities(tenantId, [id]),
    deps.resolution.clusterOf(tenantId, id),
  ]);
  if (!entity) throw new NotFoundError(`entity ${id} not found`);
  const members = cluster?.members ?? [id];
  const wanted = membersToRead(id, members);
  // Members whose entity item is gone (deleted since the cluster was written) are left out.
  const others = await deps.resolution.getEntities(
    tenantId,
    wanted.filter((m) => m !== id),
  );
  const entities = [entity, ...others];
  const sources = await mapLimit(entities, SOURCE_READ_CONCURRENCY, (e) =>
    deps.provenance.sourcesOf(tenantId, e.id, MAX_SOURCES_PER_ENTITY),
  );
  const readings = entities.map((e, k) => ({
    entity: e,
    sources: [...sources[k]!.items].sort((a, b) => Date.parse(b.syncedAt) - Date.parse(a.syncedAt)),
  }));
  const golden = goldenRecordOf(cluster?.clusterId ?? null, readings, {
    sourceTrust: deps.sourceTrust ?? DEFAULT_SOURCE_TRUST,
  });
  return {
    items: readings.flatMap((r) => r.sources.map(toEntitySource)),
    golden,
    members: { total: members.length, read: entities.length },
    truncated: wanted.length < members.length || sources.some((s) => s.more),
  };
}

/**
 * A page of the entity's relations: `out` those it states (a person works-at an organization), `in` those that
 * name it, optionally of one kind. `entityId` of each item is the entity at the other end. NotFoundError for an
 * unknown id.
 */
export async function getEntityRelations(
  id: string,
  query: RelationQuery,
  ctx: RequestContext,
  deps: Pick<ProvenanceDeps, 'resolution' | 'provenance'>,
): Promise<EntityRelations> {
  requirePermission(ctx.principal, 'entities:read');
  const tenantId = ctx.principal.tenantId;
  const [entity] = await deps.resolution.getEntities(tenantId, [id]);
  if (!entity) throw new NotFoundError(`entity ${id} not found`);
  const page = await deps.provenance.relationsOf(tenantId, id, query);
  return {
    items: page.items.map((r) => ({
      kind: r.kind,
      direction: r.direction,
      entityId: r.otherId,
      connectorId: r.connectorId,
      syncedAt: r.syncedAt,
    })),
    nextCursor: page.nextCursor,
  };
}
