/**
 * Cases: where people work on what the signals found (docs/cases.md). Signals open cases; people change them.
 * - `#/cases?status=&assignee=&rule=`: the cases, newest opened first, paged (`GET /cases`).
 * - `#/cases/<id>`: a case, its signals, and for who holds `cases:write` its work: status (open → in progress →
 *   resolved, reopen), assignment, notes; each a `PATCH /cases/{id}` with the version read (a 409 offers a reload).
 * - `#/cases/signal/<signalId>`: the case that holds a signal (cases-of-signal.ts finds it), replaced by its address.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Case, CaseStatus } from '../../../schemas/cases.js';
import { api } from '../api.js';
import { html } from '../html.js';
import { href, navigate, type Route } from '../router.js';
import {
  Act,
  Badge,
  ErrorBanner,
  Field,
  Loading,
  Pager,
  Time,
  useAction,
  useCan,
  useLoad,
  usePaged,
  useSession,
  View,
} from '../ui.js';
import { CaseOfSignal } from './cases-of-signal.js';
import { ConflictOffer, Short } from './signals-shared.js';

/** schemas/cases.ts CASE_STATUSES (repeated: importing values from schemas/ would bundle zod). */
const STATUSES = ['open', 'in_progress', 'resolved'] as const satisfies readonly CaseStatus[];
const say = (status: string) => status.replace(/_/g, ' ');

export function Cases({ route }: { route: Route }) {
  const [, id, signalId] = route.path;
  if (id === 'signal' && signalId) return html`<${CaseOfSignal} key=${signalId} signalId=${signalId} />`;
  if (id) return html`<${CaseDetail} key=${id} id=${id} />`;
  return html`<${CaseList} route=${route} />`;
}

function CaseList({ route }: { route: Route }) {
  const session = useSession();
  const q = route.query;
  const status = (STATUSES as readonly string[]).includes(q.status ?? '') ? q.status! : '';
  const assignee = q.assignee ?? '';
  const rule = q.rule ?? '';
  const list = usePaged<Case>('/cases', { status, assignee, rule, limit: 25 }, [status, assignee, rule]);
  const [form, setForm] = useState({ status, assignee, rule });
  useEffect(() => setForm({ status, assignee, rule }), [status, assignee, rule]);
  const apply = (e: Event) => {
    e.preventDefault();
    navigate(href('cases', { status: form.status, assignee: form.assignee.trim(), rule: form.rule.trim() }));
  };
  const filtered = !!(status || assignee || rule);
  const ready = !list.loading || list.items.length > 0 || !!list.error;
  return html`<${View} title="Cases" ready=${ready}
    actions=${html`<button type="button" onClick=${list.reload} disabled=${list.loading}>Refresh</button>`}>
    <form class="filters" onSubmit=${apply} role="search" aria-label="Filter cases">
      <label class="field">Status
        <select name="status" value=${form.status} onChange=${(e: Event) => setForm({ ...form, status: (e.target as HTMLSelectElement).value })}>
          <option value="">any</option>
          ${STATUSES.map((s) => html`<option value=${s}>${say(s)}</option>`)}
        </select>
      </label>
      <label class="field">Assignee
        <input name="assignee" value=${form.assignee} onInput=${(e: Event) => setForm({ ...form, assignee: (e.target as HTMLInputElement).value })} />
      </label>
      <label class="field">Rule id
        <input name="rule" value=${form.rule} onInput=${(e: Event) => setForm({ ...form, rule: (e.target as HTMLInputElement).value })} />
      </label>
      <button type="submit">Filter</button>
      ${session?.userId ? html`<a href=${href('cases', { assignee: session.userId })}>Assigned to me</a>` : null}
      ${filtered ? html`<a href=${href('cases')}>Clear filters</a>` : null}
    </form>
    ${
      list.items.length === 0
        ? list.loading || list.error
          ? null
          : html`<p class="empty">No cases${filtered ? ' with these filters' : ''}.</p>`
        : html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Case</th><th scope="col">Status</th><th scope="col">Assignee</th>
            <th scope="col">Signals</th><th scope="col">Rule</th><th scope="col">Opened</th><th scope="col">Updated</th></tr></thead>
          <tbody>${list.items.map(
            (c) => html`<tr data-case-id=${c.id}>
              <td><a href=${href('cases', c.id)}>${c.title}</a></td>
              <td><${Badge} value=${c.status} /></td>
              <td>${c.assignee ?? html`<span class="muted">nobody</span>`}</td>
              <td>${c.signalCount}</td>
              <td><a href=${href('signals', 'rules', c.ruleId)}>${c.ruleId}</a></td>
              <td><${Time} iso=${c.openedAt} /></td>
              <td><${Time} iso=${c.updatedAt} /></td>
            </tr>`,
          )}</tbody>
        </table></div>`
    }
    <${Pager} list=${list} />
  </${View}>`;
}

type CaseChange = { status?: CaseStatus; assignee?: string | null; note?: string };

function CaseDetail({ id }: { id: string }) {
  const kase = useLoad((signal) => api.get<Case>(`/cases/${encodeURIComponent(id)}`, undefined, signal), [id]);
  const title = kase.data ? `Case: ${kase.data.title}` : 'Case';
  return html`<${View} title=${title} ready=${kase.data !== undefined || !!kase.error}
    actions=${html`<a href=${href('cases')}>All cases</a>`}>
    <${Loading} state=${kase} label="Loading the case…">
      ${(c: Case) => html`<${CaseWork} kase=${c} onChanged=${kase.setData} onReload=${kase.reload} />`}
    </${Loading}>
  </${View}>`;
}

function CaseWork({
  kase: c,
  onChanged,
  onReload,
}: {
  kase: Case;
  onChanged: (c: Case) => void;
  onReload: () => void;
}) {
  const session = useSession();
  const can = useCan();
  const action = useAction();
  const [assignee, setAssignee] = useState(c.assignee ?? '');
  const [note, setNote] = useState('');
  const [said, setSaid] = useState('');
  useEffect(() => setAssignee(c.assignee ?? ''), [c.assignee]);

  const change = async (body: CaseChange, done: string) => {
    setSaid('');
    const updated = await action.run(() =>
      api.patch<Case>(`/cases/${encodeURIComponent(c.id)}`, { version: c.version, ...body }),
    );
    if (!updated) return false;
    onChanged(updated);
    setSaid(done);
    return true;
  };
  const me = session?.userId ?? '';
  const mayWrite = can('cases:write');
  const busy = action.busy;
  const addNote = async (e: Event) => {
    e.preventDefault();
    if (!note.trim()) return;
    if (await change({ note: note.trim() }, 'Note added.')) setNote('');
  };
  const assign = async (e: Event) => {
    e.preventDefault();
    const who = assignee.trim();
    await change({ assignee: who || null }, who ? `Assigned to ${who}.` : 'Unassigned.');
  };

  return html`<div class="grid2">
      <section class="card" aria-labelledby="case-facts">
        <header><h2 id="case-facts">Case</h2><${Badge} value=${c.status} /></header>
        <dl class="facts">
          <dt>Status</dt><dd data-case-status=${c.status}>${say(c.status)}${c.resolvedAt ? html`, <${Time} iso=${c.resolvedAt} />` : null}</dd>
          <dt>Assignee</dt><dd data-case-assignee>${c.assignee ?? html`<span class="muted">nobody</span>`}</dd>
          <dt>Rule</dt><dd><a href=${href('signals', 'rules', c.ruleId)}>${c.ruleId}</a></dd>
          <dt>Entity</dt><dd>${c.entityId ? html`<a href=${href('entities', c.entityId)}>${c.entityId}</a>` : html`<span class="muted">—</span>`}</dd>
          <dt>Case key</dt><dd><${Short} value=${c.caseKey} n=${40} /></dd>
          <dt>Opened</dt><dd><${Time} iso=${c.openedAt} /></dd>
          <dt>Updated</dt><dd><${Time} iso=${c.updatedAt} /> <span class="muted">(version ${c.version})</span></dd>
          <dt>Signals</dt><dd>${c.signalCount}</dd>
        </dl>
      </section>
      ${
        mayWrite
          ? html`<section class="card case-work" aria-labelledby="case-work">
          <h2 id="case-work">Work</h2>
          <h3>Status</h3>
          <div class="buttons">
            ${c.status === 'open' ? html`<${Act} permission="cases:write" kind="primary" busy=${busy} onClick=${() => change({ status: 'in_progress' }, 'Set in progress.')}>Set in progress</${Act}>` : null}
            ${c.status !== 'resolved' ? html`<${Act} permission="cases:write" busy=${busy} onClick=${() => change({ status: 'resolved' }, 'Resolved.')}>Resolve</${Act}>` : null}
            ${c.status === 'resolved' ? html`<${Act} permission="cases:write" busy=${busy} onClick=${() => change({ status: 'open' }, 'Reopened.')}>Reopen</${Act}>` : null}
          </div>
          <h3>Assignment</h3>
          <form class="assign" onSubmit=${assign}>
            <${Field} label="Assignee" hint="a user id; empty unassigns">
              <input name="assignee" value=${assignee} maxlength="128" onInput=${(e: Event) => setAssignee((e.target as HTMLInputElement).value)} />
            </${Field}>
            <div class="buttons">
              <${Act} permission="cases:write" type="submit" busy=${busy}>Assign</${Act}>
              ${me && c.assignee !== me ? html`<${Act} permission="cases:write" busy=${busy} onClick=${() => change({ assignee: me }, `Assigned to ${me}.`)}>Assign to me</${Act}>` : null}
              ${c.assignee ? html`<${Act} permission="cases:write" busy=${busy} onClick=${() => change({ assignee: null }, 'Unassigned.')}>Unassign</${Act}>` : null}
            </div>
          </form>
          <div role="status" aria-live="polite" class="live">${said}</div>
          <${ErrorBanner} error=${action.error} />
          <${ConflictOffer} error=${action.error} what="case" onReload=${() => {
            action.clear();
            onReload();
          }} />
        </section>`
          : null
      }
    </div>
    <section class="card" aria-labelledby="case-notes">
      <h2 id="case-notes">Notes</h2>
      ${
        c.notes.length
          ? html`<ol class="notes">${c.notes.map(
              (n) =>
                html`<li><div class="muted">${n.author}, <${Time} iso=${n.at} /></div><p class="note-text">${n.text}</p></li>`,
            )}</ol>`
          : html`<p class="empty">No notes yet.</p>`
      }
      ${
        mayWrite
          ? html`<form onSubmit=${addNote} class="decide">
          <${Field} label="New note" hint="at most 2,000 characters">
            <textarea name="note" rows="3" maxlength="2000" value=${note} onInput=${(e: Event) => setNote((e.target as HTMLTextAreaElement).value)}></textarea>
          </${Field}>
          <div class="buttons"><${Act} permission="cases:write" type="submit" busy=${busy}>Add note</${Act}></div>
        </form>`
          : null
      }
    </section>
    <section class="card" aria-labelledby="case-signals">
      <h2 id="case-signals">Signals</h2>
      <p class="muted">${c.signalCount > c.signals.length ? `The newest ${c.signals.length} of ${c.signalCount}, oldest first.` : 'Oldest first.'}
        ${c.entityId ? html` <a href=${href('signals', 'detected', { entity: c.entityId })}>Every signal of the entity</a>` : null}</p>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Held</th><th scope="col">Signal</th><th scope="col">Rule</th><th scope="col">Workflow run</th></tr></thead>
        <tbody>${c.signals.map(
          (s) => html`<tr>
            <td><${Time} iso=${s.at} /></td>
            <td><${Short} value=${s.signalId} n=${20} /></td>
            <td><a href=${href('signals', 'rules', s.ruleId)}>${s.ruleId}</a></td>
            <td>${s.executionId ? html`<code>${s.executionId}</code>` : html`<span class="muted">—</span>`}</td>
          </tr>`,
        )}</tbody>
      </table></div>
    </section>`;
}
