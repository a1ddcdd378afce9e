import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverProvider } from '../../local/keys.js';
import { identityProviderFromEnv } from '../../local/platform.js';

describe('identityProviderFromEnv (npm start with MODOS_OIDC_*)', () => {
  it('is none when no MODOS_OIDC_ variable is set', () => {
    expect(identityProviderFromEnv({ PORT: '3000' })).toBeUndefined();
  });

  it('takes the issuer and client, with the audience, scopes and token use of a stage by default', () => {
    expect(
      identityProviderFromEnv({ MODOS_OIDC_ISSUER: 'https://login.example.com/acme', MODOS_OIDC_CLIENT_ID: 'console' }),
    ).toEqual({
      issuer: 'https://login.example.com/acme',
      clientId: 'console',
      audience: 'console',
      scopes: 'openid profile email',
      tokenUse: 'id_token',
    });
  });

  it('names the variable that is missing or breaks a rule', () => {
    expect(() => identityProviderFromEnv({ MODOS_OIDC_ISSUER: 'https://login.example.com' })).toThrow(
      /MODOS_OIDC_CLIENT_ID is required/,
    );
    const base = { MODOS_OIDC_ISSUER: 'https://login.example.com', MODOS_OIDC_CLIENT_ID: 'console' };
    expect(() => identityProviderFromEnv({ ...base, MODOS_OIDC_ISSUER: 'http://login.example.com' })).toThrow(
      /MODOS_OIDC_ISSUER: must be an https:\/\/ URL/,
    );
    expect(() => identityProviderFromEnv({ ...base, MODOS_OIDC_SCOPES: 'profile' })).toThrow(
      /MODOS_OIDC_SCOPES: must include openid/,
    );
    expect(() => identityProviderFromEnv({ ...base, MODOS_OIDC_TOKEN_USE: 'code' })).toThrow(/MODOS_OIDC_TOKEN_USE/);
    expect(() => identityProviderFromEnv({ ...base, MODOS_OIDC_AUDIENCE: 'modos-api' })).toThrow(
      /MODOS_OIDC_AUDIENCE: must be the client id/,
    );
  });

  it('allows http:// on a loopback address only, and another audience with the access token', () => {
    expect(
      identityProviderFromEnv({
        MODOS_OIDC_ISSUER: 'http://127.0.0.1:8080',
        MODOS_OIDC_CLIENT_ID: 'console',
        MODOS_OIDC_AUDIENCE: 'modos-api',
        MODOS_OIDC_TOKEN_USE: 'access_token',
      }),
    ).toMatchObject({ issuer: 'http://127.0.0.1:8080', audience: 'modos-api', tokenUse: 'access_token' });
  });
});

describe('discoverProvider', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A provider whose discovery document is `doc(issuer)`. */
  async function serve(doc: (issuer: string) => unknown): Promise<string> {
    let issuer = '';
    server = createServer((req, res) => {
      if (req.url !== '/tenant/.well-known/openid-configuration') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc(issuer)));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tenant`;
    return issuer;
  }

  it("reads the provider's JWKS URL and token endpoint from its discovery document", async () => {
    const issuer = await serve((iss) => ({ issuer: iss, jwks_uri: `${iss}/jwks`, token_endpoint: `${iss}/token` }));
    expect(await discoverProvider(issuer)).toEqual({ jwksUri: `${issuer}/jwks`, tokenEndpoint: `${issuer}/token` });
  });

  it('refuses a document that names another issuer, or no JWKS URL', async () => {
    const issuer = await serve((iss) => ({ issuer: `${iss}/other`, jwks_uri: `${iss}/jwks`, token_endpoint: 'x' }));
    await expect(discoverProvider(issuer)).rejects.toThrow(/names the issuer/);
    server!.close();
    const again = await serve((iss) => ({ issuer: iss, token_endpoint: `${iss}/token` }));
    await expect(discoverProvider(again)).rejects.toThrow(/no jwks_uri/);
  });

  it('refuses keys or a token endpoint over plain http off this machine, as a stage refuses an http jwksUrl', async () => {
    const issuer = await serve((iss) => ({
      issuer: iss,
      jwks_uri: 'http://keys.example.com/jwks',
      token_endpoint: `${iss}/token`,
    }));
    await expect(discoverProvider(issuer)).rejects.toThrow(/insecure jwks_uri http:\/\/keys\.example\.com/);
    server!.close();
    const again = await serve((iss) => ({
      issuer: iss,
      jwks_uri: `${iss}/jwks`,
      token_endpoint: 'http://login.example.com/token',
    }));
    await expect(discoverProvider(again)).rejects.toThrow(/insecure token_endpoint/);
  });
});
