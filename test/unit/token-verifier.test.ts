import { beforeAll, describe, expect, it } from 'vitest';
import { createSign, KeyObject } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { bearerToken, createTokenVerifier, type TokenVerifier } from '../../functions/adapters/jose/token-verifier.js';
import { RESERVED_ACTOR_PREFIXES, SYSTEM_ACTORS } from '../../functions/domain/auth/actors.js';
import { UnauthorizedError } from '../../functions/domain/errors.js';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'modos-api';

let signingKey: CryptoKey;
let otherKey: CryptoKey;
let verify: TokenVerifier;

async function aToken(
  opts: {
    claims?: Record<string, unknown>;
    sub?: string;
    key?: CryptoKey;
    aud?: string;
    iss?: string;
    exp?: number;
    nbf?: number;
  } = {},
) {
  const jwt = new SignJWT({ tenant_id: 'acme', roles: ['admin'], ...opts.claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject(opts.sub ?? 'user-1')
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600);
  if (opts.nbf) jwt.setNotBefore(opts.nbf);
  return jwt.sign(opts.key ?? signingKey);
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/**
 * A token signed over the given JSON texts exactly as written: a validly signed token whose JSON may
 * repeat a member, which SignJWT cannot produce. `{exp}` in the payload becomes a future expiry.
 */
function aRawToken(payload: string, header = '{"alg":"ES256","kid":"k1"}') {
  const exp = String(Math.floor(Date.now() / 1000) + 600);
  const signingInput = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload.replaceAll('{exp}', exp)).toString('base64url')}`;
  const signature = createSign('SHA256')
    .update(signingInput)
    .sign({ key: KeyObject.from(signingKey), dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

const claimsText = (extra: string) =>
  `{"sub":"user-1","tenant_id":"acme","roles":["admin"],"iss":"${ISSUER}","aud":"${AUDIENCE}","exp":{exp}${extra}}`;

beforeAll(async () => {
  const trustedPair = await generateKeyPair('ES256', { extractable: true });
  signingKey = trustedPair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const trusted = { ...(await exportJWK(trustedPair.publicKey)), kid: 'k1', alg: 'ES256' };
  verify = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet({ keys: [trusted] }) });
});

describe('JWT verification', () => {
  it('accepts a valid token and returns tenant, subject and roles from its claims', async () => {
    await expect(verify(await aToken())).resolves.toEqual({
      tenantId: 'acme',
      userId: 'user-1',
      roles: ['admin'],
      expiresAt: expect.any(Number),
    });
  });

  it('refuses a token signed by another key', async () => {
    await expect(verify(await aToken({ key: otherKey }))).rejects.toThrow(/signature/);
  });

  it('refuses an expired token', async () => {
    await expect(verify(await aToken({ exp: Math.floor(Date.now() / 1000) - 120 }))).rejects.toThrow(/expired/);
  });

  it('refuses a token that is not valid yet', async () => {
    await expect(verify(await aToken({ nbf: Math.floor(Date.now() / 1000) + 600 }))).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it('refuses a token for another audience or issuer', async () => {
    await expect(verify(await aToken({ aud: 'other-api' }))).rejects.toThrow(/aud/);
    await expect(verify(await aToken({ iss: 'https://evil.test/' }))).rejects.toThrow(/iss/);
  });

  it('refuses an unsigned alg=none token carrying valid claims', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'u', tenant_id: 'acme', roles: ['admin'], iss: ISSUER, aud: AUDIENCE, exp: now + 60 })}.`;
    await expect(verify(token)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses an HS256 token (no algorithm confusion with a public key)', async () => {
    const secret = new TextEncoder().encode('x'.repeat(32));
    const token = await new SignJWT({ tenant_id: 'acme', roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('u')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(secret);
    await expect(verify(token)).rejects.toThrow(/algorithm/);
  });

  it('refuses a token whose tenant claim was altered after signing', async () => {
    const [h, , s] = (await aToken()).split('.');
    const now = Math.floor(Date.now() / 1000);
    const forged = `${h}.${b64url({ sub: 'user-1', tenant_id: 'globex', roles: ['admin'], iss: ISSUER, aud: AUDIENCE, exp: now + 60 })}.${s}`;
    await expect(verify(forged)).rejects.toThrow(/signature/);
  });

  it('refuses a token without a tenant claim or with an unknown role', async () => {
    await expect(verify(await aToken({ claims: { tenant_id: undefined } }))).rejects.toThrow(/tenant_id/);
    await expect(verify(await aToken({ claims: { roles: ['root'] } }))).rejects.toThrow(/roles/);
  });

  it('accepts a token signed over raw JSON text (the builder the refusals below use)', async () => {
    await expect(verify(aRawToken(claimsText('')))).resolves.toMatchObject({ tenantId: 'acme', userId: 'user-1' });
    await expect(verify(aRawToken(claimsText(''), '{"alg":"ES256","kid":"k1","typ":"JWT"}'))).resolves.toMatchObject({
      tenantId: 'acme',
    });
  });

  it.each([
    ['tenant_id twice (the last would win)', claimsText(',"tenant_id":"globex"')],
    ['sub twice', claimsText(',"sub":"user-2"')],
    ['roles twice', claimsText(',"roles":["admin","operator"]')],
    ['exp twice', claimsText(',"exp":9999999999')],
    ['a name repeated through an escape', claimsText(',"\\u0073ub":"user-2"')],
    ['a name repeated in a nested object', claimsText(',"ext":{"team":"a","team":"b"}')],
    ['a name repeated in an object inside an array', claimsText(',"ext":[{"k":1,"k":2}]')],
  ])('refuses a validly signed token whose payload repeats a member: %s', async (_, payload) => {
    const error = await verify(aRawToken(payload)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'duplicate_member' });
  });

  it('refuses a validly signed token whose protected header repeats a member', async () => {
    const error = await verify(aRawToken(claimsText(''), '{"alg":"ES256","kid":"k1","kid":"k1"}')).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: 'duplicate_member' });
  });

  it('accepts the same name in different objects', async () => {
    await expect(verify(aRawToken(claimsText(',"ext":{"sub":"x","tenant_id":"y"}')))).resolves.toMatchObject({
      tenantId: 'acme',
      userId: 'user-1',
    });
  });

  it.each([
    ...SYSTEM_ACTORS,
    'system:anything',
    'System:Workflow-Engine',
    'callback:apr_abcdef123',
    'trigger:webhook:trg_1',
    'Trigger:Signal:S1',
  ])('refuses a token whose subject is the reserved actor %j', async (sub) => {
    const error = await verify(await aToken({ sub })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'reserved_subject' });
  });

  it('keeps the reserved namespaces to system:, callback: and trigger:, so ordinary subjects still pass', async () => {
    expect(RESERVED_ACTOR_PREFIXES).toEqual(['system:', 'callback:', 'trigger:']);
    for (const sub of ['systems-admin', 'user:system:1', 'callbacks', 'triggers', 'user:trigger:1'])
      await expect(verify(await aToken({ sub }))).resolves.toMatchObject({ userId: sub });
  });

  it('extracts a bearer token and refuses other schemes', () => {
    expect(bearerToken('Bearer a.b.c')).toBe('a.b.c');
    expect(() => bearerToken('Basic abc')).toThrow(UnauthorizedError);
    expect(() => bearerToken(undefined)).toThrow(UnauthorizedError);
  });
});
