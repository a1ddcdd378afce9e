// Placeholder until the chat panel lands (replaced by its implementation).
import { html } from '../html.js';

export function ChatPanel({ onClose }: { onClose: () => void }) {
  return html`<div><h2>Chat</h2><button type="button" onClick=${onClose}>Close</button></div>`;
}
