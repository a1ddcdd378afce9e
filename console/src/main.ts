/**
 * The console starts here: read `/config.json`, finish an OIDC sign-in if the browser is coming back from the
 * identity provider, then show the sign-in or the app.
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { setApiBase, setOnUnauthorized } from './api.js';
import { App } from './app.js';
import { completeOidcSignIn, currentSession, type Session } from './auth.js';
import type { ConsoleConfig } from './config.js';
import { html } from './html.js';
import { SignIn } from './sign-in.js';

function Root({ config, initial, error }: { config: ConsoleConfig; initial: Session | null; error?: unknown }) {
  const [session, setSession] = useState<Session | null>(initial);
  setOnUnauthorized(() => setSession(null));
  return session
    ? html`<${App} session=${session} onSignOut=${() => setSession(null)} />`
    : html`<${SignIn} config=${config} onSignedIn=${setSession} initialError=${error} />`;
}

async function start() {
  const root = document.getElementById('app');
  if (!root) return;
  let config: ConsoleConfig;
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`config.json: ${res.status}`);
    config = (await res.json()) as ConsoleConfig;
  } catch (e) {
    root.textContent = `The console could not load its configuration (${(e as Error).message}).`;
    return;
  }
  setApiBase(config.apiBase);
  let session = currentSession();
  let error: unknown;
  if (config.signIn.mode === 'oidc') {
    try {
      const done = await completeOidcSignIn(config.signIn);
      if (done) {
        session = done.session;
        if (done.returnTo) location.hash = done.returnTo;
      }
    } catch (e) {
      error = e;
    }
  }
  root.textContent = '';
  render(html`<${Root} config=${config} initial=${session} error=${error} />`, root);
}

void start();
