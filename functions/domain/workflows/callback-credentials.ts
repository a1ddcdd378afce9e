import { createHmac } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';
import { sameBytes } from '../shared/same-bytes.js';

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
  const body = Buffer.from(
    JSON.stringify({ t: claims.tenantId, a: claims.approvalId, d: claims.decision, n: claims.nonce, e: claims.exp }),
  ).toString('base64url');
  return `${PREFIX}.${body}.${mac(key, `${PREFIX}.${body}`)}`;
}

const malformed = () =>
  new UnauthorizedError('malformed callback credential', { reason: 'callback_credential_invalid' });

/**
 * Verifies shape, signature and expiry; throws UnauthorizedError naming the reason. Exactly three
 * segments: a credential with more is refused (never read as its first three), whatever follows.
 */
export function verifyCallbackCredential(credential: string, key: Buffer, nowSeconds: number): CallbackClaims {
  const segments = credential.split('.');
  if (segments.length !== 3) throw malformed();
  const [prefix, body, signature] = segments as [string, string, string];
  if (prefix !== PREFIX || !body || !signature) throw malformed();
  const expected = Buffer.from(mac(key, `${prefix}.${body}`));
  const given = Buffer.from(signature);
  if (!sameBytes(expected, given)) {
    throw new UnauthorizedError('callback credential signature invalid', { reason: 'callback_credential_invalid' });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformed();
  const { t, a, d, n, e } = raw as { t?: unknown; a?: unknown; d?: unknown; n?: unknown; e?: unknown };
  if (
    typeof t !== 'string' ||
    typeof a !== 'string' ||
    (d !== 'approve' && d !== 'reject') ||
    typeof n !== 'string' ||
    typeof e !== 'number'
  ) {
    throw malformed();
  }
  if (e <= nowSeconds)
    throw new UnauthorizedError('callback credential expired', { reason: 'callback_credential_expired' });
  return { tenantId: t, approvalId: a, decision: d, nonce: n, exp: e };
}
