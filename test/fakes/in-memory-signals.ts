import type { Signal } from '../../schemas/detected-signals.js';
import { ConflictError } from '../../functions/domain/errors.js';
import type { MutationRecord, Page } from '../../functions/domain/ports.js';
import type {
  DeadlineFire,
  DeadlineTimers,
  HistoryEntry,
  HistoryQuery,
  HistoryRead,
  KeyStateWrite,
  SignalHistory,
  SignalQuery,
  SignalRuleStore,
  SignalStore,
  SignalWrite,
  StoredKeyState,
  StoredSignalRule,
  WorkflowCatalog,
} from '../../functions/domain/signals/use-cases/ports.js';

/**
 * SignalRuleStore in memory, per tenant, with the DynamoDB adapter's conditions: create refuses a live id and a
 * history that moved since it was read, update and delete the version read; every change moves the rule-set version.
 */
export class InMemorySignalRuleStore implements SignalRuleStore {
  readonly live = new Map<string, StoredSignalRule>();
  readonly versions = new Map<string, StoredSignalRule>();
  readonly tombstones = new Map<string, number>();
  readonly heads = new Map<string, number>();
  readonly mutations: Array<{ tenantId: string } & MutationRecord> = [];
  /** Reads of the whole rule set (the detector's cache should make them rare). */
  allRulesReads = 0;

  private k = (tenantId: string, id: string) => `${tenantId}/${id}`;
  private move(tenantId: string, mutation: MutationRecord) {
    this.heads.set(tenantId, (this.heads.get(tenantId) ?? 0) + 1);
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }

  async create(tenantId: string, rule: StoredSignalRule, lastVersion: number, mutation: MutationRecord) {
    const k = this.k(tenantId, rule.body.id);
    if (this.live.has(k) || (this.tombstones.get(k) ?? 0) !== lastVersion) throw new ConflictError('exists');
    this.live.set(k, structuredClone(rule));
    this.versions.set(`${k}#${rule.version}`, structuredClone(rule));
    this.tombstones.delete(k);
    this.move(tenantId, mutation);
  }

  async get(tenantId: string, id: string, version?: number) {
    const k = this.k(tenantId, id);
    const r = version === undefined ? this.live.get(k) : this.versions.get(`${k}#${version}`);
    return r && structuredClone(r);
  }

  async lastDeletedVersion(tenantId: string, id: string) {
    return this.tombstones.get(this.k(tenantId, id)) ?? 0;
  }

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<StoredSignalRule>> {
    const all = [...this.live.entries()]
      .filter(([k]) => k.startsWith(`${tenantId}/`))
      .map(([, r]) => structuredClone(r))
      .sort((a, b) => (a.body.id < b.body.id ? -1 : 1));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit);
    return { items, nextCursor: start + query.limit < all.length ? String(start + query.limit) : null };
  }

  async update(tenantId: string, rule: StoredSignalRule, expectedVersion: number, mutation: MutationRecord) {
    const k = this.k(tenantId, rule.body.id);
    if (this.live.get(k)?.version !== expectedVersion) throw new ConflictError('version');
    this.live.set(k, structuredClone(rule));
    this.versions.set(`${k}#${rule.version}`, structuredClone(rule));
    this.move(tenantId, mutation);
  }

  async delete(tenantId: string, id: string, expectedVersion: number, mutation: MutationRecord) {
    const k = this.k(tenantId, id);
    if (this.live.get(k)?.version !== expectedVersion) throw new ConflictError('version');
    this.live.delete(k);
    this.tombstones.set(k, expectedVersion);
    this.move(tenantId, mutation);
  }

  async ruleSetVersion(tenantId: string) {
    return this.heads.get(tenantId) ?? 0;
  }

  async allRules(tenantId: string) {
    this.allRulesReads++;
    return [...this.live.entries()].filter(([k]) => k.startsWith(`${tenantId}/`)).map(([, r]) => structuredClone(r));
  }
}

/**
 * SignalStore in memory with the adapter's conditions: a state is written only over the revision read (or none), a
 * signal only where none of its id exists, all of one commit or nothing. `beforeCommit` runs inside `commit` before
 * its checks, so a test can slip a concurrent write in between a read and its write.
 */
export class InMemorySignalStore implements SignalStore {
  readonly states = new Map<string, StoredKeyState>();
  readonly signals = new Map<string, Signal>();
  readonly mutations: Array<{ tenantId: string } & MutationRecord> = [];
  commits = 0;
  beforeCommit?: () => Promise<void> | void;

  private k = (tenantId: string, ...parts: string[]) => JSON.stringify([tenantId, ...parts]);

  async getState(tenantId: string, ruleId: string, key: string) {
    const s = this.states.get(this.k(tenantId, ruleId, key));
    return s && structuredClone(s);
  }

  /** Writes a state as a concurrent writer would (moves its revision). */
  putState(tenantId: string, next: Omit<StoredKeyState, 'revision'>, expectedRevision: number | null) {
    const k = this.k(tenantId, next.ruleId, next.key);
    const current = this.states.get(k);
    if ((current?.revision ?? null) !== expectedRevision) throw new ConflictError('state moved');
    this.states.set(k, { ...structuredClone(next), revision: (expectedRevision ?? 0) + 1 });
  }

  async commit(tenantId: string, write: { state?: KeyStateWrite; signals: SignalWrite[] }) {
    await this.beforeCommit?.();
    this.commits++;
    if (write.state) {
      const current = this.states.get(this.k(tenantId, write.state.next.ruleId, write.state.next.key));
      if ((current?.revision ?? null) !== write.state.expectedRevision) throw new ConflictError('state moved');
    }
    for (const s of write.signals)
      if (this.signals.has(this.k(tenantId, s.signal.id))) throw new ConflictError('signal exists');
    if (write.state) this.putState(tenantId, write.state.next, write.state.expectedRevision);
    for (const s of write.signals) {
      this.signals.set(this.k(tenantId, s.signal.id), structuredClone(s.signal));
      this.mutations.push({ tenantId, ...structuredClone(s.mutation) });
    }
  }

  async existingSignals(tenantId: string, ids: readonly string[]) {
    return new Set(ids.filter((id) => this.signals.has(this.k(tenantId, id))));
  }

  async getSignal(tenantId: string, id: string) {
    const s = this.signals.get(this.k(tenantId, id));
    return s && structuredClone(s);
  }

  /** Signals of a tenant, in the order they were written. */
  signalsOf(tenantId: string): Signal[] {
    return [...this.signals.entries()].filter(([k]) => JSON.parse(k)[0] === tenantId).map(([, s]) => s);
  }

  async listSignals(tenantId: string, query: SignalQuery): Promise<Page<Signal>> {
    const since = query.since ? new Date(query.since).toISOString() : undefined;
    const all = this.signalsOf(tenantId)
      .filter((s) => query.rule === undefined || s.ruleId === query.rule)
      .filter((s) => query.entity === undefined || s.entityId === query.entity || s.key === query.entity)
      .filter((s) => since === undefined || s.detectedAt >= since)
      .sort((a, b) => (`${b.detectedAt}#${b.id}` < `${a.detectedAt}#${a.id}` ? -1 : 1));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit).map((s) => structuredClone(s));
    return { items, nextCursor: start + query.limit < all.length ? String(start + query.limit) : null };
  }
}

/** Deadline timers in memory: what is armed (by fire), and what a test fires by hand. */
export class InMemoryDeadlineTimers implements DeadlineTimers {
  readonly armed = new Map<string, { fire: DeadlineFire; fireAt: number }>();
  readonly calls: Array<{ op: 'arm'; fire: DeadlineFire; fireAt: number }> = [];
  /** The current time of the test's clock: a fire not after it is `'past'` (nothing armed), as the port answers. */
  constructor(private readonly now: () => number = () => Number.NEGATIVE_INFINITY) {}

  private k = (f: DeadlineFire) => JSON.stringify([f.tenantId, f.ruleId, f.key, f.deadline]);

  async arm(fire: DeadlineFire, fireAt: number) {
    this.calls.push({ op: 'arm', fire: structuredClone(fire), fireAt });
    if (fireAt <= this.now()) return 'past' as const;
    this.armed.set(this.k(fire), { fire: structuredClone(fire), fireAt });
    return 'scheduled' as const;
  }

  /** The armed fires due at `t`, removed as a one-shot schedule is once it fired. */
  due(t: number): DeadlineFire[] {
    const out = [...this.armed.entries()].filter(([, a]) => a.fireAt <= t);
    for (const [k] of out) this.armed.delete(k);
    return out.map(([, a]) => a.fire);
  }
}

/** A WorkflowCatalog of the given workflow ids per tenant. */
export const workflowCatalogOf = (workflows: Record<string, readonly string[]>): WorkflowCatalog => ({
  exists: async (tenantId, id) => (workflows[tenantId] ?? []).includes(id),
});

/**
 * SignalHistory in memory, per tenant, with the DynamoDB adapter's semantics: the first copy of an id stays; a read
 * takes [from, to] newest first (by time, then id) until `maxEvents` or `maxBytes` (of the events' JSON) would be
 * passed, and then drops the instant at which it stopped, which it may have split.
 */
export class InMemorySignalHistory implements SignalHistory {
  readonly entries = new Map<string, Map<string, HistoryEntry>>();
  readonly reads: Array<{ tenantId: string } & HistoryQuery> = [];

  async record(tenantId: string, entries: readonly HistoryEntry[]) {
    let tenant = this.entries.get(tenantId);
    if (!tenant) this.entries.set(tenantId, (tenant = new Map()));
    for (const e of entries) if (!tenant.has(e.event.id)) tenant.set(e.event.id, structuredClone(e));
  }

  /** The entries of a tenant, by id. */
  of(tenantId: string): HistoryEntry[] {
    return [...(this.entries.get(tenantId)?.values() ?? [])];
  }

  async read(tenantId: string, query: HistoryQuery): Promise<HistoryRead> {
    this.reads.push({ tenantId, ...query });
    const newestFirst = this.of(tenantId)
      .filter((e) => e.event.time >= query.from && e.event.time <= query.to)
      .sort((a, b) => b.event.time - a.event.time || (a.event.id < b.event.id ? 1 : -1));
    const kept: HistoryEntry[] = [];
    let bytes = 0;
    let stoppedAt: number | null = null;
    for (const e of newestFirst) {
      const size = Buffer.byteLength(JSON.stringify(e.event.event));
      if (kept.length >= query.maxEvents || bytes + size > query.maxBytes) {
        stoppedAt = e.event.time;
        break;
      }
      bytes += size;
      kept.push(e);
    }
    const events = kept.filter((e) => stoppedAt === null || e.event.time > stoppedAt).reverse();
    return {
      events: events.map((e) => structuredClone(e.event)),
      trimmed: events.filter((e) => e.trimmed).length,
      truncated: stoppedAt !== null,
      from: stoppedAt === null ? query.from : stoppedAt + 1,
    };
  }
}
