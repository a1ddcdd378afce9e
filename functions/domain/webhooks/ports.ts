import type { AddressClass, UrlRefusalReason } from './url-policy.js';

export interface WebhookSendRequest {
  /** Customer endpoint; checked against the URL policy before every delivery. */
  url: string;
  /** Active `whsec_` secrets of the endpoint; one signature per secret (rotation). */
  secrets: readonly string[];
  /** Dot-separated event type, e.g. `entity.merged`. */
  eventType: string;
  /** Becomes `data` in the body. Must be JSON-serializable. */
  payload: unknown;
  /**
   * `webhook-id`, the receiver's idempotency key. Pass a stable id derived from the event when the
   * caller itself may send the same event again (queue redelivery); default: a fresh `msg_…`.
   */
  id?: string;
  /** When the event happened (the body's `timestamp`); default: when `send` was called. */
  occurredAt?: Date;
}

/** Why the last attempt failed. `kind` is stable (store it); `message` is for humans and never holds the body. */
export type WebhookFailure =
  | { kind: 'refused'; reason: UrlRefusalReason; addressClass?: AddressClass; message: string }
  /** Non-2xx, non-3xx. `retryAfterMs` when the receiver sent a Retry-After we did not wait for. */
  | { kind: 'http_status'; status: number; retryAfterMs?: number; message: string }
  /** 3xx: never followed (Standard Webhooks: update the endpoint instead). */
  | { kind: 'redirect'; status: number; location?: string; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'network'; code?: string; message: string };

/**
 * Outcome of a delivery with its retries. Exhaustion is an expected outcome (the caller records
 * `notification_failed`), so it is a value, not an exception. `attempts` counts the attempts made:
 * 0 when the URL was refused before any, N when N were tried.
 */
export type WebhookDelivery =
  | { delivered: true; id: string; attempts: number; status: number }
  | { delivered: false; id: string; attempts: number; lastError: WebhookFailure };

/**
 * Sends a Standard Webhooks signed POST to a customer endpoint, with SSRF protection, a timeout
 * and bounded retries. Every attempt carries the same `webhook-id` and a fresh timestamp and
 * signature. Throws only for caller defects (invalid secret, id or event type).
 */
export interface WebhookSender {
  send(request: WebhookSendRequest): Promise<WebhookDelivery>;
}
