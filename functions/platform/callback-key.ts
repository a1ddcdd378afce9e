import { hkdfSync } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { AesSecretBox } from '../adapters/crypto/aes-secret-box.js';
import { secretsClient } from './aws-clients.js';
import { config } from './config.js';

let key: Promise<Buffer> | undefined;

/**
 * The platform key, the HMAC key of approval callback credentials: a Secrets Manager secret in AWS (read once per
 * container), an env var locally. Keys of other purposes are derived from it (secretBox, auditCursorKey). The key is the secret's text as UTF-8 bytes in both runtimes.
 */
export function callbackKey(): Promise<Buffer> {
  key ??= (async () => {
    const c = config();
    if (c.CALLBACK_KEY) return Buffer.from(c.CALLBACK_KEY, 'utf8');
    if (!c.CALLBACK_KEY_SECRET_ARN) throw new Error('CALLBACK_KEY or CALLBACK_KEY_SECRET_ARN must be set');
    const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: c.CALLBACK_KEY_SECRET_ARN }));
    if (!out.SecretString) throw new Error('callback key secret is empty');
    return Buffer.from(out.SecretString, 'utf8');
  })();
  return key;
}

let box: AesSecretBox | undefined;

/** Secrets at rest (webhook signing secrets), sealed with per-tenant keys derived from the same platform key. */
export function secretBox(): AesSecretBox {
  box ??= new AesSecretBox(callbackKey);
  return box;
}

let auditKey: Promise<Buffer> | undefined;

/**
 * The HMAC key of audit verification cursors (functions/domain/audit/verification-cursor.ts): derived from the same
 * platform key with HKDF-SHA256 in a context of its own, so a cursor's MAC can never be taken for a callback
 * credential's, or the reverse. Rotating the platform key invalidates outstanding cursors (a client verifies again).
 */
export function auditCursorKey(): Promise<Buffer> {
  auditKey ??= callbackKey().then((k) =>
    Buffer.from(
      hkdfSync('sha256', k, Buffer.from('modos:audit-cursor:v1'), Buffer.from('audit-verification-cursor'), 32),
    ),
  );
  return auditKey;
}
