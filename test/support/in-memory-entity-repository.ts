import type { Entity, EntityType } from '../../schemas/entity.js';
import { ConflictError } from '../../functions/domain/errors.js';
import type { EntityRepository, MutationRecord, Page } from '../../functions/domain/ports.js';

/** In-memory EntityRepository with the same conflict rules as the DynamoDB adapter. */
export class InMemoryEntityRepository implements EntityRepository {
  readonly items = new Map<string, Entity>();
  readonly mutations: Array<{ tenantId: string } & MutationRecord> = [];

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
    this.items.set(this.key(tenantId, entity.id), structuredClone(entity));
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }
}
