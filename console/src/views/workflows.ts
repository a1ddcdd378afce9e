/**
 * Workflows: the definitions (paged), the runs (`GET /workflows/executions`, filtered by workflow and status) and
 * the template library, as tabs of `#/workflows`; a definition and its versions at `#/workflows/<id>?version=N`,
 * a run and its step history at `#/workflows/runs/<runId>`.
 */
import { useState } from 'preact/hooks';
import type { ExecutionSummary, Workflow } from '../../../schemas/workflow.js';
import { html } from '../html.js';
import { href, navigate, type Route } from '../router.js';
import { Field, Pager, Tabs, Time, usePaged, View } from '../ui.js';
import { DefinitionPage } from './workflows-definition.js';
import { RUN_STATUSES, RunsTable } from './workflows-parts.js';
import { RunPage } from './workflows-run.js';
import { TemplateLibrary } from './workflows-templates.js';

const TABS = [
  ['definitions', 'Definitions'],
  ['runs', 'Runs'],
  ['templates', 'Templates'],
] as const;
type Tab = (typeof TABS)[number][0];

export function Workflows({ route }: { route: Route }) {
  const [, first, second] = route.path;
  if (first === 'runs' && second) return html`<${RunPage} id=${second} />`;
  if (first && first !== 'runs') return html`<${DefinitionPage} id=${first} version=${route.query.version} />`;
  const tab: Tab = TABS.some(([t]) => t === route.query.tab) ? (route.query.tab as Tab) : 'definitions';
  const tabs = html`<${Tabs}
    label="Workflow pages"
    tabs=${TABS.map(([id, title]) => ({ id, title, to: href('workflows', id === 'definitions' ? {} : { tab: id }) }))}
    current=${tab}
  />`;
  if (tab === 'runs') return html`<${Runs} tabs=${tabs} query=${route.query} />`;
  if (tab === 'templates') return html`<${TemplateLibrary} tabs=${tabs} />`;
  return html`<${Definitions} tabs=${tabs} />`;
}

function Definitions({ tabs }: { tabs: unknown }) {
  const list = usePaged<Workflow>('/workflows', { limit: 20 }, []);
  return html`<${View} title="Workflows" ready=${!list.loading || list.items.length > 0 || !!list.error}
    actions=${html`<a href=${href('workflows', { tab: 'templates' })}>New from a template</a>`}>
    ${tabs}
    ${
      list.items.length
        ? html`<div class="table-wrap"><table>
          <caption class="muted">Workflow definitions, newest first</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Steps</th><th scope="col">Version</th>
            <th scope="col">Updated</th><th scope="col">Created by</th></tr></thead>
          <tbody>${list.items.map(
            (w) => html`<tr data-workflow-id=${w.id}>
              <td><a href=${href('workflows', w.id)}>${w.name}</a><div class="muted"><code>${w.id}</code></div></td>
              <td>${w.steps.length}${
                w.steps.some((s) => s.approval) ? ` (${w.steps.filter((s) => s.approval).length} with approval)` : ''
              }</td>
              <td>v${w.version}</td>
              <td><${Time} iso=${w.updatedAt} /></td>
              <td>${w.createdBy}</td>
            </tr>`,
          )}</tbody>
        </table></div>`
        : list.loading || list.error
          ? null
          : html`<p class="empty">No workflows yet. <a href=${href('workflows', { tab: 'templates' })}>Start from a template</a>.</p>`
    }
    <${Pager} list=${list} />
  </${View}>`;
}

function Runs({ tabs, query }: { tabs: unknown; query: Record<string, string> }) {
  const workflowId = query.workflowId ?? '';
  const status = (RUN_STATUSES as readonly string[]).includes(query.status ?? '') ? query.status! : '';
  const [draft, setDraft] = useState({ workflowId, status });
  const [runId, setRunId] = useState('');
  const list = usePaged<ExecutionSummary>('/workflows/executions', { limit: 20, workflowId, status }, [
    workflowId,
    status,
  ]);
  const apply = (e: Event) => {
    e.preventDefault();
    navigate(href('workflows', { tab: 'runs', workflowId: draft.workflowId.trim(), status: draft.status }));
  };
  const open = (e: Event) => {
    e.preventDefault();
    if (runId.trim()) navigate(href('workflows', 'runs', runId.trim()));
  };
  return html`<${View} title="Workflows" ready=${!list.loading || list.items.length > 0 || !!list.error}>
    ${tabs}
    <form class="filters" onSubmit=${apply} aria-label="Filter runs">
      <${Field} label="Workflow id">
        <input value=${draft.workflowId} placeholder="wf_…" onInput=${(e: Event) => setDraft({ ...draft, workflowId: (e.target as HTMLInputElement).value })} />
      </${Field}>
      <${Field} label="Status">
        <select value=${draft.status} onChange=${(e: Event) => setDraft({ ...draft, status: (e.target as HTMLSelectElement).value })}>
          <option value="">Any</option>
          ${RUN_STATUSES.map((s) => html`<option value=${s}>${s.replace(/_/g, ' ').toLowerCase()}</option>`)}
        </select>
      </${Field}>
      <button type="submit">Filter</button>
      <button type="button" onClick=${list.reload}>Refresh</button>
    </form>
    ${
      list.items.length
        ? html`<${RunsTable} runs=${list.items} />`
        : list.loading || list.error
          ? null
          : html`<p class="empty">No runs${workflowId || status ? ' match these filters on this page' : ' yet'}.</p>`
    }
    <${Pager} list=${list} />
    <form class="filters" onSubmit=${open} aria-label="Open a run">
      <${Field} label="Open a run by id">
        <input value=${runId} placeholder="run_…" onInput=${(e: Event) => setRunId((e.target as HTMLInputElement).value)} />
      </${Field}>
      <button type="submit">Open</button>
    </form>
  </${View}>`;
}
