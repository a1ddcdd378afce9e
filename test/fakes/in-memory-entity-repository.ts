import type { Entity, EntityType } from '../../schemas/entity.js';
import { ConflictError, EffectAlreadyAppliedError } from '../../functions/domain/errors.js';
import type { EntityRepository, IdempotencyStore, MutationRecord, Page } from '../../functions/domain/ports.js';

/** In-memory EntityRepository with the same conflict rules as the DynamoDB adapter. */
export class InMemoryEntityRepository implements EntityRepository, IdempotencyStore {
  readonly items = new Map<string, Entity>();
  readonly mutations: Array<{ tenantId: string } & MutationRecord> = [];
  readonly markers = new Map<string, unknown>();

  async find(tenantId: string, key: string) {
    const k = `${tenantId}/${key}`;
    return this.markers.has(k) ? { result: structuredClone(this.markers.get(k)) } : undefined;
  }

  /** The same rule as the DynamoDB writer: the marker is part of the mutation, or nothing is written. */
  private applyMarker(tenantId: string, mutation: MutationRecord): void {
    if (!mutation.idempotency) return;
    const k = `${tenantId}/${mutation.idempotency.key}`;
    if (this.markers.has(k)) throw new EffectAlreadyAppliedError('applied');
    this.markers.set(k, structuredClone(mutation.idempotency.result));
  }

  private key = (tenantId: string, id: string) => `${tenantId}/${id}`;

  async create(tenantId: string, entity: Entity, mutation: MutationRecord): Promise<void> {
    if (this.items.has(this.key(tenantId, entity.id))) throw new ConflictError('exists');
    this.items.set(this.key(tenantId, entity.id), structuredClone(entity));
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }

  async get(tenantId: string, id: string): Promise<Entity | undefined> {
    const e = this.items.get(this.key(tenantId, id));
    return e && structuredClone(e);
  }

  async list(tenantId: string, query: { type?: EntityType; limit: number; cursor?: string }): Promise<Page<Entity>> {
    const all = [...this.items.entries()]
      .filter(([k, e]) => k.startsWith(`${tenantId}/`) && (!query.type || e.type === query.type))
      .map(([, e]) => structuredClone(e));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit);
    return { items, nextCursor: start + query.limit < all.length ? String(start + query.limit) : null };
  }

  async update(tenantId: string, entity: Entity, expectedVersion: number, mutation: MutationRecord): Promise<void> {
    const current = this.items.get(this.key(tenantId, entity.id));
    if (!current || current.version !== expectedVersion) throw new ConflictError('version');
    this.applyMarker(tenantId, mutation);
    this.items.set(this.key(tenantId, entity.id), structuredClone(entity));
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }
}
