import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { AesSecretBox } from '../adapters/crypto/aes-secret-box.js';
import { secretsClient } from './aws-clients.js';
import { config } from './config.js';

let key: Promise<Buffer> | undefined;

/**
 * The HMAC key of approval callback credentials: a Secrets Manager secret in AWS (read once per
 * container), an env var locally. The key is the secret's text as UTF-8 bytes in both runtimes.
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
