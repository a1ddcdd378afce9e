/**
 * Who is signed in. The session (the bearer token, its claims and when it expires) lives in `sessionStorage`: it
 * ends with the tab and is never written anywhere else.
 *
 * Two ways in, chosen by `/config.json` (config.ts):
 * - `oidc` (AWS): the stage's identity provider, authorization code with PKCE (S256) and a state and nonce, as a
 *   public client (oauth4webapi: discovery, the authorization URL, the code exchange and the ID token's checks).
 *   The API gets the token `tokenUse` names; its authorizer verifies it as it verifies any caller's.
 * - `local` (the local platform only): `POST /local/sign-in` mints a token for a chosen tenant and roles.
 *
 * What the console shows follows the token's roles through the platform's own permission table
 * (functions/domain/auth/permissions.ts), so a button a role may not use is never offered; the API still decides.
 */
import * as oauth from 'oauth4webapi';
import { hasPermission, type Permission } from '../../functions/domain/auth/permissions.js';
import { type ConsoleConfig, LOCAL_SIGN_IN_PATH } from './config.js';

export interface Session {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  userId: string;
  tenantId: string;
  roles: string[];
  /** The development sign-in of the local platform. */
  local: boolean;
}

const KEY = 'modos.session';
const PENDING = 'modos.oidc';

/** The claims of a JWT's payload (not verified here: the API verifies every call). */
export function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  const json = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

export function sessionOf(token: string, local: boolean): Session {
  const c = claimsOf(token);
  // As the API's authorizer reads them: an array of role names (anything else grants nothing).
  const roles = Array.isArray(c.roles) ? c.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    token,
    expiresAt: typeof c.exp === 'number' ? c.exp * 1000 : Date.now() + 3600_000,
    userId: String(c.sub ?? ''),
    tenantId: String(c.tenant_id ?? ''),
    roles,
    local,
  };
}

export function currentSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return s.expiresAt > Date.now() + 5_000 ? s : null;
  } catch {
    return null;
  }
}

export const saveSession = (s: Session) => sessionStorage.setItem(KEY, JSON.stringify(s));
/** Ends the session and everything kept for it in this tab (the chat's remembered session among them). */
export const signOut = () => {
  for (const k of Object.keys(sessionStorage))
    if (k.startsWith('modos.') && k !== PENDING) sessionStorage.removeItem(k);
};

export const can = (session: Session | null, permission: Permission): boolean =>
  !!session && hasPermission(session.roles, permission);

/** The local platform's development sign-in. Throws the API's error (message, request id) when it refuses. */
export async function signInLocally(input: { tenant: string; roles: string[]; user?: string }): Promise<Session> {
  const res = await fetch(LOCAL_SIGN_IN_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: input.tenant, roles: input.roles, ...(input.user ? { user: input.user } : {}) }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; error?: { message?: string } };
  if (!res.ok || !body.token) throw new Error(body.error?.message ?? `sign-in failed (${res.status})`);
  const s = sessionOf(body.token, true);
  saveSession(s);
  return s;
}

type OidcConfig = Extract<ConsoleConfig['signIn'], { mode: 'oidc' }>;

const redirectUri = () => `${location.origin}/`;

/**
 * oauth4webapi calls the identity provider over HTTPS only. A provider on this machine's loopback address (the local
 * platform's tests, `MODOS_OIDC_ISSUER=http://127.0.0.1:…`) is let through over plain HTTP, and nothing else: a
 * deployed stage's issuer is https (lib/stage-config.ts).
 */
const transportOptions = (cfg: OidcConfig): { [oauth.allowInsecureRequests]?: true } => {
  const issuer = new URL(cfg.issuer);
  return issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname)
    ? { [oauth.allowInsecureRequests]: true }
    : {};
};

async function authorizationServer(cfg: OidcConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(cfg.issuer);
  return oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...transportOptions(cfg) }),
  );
}

/** Starts the authorization code flow: remembers the verifier, state and nonce for this tab, then leaves. */
export async function beginOidcSignIn(cfg: OidcConfig, returnTo: string): Promise<void> {
  const as = await authorizationServer(cfg);
  if (!as.authorization_endpoint) throw new Error('the identity provider names no authorization endpoint');
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, returnTo }));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope: cfg.scopes,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/**
 * Finishes the flow when the identity provider sent the browser back (`/?code=…&state=…`): checks the state,
 * exchanges the code with the verifier, checks the ID token (issuer, audience, nonce, expiry) and keeps the token
 * the API takes. Returns null when the address is not a callback.
 */
export async function completeOidcSignIn(cfg: OidcConfig): Promise<{ session: Session; returnTo: string } | null> {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
    nonce: string;
    returnTo: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', '/');
  if (!pending) throw new Error('sign-in answer without a sign-in in this tab: sign in again');
  const as = await authorizationServer(cfg);
  const client: oauth.Client = { client_id: cfg.clientId };
  const callback = oauth.validateAuthResponse(as, client, params, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    callback,
    redirectUri(),
    pending.verifier,
    transportOptions(cfg),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  const token = cfg.tokenUse === 'access_token' ? result.access_token : result.id_token;
  if (!token) throw new Error(`the identity provider returned no ${cfg.tokenUse}`);
  const session = sessionOf(token, false);
  saveSession(session);
  return { session, returnTo: pending.returnTo };
}
