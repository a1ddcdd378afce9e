/**
 * Persistence ports of connectors (the configured connections). Every method is scoped to one tenant.
 * Sync runs, cursors and source records are in sync/store.ts.
 */
import type { ConnectorSettings, ConnectorSystem } from '../../../schemas/connectors.js';
import type { MutationRecord, Page } from '../ports.js';
import type { AuthKind } from './registry.js';

/** A connector as stored: credentials only sealed (SecretBox, the tenant's key). */
export interface ConnectorRecord {
  id: string;
  system: ConnectorSystem;
  name: string;
  baseUrl: string;
  credentialsKind: AuthKind;
  /** SecretBox.seal(tenantId, JSON of ConnectorCredentials). */
  sealedCredentials: string;
  settings: ConnectorSettings;
  schedule: string | null;
  enabled: boolean;
  /** The run holding the connector's sync lock, if any (one sync of a connector at a time). */
  activeRunId: string | null;
  lastRun: { runId: string; status: string; finishedAt: string | null } | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectorStore {
  /** Stores a new connector; ConflictError if the id exists. */
  create(tenantId: string, connector: ConnectorRecord, mutation: MutationRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<ConnectorRecord | undefined>;
  list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<ConnectorRecord>>;
  /** Replaces it if the stored version is `expectedVersion`, else ConflictError. */
  update(
    tenantId: string,
    connector: ConnectorRecord,
    expectedVersion: number,
    mutation: MutationRecord,
    /**
     * `resetSession`: the connection changed (credentials, base URL, settings): the stored access token and the circuit
     * breaker go in the same transaction, so the next call authenticates afresh against what is configured now (and a
     * refresh pause from the old credentials does not hold back the new ones).
     */
    options?: { resetSession?: boolean },
  ): Promise<void>;
  /**
   * Deletes the connector, its token, breaker and cursors if the stored version is `expectedVersion` and no sync
   * holds it (else ConflictError). Entities and their source records stay (history).
   */
  delete(tenantId: string, id: string, expectedVersion: number, mutation: MutationRecord): Promise<void>;
}

/**
 * The schedule of each connector's syncs: EventBridge Scheduler in AWS (one schedule per connector, in the
 * stage's group, targeting the ScheduledSync function), the local scheduler emulator on the local platform.
 */
export interface SyncScheduler {
  /** Creates or replaces the connector's schedule; `null` removes it (no error if there was none). */
  put(tenantId: string, connectorId: string, expression: string | null): Promise<void>;
}
