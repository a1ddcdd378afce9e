import type { CaseKeyChange, CaseQuery, CaseRecord, CaseStore } from '../../functions/domain/cases/ports.js';
import { ConflictError, EffectAlreadyAppliedError } from '../../functions/domain/errors.js';
import type { IdempotencyStore, MutationRecord, Page } from '../../functions/domain/ports.js';

/**
 * In-memory cases with the DynamoDB adapter's rules: one claim per case key while its case is open or in progress
 * (create and reopen claim it, resolve releases it), optimistic locking on `version`, and the idempotency marker
 * written with the mutation or nothing at all. `beforeWrite` lets a test change the store in the middle of a write.
 */
export class InMemoryCaseStore implements CaseStore, IdempotencyStore {
  readonly items = new Map<string, CaseRecord>();
  readonly claims = new Map<string, string>();
  readonly markers = new Map<string, unknown>();
  /** signal → the case it was recorded on, written with the change that recorded it. */
  readonly signalCases = new Map<string, string>();
  readonly mutations: Array<{ tenantId: string } & MutationRecord> = [];
  beforeWrite?: () => void;

  private k = (tenantId: string, id: string) => `${tenantId}/${id}`;

  async find(tenantId: string, key: string) {
    const k = this.k(tenantId, key);
    return this.markers.has(k) ? { result: structuredClone(this.markers.get(k)) } : undefined;
  }

  async get(tenantId: string, id: string) {
    const c = this.items.get(this.k(tenantId, id));
    return c && structuredClone(c);
  }

  async openCaseOf(tenantId: string, caseKey: string) {
    const id = this.claims.get(this.k(tenantId, caseKey));
    return id === undefined ? undefined : this.get(tenantId, id);
  }

  private hook() {
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    hook?.();
  }

  private commit(tenantId: string, mutation: MutationRecord, apply: () => void) {
    if (mutation.idempotency && this.markers.has(this.k(tenantId, mutation.idempotency.key)))
      throw new EffectAlreadyAppliedError('applied');
    apply();
    if (mutation.idempotency)
      this.markers.set(this.k(tenantId, mutation.idempotency.key), structuredClone(mutation.idempotency.result));
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }

  private refuseLinked(tenantId: string, signalId: string | undefined) {
    if (signalId !== undefined && this.signalCases.has(this.k(tenantId, signalId)))
      throw new ConflictError('signal already linked');
  }

  private link(tenantId: string, signalId: string | undefined, caseId: string) {
    if (signalId !== undefined) this.signalCases.set(this.k(tenantId, signalId), caseId);
  }

  async create(tenantId: string, record: CaseRecord, mutation: MutationRecord, signalId?: string) {
    this.hook();
    if (this.items.has(this.k(tenantId, record.id)) || this.claims.has(this.k(tenantId, record.caseKey)))
      throw new ConflictError('claimed');
    this.commit(tenantId, mutation, () => {
      this.refuseLinked(tenantId, signalId);
      this.items.set(this.k(tenantId, record.id), structuredClone(record));
      this.claims.set(this.k(tenantId, record.caseKey), record.id);
      this.link(tenantId, signalId, record.id);
    });
  }

  async update(
    tenantId: string,
    record: CaseRecord,
    expectedVersion: number,
    mutation: MutationRecord,
    keyChange?: CaseKeyChange,
    signalId?: string,
  ) {
    this.hook();
    const current = this.items.get(this.k(tenantId, record.id));
    if (!current || current.version !== expectedVersion) throw new ConflictError('version');
    const claimKey = this.k(tenantId, record.caseKey);
    if (keyChange === 'claim' && this.claims.has(claimKey)) throw new ConflictError('claimed');
    this.commit(tenantId, mutation, () => {
      this.refuseLinked(tenantId, signalId);
      this.items.set(this.k(tenantId, record.id), structuredClone(record));
      if (keyChange === 'claim') this.claims.set(claimKey, record.id);
      if (keyChange === 'release' && this.claims.get(claimKey) === record.id) this.claims.delete(claimKey);
      this.link(tenantId, signalId, record.id);
    });
  }

  async list(tenantId: string, q: CaseQuery): Promise<Page<CaseRecord>> {
    const all = [...this.items.entries()]
      .filter(([k]) => k.startsWith(`${tenantId}/`))
      .map(([, c]) => c)
      .filter(
        (c) =>
          (q.status === undefined || c.status === q.status) &&
          (q.assignee === undefined || c.assignee === q.assignee) &&
          (q.ruleId === undefined || c.ruleId === q.ruleId) &&
          (q.entityId === undefined || c.entityId === q.entityId) &&
          (q.signalId === undefined || this.signalCases.get(this.k(tenantId, q.signalId)) === c.id),
      )
      .sort((a, b) => (a.openedAt === b.openedAt ? b.id.localeCompare(a.id) : b.openedAt.localeCompare(a.openedAt)));
    const start = q.cursor ? Number(q.cursor) : 0;
    const items = all.slice(start, start + q.limit).map((c) => structuredClone(c));
    return { items, nextCursor: start + q.limit < all.length ? String(start + q.limit) : null };
  }
}
