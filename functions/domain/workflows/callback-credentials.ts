import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';

/**
 * Callback credentials for the approve/reject URLs of an approval webhook. A credential is signed
 * (HMAC-SHA256 with the platform's callback key), names its tenant, approval and decision, expires
 * with the approval, and carries the approval's single-use nonce: the decision that consumes it
 * moves the approval out of `pending`, so a replay is refused. It is not the task token, which never
 * leaves the server.
 */
export interface CallbackClaims {
  tenantId: string;
  approvalId: string;
  decision: 'approve' | 'reject';
  nonce: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

const PREFIX = 'cb1';
const mac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest('base64url');

export function signCallbackCredential(claims: CallbackClaims, key: Buffer): string {
  const body = Buffer.from(JSON.stringify({ t: claims.tenantId, a: claims.approvalId, d: claims.decision, n: claims.nonce, e: claims.exp })).toString('base64url');
  return `${PREFIX}.${body}.${mac(key, `${PREFIX}.${body}`)}`;
}

/** Verifies signature and expiry; throws UnauthorizedError naming the reason. */
export function verifyCallbackCredential(credential: string, key: Buffer, nowSeconds: number): CallbackClaims {
  const [prefix, body, signature] = credential.split('.');
  if (prefix !== PREFIX || !body || !signature) throw new UnauthorizedError('malformed callback credential');
  const expected = Buffer.from(mac(key, `${prefix}.${body}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new UnauthorizedError('callback credential signature invalid');
  let raw: { t?: unknown; a?: unknown; d?: unknown; n?: unknown; e?: unknown };
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new UnauthorizedError('malformed callback credential');
  }
  if (typeof raw.t !== 'string' || typeof raw.a !== 'string' || (raw.d !== 'approve' && raw.d !== 'reject') || typeof raw.n !== 'string' || typeof raw.e !== 'number') {
    throw new UnauthorizedError('malformed callback credential');
  }
  if (raw.e <= nowSeconds) throw new UnauthorizedError('callback credential expired');
  return { tenantId: raw.t, approvalId: raw.a, decision: raw.d, nonce: raw.n, exp: raw.e };
}
