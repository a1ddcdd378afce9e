import { ConflictError } from '../../functions/domain/errors.js';
import type { MutationRecord, Page } from '../../functions/domain/ports.js';
import type {
  HookRateLimiter,
  TriggerRecord,
  TriggerSchedules,
  TriggerStore,
} from '../../functions/domain/triggers/ports.js';

/** In-memory triggers with the adapter's rules: conditional create, optimistic locking on update and delete. */
export class InMemoryTriggerStore implements TriggerStore {
  readonly items = new Map<string, TriggerRecord>();
  readonly mutations: Array<{ tenantId: string } & MutationRecord> = [];
  private k = (tenantId: string, id: string) => `${tenantId}/${id}`;

  async create(tenantId: string, record: TriggerRecord, mutation: MutationRecord) {
    if (this.items.has(this.k(tenantId, record.id))) throw new ConflictError('exists');
    this.items.set(this.k(tenantId, record.id), structuredClone(record));
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }

  async get(tenantId: string, id: string) {
    const t = this.items.get(this.k(tenantId, id));
    return t && structuredClone(t);
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<TriggerRecord>> {
    const all = [...this.items.entries()].filter(([k]) => k.startsWith(`${tenantId}/`)).map(([, t]) => t);
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit).map((t) => structuredClone(t));
    return { items, nextCursor: start + query.limit < all.length ? String(start + query.limit) : null };
  }

  async update(tenantId: string, record: TriggerRecord, expectedVersion: number, mutation: MutationRecord) {
    const current = this.items.get(this.k(tenantId, record.id));
    if (!current || current.version !== expectedVersion) throw new ConflictError('version');
    this.items.set(this.k(tenantId, record.id), structuredClone(record));
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }

  async delete(tenantId: string, id: string, expectedVersion: number, mutation: MutationRecord) {
    const current = this.items.get(this.k(tenantId, id));
    if (!current || current.version !== expectedVersion) throw new ConflictError('version');
    this.items.delete(this.k(tenantId, id));
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }
}

/** Keeps each trigger's schedule as the scheduler would; `failNext` makes the next call throw. */
export class RecordingTriggerSchedules implements TriggerSchedules {
  readonly schedules = new Map<string, string>();
  readonly calls: Array<{ tenantId: string; triggerId: string; expression: string | null }> = [];
  failNext?: Error;

  async put(tenantId: string, triggerId: string, expression: string | null) {
    this.calls.push({ tenantId, triggerId, expression });
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    if (expression === null) this.schedules.delete(`${tenantId}/${triggerId}`);
    else this.schedules.set(`${tenantId}/${triggerId}`, expression);
  }
}

/** A fixed window per hook and minute, as the DynamoDB limiter counts. */
export class InMemoryHookRateLimiter implements HookRateLimiter {
  readonly counts = new Map<string, number>();
  constructor(private readonly perMinute: number) {}

  async take(tenantId: string, triggerId: string, now: Date) {
    const minute = Math.floor(now.getTime() / 60_000);
    const key = `${tenantId}/${triggerId}/${minute}`;
    const n = this.counts.get(key) ?? 0;
    if (n >= this.perMinute)
      return { allowed: false, retryAfterSeconds: Math.ceil(((minute + 1) * 60_000 - now.getTime()) / 1000) };
    this.counts.set(key, n + 1);
    return { allowed: true, retryAfterSeconds: 0 };
  }
}
