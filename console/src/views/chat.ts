/**
 * The chat panel beside the work (desktop: a third column; tablet and mobile: below the view) and, full width, the
 * Agents view's Chat tab: choose an agent, talk to it in a session, see the answer as it arrives, the sources of the
 * passages it used, and the outputs it proposed with their status (pending ones link to the inbox).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Agent, Message, Output } from '../../../schemas/agents.js';
import type { Session as AgentSession } from '../../../schemas/agents.js';
import { api, type Page } from '../api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import { Badge, ErrorBanner, Spinner, useLoad, usePolling, View } from '../ui.js';
import { sendMessage } from './chat-stream.js';

const REMEMBERED = 'modos.chat';

export function ChatPanel({ onClose }: { onClose?: () => void }) {
  const agents = useLoad((signal) => api.get<Page<Agent>>('/agents', { limit: 100 }, signal), []);
  const remembered = JSON.parse(sessionStorage.getItem(REMEMBERED) ?? 'null') as {
    agentId: string;
    sessionId: string;
  } | null;
  const [agentId, setAgentId] = useState(remembered?.agentId ?? '');
  const [sessionId, setSessionId] = useState<string | null>(remembered?.sessionId ?? null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [streaming, setStreaming] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [history, setHistory] = useState<{ loading: boolean; cursor: string | null }>({ loading: false, cursor: null });
  const log = useRef<HTMLDivElement>(null);
  const active = (agents.data?.items ?? []).filter((a) => a.is_active);

  useEffect(() => {
    if (!agentId && active[0]) setAgentId(active[0].id);
  }, [active.length]);

  // Resuming a remembered session: its messages in order, page by page.
  const loadHistory = async (cursor: string | null) => {
    if (!sessionId) return;
    setHistory((h) => ({ ...h, loading: true }));
    try {
      const page = await api.get<Page<Message>>(`/sessions/${encodeURIComponent(sessionId)}/messages`, {
        limit: 50,
        cursor: cursor ?? undefined,
      });
      setMessages((m) => (cursor ? [...m, ...page.items] : page.items));
      setHistory({ loading: false, cursor: page.nextCursor });
    } catch (e) {
      setError(e);
      setHistory({ loading: false, cursor: null });
    }
  };
  useEffect(() => {
    void loadHistory(null);
  }, [sessionId]);
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [messages.length, streaming]);

  const choose = (id: string) => {
    setAgentId(id);
    setSessionId(null);
    setMessages([]);
    sessionStorage.removeItem(REMEMBERED);
  };

  const send = async (e: Event) => {
    e.preventDefault();
    const content = draft.trim();
    if (!content || !agentId) return;
    setBusy(true);
    setError(undefined);
    try {
      let sid = sessionId;
      if (!sid) {
        const s = await api.post<AgentSession>(`/agents/${encodeURIComponent(agentId)}/sessions`, {});
        sid = s.id;
        setSessionId(sid);
        sessionStorage.setItem(REMEMBERED, JSON.stringify({ agentId, sessionId: sid }));
      }
      const now = new Date().toISOString();
      setMessages((m) => [...m, { id: `local-${now}`, session_id: sid!, role: 'user', content, created_at: now }]);
      setDraft('');
      setStreaming('');
      const answer = await sendMessage(sid, content, (soFar) => setStreaming(soFar));
      setMessages((m) => [...m, answer]);
    } catch (err) {
      setError(err);
    } finally {
      setStreaming(null);
      setBusy(false);
    }
  };

  const agentName = active.find((a) => a.id === agentId)?.name;
  return html`<div class="chat-panel">
    <header class="view-head">
      <h2>Chat${agentName ? ` with ${agentName}` : ''}</h2>
      ${onClose ? html`<div class="actions"><button type="button" onClick=${onClose}>Close chat</button></div>` : null}
    </header>
    ${agents.loading && !agents.data ? html`<${Spinner} label="Loading agents…" />` : null}
    <${ErrorBanner} error=${agents.error} onRetry=${agents.reload} />
    ${agents.data && active.length === 0 ? html`<p class="empty">No active agent: create one in Agents.</p>` : null}
    ${
      active.length
        ? html`<label class="inline">Agent
          <select value=${agentId} onChange=${(e: Event) => choose((e.target as HTMLSelectElement).value)}>
            ${active.map((a) => html`<option value=${a.id}>${a.name}</option>`)}
          </select></label>
          ${sessionId ? html`<button type="button" onClick=${() => choose(agentId)}>New session</button>` : null}`
        : null
    }
    <div class="chat-log" ref=${log} role="log" aria-live="polite" aria-label="Conversation" tabindex="0">
      ${history.cursor ? html`<button type="button" onClick=${() => loadHistory(history.cursor)}>Older messages</button>` : null}
      ${history.loading ? html`<${Spinner} label="Loading the conversation…" />` : null}
      ${messages.map((m) => html`<${ChatMessage} key=${m.id} message=${m} />`)}
      ${
        streaming !== null
          ? html`<div class="msg assistant" aria-busy="true">${streaming || html`<${Spinner} label="The agent is answering…" />`}</div>`
          : null
      }
    </div>
    <${ErrorBanner} error=${error} />
    <form class="chat-form" onSubmit=${send}>
      <label for="chat-input">Message</label>
      <textarea id="chat-input" rows="3" maxlength="32000" value=${draft} disabled=${!agentId}
        onInput=${(e: Event) => setDraft((e.target as HTMLTextAreaElement).value)}
        onKeyDown=${(e: KeyboardEvent) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
        }}></textarea>
      <button type="submit" class="primary" disabled=${busy || !draft.trim() || !agentId}>${busy ? 'Sending…' : 'Send'}</button>
      <span class="hint">Ctrl+Enter sends.</span>
    </form>
  </div>`;
}

function ChatMessage({ message: m }: { message: Message }) {
  return html`<div class=${`msg ${m.role}`}>
    <div class="msg-meta muted">${m.role === 'user' ? 'You' : 'Agent'}${m.offline ? html` <${Badge} value="offline" />` : null}${m.model && !m.offline ? ` · ${m.model}` : ''}</div>
    <div class="msg-text">${m.content}</div>
    ${
      m.passages?.length
        ? html`<details><summary>Sources (${m.passages.length})</summary><ul class="sources">
          ${m.passages.map((p) => html`<li><code>${p.source}</code> ${p.document_title}</li>`)}
        </ul></details>`
        : null
    }
    ${m.quarantined?.length ? html`<p class="muted">${m.quarantined.length} passage(s) held back as possible injection.</p>` : null}
    ${m.skill_calls?.filter((c) => c.outcome === 'refused').map((c) => html`<p class="muted">Skill ${c.skill} refused: ${c.reason}</p>`)}
    ${m.output_ids?.length ? html`<ul class="outputs">${m.output_ids.map((id) => html`<li><${OutputStatus} id=${id} /></li>`)}</ul>` : null}
  </div>`;
}

/** A proposed output's status, followed while it waits for its decision. */
export function OutputStatus({ id }: { id: string }) {
  const output = useLoad((signal) => api.get<Output>(`/outputs/${encodeURIComponent(id)}`, undefined, signal), [id]);
  usePolling(() => output.data?.status === 'pending' && output.reload(), 3000, [id, output.data?.status]);
  if (output.error) return html`<${ErrorBanner} error=${output.error} />`;
  const o = output.data;
  if (!o) return html`<${Spinner} label="Output…" />`;
  return html`<span data-output-id=${o.id}>Proposed ${o.skill_used ?? 'output'}: <${Badge} value=${o.status} />
    ${o.status === 'pending' ? html` <a href=${href('inbox')}>decide in the inbox</a>` : null}</span>`;
}

/** The chat as a whole view (the Agents view's Chat tab). */
export const ChatView = () => html`<${View} title="Chat" ready=${true}><${ChatPanel} /></${View}>`;
