/**
 * What the console reads from `/config.json` at start (written by the runtime, never built in):
 * - locally (local/api-server.ts): `{ stage, apiBase: '/api/v1', signIn: { mode: 'local' } }`; the development
 *   sign-in `POST /local/sign-in` mints a token for a chosen tenant and roles (local platform only);
 * - in AWS (lib/constructs/console-hosting.ts): `signIn: { mode: 'oidc', issuer, clientId, ... }`, the stage's
 *   identity provider, authorization code with PKCE.
 */
export type SignInConfig =
  | { mode: 'local' }
  | {
      mode: 'oidc';
      /** The stage's JWT issuer (stage config `jwtIssuer`): its discovery document is `<issuer>/.well-known/openid-configuration`. */
      issuer: string;
      clientId: string;
      /** Space-separated; `openid` at least. */
      scopes: string;
      /** Which token the API gets as its bearer token (the one whose `aud`, `tenant_id` and `roles` it checks). */
      tokenUse: 'id_token' | 'access_token';
    };

export interface ConsoleConfig {
  stage: string;
  /** Where the REST API is, on the console's own origin. */
  apiBase: string;
  signIn: SignInConfig;
}

export const LOCAL_SIGN_IN_PATH = '/local/sign-in';
