import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signCallbackCredential,
  verifyCallbackCredential,
} from '../../../functions/domain/workflows/callback-credentials.js';
import { UnauthorizedError } from '../../../functions/domain/errors.js';

const key = randomBytes(48);
const claims = {
  tenantId: 'acme',
  approvalId: 'apr_abcdef123',
  decision: 'approve' as const,
  nonce: 'n1',
  exp: 2_000_000_000,
};

describe('callback credentials', () => {
  it('round-trips its claims', () => {
    expect(verifyCallbackCredential(signCallbackCredential(claims, key), key, 1_900_000_000)).toEqual(claims);
  });

  it('refuses an expired credential', () => {
    expect(() => verifyCallbackCredential(signCallbackCredential(claims, key), key, 2_000_000_000)).toThrow(/expired/);
  });

  it('refuses a credential signed with another key', () => {
    expect(() => verifyCallbackCredential(signCallbackCredential(claims, randomBytes(48)), key, 1)).toThrow(
      UnauthorizedError,
    );
  });

  it('refuses a credential whose claims were edited (e.g. another tenant)', () => {
    const [p, , s] = signCallbackCredential(claims, key).split('.');
    const forged = Buffer.from(
      JSON.stringify({ t: 'globex', a: claims.approvalId, d: 'approve', n: 'n1', e: claims.exp }),
    ).toString('base64url');
    expect(() => verifyCallbackCredential(`${p}.${forged}.${s}`, key, 1)).toThrow(/signature/);
  });

  it.each(['', 'cb1', 'cb1..', 'xx1.e30.abc', 'cb1.bm90LWpzb24.sig'])('refuses the malformed credential %j', (c) => {
    expect(() => verifyCallbackCredential(c, key, 1)).toThrow(UnauthorizedError);
  });

  it.each([
    ['an empty segment', (c: string) => `${c}.`],
    ['a fourth segment', (c: string) => `${c}.extra`],
    ['its signature again', (c: string) => `${c}.${c.split('.')[2]}`],
    ['a whole second credential', (c: string) => `${c}.${c}`],
  ])('refuses a validly signed credential followed by %s', (_, extend) => {
    const valid = signCallbackCredential(claims, key);
    expect(() => verifyCallbackCredential(valid, key, 1)).not.toThrow();
    expect(() => verifyCallbackCredential(extend(valid), key, 1)).toThrow(/malformed/);
  });

  it.each(['null', '[]', '"cb1"', '7'])('refuses a signed body that is %s instead of an object', (json) => {
    const body = Buffer.from(json).toString('base64url');
    const signature = createHmac('sha256', key).update(`cb1.${body}`).digest('base64url');
    expect(() => verifyCallbackCredential(`cb1.${body}.${signature}`, key, 1)).toThrow(UnauthorizedError);
  });
});
