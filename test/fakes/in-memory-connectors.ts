import type { RelationKind } from '../../functions/domain/connectors/ports.js';
import type {
  ProvenanceReader,
  RelationQuery,
  RelationView,
  SourceRecordView,
} from '../../functions/domain/connectors/provenance.js';
import type { ConnectorRecord, ConnectorStore, SyncScheduler } from '../../functions/domain/connectors/store.js';
import { ConflictError, TransientError } from '../../functions/domain/errors.js';
import type { MutationRecord, Page } from '../../functions/domain/ports.js';

type Write = 'create' | 'update' | 'delete';

/**
 * ConnectorStore in memory, per tenant, with the DynamoDB adapter's conditions: create refuses an existing id,
 * update and delete the version read, delete a connector a sync holds. `failNext` makes the next write of a kind
 * fail as a table outage would (nothing written).
 */
export class InMemoryConnectorStore implements ConnectorStore {
  readonly items = new Map<string, ConnectorRecord>();
  readonly mutations: Array<{ tenantId: string; write: Write } & MutationRecord> = [];
  /** Connectors whose session (token, breaker) an update dropped. */
  readonly sessionResets: string[] = [];
  private readonly failures: Write[] = [];

  private k = (tenantId: string, id: string) => `${tenantId}/${id}`;

  failNext(write: Write): void {
    this.failures.push(write);
  }

  private maybeFail(write: Write): void {
    const i = this.failures.indexOf(write);
    if (i >= 0) {
      this.failures.splice(i, 1);
      throw new TransientError(`${write} failed`);
    }
  }

  /** A sync taking the connector's lock (as sync-store.ts beginRun does, without changing the version). */
  lock(tenantId: string, id: string, runId: string): void {
    const c = this.items.get(this.k(tenantId, id));
    if (!c) throw new Error(`no connector ${id}`);
    c.activeRunId = runId;
  }

  async create(tenantId: string, connector: ConnectorRecord, mutation: MutationRecord): Promise<void> {
    this.maybeFail('create');
    if (this.items.has(this.k(tenantId, connector.id))) throw new ConflictError('exists');
    this.items.set(this.k(tenantId, connector.id), structuredClone(connector));
    this.mutations.push({ tenantId, write: 'create', ...structuredClone(mutation) });
  }

  async get(tenantId: string, id: string): Promise<ConnectorRecord | undefined> {
    const c = this.items.get(this.k(tenantId, id));
    return c && structuredClone(c);
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<ConnectorRecord>> {
    const all = [...this.items.entries()]
      .filter(([k]) => k.startsWith(`${tenantId}/`))
      .map(([, c]) => structuredClone(c))
      .sort((a, b) => (`${b.createdAt}#${b.id}` < `${a.createdAt}#${a.id}` ? -1 : 1));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit);
    return { items, nextCursor: start + query.limit < all.length ? String(start + query.limit) : null };
  }

  async update(
    tenantId: string,
    connector: ConnectorRecord,
    expectedVersion: number,
    mutation: MutationRecord,
    options: { resetSession?: boolean } = {},
  ): Promise<void> {
    this.maybeFail('update');
    if (options.resetSession) this.sessionResets.push(connector.id);
    const current = this.items.get(this.k(tenantId, connector.id));
    if (!current || current.version !== expectedVersion) throw new ConflictError('version');
    // As the adapter's update expression: the sync's lock and last run are not the API's to change.
    this.items.set(this.k(tenantId, connector.id), {
      ...structuredClone(connector),
      activeRunId: current.activeRunId,
      lastRun: current.lastRun,
    });
    this.mutations.push({ tenantId, write: 'update', ...structuredClone(mutation) });
  }

  async delete(tenantId: string, id: string, expectedVersion: number, mutation: MutationRecord): Promise<void> {
    this.maybeFail('delete');
    const current = this.items.get(this.k(tenantId, id));
    if (!current || current.version !== expectedVersion || current.activeRunId) throw new ConflictError('condition');
    this.items.delete(this.k(tenantId, id));
    this.mutations.push({ tenantId, write: 'delete', ...structuredClone(mutation) });
  }
}

/** SyncScheduler in memory: the schedule each connector holds, every call, and calls armed to fail. */
export class InMemorySyncScheduler implements SyncScheduler {
  readonly schedules = new Map<string, string>();
  readonly calls: Array<{ tenantId: string; connectorId: string; expression: string | null }> = [];
  private failures = 0;

  /** The next `n` calls fail (Scheduler unavailable); nothing changes. */
  failNext(n = 1): void {
    this.failures += n;
  }

  scheduleOf(tenantId: string, connectorId: string): string | undefined {
    return this.schedules.get(`${tenantId}/${connectorId}`);
  }

  async put(tenantId: string, connectorId: string, expression: string | null): Promise<void> {
    this.calls.push({ tenantId, connectorId, expression });
    if (this.failures > 0) {
      this.failures--;
      throw new Error('ServiceUnavailableException');
    }
    if (expression === null) this.schedules.delete(`${tenantId}/${connectorId}`);
    else this.schedules.set(`${tenantId}/${connectorId}`, expression);
  }
}

/**
 * The provenance items of entity partitions in memory: source records, and relations stored twice (out in the
 * `from` partition, in in the `to` one) as syncs store them, listed in the adapter's sort-key order.
 */
export class InMemoryProvenance implements ProvenanceReader {
  readonly sources = new Map<string, SourceRecordView[]>();
  readonly relations = new Map<string, RelationView[]>();

  private k = (tenantId: string, entityId: string) => `${tenantId}/${entityId}`;

  addSource(tenantId: string, source: SourceRecordView): void {
    const list = this.sources.get(this.k(tenantId, source.entityId)) ?? [];
    list.push(structuredClone(source));
    this.sources.set(this.k(tenantId, source.entityId), list);
  }

  addRelation(
    tenantId: string,
    relation: { kind: RelationKind; from: string; to: string; connectorId: string; syncedAt: string },
  ): void {
    const { kind, from, to, connectorId, syncedAt } = relation;
    const push = (entityId: string, view: RelationView) => {
      const list = this.relations.get(this.k(tenantId, entityId)) ?? [];
      list.push(view);
      this.relations.set(this.k(tenantId, entityId), list);
    };
    push(from, { kind, direction: 'out', entityId: from, otherId: to, connectorId, syncedAt });
    push(to, { kind, direction: 'in', entityId: to, otherId: from, connectorId, syncedAt });
  }

  async sourcesOf(tenantId: string, entityId: string, limit: number) {
    const all = this.sources.get(this.k(tenantId, entityId)) ?? [];
    return { items: structuredClone(all.slice(0, limit)), more: all.length > limit };
  }

  async relationsOf(tenantId: string, entityId: string, query: RelationQuery): Promise<Page<RelationView>> {
    const sk = (r: RelationView) => `REL#${r.direction.toUpperCase()}#${r.kind}#${r.otherId}`;
    const all = (this.relations.get(this.k(tenantId, entityId)) ?? [])
      .filter((r) => (!query.kind || r.kind === query.kind) && (!query.direction || r.direction === query.direction))
      .sort((a, b) => (sk(a) < sk(b) ? -1 : 1));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = structuredClone(all.slice(start, start + query.limit));
    return { items, nextCursor: start + query.limit < all.length ? String(start + query.limit) : null };
  }
}
