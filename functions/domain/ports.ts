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
/** A page of the audit trail, newest first, optionally of one actor, action, resource type and resource id. */
export interface AuditQuery {
  limit: number;
  cursor?: string;
  actor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
}

/** A lane head: the sequence number and hash of the last record of an audit chain lane. */
export interface AuditLaneHead {
  seq: number;
  hash: string;
}

export interface AuditReader {
  /**
   * A page of the trail. With filters, a page reads at most AUDIT_FILTER_READ_LIMIT records (schemas/audit.ts): it
   * may then hold fewer than `limit` items, none even, and still carry a cursor to read on from.
   */
  list(tenantId: string, query: AuditQuery): Promise<Page<AuditRecord>>;
  /** Every lane head of the tenant, by lane, read strongly consistent. */
  laneHeads(tenantId: string): Promise<Map<number, AuditLaneHead>>;
  /**
   * The lane's records with `fromSeq <= seq <= throughSeq`, ascending, at most `limit` of them. Records that the
   * head already counts but the lane's index does not show yet are waited for briefly (the index is eventually
   * consistent); what is still not there is missing.
   */
  laneRecords(
    tenantId: string,
    lane: number,
    range: { fromSeq: number; throughSeq: number; limit: number },
  ): Promise<AuditRecord[]>;
}

/**
 * Encrypts secrets at rest with a key specific to the tenant (webhook signing secrets). A sealed value
 * opened for another tenant fails.
 */
export interface SecretBox {
  seal(tenantId: string, plaintext: string): Promise<string>;
  open(tenantId: string, sealed: string): Promise<string>;
}

/**
 * Bytes to store: all at once (bytes, or a string stored as UTF-8), or streamed (a web ReadableStream, or any
 * async iterable of byte chunks such as a Node Readable or an async generator). Streams are read once.
 */
export type BlobBody = Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface PutBlobOptions {
  /** Media type stored with the object (`application/json`, `application/x-ndjson`…). */
  contentType: string;
  /** Small ASCII key/value pairs stored with the object (ids, counts, hashes; never PII or secrets). */
  metadata?: Record<string, string>;
}

/** What a put stored. */
export interface StoredBlob {
  /** The key as given, relative to the tenant and the store's area. */
  key: string;
  size: number;
  /** Lower-case hex SHA-256 of the stored bytes. */
  sha256: string;
  etag?: string;
}

/** What is known of a stored object without reading its body. */
export interface BlobInfo {
  key: string;
  size: number;
  contentType: string;
  metadata: Record<string, string>;
  etag?: string;
  lastModified?: Date;
  /**
   * Hex SHA-256 of the whole object, where the store keeps one (objects written in one request). Objects
   * written in parts carry a checksum of their parts' checksums instead, which `get` verifies all the same.
   */
  sha256?: string;
}

/** A stored object being read. */
export interface BlobObject extends BlobInfo {
  /**
   * The body, verified while it streams: if the bytes do not match the checksum stored at write time, the
   * stream errors with BlobIntegrityError instead of ending, so a reader never takes a corrupted object for a
   * complete one. Read it to the end or cancel it (it holds a connection).
   */
  body: ReadableStream<Uint8Array>;
  /** Reads the whole (verified) body. */
  bytes(): Promise<Uint8Array>;
  /** Reads the whole (verified) body as UTF-8. */
  text(): Promise<string>;
}

export interface BlobListing {
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
}

/**
 * Objects of one area of the platform bucket (raw sync pages, agent outputs…), each method scoped to one
 * tenant: the store builds every object key from the tenant id and the area, so a tenant's call can only
 * name that tenant's objects. Keys are relative paths (`salesforce/Account/run-1/page-0001.json`): segments
 * of A-Z, a-z, 0-9, `.`, `_`, `-`; invalid tenant ids, keys and options throw ValidationError.
 */
export interface BlobStore {
  /** Stores (or replaces) an object; large streamed bodies are uploaded in parts, never held whole in memory. */
  put(tenantId: string, key: string, body: BlobBody, options: PutBlobOptions): Promise<StoredBlob>;
  /** Opens an object for reading; throws NotFoundError if there is none. */
  get(tenantId: string, key: string): Promise<BlobObject>;
  /** The object's size, type and metadata, or undefined if there is none. */
  head(tenantId: string, key: string): Promise<BlobInfo | undefined>;
  /** Removes an object; removing one that does not exist is not an error. */
  delete(tenantId: string, key: string): Promise<void>;
  /**
   * Objects whose key starts with `prefix` (a key prefix such as `salesforce/` or `salesforce/Acc`; empty for
   * the whole area), in key order, at most `limit` (1–1000, default 100) per page.
   */
  list(tenantId: string, query?: { prefix?: string; limit?: number; cursor?: string }): Promise<Page<BlobListing>>;
}
