import { createHmac } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { sameBytes } from '../shared/same-bytes.js';

/**
 * The cursor of an incomplete chain verification: `<body>.<mac>`, where body is base64url JSON
 * `{ "l": [[lane, lastSeq], …] }` (the last record verified of each incomplete lane) and mac is HMAC-SHA256 with the
 * platform's audit cursor key over the tenant id, the body and the stored hash of each of those records. A cursor is
 * the platform's statement "this tenant's lane L verified from its genesis through record S, whose hash was H": it
 * cannot be made by hand, used by another tenant, or continued from a record whose hash has changed since.
 */
export interface ResumePoint {
  lane: number;
  /** The last record of the lane the earlier call verified. */
  seq: number;
}

/** The lanes a verification can have (AUDIT_CHAIN_LANES is at most 256). */
const MAX_LANE = 255;
const MAC_CONTEXT = 'modos-audit-verification-cursor:v1';
/** A SHA-256 MAC in base64url, unpadded. */
const MAC_LENGTH = 43;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const invalidCursor = () =>
  new ValidationError(
    'cursor is not one this verification issued for the tenant, or a record it resumes from changed',
    {
      details: [{ field: 'cursor', message: 'invalid cursor' }],
    },
  );

/** The lanes' resume points with the hash of each point's record (what the walk verified it as), in lane order. */
export type ResumeAnchor = ResumePoint & { hash: string };

function macOf(key: Buffer, tenantId: string, body: string, anchors: readonly ResumeAnchor[]): Buffer {
  const mac = createHmac('sha256', key).update(`${MAC_CONTEXT}\n${tenantId}\n${body}`);
  for (const a of anchors) mac.update(`\n${a.lane}:${a.seq}:${a.hash}`);
  return mac.digest();
}

const bodyOf = (points: readonly ResumePoint[]) =>
  Buffer.from(JSON.stringify({ l: points.map((p) => [p.lane, p.seq]) }), 'utf8').toString('base64url');

/** Signs the resume points (ascending lanes) of the tenant's verification. */
export function encodeVerificationCursor(tenantId: string, anchors: readonly ResumeAnchor[], key: Buffer): string {
  const body = bodyOf(anchors);
  return `${body}.${macOf(key, tenantId, body, anchors).toString('base64url')}`;
}

/** A cursor read but not yet checked: its check needs the stored hash of each record it resumes from. */
export interface UncheckedCursor {
  body: string;
  mac: Buffer;
  /** Lane → the last record the earlier call verified, ascending lanes. */
  points: Map<number, number>;
}

/** Reads a cursor's shape (ValidationError on `cursor` if malformed); `checkVerificationCursor` authenticates it. */
export function parseVerificationCursor(cursor: string): UncheckedCursor {
  const [body, mac, ...rest] = cursor.split('.');
  if (rest.length || !body || !mac || !BASE64URL.test(body) || mac.length !== MAC_LENGTH || !BASE64URL.test(mac))
    throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(body, 'base64url')));
  } catch {
    throw invalidCursor();
  }
  const pairs = (parsed as { l?: unknown } | null)?.l;
  if (!Array.isArray(pairs) || pairs.length === 0 || Object.keys(parsed as object).length !== 1) throw invalidCursor();
  const points = new Map<number, number>();
  let previous = -1;
  for (const pair of pairs) {
    const [lane, seq] = Array.isArray(pair) && pair.length === 2 ? pair : [];
    // Ascending lanes, each once: the order the MAC was computed in.
    if (!Number.isSafeInteger(lane) || lane <= previous || lane > MAX_LANE) throw invalidCursor();
    if (!Number.isSafeInteger(seq) || seq < 1) throw invalidCursor();
    points.set(lane, seq);
    previous = lane;
  }
  return { body, mac: Buffer.from(mac, 'base64url'), points };
}

/**
 * Authenticates a cursor for the tenant against the records it resumes from as they are stored now (`hashes`: lane →
 * stored hash of the record at the lane's resume point, absent when that record is not there). Throws ValidationError
 * on `cursor` when the MAC does not match: a cursor not issued by the platform, issued for another tenant, or one
 * whose resume record was removed or rewritten with a new hash since it was verified.
 */
export function checkVerificationCursor(
  tenantId: string,
  cursor: UncheckedCursor,
  hashes: ReadonlyMap<number, string>,
  key: Buffer,
): void {
  const anchors: ResumeAnchor[] = [];
  for (const [lane, seq] of cursor.points) {
    const hash = hashes.get(lane);
    if (hash === undefined) throw invalidCursor();
    anchors.push({ lane, seq, hash });
  }
  const expected = macOf(key, tenantId, cursor.body, anchors);
  if (!sameBytes(expected, cursor.mac)) throw invalidCursor();
}
