/**
 * Page positions: opaque to the engine, JSON strings to the clients, each client's own shape checked with zod when
 * read back (a position from another client or an older shape fails loudly, it is never guessed at). Positions that
 * follow a vendor's paging link carry a short trail of fingerprints of the links already followed in the pass, so
 * a link that loops (back to the request's own position, or round a cycle) is caught instead of read forever.
 */
import { createHash } from 'node:crypto';
import type * as z from 'zod';
import { ConnectorError } from '../../../domain/connectors/errors.js';
import { malformed } from './page-envelope.js';

/** Fingerprints kept: cycles up to this length are caught (a vendor's loop is almost always of length 1 or 2). */
export const TRAIL_LENGTH = 16;

export function encodePosition(value: unknown): string {
  return JSON.stringify(value);
}

/** Reads a position this client wrote; ConnectorError (not retryable) if it is not one. */
export function decodePosition<T>(position: string, schema: z.ZodType<T>, vendor: string): T {
  let json: unknown;
  try {
    json = JSON.parse(position);
  } catch {
    throw badPosition(vendor);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badPosition(vendor);
  return parsed.data;
}

function badPosition(vendor: string): ConnectorError {
  return new ConnectorError(`not a ${vendor} page position`, { vendorCode: 'INVALID_POSITION', retryable: false });
}

export const fingerprint = (cursor: string): string => createHash('sha256').update(cursor).digest('hex').slice(0, 12);

/**
 * The trail after following `next` from `current` (null: the first page). Throws MalformedPageError when `next` is
 * the request's own cursor or one already followed in this pass.
 */
export function extendTrail(
  trail: readonly string[],
  current: string | null,
  next: string,
  vendor: string,
  what: string,
): string[] {
  if (current !== null && next === current) {
    throw malformed(`${vendor} ${what}: the next-page link repeats the request's own position`);
  }
  const extended = current === null ? [...trail] : [...trail, fingerprint(current)];
  if (extended.includes(fingerprint(next)))
    throw malformed(`${vendor} ${what}: the next-page link returns to an earlier page (cycle)`);
  return extended.slice(-TRAIL_LENGTH);
}
