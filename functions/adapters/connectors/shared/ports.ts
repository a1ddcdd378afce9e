/**
 * What the vendor clients need around them: the connector they serve, where the shared state of its circuit
 * breaker and tokens is kept (the table, functions/adapters/dynamodb/connector-state.ts), a rate limiter and a log.
 * These are the clients' own seams; the sync engine sees only the SourceClient and TokenProvider ports.
 */
import type { ConnectorSettings } from '../../../../schemas/connectors.js';
import type { ConnectorSystem } from '../../../domain/connectors/registry.js';

/** The part of a stored connector a client is built from. */
export interface ConnectorRef {
  id: string;
  system: ConnectorSystem;
  /** The vendor's API root (the fakes: `http://127.0.0.1:<port>/<system>`). */
  baseUrl: string;
  settings: ConnectorSettings;
}

/** One HTTP answer as received: status, lower-cased headers, body text. */
export interface RawResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: string;
}

/**
 * A log line sink. Fields are ids, sizes, statuses, durations and vendor error codes only: never record values,
 * tokens, credentials or vendor messages that could quote them.
 */
export type ConnectorLog = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, string | number | boolean | null>,
) => void;

export const silentLog: ConnectorLog = () => {};

/** Waits `ms` milliseconds (injectable so tests record waits instead of sleeping). */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Client-side request rate of one connector (in-process). */
export interface RateLimiter {
  /** Resolves when one more request may be sent; returns the milliseconds it waited. */
  take(): Promise<number>;
}

// --- circuit breaker -------------------------------------------------------------------------------------------

export type BreakerMode = 'closed' | 'open' | 'half_open';

/** The breaker of one connector as stored (shared by every process that calls the vendor). */
export interface BreakerState {
  mode: BreakerMode;
  /** Failed calls in a row while closed. */
  consecutiveFailures: number;
  /** Epoch ms the breaker last opened, and until when it stays open. */
  openedAt: number | null;
  openUntil: number | null;
  /** Half-open: the one process allowed a trial call, and until when its claim holds (a crashed trial expires). */
  trialHolder: string | null;
  trialUntil: number | null;
  /** The last failure that counted (error name and vendor code, never a message). */
  lastFailure: string | null;
  /** Optimistic lock: every write is conditional on the version read. */
  version: number;
}

export interface BreakerStore {
  read(): Promise<BreakerState | undefined>;
  /**
   * Writes `next` if the stored version is still `expectedVersion` (null: no item yet). Returns false when another
   * process wrote first (the caller re-reads and decides again).
   */
  write(next: BreakerState, expectedVersion: number | null): Promise<boolean>;
}

/** How a call ended, for the breaker: a vendor failure counts, an answer (even a refusal) proves it is up. */
export type CallOutcome = 'success' | 'failure' | 'neutral';

export interface BreakerPermit {
  /** This call is the half-open trial. */
  trial: boolean;
}

/** A circuit breaker per connector. */
export interface CircuitBreaker {
  /** Throws CircuitOpenError (retryAfterSeconds) while open, or while another process runs the half-open trial. */
  acquire(): Promise<BreakerPermit>;
  /** Records how the call that `acquire` allowed ended. */
  release(permit: BreakerPermit, outcome: CallOutcome, failure?: string): Promise<void>;
}

// --- tokens ----------------------------------------------------------------------------------------------------

/** The access token of one connector as stored: secrets sealed with the tenant's key. */
export interface TokenState {
  sealedAccessToken: string | null;
  /** Epoch ms; null when the vendor does not say (Salesforce sessions end by inactivity). */
  expiresAt: number | null;
  instanceUrl: string | null;
  /** A refresh token the vendor rotated to (sealed); used instead of the configured one while `credentialsHash` matches. */
  sealedRefreshToken: string | null;
  /** SHA-256 of the credentials the token was obtained with: a changed configuration invalidates it. */
  credentialsHash: string | null;
  obtainedAt: number | null;
  /** The refresh lease: one refresh per connector at a time across processes. */
  leaseHolder: string | null;
  leaseUntil: number | null;
  /** Failed refreshes in a row, and until when no process may try again (refresh backoff). */
  refreshFailures: number;
  refreshBlockedUntil: number | null;
  /** Why the last refresh failed: the vendor's code and a message without secrets, for the next callers' error. */
  lastRefreshError: { code: string; message: string; retryable: boolean } | null;
  version: number;
}

export interface ObtainedToken {
  sealedAccessToken: string;
  expiresAt: number | null;
  instanceUrl: string | null;
  /** The refresh token to keep (sealed): the vendor's rotated one, the one already stored, or null for none. */
  sealedRefreshToken: string | null;
  credentialsHash: string;
  obtainedAt: number;
}

export interface TokenStore {
  read(): Promise<TokenState | undefined>;
  /**
   * Takes the refresh lease until `untilMs` if no one holds it (or its holder's lease ran out) and the item is still
   * at `expectedVersion` (null: no item yet), so a process that read the token before another one replaced it
   * cannot refresh it again (conditional write).
   */
  acquireLease(holder: string, nowMs: number, untilMs: number, expectedVersion: number | null): Promise<boolean>;
  /** Stores the new token, clears the refresh backoff and releases the lease, if `holder` still holds it. */
  storeToken(holder: string, token: ObtainedToken): Promise<boolean>;
  /** Records a failed refresh (backoff until `blockedUntil`) and releases the lease, if `holder` still holds it. */
  recordFailure(
    holder: string,
    failure: { failures: number; blockedUntil: number; error: NonNullable<TokenState['lastRefreshError']> },
  ): Promise<void>;
}
