import type { Entity, EntityType } from '../../schemas/entity.js';
import type { AuditRecord } from '../../schemas/audit.js';
import type { DomainEvent } from '../../schemas/events.js';

/** Who is acting: taken only from the verified token, never from the request path, query or body. */
export interface Principal {
  tenantId: string;
  userId: string;
  roles: readonly string[];
  /** The token's `exp` (epoch seconds), where the principal came from a token. */
  expiresAt?: number;
}

/** Per-request context every use case receives. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  /**
   * Set when a system acts for the principal (a workflow run's tool): the principal's roles still decide
   * what is allowed, and the audit records the system and run beside the principal.
   */
  via?: { actor: string; runId: string };
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * What a mutation leaves behind besides its item: one audit entry and the events it emits.
 * Adapters write all of it in one transaction (transactional outbox), so none is lost or orphaned.
 */
export interface MutationRecord {
  audit: AuditEntry;
  events: DomainEvent[];
  /**
   * Makes the mutation happen at most once per key: a marker holding `result` is written in the same
   * transaction, and a second mutation with the key throws EffectAlreadyAppliedError instead.
   */
  idempotency?: { key: string; result: unknown };
}

/** Results of idempotent mutations (see MutationRecord.idempotency). */
export interface IdempotencyStore {
  find(tenantId: string, key: string): Promise<{ result: unknown } | undefined>;
}

export interface AuditEntry {
  action: string;
  actor: string;
  resourceType: string;
  resourceId: string;
  at: string;
  requestId: string;
  /** SHA-256 of the canonical JSON of the resource before/after; null where it did not exist. */
  beforeHash: string | null;
  afterHash: string | null;
  /** The system that acted for `actor` (e.g. `system:workflow-engine`); absent when the actor acted directly. */
  via?: string;
  /** The workflow run the change was made in, with `via`. */
  runId?: string;
}

/** Entities of the unified graph. Every method is scoped to one tenant. */
export interface EntityRepository {
  /** Stores a new entity; throws ConflictError if the id exists. */
  create(tenantId: string, entity: Entity, mutation: MutationRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<Entity | undefined>;
  list(tenantId: string, query: { type?: EntityType; limit: number; cursor?: string }): Promise<Page<Entity>>;
  /** Replaces the entity if its stored version is `expectedVersion`; otherwise throws ConflictError. */
  update(tenantId: string, entity: Entity, expectedVersion: number, mutation: MutationRecord): Promise<void>;
}

/** Read side of the audit trail (writes happen inside each mutation's transaction). */
export interface AuditReader {
  list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<AuditRecord>>;
}

/**
 * Encrypts secrets at rest with a key specific to the tenant (webhook signing secrets). A sealed value
 * opened for another tenant fails.
 */
export interface SecretBox {
  seal(tenantId: string, plaintext: string): Promise<string>;
  open(tenantId: string, sealed: string): Promise<string>;
}
