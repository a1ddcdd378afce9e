/**
 * The shell: a skip link, the header (tenant, user, roles, sign-out), the navigation of the views the user's roles
 * allow, and the current view. Desktop: navigation beside the work; tablet: a narrower rail; mobile: a menu button
 * that opens the navigation over the view (styles.css, seed 001 §6 breakpoints).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Session, can, signOut } from './auth.js';
import { html } from './html.js';
import { href, navigate, parseRoute, type Route, useRoute } from './router.js';
import { SessionContext } from './ui.js';
import { ChatPanel } from './views/chat.js';
import { VIEWS, type ViewDef } from './views/registry.js';

export const allowedViews = (session: Session): ViewDef[] => VIEWS.filter((v) => v.anyOf.some((p) => can(session, p)));

export function App({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const views = allowedViews(session);
  const [navCollapsed, setNavCollapsed] = useState(false);
  const [chatOpen, setChatOpen] = useState(false);
  const mayChat = can(session, 'agents:read');
  const main = useRef<HTMLElement>(null);
  const current = views.find((v) => v.id === route.path[0]);
  useEffect(() => {
    // Read the hash now, not the render's route: a route followed since the render is the user's and is kept.
    const now = parseRoute(location.hash).path[0];
    if (!views.some((v) => v.id === now) && views[0]) navigate(href(views[0].id));
  }, [current?.id, views[0]?.id]);
  useEffect(() => {
    document.title = current ? `${current.title} · modos` : 'modos console';
  }, [route.path.join('/')]);
  return html`<${SessionContext.Provider} value=${session}>
    <a class="skip" href="#main" onClick=${(e: Event) => {
      e.preventDefault();
      main.current?.focus();
    }}>Skip to content</a>
    <header class="top">
      <button type="button" class="nav-toggle" aria-expanded=${navCollapsed ? 'false' : 'true'} aria-controls="nav"
        onClick=${() => setNavCollapsed(!navCollapsed)}>Navigation</button>
      <span class="brand">modos</span>
      <span class="who">
        <span class="tenant" title="tenant">${session.tenantId}</span>
        <span class="user">${session.userId}</span>
        <span class="roles">${session.roles.join(', ')}</span>
        ${session.local ? html`<span class="badge badge-local" title="development sign-in of the local platform">local</span>` : null}
      </span>
      ${
        mayChat
          ? html`<button type="button" aria-expanded=${chatOpen ? 'true' : 'false'} aria-controls="chat" onClick=${() => setChatOpen(!chatOpen)}>Chat</button>`
          : null
      }
      <button type="button" onClick=${() => {
        signOut();
        onSignOut();
      }}>Sign out</button>
    </header>
    <div class=${`layout${navCollapsed ? ' nav-collapsed' : ''}${chatOpen && mayChat ? ' with-chat' : ''}`}>
      <nav id="nav" aria-label="Views">
        <ul>
          ${views.map(
            (v) =>
              html`<li><a href=${href(v.id)} aria-current=${v.id === current?.id ? 'page' : undefined}>${v.title}</a></li>`,
          )}
        </ul>
      </nav>
      <main id="main" ref=${main} tabindex="-1">
        ${
          current
            ? html`<${current.component} route=${route} key=${current.id} />`
            : views.length
              ? null
              : html`<section class="view"><h1>No views</h1><p>The roles ${session.roles.join(', ') || '(none)'} grant no view of this console.</p></section>`
        }
      </main>
      ${
        chatOpen && mayChat
          ? html`<aside class="chat" id="chat" aria-label="Chat with an agent"><${ChatPanel} onClose=${() => setChatOpen(false)} /></aside>`
          : null
      }
    </div>
  </${SessionContext.Provider}>`;
}

export type { Route };
