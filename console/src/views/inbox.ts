/**
 * Inbox: what waits for a decision. Workflow gates and agents' outputs are both approvals (`GET /approvals`); an
 * output's approval names its output, whose content is read from `GET /outputs/{id}` and shown as text. The pending
 * list refreshes every `POLL_MS` while the tab is visible (the API has no push channel through API Gateway REST), so
 * a gate that opens appears within about one interval (`npm run bench:console` measures it).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { OutputDetail } from '../../../schemas/agent-outputs-api.js';
import type { Approval } from '../../../schemas/workflow.js';
import type { z } from 'zod';
import { api, type Page } from '../api.js';
import { html } from '../html.js';
import type { Route } from '../router.js';
import { href } from '../router.js';
import {
  Act,
  Badge,
  ErrorBanner,
  Json,
  Spinner,
  Time,
  useAction,
  useLoad,
  usePolling,
  useSession,
  View,
} from '../ui.js';

export const POLL_MS = 2000;
const PAGE = 25;
const STATUSES = ['pending', 'approved', 'rejected', 'timed_out'] as const;

type Output = z.output<typeof OutputDetail>;
/** Fields the API may add to an approval (who asked, what will happen). */
type InboxApproval = Approval & {
  requestedBy?: string;
  action?: { tool: string; input?: unknown; unresolved?: string; description?: string };
};

export function Inbox({ route }: { route: Route }) {
  const status = (STATUSES as readonly string[]).includes(route.query.status ?? '') ? route.query.status! : 'pending';
  const [items, setItems] = useState<InboxApproval[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [decided, setDecided] = useState<string | null>(null);
  const generation = useRef(0);
  /** Whether pages after the first were loaded (for this status). */
  const pagedOn = useRef(false);

  const refresh = async () => {
    const g = generation.current;
    try {
      const page = await api.get<Page<InboxApproval>>('/approvals', { status, limit: PAGE });
      if (g !== generation.current) return;
      setError(undefined);
      setItems((old) => {
        // Keep the later pages already loaded (older than the first page's last item); the first page is fresh.
        const last = page.items[page.items.length - 1]?.requestedAt;
        const ids = new Set(page.items.map((a) => a.id));
        const older = (old ?? []).filter((a) => !ids.has(a.id) && last !== undefined && a.requestedAt < last);
        return [...page.items, ...(page.nextCursor ? older : [])];
      });
      // Until the user pages on, the first page's cursor is where "Load more" goes; after that, more() owns it.
      if (!pagedOn.current) setCursor(page.nextCursor);
    } catch (e) {
      if (g === generation.current) setError(e);
    }
  };
  useEffect(() => {
    generation.current++;
    pagedOn.current = false;
    setItems(null);
    setCursor(null);
    void refresh();
  }, [status]);
  usePolling(() => void refresh(), POLL_MS, [status]);

  const more = async () => {
    if (!cursor) return;
    const g = generation.current;
    setLoadingMore(true);
    try {
      const page = await api.get<Page<InboxApproval>>('/approvals', { status, limit: PAGE, cursor });
      if (g !== generation.current) return;
      pagedOn.current = true;
      setItems((old) => {
        const ids = new Set((old ?? []).map((a) => a.id));
        return [...(old ?? []), ...page.items.filter((a) => !ids.has(a.id))];
      });
      setCursor(page.nextCursor);
    } catch (e) {
      if (g === generation.current) setError(e);
    } finally {
      if (g === generation.current) setLoadingMore(false);
    }
  };

  return html`<${View} title="Inbox" ready=${items !== null}
    actions=${html`<label class="inline">Status
      <select value=${status} onChange=${(e: Event) => {
        location.hash = href('inbox', { status: (e.target as HTMLSelectElement).value });
      }}>${STATUSES.map((s) => html`<option value=${s}>${s.replace('_', ' ')}</option>`)}</select></label>`}>
    <p class="muted">${status === 'pending' ? `Refreshes every ${POLL_MS / 1000} s.` : ''}</p>
    <div role="status" aria-live="polite" class="live">${decided ?? ''}</div>
    <${ErrorBanner} error=${error} onRetry=${refresh} />
    ${
      items === null
        ? error
          ? null
          : html`<${Spinner} label="Loading approvals…" />`
        : items.length === 0
          ? html`<p class="empty">${status === 'pending' ? 'Nothing waits for a decision.' : `No ${status.replace('_', ' ')} approvals.`}</p>`
          : html`<ul class="cards">
            ${items.map(
              (a) =>
                html`<${ApprovalCard} key=${a.id} approval=${a} onDecided=${(d: string) => {
                  setDecided(`${a.id} ${d}.`);
                  setItems((old) => (old ?? []).filter((x) => x.id !== a.id));
                }} />`,
            )}
          </ul>`
    }
    ${cursor ? html`<div class="pager">${loadingMore ? html`<${Spinner} />` : html`<button type="button" onClick=${more}>Load more</button>`}</div>` : null}
  </${View}>`;
}

function ApprovalCard({ approval: a, onDecided }: { approval: InboxApproval; onDecided: (d: string) => void }) {
  const session = useSession();
  const [note, setNote] = useState('');
  const action = useAction();
  const isOutput = a.subject?.kind === 'agent_output';
  // The gate names who may decide; an admin may decide any (the API checks the same).
  const mayDecide =
    a.status === 'pending' &&
    !!session &&
    (session.roles.includes('admin') || a.roles.some((r) => session.roles.includes(r)));
  const decide = (decision: 'approve' | 'reject') =>
    action.run(async () => {
      await api.post(`/approvals/${encodeURIComponent(a.id)}/${decision}`, note.trim() ? { comment: note.trim() } : {});
      onDecided(decision === 'approve' ? 'approved' : 'rejected');
    });
  const noteId = `note-${a.id}`;
  const overdue = Date.parse(a.expiresAt) < Date.now();
  return html`<li class="card" data-approval-id=${a.id}>
    <header>
      <h2>${isOutput ? `Agent output: ${a.action?.tool ?? a.tool}` : `${a.action?.tool ?? a.tool} in ${a.workflowId}`}</h2>
      <${Badge} value=${a.status} />
      ${a.notification === 'notification_failed' ? html`<${Badge} value="notification_failed" />` : null}
    </header>
    <dl class="facts">
      <dt>What will happen</dt>
      <dd>${a.action?.description ?? (isOutput ? 'The agent’s proposed output is carried out or handed over.' : `The step ${a.stepId} runs the tool ${a.tool}.`)}</dd>
      <dt>Who asked</dt><dd>${a.requestedBy ?? html`<span class="muted">not recorded</span>`}</dd>
      <dt>Requested</dt><dd><${Time} iso=${a.requestedAt} /></dd>
      <dt>Deadline</dt><dd class=${overdue ? 'overdue' : ''}><${Time} iso=${a.expiresAt} /></dd>
      <dt>May decide</dt><dd>${a.roles.join(', ')}</dd>
      ${isOutput ? null : html`<dt>Run</dt><dd><code>${a.executionId}</code>, step <code>${a.stepId}</code></dd>`}
      ${a.decidedBy ? html`<dt>Decided by</dt><dd>${a.decidedBy} <${Time} iso=${a.decidedAt} /></dd>` : null}
      ${a.comment ? html`<dt>Note</dt><dd>${a.comment}</dd>` : null}
    </dl>
    ${a.action?.unresolved ? html`<p class="field-error">The step's input could not be filled in: ${a.action.unresolved}</p>` : null}
    ${a.action?.input !== undefined ? html`<details><summary>Input</summary><${Json} value=${a.action.input} /></details>` : null}
    ${isOutput && a.subject ? html`<${OutputContent} outputId=${a.subject.outputId} />` : null}
    ${
      mayDecide
        ? html`<div class="decide">
          <label for=${noteId}>Note</label>
          <textarea id=${noteId} rows="2" maxlength="1000" value=${note} onInput=${(e: Event) => setNote((e.target as HTMLTextAreaElement).value)}></textarea>
          <div class="buttons">
            <${Act} permission="approvals:decide" kind="primary" busy=${action.busy} onClick=${() => decide('approve')} label=${`Approve ${a.id}`}>Approve</${Act}>
            <${Act} permission="approvals:decide" kind="danger" busy=${action.busy} onClick=${() => decide('reject')} label=${`Reject ${a.id}`}>Reject</${Act}>
          </div>
          <${ErrorBanner} error=${action.error} />
        </div>`
        : null
    }
  </li>`;
}

/** An agent output's content, as stored, shown as text (JSON pretty-printed); never interpreted as markup. */
function OutputContent({ outputId }: { outputId: string }) {
  const output = useLoad(
    (signal) => api.get<Output>(`/outputs/${encodeURIComponent(outputId)}`, undefined, signal),
    [outputId],
  );
  if (output.error) return html`<${ErrorBanner} error=${output.error} onRetry=${output.reload} />`;
  const o = output.data;
  if (!o) return html`<${Spinner} label="Loading the output…" />`;
  let parsed: unknown;
  if (o.content_type === 'json') {
    try {
      parsed = JSON.parse(o.content);
    } catch {
      parsed = undefined;
    }
  }
  return html`<div class="output">
    <p>Skill <code>${o.skill_used}</code> · status <${Badge} value=${o.status} /> ${o.offline ? html`<${Badge} value="offline" />` : null}
      ${o.is_automatable ? ' · runs on approval' : ' · handed over on approval'}</p>
    ${parsed !== undefined ? html`<${Json} value=${parsed} />` : html`<pre class="content" tabindex="0">${o.content}</pre>`}
  </div>`;
}
