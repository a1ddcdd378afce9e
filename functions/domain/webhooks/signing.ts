/**
 * Standard Webhooks (v1, symmetric) signing and verification.
 *
 * Spec: https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * - secret: `whsec_` + base64 of 24–64 random bytes (192–512 bits);
 * - signed content: `${webhook-id}.${webhook-timestamp}.${body}` with HMAC-SHA256;
 * - `webhook-signature`: space-separated `v1,<base64>` entries, one per active secret (rotation);
 * - `webhook-timestamp`: integer seconds since the epoch, checked against a tolerance on receipt.
 *
 * Pure: only node:crypto, no clock reads unless the caller omits `now`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { InvalidWebhookSecretError, WebhookVerificationError } from './errors.js';
import { sameBytes } from '../shared/same-bytes.js';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** The three headers every delivery carries (lower-case, as HTTP/2 and node expose them). */
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * Message ids are the receiver's idempotency key and part of the signed content, so they must not
 * contain `.` (the spec's delimiter) nor anything that could break a header.
 */
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TIMESTAMP = /^\d{1,12}$/;
/** A receiver does not need more; bounds the work an attacker can cause with a huge header. */
const MAX_SIGNATURES_CHECKED = 16;

/** A new `whsec_` secret of `bytes` random bytes (default 32 = 256 bits). */
export function generateWebhookSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new InvalidWebhookSecretError(`secret length must be ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes`);
  }
  return WEBHOOK_SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * The key bytes of a `whsec_` secret. Refuses a missing prefix, anything but canonical padded
 * base64, and keys outside 24–64 bytes. The message never contains the secret.
 */
export function parseWebhookSecret(secret: string): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new InvalidWebhookSecretError(`webhook secret must start with ${WEBHOOK_SECRET_PREFIX}`);
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!STRICT_BASE64.test(encoded)) throw new InvalidWebhookSecretError('webhook secret is not canonical base64');
  const key = Buffer.from(encoded, 'base64');
  // Non-zero unused bits in the last character decode "successfully" in Node; the round trip catches them.
  if (key.toString('base64') !== encoded) throw new InvalidWebhookSecretError('webhook secret is not canonical base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new InvalidWebhookSecretError(
      `webhook secret must decode to ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes, got ${key.length}`,
    );
  }
  return key;
}

export function isValidWebhookSecret(secret: string): boolean {
  try {
    parseWebhookSecret(secret);
    return true;
  } catch {
    return false;
  }
}

/** `msg_` + 128 random bits, base64url (no `.`, header-safe). */
export function newWebhookMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

export function assertValidMessageId(id: string): void {
  if (typeof id !== 'string' || !MESSAGE_ID.test(id)) {
    throw new ValidationError('webhook id must be 1-128 characters of A-Z, a-z, 0-9, _ or -', {
      details: [{ field: 'id', message: 'invalid webhook id' }],
    });
  }
}

const toSeconds = (timestamp: Date): number => {
  const ms = timestamp.getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new ValidationError('webhook timestamp must be a valid date after 1970');
  return Math.floor(ms / 1000);
};

const hmac = (key: Buffer, id: string, seconds: number, body: string | Uint8Array): Buffer =>
  createHmac('sha256', key).update(`${id}.${seconds}.`).update(body).digest();

export interface SignWebhookInput {
  id: string;
  /** Time of this attempt (not of the event); every retry signs afresh. */
  timestamp: Date;
  /** The exact bytes sent: sign the serialized string, never an object re-serialized later. */
  body: string;
  /** Active `whsec_` secrets; several during rotation, each yields one `v1,` signature. */
  secrets: readonly string[];
}

/** The Standard Webhooks headers for one delivery attempt. Throws on an invalid id or secret. */
export function signWebhook(input: SignWebhookInput): WebhookHeaders {
  assertValidMessageId(input.id);
  if (input.secrets.length === 0) throw new InvalidWebhookSecretError('at least one webhook secret is required');
  const seconds = toSeconds(input.timestamp);
  const keys = [...new Set(input.secrets)].map(parseWebhookSecret);
  const signatures = keys.map((key) => `v1,${hmac(key, input.id, seconds, input.body).toString('base64')}`);
  return { 'webhook-id': input.id, 'webhook-timestamp': String(seconds), 'webhook-signature': signatures.join(' ') };
}

export type IncomingHeaders = Record<string, string | readonly string[] | undefined>;

export interface VerifyWebhookInput {
  /** The raw request body exactly as received. */
  body: string | Uint8Array;
  headers: IncomingHeaders;
  /** Secrets we accept (several while the sender rotates). */
  secrets: readonly string[];
  now?: Date;
  toleranceSeconds?: number;
}

export interface VerifiedWebhook {
  id: string;
  timestamp: Date;
}

function header(headers: IncomingHeaders, name: string): string | undefined {
  let found: string | readonly string[] | undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (found !== undefined) throw new WebhookVerificationError('malformed_headers', `duplicate ${name} header`);
    found = value;
  }
  if (found === undefined) return undefined;
  if (typeof found === 'string') return found;
  if (found.length > 1) throw new WebhookVerificationError('malformed_headers', `duplicate ${name} header`);
  return found[0];
}

/**
 * Verifies an inbound Standard Webhooks request. Order: headers present and well-formed, timestamp
 * within ±tolerance of `now` (replay protection), then a constant-time match of any `v1` signature
 * against any of our secrets. Returns the id (to deduplicate on) and the attempt time.
 * Throws WebhookVerificationError (401) or InvalidWebhookSecretError for a bad secret of ours.
 */
export function verifyWebhook(input: VerifyWebhookInput): VerifiedWebhook {
  const keys = input.secrets.map(parseWebhookSecret);
  if (keys.length === 0) throw new InvalidWebhookSecretError('at least one webhook secret is required');
  const id = header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'webhook-timestamp');
  const signatureHeader = header(input.headers, 'webhook-signature');
  if (!id || !timestamp || !signatureHeader)
    throw new WebhookVerificationError('missing_headers', 'missing webhook headers');
  if (!MESSAGE_ID.test(id)) throw new WebhookVerificationError('malformed_headers', 'malformed webhook-id');
  if (!TIMESTAMP.test(timestamp))
    throw new WebhookVerificationError('malformed_headers', 'malformed webhook-timestamp');

  const seconds = Number(timestamp);
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - seconds > tolerance) throw new WebhookVerificationError('timestamp_too_old', 'webhook timestamp too old');
  if (seconds - now > tolerance)
    throw new WebhookVerificationError('timestamp_too_new', 'webhook timestamp too far in the future');

  const expected = keys.map((key) => hmac(key, id, seconds, input.body));
  const candidates = signatureHeader.split(' ').filter(Boolean).slice(0, MAX_SIGNATURES_CHECKED);
  for (const candidate of candidates) {
    const comma = candidate.indexOf(',');
    if (comma < 0 || candidate.slice(0, comma) !== 'v1') continue; // v1a (ed25519) and future schemes: not ours
    const encoded = candidate.slice(comma + 1);
    if (!STRICT_BASE64.test(encoded)) continue;
    const given = Buffer.from(encoded, 'base64');
    for (const mac of expected) {
      if (sameBytes(given, mac)) return { id, timestamp: new Date(seconds * 1000) };
    }
  }
  throw new WebhookVerificationError('no_matching_signature', 'no matching webhook signature');
}
