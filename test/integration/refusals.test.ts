/**
 * Refusals of ambiguous credentials through the local gateway, on real HTTP: two Authorization
 * headers (sent on a raw socket, since HTTP clients merge or refuse them), tokens whose JSON repeats a
 * claim or whose subject is a reserved actor, and callback credentials with extra segments.
 */
import { createSign, KeyObject, type webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJWK } from 'jose';
import { signCallbackCredential } from '../../functions/domain/workflows/callback-credentials.js';
import { ensureLocalKeys } from '../../local/keys.js';
import type { LocalPlatform } from '../../local/platform.js';
import { apiClient, startTestPlatform } from '../support/local-platform.js';

let platform: LocalPlatform;
let alice: string;
let bob: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  alice = await platform.token({ tenantId: 'ref-a', roles: ['admin'], userId: 'alice' });
  bob = await platform.token({ tenantId: 'ref-b', roles: ['admin'], userId: 'bob' });
});

afterAll(async () => {
  await platform?.stop();
});

/** One HTTP/1.1 request written as given, header lines included; the status and the JSON body. */
async function rawRequest(method: string, path: string, headerLines: string[]): Promise<{ status: number; body: any }> {
  const { hostname, port } = new URL(platform.url);
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        [`${method} ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, ...headerLines, 'Connection: close', '', ''].join(
          '\r\n',
        ),
      );
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  // Chunked or not, the JSON body is the one {...} in it.
  const json = body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1);
  return { status: Number(head.split(' ')[1]), body: json ? JSON.parse(json) : undefined };
}

/** A token signed with the platform's key over the payload text exactly as written. */
async function aRawToken(payload: Record<string, unknown>, extraMembers: string): Promise<string> {
  const { privateJwk } = await ensureLocalKeys(platform.dataDir);
  const key = KeyObject.from((await importJWK(privateJwk, 'ES256')) as webcrypto.CryptoKey);
  const text = `${JSON.stringify(payload).slice(0, -1)}${extraMembers}}`;
  const input = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT' })).toString('base64url')}.${Buffer.from(text).toString('base64url')}`;
  return `${input}.${createSign('SHA256').update(input).sign({ key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const claims = (sub: string, tenant: string) => ({
  sub,
  tenant_id: tenant,
  roles: ['admin'],
  iss: platform.issuer,
  aud: platform.audience,
  exp: Math.floor(Date.now() / 1000) + 600,
});

describe('two Authorization headers', () => {
  const entities = '/api/v1/entities?type=person&limit=1';

  it('serves the same request with one of them (the control)', async () => {
    expect((await rawRequest('GET', entities, [`Authorization: Bearer ${alice}`])).status).toBe(200);
    expect((await rawRequest('GET', entities, [`Authorization: Bearer ${bob}`])).status).toBe(200);
  });

  it.each([
    ['two tenants', () => [`Authorization: Bearer ${alice}`, `Authorization: Bearer ${bob}`]],
    ['the same token twice', () => [`Authorization: Bearer ${alice}`, `Authorization: Bearer ${alice}`]],
    ['two spellings of the name', () => [`authorization: Bearer ${alice}`, `AUTHORIZATION: Bearer ${bob}`]],
  ])('refuses %s with 401 from the handler (the authorizer accepted the last)', async (_, lines) => {
    const res = await rawRequest('GET', entities, lines());
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'more than one Authorization header' });
  });

  it('hands the authorizer the last value, as API Gateway does', async () => {
    // A bad last token: the authorizer refuses it (the gateway's 401), though the first is valid.
    const lastBad = await rawRequest('GET', entities, [
      `Authorization: Bearer ${alice}`,
      'Authorization: Bearer not.a.token',
    ]);
    expect(lastBad).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'Unauthorized' } } });
    // A bad first token: the authorizer accepts the last, and the handler refuses the pair.
    const firstBad = await rawRequest('GET', entities, [
      'Authorization: Bearer not.a.token',
      `Authorization: Bearer ${alice}`,
    ]);
    expect(firstBad).toMatchObject({ status: 401, body: { error: { message: 'more than one Authorization header' } } });
  });
});

describe('tokens the platform signed but refuses', () => {
  it('accepts a raw-signed token without repeated members (the control)', async () => {
    const token = await aRawToken(claims('carol', 'ref-a'), '');
    expect((await apiClient(platform.url, token).get('/api/v1/entities?type=person&limit=1')).status).toBe(200);
  });

  it.each([
    ['tenant_id', ',"tenant_id":"ref-b"'],
    ['sub', ',"sub":"mallory"'],
    ['roles', ',"roles":["admin"]'],
  ])('refuses a token repeating %s with 401', async (_, extra) => {
    const token = await aRawToken(claims('carol', 'ref-a'), extra);
    const res = await apiClient(platform.url, token).get('/api/v1/entities?type=person&limit=1');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it.each(['system:workflow-engine', 'system:resolution', 'callback:apr_abcdef123'])(
    'refuses a token whose subject is the reserved actor %s',
    async (userId) => {
      const token = await platform.token({ tenantId: 'ref-a', roles: ['admin'], userId });
      expect((await apiClient(platform.url, token).get('/api/v1/entities?type=person&limit=1')).status).toBe(401);
    },
  );
});

describe('approval callback credentials with extra segments', () => {
  const approvalId = 'apr_doesnotexist01';
  const credential = () => {
    const key = Buffer.from(readFileSync(join(platform.dataDir, 'keys', 'callback.key'), 'utf8').trim(), 'utf8');
    return signCallbackCredential(
      { tenantId: 'ref-a', approvalId, decision: 'approve', nonce: 'n1', exp: Math.floor(Date.now() / 1000) + 600 },
      key,
    );
  };
  const callback = (c: string) =>
    apiClient(platform.url).post(
      `/api/v1/approvals/${approvalId}/callback/approve?credential=${encodeURIComponent(c)}`,
    );

  it('gets past the credential check with the credential as signed (the control: 404, no such approval)', async () => {
    expect((await callback(credential())).status).toBe(404);
  });

  it.each([
    ['an empty segment', (c: string) => `${c}.`],
    ['a fourth segment', (c: string) => `${c}.extra`],
    ['the credential twice', (c: string) => `${c}.${c}`],
  ])('refuses it followed by %s with 401, never a 500', async (_, extend) => {
    const res = await callback(extend(credential()));
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'malformed callback credential' });
  });
});
