import { createHash } from 'node:crypto';
import type { MiningJob } from '../../schemas/mining-api.js';
import { ConflictError, NotFoundError } from '../../functions/domain/errors.js';
import type { MiningJobStore } from '../../functions/domain/mining/service/ports.js';
import type { EntityHistory, PlatformTraceReader, RunTrace } from '../../functions/domain/mining/service/traces.js';
import type {
  BlobBody,
  BlobInfo,
  BlobListing,
  BlobObject,
  BlobStore,
  MutationRecord,
  Page,
  PutBlobOptions,
  StoredBlob,
} from '../../functions/domain/ports.js';

/** Mining jobs in memory, with the mutations their creation recorded (audit and events). */
export class InMemoryMiningJobs implements MiningJobStore {
  readonly jobs = new Map<string, MiningJob>();
  readonly mutations: MutationRecord[] = [];
  /** Every saved state, in order (the worker's phases). */
  readonly saves: MiningJob[] = [];

  async create(tenantId: string, job: MiningJob, mutation: MutationRecord): Promise<void> {
    const key = `${tenantId}/${job.id}`;
    if (this.jobs.has(key)) throw new ConflictError(`job ${job.id} exists`);
    this.jobs.set(key, structuredClone(job));
    this.mutations.push(structuredClone(mutation));
  }

  async get(tenantId: string, id: string): Promise<MiningJob | undefined> {
    const job = this.jobs.get(`${tenantId}/${id}`);
    return job ? structuredClone(job) : undefined;
  }

  async save(tenantId: string, job: MiningJob): Promise<void> {
    if (!this.jobs.has(`${tenantId}/${job.id}`)) throw new ConflictError(`job ${job.id} does not exist`);
    this.jobs.set(`${tenantId}/${job.id}`, structuredClone(job));
    this.saves.push(structuredClone(job));
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<MiningJob>> {
    const all = [...this.jobs.entries()]
      .filter(([k]) => k.startsWith(`${tenantId}/`))
      .map(([, j]) => j)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    const from = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(from, from + query.limit).map((j) => structuredClone(j));
    return { items, nextCursor: from + query.limit < all.length ? String(from + query.limit) : null };
  }
}

async function bytesOf(body: BlobBody): Promise<Uint8Array> {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return new Uint8Array(body);
  const parts: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) parts.push(chunk);
  return new Uint8Array(Buffer.concat(parts));
}

/** A BlobStore in memory that keeps bytes as they are (gzip included), one space per tenant. */
export class InMemoryBytesStore implements BlobStore {
  readonly objects = new Map<string, { bytes: Uint8Array; contentType: string; metadata: Record<string, string> }>();

  async put(tenantId: string, key: string, body: BlobBody, options: PutBlobOptions): Promise<StoredBlob> {
    const bytes = await bytesOf(body);
    this.objects.set(`${tenantId}/${key}`, {
      bytes,
      contentType: options.contentType,
      metadata: options.metadata ?? {},
    });
    return { key, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async get(tenantId: string, key: string): Promise<BlobObject> {
    const o = this.objects.get(`${tenantId}/${key}`);
    if (!o) throw new NotFoundError(`no object ${key}`);
    return {
      key,
      size: o.bytes.length,
      contentType: o.contentType,
      metadata: o.metadata,
      body: new Blob([o.bytes]).stream(),
      bytes: async () => o.bytes,
      text: async () => new TextDecoder().decode(o.bytes),
    };
  }

  async head(tenantId: string, key: string): Promise<BlobInfo | undefined> {
    const o = this.objects.get(`${tenantId}/${key}`);
    return o ? { key, size: o.bytes.length, contentType: o.contentType, metadata: o.metadata } : undefined;
  }

  async delete(tenantId: string, key: string): Promise<void> {
    this.objects.delete(`${tenantId}/${key}`);
  }

  async list(tenantId: string, query: { prefix?: string } = {}): Promise<Page<BlobListing>> {
    const base = `${tenantId}/`;
    const items = [...this.objects.keys()]
      .filter((k) => k.startsWith(base + (query.prefix ?? '')))
      .sort()
      .map((k) => ({ key: k.slice(base.length), size: this.objects.get(k)!.bytes.length }));
    return { items, nextCursor: null };
  }
}

/** Platform traces given by the test, per tenant, newest first as the reader returns them. */
export class InMemoryTraces implements PlatformTraceReader {
  readonly runs = new Map<string, RunTrace[]>();
  readonly histories = new Map<string, EntityHistory[]>();

  async workflowRuns(tenantId: string, query: { workflowId?: string; since?: string; limit: number }) {
    const all = (this.runs.get(tenantId) ?? [])
      .filter((r) => !query.workflowId || r.workflowId === query.workflowId)
      .filter((r) => !query.since || r.startedAt >= query.since)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return { runs: all.slice(0, query.limit), truncated: all.length > query.limit };
  }

  async entityHistories(tenantId: string, query: { entityType?: string; since?: string; limit: number }) {
    const all = (this.histories.get(tenantId) ?? []).filter(
      (h) => !query.entityType || h.entityType === query.entityType,
    );
    return { histories: all.slice(0, query.limit), truncated: all.length > query.limit };
  }
}
