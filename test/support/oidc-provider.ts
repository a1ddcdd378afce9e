/**
 * A real OpenID Provider for tests: panva's `oidc-provider` (a certified implementation of OpenID Connect), on a free
 * loopback port over plain HTTP. It serves discovery, its JWKS, the authorization endpoint with its development
 * interactions (an HTML login form that takes the account's name and any password, then a consent form) and the token
 * endpoint, with CORS for the console's origin.
 *
 * One public client, the console's: no secret (`token_endpoint_auth_method: none`), authorization code only, PKCE
 * required (S256 is the only method oidc-provider knows), and the redirect URI `<platform url>/`, registered with
 * `allowConsoleAt(url)` once the platform listens (the platform reads the provider's discovery document when it
 * starts, so the provider runs first and learns the console's address after).
 *
 * Each account's ID token carries what the API's authorizer requires (functions/adapters/jose/token-verifier.ts):
 * `sub` (the account's name), `tenant_id`, `roles`, `aud` the client id, signed ES256 with the provider's key.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider, { type Adapter, type AdapterPayload, type Configuration, errors } from 'oidc-provider';
import type { Role } from '../../schemas/roles.js';

export interface TestAccount {
  tenantId: string;
  roles: readonly Role[];
}

export interface TestOpenIdProvider {
  /** `http://127.0.0.1:<port>`: the `iss` of its tokens. */
  issuer: string;
  /** The console's client id, the `aud` of its ID tokens. */
  clientId: string;
  /** What the console asks for: `openid` and `modos` (the scope of `tenant_id` and `roles`). */
  scopes: string;
  /** With `apiAudience`: the `aud` of its JWT access tokens (also the API's resource indicator). */
  apiAudience?: string;
  /** Registers the console at `consoleUrl` (`http://127.0.0.1:<port>/`) as the client's only redirect URI. */
  allowConsoleAt(consoleUrl: string): Promise<void>;
  /** A JWT signed with the provider's own key (its `kid`), for checks of what the API accepts. */
  sign(claims: Record<string, unknown>): Promise<string>;
  /** The `kid` of the provider's signing key. */
  kid: string;
  stop(): Promise<void>;
}

/**
 * oidc-provider's storage (sessions, interactions, codes, grants, and the clients not configured statically), in this
 * provider's memory only: one store per provider, entries dropped when they expire.
 */
function memoryAdapter(): (model: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    const live = (k: string) => {
      const entry = store.get(k);
      if (entry && entry.expiresAt <= Date.now()) store.delete(k);
      return store.get(k)?.payload;
    };
    const all = () => [...store.keys()].filter((k) => k.startsWith(`${model}:`)).map((k) => [k, live(k)] as const);
    return {
      async upsert(id, payload, expiresIn) {
        store.set(key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      },
      find: async (id) => live(key(id)),
      findByUid: async (uid) => all().find(([, p]) => p?.uid === uid)?.[1],
      findByUserCode: async (code) => all().find(([, p]) => p?.userCode === code)?.[1],
      async consume(id) {
        const payload = live(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const [k, p] of all()) if (p?.grantId === grantId) store.delete(k);
      },
    };
  };
}

/** The scope whose claims are the ones the API reads. */
const MODOS_SCOPE = 'modos';

export async function startOpenIdProvider(options: {
  /** By login name (the `sub` of the account's tokens). */
  accounts: Record<string, TestAccount>;
  clientId?: string;
  /**
   * Issue access tokens as JWTs for the API (RFC 9068, through oidc-provider's resource indicators, RFC 8707): the
   * API is the default resource, its indicator and the tokens' `aud` this value, and the tokens carry `tenant_id` and
   * `roles` as the ID token does. Without it, access tokens are opaque (for the userinfo endpoint only).
   */
  apiAudience?: string;
}): Promise<TestOpenIdProvider> {
  const clientId = options.clientId ?? 'modos-console';
  // The port first: the issuer (a constructor argument) names it.
  let provider: Provider | undefined;
  const server: Server = createServer((req, res) => {
    if (!provider) {
      res.writeHead(503).end();
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `test-op-${Date.now().toString(36)}`;
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };

  const adapter = memoryAdapter();
  const configuration: Configuration = {
    adapter,
    jwks: { keys: [signingJwk as never] },
    // The console's client is registered later (allowConsoleAt), through the adapter: none is static.
    clients: [],
    claims: { openid: ['sub'], [MODOS_SCOPE]: ['tenant_id', 'roles'] },
    scopes: ['openid', MODOS_SCOPE],
    // The console sends its ID token to the API: the scope's claims go into it, not only to the userinfo endpoint
    // (OpenID Connect Core 5.4 puts them there when an access token is issued too).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // The console calls discovery and the token endpoint from its page: its own origin only.
    clientBasedCORS: (_ctx, origin, client) =>
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    features: {
      // The login and consent forms oidc-provider renders for development: the browser of the test fills them.
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      ...(options.apiAudience
        ? {
            resourceIndicators: {
              enabled: true,
              defaultResource: () => options.apiAudience!,
              // The code's grant names the API: its access token is for the API, without a `resource` parameter.
              useGrantedResource: () => true,
              getResourceServerInfo: (_ctx, indicator) => {
                if (indicator !== options.apiAudience) throw new errors.InvalidTarget();
                return {
                  scope: MODOS_SCOPE,
                  audience: options.apiAudience,
                  accessTokenFormat: 'jwt',
                  jwt: { sign: { alg: 'ES256' } },
                };
              },
            },
          }
        : {}),
    },
    // The API's claims in its access tokens (a JWT access token carries only sub, aud, scope, client_id otherwise).
    async extraTokenClaims(_ctx, token) {
      if (!options.apiAudience || token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const account = options.accounts[token.accountId];
      return account ? { tenant_id: account.tenantId, roles: [...account.roles] } : undefined;
    },
    cookies: { keys: ['modos-test-op-cookie-key'] },
    async findAccount(_ctx, sub) {
      const account = options.accounts[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, tenant_id: account.tenantId, roles: [...account.roles] }),
      };
    },
    ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  };
  provider = new Provider(issuer, configuration);
  // A failure inside the provider shows in the test's output, not only as the error page the browser gets.
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error', error));

  return {
    issuer,
    clientId,
    scopes: `openid ${MODOS_SCOPE}`,
    ...(options.apiAudience ? { apiAudience: options.apiAudience } : {}),
    kid,
    async allowConsoleAt(consoleUrl) {
      await adapter('Client').upsert(clientId, {
        client_id: clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [consoleUrl],
        id_token_signed_response_alg: 'ES256',
      });
    },
    sign: async (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
