/**
 * Sign-in. Locally: the development sign-in (tenant, roles, user), which says it exists only on the local
 * platform. In AWS: one button to the stage's identity provider (authorization code with PKCE, auth.ts).
 */
import { useState } from 'preact/hooks';
import { ROLES } from '../../schemas/roles.js';
import { beginOidcSignIn, type Session, signInLocally } from './auth.js';
import type { ConsoleConfig } from './config.js';
import { html } from './html.js';
import { ErrorBanner, Field } from './ui.js';

export function SignIn({
  config,
  onSignedIn,
  initialError,
}: {
  config: ConsoleConfig;
  onSignedIn: (s: Session) => void;
  initialError?: unknown;
}) {
  const [tenant, setTenant] = useState('acme');
  const [user, setUser] = useState('');
  const [roles, setRoles] = useState<string[]>(['admin']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(initialError);
  const signIn = config.signIn;

  if (signIn.mode === 'oidc')
    return html`<main class="sign-in" id="main">
      <h1>Sign in to modos</h1>
      <p>Stage <strong>${config.stage}</strong>. You sign in with your organisation's identity provider.</p>
      <${ErrorBanner} error=${error} />
      <button type="button" class="primary" disabled=${busy} onClick=${async () => {
        setBusy(true);
        try {
          await beginOidcSignIn(signIn, location.hash);
        } catch (e) {
          setError(e);
          setBusy(false);
        }
      }}>${busy ? 'Redirecting…' : 'Sign in'}</button>
    </main>`;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signInLocally({ tenant: tenant.trim(), roles, user: user.trim() || undefined }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="sign-in" id="main">
    <h1>Sign in to modos</h1>
    <p class="notice" role="note"><strong>Local development sign-in.</strong> It exists only on the local platform
      (<code>npm start</code>): it mints a token for any tenant and roles you choose. A deployed stage signs you in
      with its identity provider instead.</p>
    <form onSubmit=${submit}>
      <${Field} label="Tenant" hint="1-64 characters of A-Z, a-z, 0-9, _ or -">
        <input name="tenant" value=${tenant} required pattern="[\\w\\-]{1,64}" autocomplete="organization"
          onInput=${(e: Event) => setTenant((e.target as HTMLInputElement).value)} />
      </${Field}>
      <fieldset>
        <legend>Roles</legend>
        ${ROLES.map(
          (r) => html`<label class="check"><input type="checkbox" name="roles" value=${r} checked=${roles.includes(r)}
            onChange=${(e: Event) => {
              const on = (e.target as HTMLInputElement).checked;
              setRoles((rs) => (on ? [...rs, r] : rs.filter((x) => x !== r)));
            }} /> ${r}</label>`,
        )}
      </fieldset>
      <${Field} label="User" hint="optional: the user id (sub) of the token">
        <input name="user" value=${user} autocomplete="username" onInput=${(e: Event) => setUser((e.target as HTMLInputElement).value)} />
      </${Field}>
      <${ErrorBanner} error=${error} />
      <button type="submit" class="primary" disabled=${busy || roles.length === 0}>${busy ? 'Signing in…' : 'Sign in'}</button>
      ${roles.length === 0 ? html`<p class="field-error">Choose at least one role.</p>` : null}
    </form>
  </main>`;
}
