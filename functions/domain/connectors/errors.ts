/**
 * Errors of connectors. Names are API (Step Functions Retry/Catch in statemachines/connector-sync.asl.json match
 * them; a test ties the ASL to CONNECTOR_ERROR_NAMES), so each sets a literal name.
 */
import { DomainError } from '../errors.js';

export const CONNECTOR_ERROR_NAMES = {
  Connector: 'ConnectorError',
  MalformedPage: 'MalformedPageError',
  SourceRateLimited: 'SourceRateLimitedError',
  CircuitOpen: 'CircuitOpenError',
  CursorExpired: 'CursorExpiredError',
} as const;

export interface ConnectorErrorOptions {
  cause?: unknown;
  /** The vendor's own error code (`REQUEST_LIMIT_EXCEEDED`, `INVALID_SESSION_ID`, `RATE_LIMIT`…), if it gave one. */
  vendorCode?: string;
  /** HTTP status of the vendor's answer, if there was one. */
  httpStatus?: number;
  /** Whether trying again later can succeed (5xx, 429, timeouts) or not (bad credentials, 400). */
  retryable?: boolean;
}

/**
 * The vendor refused or failed, and retrying within this call will not help (given up after the retries, bad
 * credentials, a 4xx). Its message quotes the vendor's message, never a credential. API code CONNECTOR_ERROR.
 */
export class ConnectorError extends DomainError {
  override readonly name = CONNECTOR_ERROR_NAMES.Connector as string;
  readonly code = 'CONNECTOR_ERROR' as const;
  readonly status = 502;
  readonly vendorCode?: string;
  readonly httpStatus?: number;
  readonly retryable: boolean;
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.vendorCode = options.vendorCode;
    this.httpStatus = options.httpStatus;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * A vendor page that is not what its API promises (missing or mistyped fields, truncated JSON, an HTML page or an
 * error body with status 200, a next-page link that loops). Nothing of the page is committed and the cursor stays.
 */
export class MalformedPageError extends ConnectorError {
  override readonly name = CONNECTOR_ERROR_NAMES.MalformedPage;
}

/** The vendor asked us to wait longer than one task should sleep: the state machine waits `retryAfterSeconds`. */
export class SourceRateLimitedError extends ConnectorError {
  override readonly name = CONNECTOR_ERROR_NAMES.SourceRateLimited;
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options: ConnectorErrorOptions = {}) {
    super(message, { retryable: true, ...options });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The connector's circuit breaker is open (too many consecutive failures): no call is made until it half-opens. */
export class CircuitOpenError extends ConnectorError {
  override readonly name = CONNECTOR_ERROR_NAMES.CircuitOpen;
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { retryable: true });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A server-side paging cursor the vendor no longer honours (Salesforce query locators expire): restart the pass. */
export class CursorExpiredError extends ConnectorError {
  override readonly name = CONNECTOR_ERROR_NAMES.CursorExpired;
}
