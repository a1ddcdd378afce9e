// Placeholder until the view lands (the file is replaced by the view's implementation).
import { html } from '../html.js';
import type { Route } from '../router.js';
import { View } from '../ui.js';

export function Workflows(_props: { route: Route }) {
  return html`<${View} title="Workflows" ready=${true}><p>Not built yet.</p></${View}>`;
}
