import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSecurityHeaders } from '../../console/headers.js';
import { LOCAL_SIGN_IN_PATH } from '../../console/src/config.js';
import { ensureLocalKeys, signLocalToken } from '../../local/keys.js';
import type { LocalPlatform } from '../../local/platform.js';
import { launchBrowser, newPage, type PageProblems, watchPage } from '../support/browser.js';
import { apiClient, startTestPlatform } from '../support/local-platform.js';
import { startOpenIdProvider, type TestOpenIdProvider } from '../support/oidc-provider.js';

/**
 * The console's OpenID Connect sign-in (console/src/auth.ts), end to end: the local platform started with an
 * external OpenID Provider (local/platform.ts `identityProvider`), a real one (oidc-provider, test/support/
 * oidc-provider.ts), and Chromium going there and back.
 */

// biome-ignore lint/suspicious/noExplicitAny: the browser's globals inside evaluated functions
declare const sessionStorage: any;

const ACCOUNT = { login: 'dana', tenantId: 'oidc-acme', roles: ['analyst'] as const };
/**
 * The views the console offers an analyst (as the local sign-in's analyst sees them, test/browser/agents.test.ts).
 * Not computed from console/src/views/registry.ts: importing the console's views brings Preact's DOM types into
 * this Node program.
 */
const ACCOUNT_VIEWS = ['Entities', 'Signals'];

let op: TestOpenIdProvider;
let platform: LocalPlatform;
let browser: Browser;

beforeAll(async () => {
  op = await startOpenIdProvider({
    accounts: { [ACCOUNT.login]: { tenantId: ACCOUNT.tenantId, roles: ACCOUNT.roles } },
  });
  [platform, browser] = await Promise.all([
    startTestPlatform({
      identityProvider: { issuer: op.issuer, clientId: op.clientId, audience: op.clientId, scopes: op.scopes },
    }),
    launchBrowser(),
  ]);
  await op.allowConsoleAt(platform.console.url);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  await op?.stop();
});

const noProblems = (problems: PageProblems) => {
  expect(problems.cspViolations).toEqual([]);
  expect(problems.pageErrors).toEqual([]);
  expect(problems.consoleErrors.filter((m) => /Content Security Policy/i.test(m))).toEqual([]);
};

const isProvider = (url: string, path: string) => url.startsWith(`${op.issuer}${path}`);
const isCallback = (url: string) => url.startsWith(platform.console.url) && new URL(url).searchParams.has('code');

/** Opens the console at `hash`, checks it offers the one button, presses it; resolves with the authorization request. */
async function startSignIn(page: Page, hash: string): Promise<URL> {
  await page.goto(`${platform.console.url}${hash}`);
  const button = page.getByRole('button', { name: 'Sign in', exact: true });
  await button.waitFor();
  expect(await page.getByRole('button').count()).toBe(1);
  expect(await page.getByLabel('Tenant', { exact: true }).count()).toBe(0);
  const authorization = page.waitForRequest((r) => isProvider(r.url(), '/auth'));
  await button.click();
  return new URL((await authorization).url());
}

/** The provider's development interactions: the login form (any password), then the consent form. */
async function logInAtProvider(page: Page, login: string) {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('signing in to the console with an OpenID Provider', () => {
  it('serves config.json in oidc mode, with connect-src to the provider', async () => {
    const config = await fetch(`${platform.url}/config.json`);
    expect(await config.json()).toEqual({
      stage: 'local',
      apiBase: '/api/v1',
      signIn: { mode: 'oidc', issuer: op.issuer, clientId: op.clientId, scopes: op.scopes, tokenUse: 'id_token' },
    });
    expect(config.headers.get('content-security-policy')).toBe(
      consoleSecurityHeaders({ connectSrc: [op.issuer] })['content-security-policy'],
    );
    expect(config.headers.get('content-security-policy')).toContain(`connect-src 'self' ${op.issuer};`);
  });

  it('refuses the development sign-in: tokens come from the provider', async () => {
    const signIn = await fetch(`${platform.url}${LOCAL_SIGN_IN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'acme', roles: ['admin'] }),
    });
    expect(signIn.status).toBe(404);
    const body = (await signIn.json()) as { token?: string; error: { code: string; message: string } };
    expect(body.token).toBeUndefined();
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.message).toContain(`the development sign-in is off`);
    expect(body.error.message).toContain(op.issuer);
  });

  it('goes to the provider with PKCE (S256), a state and a nonce, and comes back signed in where it was', async () => {
    const page = await newPage(browser);
    const problems = await watchPage(page);
    const tokenRequests: Request[] = [];
    page.on('request', (r) => {
      if (isProvider(r.url(), '/token')) tokenRequests.push(r);
    });

    const authorization = await startSignIn(page, '#/signals');
    const asked = authorization.searchParams;
    expect(asked.get('response_type')).toBe('code');
    expect(asked.get('client_id')).toBe(op.clientId);
    expect(asked.get('redirect_uri')).toBe(platform.console.url);
    expect(asked.get('scope')).toBe(op.scopes);
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(asked.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    // The browser is at the provider, on its own origin.
    await page.locator('input[name="login"]').waitFor();
    expect(new URL(page.url()).origin).toBe(op.issuer);
    const callback = page.waitForRequest((r) => isCallback(r.url()));
    const signalsLoaded = page.waitForResponse(
      (r) => new URL(r.url()).pathname.startsWith('/api/v1/signal-rules') && r.request().method() === 'GET',
    );
    await logInAtProvider(page, ACCOUNT.login);

    // Back on the console's origin with the code and the state it sent.
    const back = new URL((await callback).url());
    expect(back.origin).toBe(new URL(platform.url).origin);
    expect(back.searchParams.get('state')).toBe(asked.get('state'));
    expect(back.searchParams.get('code')).toBeTruthy();

    // Signed in: the tenant and the user of the token, the analyst's views, the route from before the sign-in.
    await page.locator('header.top').waitFor();
    expect(await page.locator('header.top .tenant').textContent()).toBe(ACCOUNT.tenantId);
    expect(await page.locator('header.top .user').textContent()).toBe(ACCOUNT.login);
    expect(await page.getByRole('navigation', { name: 'Views' }).getByRole('link').allTextContents()).toEqual(
      ACCOUNT_VIEWS,
    );
    await page.getByRole('heading', { level: 1, name: 'Signals' }).waitFor();
    const url = new URL(page.url());
    expect(url.hash).toBe('#/signals');
    expect(url.search).toBe('');

    // The console exchanged the code itself, from the browser, with the PKCE verifier.
    expect(tokenRequests).toHaveLength(1);
    const exchange = new URLSearchParams(tokenRequests[0]!.postData() ?? '');
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('code')).toBe(back.searchParams.get('code'));
    expect(exchange.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(exchange.get('client_id')).toBe(op.clientId);

    // The view's data came from the API, called with the provider's ID token.
    const loaded = await signalsLoaded;
    expect(loaded.status()).toBe(200);
    const bearer = (await loaded.request().headerValue('authorization')) ?? '';
    const claims = JSON.parse(Buffer.from(bearer.replace(/^Bearer /, '').split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: op.issuer,
      aud: op.clientId,
      sub: ACCOUNT.login,
      tenant_id: ACCOUNT.tenantId,
      roles: [...ACCOUNT.roles],
    });
    await page.locator('[data-view-ready="true"]').first().waitFor();
    await page.waitForLoadState('networkidle');
    // The verifier, state and nonce are gone with the sign-in.
    expect(await page.evaluate(() => sessionStorage.getItem('modos.oidc'))).toBeNull();
    noProblems(problems);
    await page.context().close();
  });

  it('shows an error and stays signed out when the state coming back is not the one it sent', async () => {
    const page = await newPage(browser);
    const problems = await watchPage(page);
    let tokenRequests = 0;
    page.on('request', (r) => {
      if (isProvider(r.url(), '/token')) tokenRequests++;
    });
    await startSignIn(page, '#/signals');
    // The provider's answer arrives, but the console is kept from starting (its config.json does not load), so the
    // answer is replayed with another state: what a forged or crossed callback brings.
    await page.route(`${platform.url}/config.json`, (route) => route.abort());
    await page.locator('input[name="login"]').waitFor();
    const callback = page.waitForRequest((r) => isCallback(r.url()));
    await logInAtProvider(page, ACCOUNT.login);
    const answer = new URL((await callback).url());
    await page.getByText('could not load its configuration').waitFor();
    await page.unrouteAll();
    expect(answer.searchParams.get('code')).toBeTruthy();
    const tampered = new URL(answer.href);
    tampered.searchParams.set('state', `${answer.searchParams.get('state')}x`);
    await page.goto(tampered.href);

    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/state/i);
    expect(await page.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(1);
    expect(await page.locator('header.top').count()).toBe(0);
    expect(new URL(page.url()).search).toBe('');
    expect(tokenRequests).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('modos.session'))).toBeNull();
    // (The config.json held back above is a console error of its own: only the policy and the page are checked.)
    expect(problems.cspViolations).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    await page.context().close();
  });

  it("accepts the provider's token for a tenant and roles, and refuses one signed with another key or for another audience", async () => {
    const claims = { sub: 'erin', tenant_id: ACCOUNT.tenantId, roles: ['analyst'] };
    const path = '/api/v1/signal-rules';
    const good = await op.sign({ ...claims, aud: op.clientId });
    expect((await apiClient(platform.url, good).get(path)).status).toBe(200);

    expect((await apiClient(platform.url, await op.sign({ ...claims, aud: 'another-client' })).get(path)).status).toBe(
      401,
    );

    // The same header (the provider's kid), issuer, audience and claims, signed with a key the provider never had.
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    expect((await exportJWK(privateKey)).kty).toBe('EC');
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: op.kid, typ: 'JWT' })
      .setIssuer(op.issuer)
      .setAudience(op.clientId)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    const refused = await apiClient(platform.url, forged).get(path);
    expect(refused.status).toBe(401);
    // The platform's own signing key is not trusted either: its tokens come from the provider only. The platform
    // mints none, and one made with its key is refused, as a development token and as one naming the provider.
    await expect(platform.token({ tenantId: ACCOUNT.tenantId, roles: ['analyst'] })).rejects.toThrow(op.issuer);
    const { privateJwk } = await ensureLocalKeys(platform.dataDir);
    const development = await signLocalToken(privateJwk, { tenantId: ACCOUNT.tenantId, roles: ['analyst'] });
    expect((await apiClient(platform.url, development).get(path)).status).toBe(401);
    const asProvider = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid!, typ: 'JWT' })
      .setIssuer(op.issuer)
      .setAudience(op.clientId)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(await importJWK(privateJwk, 'ES256'));
    expect((await apiClient(platform.url, asProvider).get(path)).status).toBe(401);
  });
});

describe('signing in with the access token as the bearer token (tokenUse access_token)', () => {
  const API_AUDIENCE = 'https://api.modos.test';
  let op2: TestOpenIdProvider;
  let platform2: LocalPlatform;

  beforeAll(async () => {
    op2 = await startOpenIdProvider({
      accounts: { [ACCOUNT.login]: { tenantId: ACCOUNT.tenantId, roles: ACCOUNT.roles } },
      apiAudience: API_AUDIENCE,
    });
    platform2 = await startTestPlatform({
      identityProvider: {
        issuer: op2.issuer,
        clientId: op2.clientId,
        audience: API_AUDIENCE,
        scopes: op2.scopes,
        tokenUse: 'access_token',
      },
    });
    await op2.allowConsoleAt(platform2.console.url);
  });

  afterAll(async () => {
    await platform2?.stop();
    await op2?.stop();
  });

  it("signs in and calls the API with the provider's JWT access token for the API's audience, not the ID token", async () => {
    const config = (await (await fetch(`${platform2.url}/config.json`)).json()) as { signIn: { tokenUse: string } };
    expect(config.signIn.tokenUse).toBe('access_token');
    const page = await newPage(browser);
    const problems = await watchPage(page);
    await page.goto(`${platform2.console.url}#/entities`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('input[name="login"]').waitFor();
    expect(new URL(page.url()).origin).toBe(op2.issuer);
    const entitiesLoaded = page.waitForResponse(
      (r) => new URL(r.url()).pathname.startsWith('/api/v1/entities') && r.request().method() === 'GET',
    );
    await logInAtProvider(page, ACCOUNT.login);

    const loaded = await entitiesLoaded;
    expect(loaded.status()).toBe(200);
    const bearer = ((await loaded.request().headerValue('authorization')) ?? '').replace(/^Bearer /, '');
    const [header, payload] = bearer
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    // An RFC 9068 access token (typ at+jwt) for the API, with the claims the authorizer reads.
    expect(header.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      iss: op2.issuer,
      aud: API_AUDIENCE,
      sub: ACCOUNT.login,
      client_id: op2.clientId,
      tenant_id: ACCOUNT.tenantId,
      roles: [...ACCOUNT.roles],
    });
    expect(new URL(page.url()).hash).toBe('#/entities');
    await page.locator('header.top').waitFor();
    expect(await page.locator('header.top .tenant').textContent()).toBe(ACCOUNT.tenantId);
    // The audience is what the API checks: the provider's ID token (aud = the client) is refused by this stage.
    const idToken = await op2.sign({
      sub: ACCOUNT.login,
      tenant_id: ACCOUNT.tenantId,
      roles: ['analyst'],
      aud: op2.clientId,
    });
    expect((await apiClient(platform2.url, idToken).get('/api/v1/entities')).status).toBe(401);
    await page.waitForLoadState('networkidle');
    noProblems(problems);
    await page.context().close();
  });
});
