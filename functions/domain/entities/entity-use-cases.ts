import type { CreateEntityRequest, Entity, EntityType, UpdateEntityRequest } from '../../../schemas/entity.js';
import { auditActorOf } from '../audit/audit-actor.js';
import { requirePermission } from '../auth/authorize.js';
import { ConflictError, EffectAlreadyAppliedError, NotFoundError, ValidationError } from '../errors.js';
import type {
  Clock,
  EntityRepository,
  IdempotencyStore,
  IdGenerator,
  MutationRecord,
  Page,
  RequestContext,
} from '../ports.js';
import { hashOf } from '../shared/hash.js';

export interface EntityDeps {
  entities: EntityRepository;
  clock: Clock;
  ids: IdGenerator;
  /** Needed only by callers passing an idempotency key (workflow tools). */
  idempotency?: IdempotencyStore;
}

/** Creates an entity; audits `entity.create` and emits `entity.created` in the same write. */
export async function createEntity(input: CreateEntityRequest, ctx: RequestContext, deps: EntityDeps): Promise<Entity> {
  requirePermission(ctx.principal, 'entities:write');
  const at = deps.clock.now().toISOString();
  const entity: Entity = {
    id: deps.ids.newId(),
    type: input.type,
    attributes: input.attributes,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  await deps.entities.create(ctx.principal.tenantId, entity, {
    audit: {
      action: 'entity.create',
      ...auditActorOf(ctx),
      resourceType: 'entity',
      resourceId: entity.id,
      at,
      requestId: ctx.requestId,
      beforeHash: null,
      afterHash: hashOf(entity),
    },
    events: [{ name: 'entity.created', payload: { entity, actor: ctx.principal.userId } }],
  });
  return entity;
}

/** Returns the tenant's entity or throws NotFoundError (also for another tenant's id). */
export async function getEntity(id: string, ctx: RequestContext, deps: Pick<EntityDeps, 'entities'>): Promise<Entity> {
  requirePermission(ctx.principal, 'entities:read');
  const entity = await deps.entities.get(ctx.principal.tenantId, id);
  if (!entity) throw new NotFoundError(`entity ${id} not found`);
  return entity;
}

export async function listEntities(
  query: { type?: EntityType; limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<EntityDeps, 'entities'>,
): Promise<Page<Entity>> {
  requirePermission(ctx.principal, 'entities:read');
  return deps.entities.list(ctx.principal.tenantId, query);
}

/**
 * Applies a JSON merge patch to the attributes (null removes) if `version` is the stored one.
 * A stale version throws ConflictError from the repository; nothing is written.
 */
export async function updateEntity(
  id: string,
  input: UpdateEntityRequest,
  ctx: RequestContext,
  deps: Omit<EntityDeps, 'ids'>,
): Promise<Entity> {
  return (await patchEntity(id, input, ctx, deps)).entity;
}

/** Largest entity (attributes included) a patch may produce: events carrying it stay well under EventBridge's 256 KB. */
export const MAX_ENTITY_BYTES = 128 * 1024;

/**
 * updateEntity for callers that must be able to undo it (workflow steps): returns the entity before the
 * patch as well. With an idempotency key the patch happens at most once, and a repeated call returns the
 * same `{ entity, previous }` as the first (kept in the idempotency marker), not the state it finds now.
 */
export async function patchEntity(
  id: string,
  input: UpdateEntityRequest,
  ctx: RequestContext,
  deps: Omit<EntityDeps, 'ids'>,
  options: { idempotencyKey?: string } = {},
): Promise<{ entity: Entity; previous: Entity }> {
  requirePermission(ctx.principal, 'entities:write');
  const effectKey = options.idempotencyKey;
  const alreadyApplied = async (): Promise<{ entity: Entity; previous: Entity } | undefined> => {
    const prior = effectKey ? await deps.idempotency?.find(ctx.principal.tenantId, effectKey) : undefined;
    return prior ? (prior.result as { entity: Entity; previous: Entity }) : undefined;
  };
  // A retried caller (a workflow step) gets the result of the update that already happened.
  const earlier = await alreadyApplied();
  if (earlier) return earlier;

  const current = await deps.entities.get(ctx.principal.tenantId, id);
  if (!current) throw new NotFoundError(`entity ${id} not found`);
  if (current.version !== input.version) {
    throw new ConflictError(`entity ${id} is at version ${current.version}, not ${input.version}`);
  }
  const attributes: Record<string, unknown> = { ...current.attributes };
  const changed: string[] = [];
  for (const [name, value] of Object.entries(input.attributes)) {
    if (value === null) {
      if (name in attributes) {
        delete attributes[name];
        changed.push(name);
      }
    } else if (hashOf(attributes[name] ?? null) !== hashOf(value)) {
      attributes[name] = value;
      changed.push(name);
    }
  }
  const at = deps.clock.now().toISOString();
  const next: Entity = { ...current, attributes, version: input.version + 1, updatedAt: at };
  if (Buffer.byteLength(JSON.stringify(next)) > MAX_ENTITY_BYTES) {
    throw new ValidationError(`the patched entity would exceed ${MAX_ENTITY_BYTES} bytes`, {
      details: [{ field: 'attributes', message: 'entity too large' }],
    });
  }
  const mutation: MutationRecord = {
    ...(effectKey ? { idempotency: { key: effectKey, result: { entity: next, previous: current } } } : {}),
    audit: {
      action: 'entity.update',
      ...auditActorOf(ctx),
      resourceType: 'entity',
      resourceId: id,
      at,
      requestId: ctx.requestId,
      beforeHash: hashOf(current),
      afterHash: hashOf(next),
    },
    events: [
      {
        name: 'entity.updated',
        payload: { entity: next, previousVersion: input.version, changed: changed.sort(), actor: ctx.principal.userId },
      },
    ],
  };
  try {
    await deps.entities.update(ctx.principal.tenantId, next, input.version, mutation);
  } catch (error) {
    const result = error instanceof EffectAlreadyAppliedError ? await alreadyApplied() : undefined;
    if (result) return result;
    throw error;
  }
  return { entity: next, previous: current };
}
