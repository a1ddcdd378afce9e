import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { UnauthorizedError } from '../../domain/errors.js';
import type { SecretBox } from '../../domain/ports.js';

const VERSION = 'enc1';
const SALT = Buffer.from('modos:secret-box:v1');

/**
 * Secrets at rest: AES-256-GCM with a key derived per tenant (HKDF-SHA256 of the platform's master key,
 * with the tenant id as context), the tenant id also bound as associated data. A value sealed for one
 * tenant cannot be opened for another, and a changed byte fails authentication.
 * Format: `enc1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export class AesSecretBox implements SecretBox {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly masterKey: () => Promise<Buffer>) {}

  private async keyFor(tenantId: string): Promise<Buffer> {
    let key = this.keys.get(tenantId);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', await this.masterKey(), SALT, Buffer.from(`tenant:${tenantId}`), 32));
      this.keys.set(tenantId, key);
    }
    return key;
  }

  async seal(tenantId: string, plaintext: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.keyFor(tenantId), iv);
    cipher.setAAD(Buffer.from(tenantId));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ct]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  async open(tenantId: string, sealed: string): Promise<string> {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined)
      throw new UnauthorizedError('sealed secret is malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', await this.keyFor(tenantId), Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(tenantId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new UnauthorizedError('sealed secret does not open for this tenant', { cause: error });
    }
  }
}
