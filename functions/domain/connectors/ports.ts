/**
 * Ports of the connected data spine: a vendor API as the sync engine sees it (pages of one object), the tokens a
 * client needs, and the normalisers' output. Adapters live in functions/adapters/connectors/<system>/.
 */
import type { EntityType } from '../../../schemas/entity.js';
import type { ConnectorSystem } from './registry.js';

/** Where a client is in one pass over an object: opaque to the engine, JSON-serialisable, stored per page. */
export type PagePosition = string;

export interface PageRequest {
  /** The registry's object name. */
  object: string;
  /** null: the first page of the pass. */
  position: PagePosition | null;
  /** Incremental pass: only records modified at or after this ISO instant. null: a full pass. */
  since: string | null;
  /** Records per page the engine asks for (clamped to the vendor's maximum by the client). */
  pageSize: number;
}

/** How much waiting and retrying one call needed (counted into the run). */
export interface CallStats {
  /** Requests the vendor refused for rate (429, 403 REQUEST_LIMIT_EXCEEDED) and that were waited out. */
  rateLimitWaits: number;
  /** Retries after 5xx, timeouts and network errors. */
  retries: number;
  /** Milliseconds spent waiting before retries. */
  waitedMs: number;
  /** Access tokens refreshed during the call (expired token). */
  tokenRefreshes: number;
}

export interface SourcePage {
  /** The records of the page, as the vendor sent them (JSON-parsed; the normaliser validates each). */
  records: unknown[];
  /** The response body as received (kept in the object store for replay and audit). */
  body: string;
  /** Where the next page starts; null when this was the last page of the pass. */
  next: PagePosition | null;
  /** How many records the vendor says this pass holds, if it says (Salesforce totalSize, HubSpot total, Workday total). */
  total: number | null;
  /** What the vendor said of its quota, when it said (Salesforce api-usage, HubSpot X-HubSpot-RateLimit-*). */
  quota?: { used?: number; limit?: number; remaining?: number };
  stats: CallStats;
}

export interface DeletedRequest {
  object: string;
  /** ISO instants: deletions in [since, until). */
  since: string;
  until: string;
  position: PagePosition | null;
}

export interface DeletedPage {
  /** Vendor ids of records deleted (or archived) in the window. */
  ids: string[];
  body: string;
  next: PagePosition | null;
  /**
   * Salesforce: the earliest instant the vendor still reports deletions for. If it is after `since`, deletions
   * were lost and the engine must run a full pass instead.
   */
  earliestAvailable?: string;
  stats: CallStats;
}

/** A vendor API for one configured connector. Implementations retry, back off, refresh tokens and limit rate. */
export interface SourceClient {
  readonly system: ConnectorSystem;
  readPage(request: PageRequest): Promise<SourcePage>;
  /** Deletions the vendor reports (getDeleted, archived). Absent for systems without a feed (Workday). */
  readDeleted?(request: DeletedRequest): Promise<DeletedPage>;
}

/** An OAuth access token as the token store keeps it (sealed at rest). */
export interface AccessToken {
  accessToken: string;
  /** Epoch ms after which it must not be used (refresh first); null when the vendor does not say. */
  expiresAt: number | null;
  /** Salesforce returns the instance URL to call with the token. */
  instanceUrl?: string;
}

/**
 * Access tokens of one connector, shared by every sync of it. `get` returns the stored token or obtains one;
 * `refresh` replaces a token the vendor rejected. At most one refresh per connector runs at a time across
 * processes (a lease in the table); others wait for its result instead of refreshing too (refresh storms).
 */
export interface TokenProvider {
  get(): Promise<AccessToken>;
  /** `rejected` is the token the vendor refused: if the stored one is already newer, that one is returned. */
  refresh(rejected: string): Promise<AccessToken>;
}

/** A reference to a canonical entity by the source record it comes from. */
export interface EntityRef {
  /**
   * The namespace of the source id (usually the object name; Workday's REST and report objects share `worker`, so
   * the same worker read either way is the same entity).
   */
  namespace: string;
  sourceId: string;
  /** Which of the record's entities (a Workday worker yields a `person` and an `employee`). */
  role: EntityType;
}

export const RELATION_KINDS = ['works-at', 'owns-deal', 'deal-with', 'reports-to', 'employed-as'] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

export interface NormalisedEntity {
  ref: EntityRef;
  type: EntityType;
  /** Canonical attributes (names per docs/connectors.md), values already normalised; absent values are left out. */
  attributes: Record<string, unknown>;
}

export interface NormalisedRelation {
  kind: RelationKind;
  from: EntityRef;
  to: EntityRef;
}

/** One source record, normalised. */
export interface NormalisedRecord {
  /** The vendor's id of the record. */
  sourceId: string;
  /** The record's modification instant (ISO 8601, UTC), if the object has one. */
  modifiedAt: string | null;
  /** The vendor marks it deleted / archived / terminated-and-removed. */
  deleted: boolean;
  entities: NormalisedEntity[];
  relations: NormalisedRelation[];
}

/**
 * Maps one raw record of `object` to canonical entities and relations. Throws MalformedPageError (with the
 * field path) when the record does not match the vendor's schema; the engine then fails the whole page.
 */
export type Normaliser = (object: string, raw: unknown) => NormalisedRecord;
