import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesSecretBox } from '../../functions/adapters/crypto/aes-secret-box.js';
import { UnauthorizedError } from '../../functions/domain/errors.js';

const master = randomBytes(48);
const box = new AesSecretBox(async () => master);

describe('secrets sealed with per-tenant keys', () => {
  it('opens what it sealed for the same tenant, and never shows the plaintext', async () => {
    const sealed = await box.seal('acme', 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LWZvci1hY21l');
    expect(sealed).toMatch(/^enc1\./);
    expect(sealed).not.toContain('whsec_');
    await expect(box.open('acme', sealed)).resolves.toBe('whsec_c2VjcmV0LXNpZ25pbmcta2V5LWZvci1hY21l');
  });

  it('seals the same secret differently each time (random IV)', async () => {
    expect(await box.seal('acme', 'x')).not.toBe(await box.seal('acme', 'x'));
  });

  it("refuses to open another tenant's sealed secret", async () => {
    const sealed = await box.seal('acme', 'secret');
    await expect(box.open('globex', sealed)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses a changed ciphertext and another master key', async () => {
    const sealed = await box.seal('acme', 'secret');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    await expect(
      box.open('acme', [...parts.slice(0, 3), flipped.toString('base64url')].join('.')),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(new AesSecretBox(async () => randomBytes(48)).open('acme', sealed)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await expect(box.open('acme', 'plain-text')).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
