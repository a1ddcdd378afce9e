import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Before the logger is built (it reads LOG_LEVEL once; the test runner sets ERROR).
vi.hoisted(() => {
  process.env.LOG_LEVEL = 'INFO';
});

import { createSign, KeyObject } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createTokenVerifier } from '../../functions/adapters/jose/token-verifier.js';
import { requirePermission } from '../../functions/domain/auth/authorize.js';
import { ConflictError, UnauthorizedError } from '../../functions/domain/errors.js';
import { makeHandler } from '../../functions/handlers/authorizer.js';
import { httpPublicRoute, httpRoute } from '../../functions/platform/http.js';
import { anApiEvent, aPrincipal } from '../support/builders.js';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'modos-api';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef/prod/GET/api/v1/entities/ent-1';

let signingKey: CryptoKey;
let authorize: ReturnType<typeof makeHandler>;

const aToken = (sub = 'user-1', exp = Math.floor(Date.now() / 1000) + 600) =>
  new SignJWT({ tenant_id: 'acme', roles: ['admin'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(exp)
    .sign(signingKey);

/** A validly signed token whose payload repeats `tenant_id`. */
function aTokenRepeatingTenant(): string {
  const payload = `{"sub":"user-1","tenant_id":"acme","roles":["admin"],"iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${Math.floor(Date.now() / 1000) + 600},"tenant_id":"globex"}`;
  const input = `${Buffer.from('{"alg":"ES256","kid":"k1"}').toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  return `${input}.${createSign('SHA256')
    .update(input)
    .sign({ key: KeyObject.from(signingKey), dsaEncoding: 'ieee-p1363' })
    .toString('base64url')}`;
}

let output: string[];

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  authorize = makeHandler(
    createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet({ keys: [jwk] }) }),
  );
});

beforeEach(() => {
  output = [];
  const capture = (chunk: string | Uint8Array) => (output.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every JSON line written, parsed. */
const lines = () =>
  output
    .join('')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
const refusals = () => lines().filter((l) => l.message === 'request refused');

/** The token, its segments and any 12 characters of it: none may appear in what was written. */
function expectNoPartOf(token: string) {
  const written = output.join('');
  expect(written).not.toContain(token);
  for (const segment of token.split('.').filter((s) => s.length >= 8)) expect(written).not.toContain(segment);
  for (let i = 0; i + 12 <= token.length; i += 6) expect(written).not.toContain(token.slice(i, i + 12));
}

describe('a refusal by the authorizer', () => {
  it.each([
    ['an expired token', () => aToken('user-1', Math.floor(Date.now() / 1000) - 600), 'token_expired'],
    ['a token repeating tenant_id', async () => aTokenRepeatingTenant(), 'duplicate_member'],
    ['a token whose subject is the workflow engine', () => aToken('system:workflow-engine'), 'reserved_subject'],
    ['a token signed for nobody', async () => `${(await aToken()).slice(0, -4)}AAAA`, 'signature_invalid'],
  ])(
    'leaves one WARN "request refused" line with the reason and the metric for %s, and no part of the token',
    async (_, make, reason) => {
      const token = await make();

      await expect(
        authorize({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN }),
      ).rejects.toThrow('Unauthorized');

      expect(refusals()).toHaveLength(1);
      const line = refusals()[0]!;
      expect(line).toMatchObject({
        level: 'WARN',
        status: 401,
        reason,
        method: 'GET',
        route: '/api/v1/entities/ent-1',
        RequestsRefused: 1,
      });
      expect(line).not.toHaveProperty('userId');
      expect(line).not.toHaveProperty('tenantId');
      expect(line._aws).toMatchObject({
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          { Namespace: 'modos', Dimensions: [['reason']], Metrics: [{ Name: 'RequestsRefused', Unit: 'Count' }] },
        ],
      });
      expectNoPartOf(token);
    },
  );

  it('counts a request without a bearer token as token_missing', async () => {
    await expect(
      authorize({ type: 'TOKEN', authorizationToken: 'Basic dXNlcjpwYXNzd29yZA==', methodArn: METHOD_ARN }),
    ).rejects.toThrow('Unauthorized');
    expect(refusals()).toEqual([expect.objectContaining({ reason: 'token_missing', status: 401 })]);
    expect(output.join('')).not.toContain('dXNlcjpwYXNzd29yZA');
  });

  it('leaves no refusal line for an accepted token', async () => {
    await expect(
      authorize({ type: 'TOKEN', authorizationToken: `Bearer ${await aToken()}`, methodArn: METHOD_ARN }),
    ).resolves.toMatchObject({ principalId: 'user-1' });
    expect(refusals()).toEqual([]);
  });
});

describe('a refusal at the HTTP edge', () => {
  const route = httpRoute({}, async ({ ctx }) => {
    requirePermission(ctx.principal, 'audit:read');
    return { ok: true };
  });
  const asEvent = (principal = aPrincipal(), headers: Record<string, string[]> = {}) => ({
    ...anApiEvent({ principal }),
    resource: '/api/v1/audit',
    path: '/api/v1/audit',
    httpMethod: 'GET',
    multiValueHeaders: headers,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v[v.length - 1]!])),
  });

  it('logs a 403 with the verified user and tenant, the route template and the missing-permission reason', async () => {
    const res = await route(asEvent(aPrincipal({ roles: ['analyst'], userId: 'ann', tenantId: 'acme' })));

    expect(res.statusCode).toBe(403);
    expect(refusals()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        status: 403,
        reason: 'missing_permission',
        detail: 'missing permission audit:read',
        userId: 'ann',
        tenantId: 'acme',
        method: 'GET',
        route: '/api/v1/audit',
        RequestsRefused: 1,
      }),
    ]);
  });

  it.each([
    [
      'the same spelling twice',
      { authorization: ['Bearer aaaa.bbbbbbbbbb.cccccccc', 'Bearer dddd.eeeeeeeeee.ffffffff'] },
    ],
    [
      'two spellings',
      { Authorization: ['Bearer aaaa.bbbbbbbbbb.cccccccc'], authorization: ['Bearer dddd.eeeeeeeeee.ffffffff'] },
    ],
    ['one value repeated', { Authorization: ['Bearer aaaa.bbbbbbbbbb.cccccccc', 'Bearer aaaa.bbbbbbbbbb.cccccccc'] }],
  ])('refuses two Authorization headers (%s) with 401, even though the authorizer accepted one', async (_, headers) => {
    const res = await route(asEvent(aPrincipal(), headers));

    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'more than one Authorization header',
    });
    expect(refusals()).toEqual([
      expect.objectContaining({
        status: 401,
        reason: 'duplicate_authorization',
        userId: 'user-1',
        tenantId: 'tenant-a',
      }),
    ]);
    for (const value of Object.values(headers).flat()) expectNoPartOf(value.slice('Bearer '.length));
  });

  it('serves a request with one Authorization header', async () => {
    const res = await route(asEvent(aPrincipal(), { Authorization: ['Bearer aaaa.bbbbbbbbbb.cccccccc'] }));
    expect(res.statusCode).toBe(200);
    expect(refusals()).toEqual([]);
  });

  it('logs a refused callback credential on a public route without a user or tenant', async () => {
    const callback = httpPublicRoute({}, async () => {
      throw new UnauthorizedError('malformed callback credential', { reason: 'callback_credential_invalid' });
    });
    const res = await callback({
      ...anApiEvent({ principal: null }),
      resource: '/api/v1/approvals/{id}/callback/{decision}',
      httpMethod: 'POST',
    });

    expect(res.statusCode).toBe(401);
    expect(refusals()).toEqual([
      expect.objectContaining({
        status: 401,
        reason: 'callback_credential_invalid',
        route: '/api/v1/approvals/{id}/callback/{decision}',
        method: 'POST',
      }),
    ]);
    expect(refusals()[0]).not.toHaveProperty('tenantId');
  });

  it('does not log other client errors as refusals', async () => {
    const conflict = httpRoute({}, async () => {
      throw new ConflictError('stale version');
    });
    expect((await conflict(asEvent())).statusCode).toBe(409);
    expect(refusals()).toEqual([]);
    expect(lines().some((l) => l.message === 'request not served' && l.status === 409)).toBe(true);
  });
});
