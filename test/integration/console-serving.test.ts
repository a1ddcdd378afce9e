import { request } from 'node:http';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheControlOf, consoleSecurityHeaders } from '../../console/headers.js';
import { LOCAL_SIGN_IN_PATH } from '../../console/src/config.js';
import { MAX_LOCAL_TOKEN_SECONDS } from '../../local/keys.js';
import type { LocalPlatform } from '../../local/platform.js';
import { apiClient, startTestPlatform } from '../support/local-platform.js';

let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(async () => {
  await platform?.stop();
});

const get = (path: string, init: RequestInit = {}) => fetch(`${platform.url}${path}`, init);

const signIn = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${platform.url}${LOCAL_SIGN_IN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** A request with headers fetch will not send as given (Host). */
const rawRequest = (path: string, method: string, headers: Record<string, string>, body = '') =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${platform.url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });

function expectSecurityHeaders(res: Response) {
  for (const [name, value] of Object.entries(consoleSecurityHeaders())) expect(res.headers.get(name), name).toBe(value);
}

/** The script and stylesheet index.html loads. */
async function assetsOfIndex(): Promise<string[]> {
  const html = await (await get('/')).text();
  return [...html.matchAll(/(?:src|href)="(\/app-[0-9a-f]{10}\.(?:js|css))"/g)].map((m) => m[1]!);
}

describe('the console on the local platform', () => {
  it('builds the console into the data folder at start', () => {
    expect(platform.console.error).toBeUndefined();
    expect(platform.console.url).toBe(`${platform.url}/`);
    expect(platform.console.build!.outDir.startsWith(platform.dataDir)).toBe(true);
    expect(platform.console.build!.files.map((f) => f.name)).toContain('index.html');
  });

  it('serves index.html at / with the security headers CloudFront sends, never cached', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe(cacheControlOf('index.html'));
    expectSecurityHeaders(res);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toContain('%APP_');
    expect(await (await get('/index.html')).text()).toBe(html);
  });

  it('serves each built file by its name, with its content type and a year of caching for hashed names', async () => {
    const assets = await assetsOfIndex();
    expect(assets.map((a) => a.split('.').pop()).sort()).toEqual(['css', 'js']);
    for (const path of assets) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe(
        path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expectSecurityHeaders(res);
      const built = platform.console.build!.files.find((f) => `/${f.name}` === path)!;
      expect((await res.arrayBuffer()).byteLength).toBe(built.bytes);
    }
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const full = await get('/');
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(full.headers.get('content-length'));
    expect(head.headers.get('etag')).toBe(full.headers.get('etag'));
    expect(await head.text()).toBe('');
  });

  it('answers 304 to a revalidation of an unchanged index.html', async () => {
    const etag = (await get('/')).headers.get('etag')!;
    const again = await get('/', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe('no-cache');
    expect((await get('/', { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('answers /config.json with the local console configuration, never cached', async () => {
    const res = await get('/config.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expectSecurityHeaders(res);
    expect(await res.json()).toEqual({ stage: 'local', apiBase: '/api/v1', signIn: { mode: 'local' } });
  });

  it.each([
    '/nothing',
    '/app-0000000000.js',
    '/console/dist/index.html',
    '/index.html/',
    '/%2e%2e/package.json',
    '/local',
    '/local/nothing',
  ])('answers 404 in the API error shape for %s', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expectSecurityHeaders(res);
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('answers 405 naming the allowed methods to another method on a file', async () => {
    const res = await get('/', { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
    expect((await get(LOCAL_SIGN_IN_PATH)).status).toBe(405);
  });

  it('leaves the API paths to the API', async () => {
    expect((await apiClient(platform.url).get('/health')).body).toEqual({ status: 'ok', stage: 'local' });
    const unknown = await apiClient(platform.url).get('/api/v1/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('no route for /api/v1/nothing');
    expect((await apiClient(platform.url).get('/api/v1/entities')).status).toBe(401);
  });
});

describe('the development sign-in', () => {
  it('mints a token for the tenant, roles and user asked for, which the API accepts', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await signIn({ tenant: 'console-a', roles: ['analyst', 'approver'], user: 'dana' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { token: string; expiresAt: string; localOnly: boolean };
    expect(body.localOnly).toBe(true);
    const claims = decodeJwt(body.token);
    expect(claims).toMatchObject({ tenant_id: 'console-a', roles: ['analyst', 'approver'], sub: 'dana' });
    expect(claims.exp! - before).toBeGreaterThanOrEqual(3600);
    expect(claims.exp! - before).toBeLessThanOrEqual(3602);
    expect(body.expiresAt).toBe(new Date(claims.exp! * 1000).toISOString());
    const entities = await apiClient(platform.url, body.token).get('/api/v1/entities');
    expect(entities.status).toBe(200);
    expect(entities.body.items).toEqual([]);
  });

  it('gives the token the lifetime asked for and a user of the tenant when none is named', async () => {
    const body = (await (await signIn({ tenant: 'console-b', roles: ['admin'], expiresInSeconds: 60 })).json()) as {
      token: string;
    };
    const claims = decodeJwt(body.token);
    expect(claims.sub).toBe('user-console-b');
    expect(claims.exp! - claims.iat!).toBe(60);
  });

  it.each([
    [{ roles: ['admin'] }, 'tenant', 'required'],
    [{ tenant: 'a/b', roles: ['admin'] }, 'tenant', '1-64 characters'],
    [{ tenant: 'x'.repeat(65), roles: ['admin'] }, 'tenant', '1-64 characters'],
    [{ tenant: 7, roles: ['admin'] }, 'tenant', '1-64 characters'],
    [{ tenant: 'acme' }, 'roles', 'required'],
    [{ tenant: 'acme', roles: 'admin' }, 'roles', 'a list of'],
    [{ tenant: 'acme', roles: [] }, 'roles', 'at least one'],
    [{ tenant: 'acme', roles: ['admin', 'owner'] }, 'roles.1', 'one of admin'],
    [{ tenant: 'acme', roles: ['admin', 'admin'] }, 'roles.1', 'twice'],
    [{ tenant: 'acme', roles: ['admin'], user: '' }, 'user', '1-256'],
    [{ tenant: 'acme', roles: ['admin'], user: 'system:resolution' }, 'user', 'reserved'],
    [{ tenant: 'acme', roles: ['admin'], expiresInSeconds: 0 }, 'expiresInSeconds', 'whole number'],
    [{ tenant: 'acme', roles: ['admin'], expiresInSeconds: 1.5 }, 'expiresInSeconds', 'whole number'],
    [
      { tenant: 'acme', roles: ['admin'], expiresInSeconds: MAX_LOCAL_TOKEN_SECONDS + 1 },
      'expiresInSeconds',
      '30 days',
    ],
    [{ tenant: 'acme', roles: ['admin'], tenantId: 'other' }, 'tenantId', 'unknown field'],
    [['acme'], 'body', 'a JSON object'],
  ])('refuses %j with 400 naming %s', async (body, field, message) => {
    const res = await signIn(body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as {
      error: { code: string; message: string; requestId: string; details: { field: string; message: string }[] };
    };
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.requestId).toBe(res.headers.get('x-request-id'));
    expect(error.details).toContainEqual({ field, message: expect.stringContaining(message) });
    expect(error.message).toContain(field);
  });

  it('refuses a body that is not JSON, or JSON that repeats a key, naming it', async () => {
    const broken = await signIn('{"tenant":');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_ERROR');
    const twice = await signIn('{"tenant":"a","tenant":"b","roles":["admin"]}');
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { error: { details: { field: string }[] } }).error.details[0]!.field).toBe(
      'tenant',
    );
    const empty = await signIn('');
    expect(empty.status).toBe(400);
  });

  it('refuses a body that is not declared JSON with 415', async () => {
    const res = await signIn(JSON.stringify({ tenant: 'acme', roles: ['admin'] }), { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { details: { field: string }[] } }).error.details[0]!.field).toBe(
      'content-type',
    );
  });

  it('refuses a request from a page of another origin', async () => {
    const res = await signIn({ tenant: 'acme', roles: ['admin'] }, { origin: 'https://elsewhere.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    const own = await signIn({ tenant: 'acme', roles: ['admin'] }, { origin: platform.url });
    expect(own.status).toBe(200);
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    const body = JSON.stringify({ tenant: 'acme', roles: ['admin'] });
    const port = new URL(platform.url).port;
    const foreign = await rawRequest(
      LOCAL_SIGN_IN_PATH,
      'POST',
      {
        host: `rebound.example:${port}`,
        'content-type': 'application/json',
      },
      body,
    );
    expect(foreign.status).toBe(403);
    const local = await rawRequest(
      LOCAL_SIGN_IN_PATH,
      'POST',
      {
        host: `localhost:${port}`,
        'content-type': 'application/json',
      },
      body,
    );
    expect(local.status).toBe(200);
  });

  it('refuses a body larger than 16 KB with 413', async () => {
    const res = await signIn({ tenant: 'acme', roles: ['admin'], user: 'u'.repeat(17 * 1024) });
    expect(res.status).toBe(413);
  });
});
