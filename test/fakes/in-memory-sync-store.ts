import type { Entity } from '../../schemas/entity.js';
import { ConflictError } from '../../functions/domain/errors.js';
import type {
  BlobInfo,
  BlobListing,
  BlobObject,
  BlobStore,
  MutationRecord,
  Page,
  PutBlobOptions,
  StoredBlob,
} from '../../functions/domain/ports.js';
import type {
  EntityWrite,
  ObjectCursor,
  SourceRecordState,
  StoredEntityState,
  SyncRunRecord,
  SyncStore,
} from '../../functions/domain/connectors/sync/store.js';
import type { ConnectorRecord } from '../../functions/domain/connectors/store.js';

/**
 * The SyncStore port in memory, with the DynamoDB adapter's conditions (run sequence, connector lock, entity version,
 * source hash). `writes` counts committed entity transactions; `events` collects what they emitted. `failWriteAfter`
 * makes the n-th next entity write throw (a process dying mid-page).
 */
export class InMemorySyncStore implements SyncStore {
  readonly runs = new Map<string, SyncRunRecord>();
  readonly entities = new Map<string, Entity>();
  readonly sources = new Map<string, SourceRecordState>();
  readonly relations = new Set<string>();
  readonly cursorItems = new Map<string, ObjectCursor>();
  readonly connectors = new Map<string, ConnectorRecord>();
  readonly events: MutationRecord['events'] = [];
  readonly audits: MutationRecord['audit'][] = [];
  writes = 0;
  checkpoints = 0;
  /** writeEntities calls. */
  batches = 0;
  failWriteAfter: number | null = null;

  private sourceKey(entityId: string, connectorId: string, namespace: string, sourceId: string) {
    return `${entityId}|${connectorId}|${namespace}|${sourceId}`;
  }

  async beginRun(_t: string, run: SyncRunRecord, mutation: MutationRecord, takeOverFrom?: string): Promise<void> {
    const connector = this.connectors.get(run.connectorId);
    if (!connector) throw new ConflictError('connector gone');
    if (takeOverFrom ? connector.activeRunId !== takeOverFrom : connector.activeRunId)
      throw new ConflictError('locked');
    if (this.runs.has(run.runId)) throw new ConflictError('run exists');
    connector.activeRunId = run.runId;
    this.runs.set(run.runId, structuredClone(run));
    this.audits.push(mutation.audit);
  }

  async getRun(_t: string, runId: string) {
    const run = this.runs.get(runId);
    return run ? structuredClone(run) : undefined;
  }

  async listRuns(_t: string, connectorId: string, query: { limit: number }): Promise<Page<SyncRunRecord>> {
    const items = [...this.runs.values()]
      .filter((r) => r.connectorId === connectorId)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .slice(0, query.limit);
    return { items: structuredClone(items), nextCursor: null };
  }

  async saveRun(_t: string, run: SyncRunRecord, expectedSeq: number): Promise<void> {
    if (this.runs.get(run.runId)?.seq !== expectedSeq) throw new ConflictError('stale checkpoint');
    this.checkpoints++;
    this.runs.set(run.runId, structuredClone(run));
  }

  async finishRun(_t: string, run: SyncRunRecord, expectedSeq: number, cursors: ObjectCursor[], m: MutationRecord) {
    await this.saveRun(_t, run, expectedSeq);
    const connector = this.connectors.get(run.connectorId);
    if (connector?.activeRunId === run.runId) {
      connector.activeRunId = null;
      connector.lastRun = { runId: run.runId, status: run.status, finishedAt: run.finishedAt };
    }
    for (const c of cursors) this.cursorItems.set(`${run.connectorId}|${c.object}`, structuredClone(c));
    this.events.push(...m.events);
    this.audits.push(m.audit);
  }

  async cursors(_t: string, connectorId: string): Promise<ObjectCursor[]> {
    return [...this.cursorItems.entries()].filter(([k]) => k.startsWith(`${connectorId}|`)).map(([, c]) => c);
  }

  async loadEntities(
    _t: string,
    refs: { entityId: string; connectorId: string; namespace: string; sourceId: string }[],
  ): Promise<Map<string, StoredEntityState>> {
    const out = new Map<string, StoredEntityState>();
    for (const r of refs) {
      const entity = this.entities.get(r.entityId);
      const source = this.sources.get(this.sourceKey(r.entityId, r.connectorId, r.namespace, r.sourceId));
      if (entity || source)
        out.set(r.entityId, {
          ...(entity ? { entity: structuredClone(entity) } : {}),
          ...(source ? { source: structuredClone(source) } : {}),
        });
    }
    return out;
  }

  async writeEntity(_t: string, write: EntityWrite, mutation: MutationRecord): Promise<void> {
    if (this.failWriteAfter !== null) {
      if (this.failWriteAfter === 0) throw new Error('process died');
      this.failWriteAfter--;
    }
    const { entity, source } = write;
    const current = this.entities.get(entity.id);
    if (write.expectedVersion === null ? current : current?.version !== write.expectedVersion)
      throw new ConflictError('entity changed');
    const key = this.sourceKey(entity.id, source.connectorId, source.namespace, source.sourceId);
    const stored = this.sources.get(key);
    if (write.expectedSourceHash === null ? stored : stored?.contentHash !== write.expectedSourceHash)
      throw new ConflictError('source changed');
    this.entities.set(entity.id, structuredClone(entity));
    this.sources.set(key, structuredClone(source));
    for (const r of write.addRelations) this.relations.add(`${r.from}|${r.kind}|${r.to}`);
    for (const r of write.removeRelations) this.relations.delete(`${r.from}|${r.kind}|${r.to}`);
    this.events.push(...mutation.events);
    this.audits.push(mutation.audit);
    this.writes++;
  }

  /** Like the adapter: the batch's entities written (here one by one), those whose own condition failed returned. */
  async writeEntities(
    tenantId: string,
    batch: readonly { write: EntityWrite; mutation: MutationRecord }[],
  ): Promise<{ conflicts: string[] }> {
    this.batches++;
    const conflicts: string[] = [];
    for (const { write, mutation } of batch) {
      try {
        await this.writeEntity(tenantId, write, mutation);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        conflicts.push(write.entity.id);
      }
    }
    return { conflicts };
  }

  async *sourceRecords(_t: string, connectorId: string, namespace: string): AsyncIterable<SourceRecordState> {
    for (const s of this.sources.values()) {
      if (s.connectorId === connectorId && s.namespace === namespace) yield structuredClone(s);
    }
  }
}

/** A BlobStore in memory (one tenant space per tenant id). */
export class InMemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, { body: string; contentType: string; metadata: Record<string, string> }>();

  async put(tenantId: string, key: string, body: unknown, options: PutBlobOptions): Promise<StoredBlob> {
    const text = typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString('utf8');
    this.objects.set(`${tenantId}/${key}`, {
      body: text,
      contentType: options.contentType,
      metadata: options.metadata ?? {},
    });
    return { key, size: Buffer.byteLength(text), sha256: '' };
  }

  async get(tenantId: string, key: string): Promise<BlobObject> {
    const o = this.objects.get(`${tenantId}/${key}`);
    if (!o) throw new Error(`no object ${key}`);
    const bytes = new TextEncoder().encode(o.body);
    return {
      key,
      size: bytes.length,
      contentType: o.contentType,
      metadata: o.metadata,
      body: new Blob([bytes]).stream(),
      bytes: async () => bytes,
      text: async () => o.body,
    };
  }

  async head(tenantId: string, key: string): Promise<BlobInfo | undefined> {
    const o = this.objects.get(`${tenantId}/${key}`);
    return o ? { key, size: o.body.length, contentType: o.contentType, metadata: o.metadata } : undefined;
  }

  async delete(tenantId: string, key: string): Promise<void> {
    this.objects.delete(`${tenantId}/${key}`);
  }

  async list(tenantId: string, query: { prefix?: string } = {}): Promise<Page<BlobListing>> {
    const base = `${tenantId}/`;
    const items = [...this.objects.keys()]
      .filter((k) => k.startsWith(base + (query.prefix ?? '')))
      .sort()
      .map((k) => ({ key: k.slice(base.length), size: this.objects.get(k)!.body.length }));
    return { items, nextCursor: null };
  }
}
