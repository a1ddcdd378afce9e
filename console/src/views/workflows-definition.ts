/**
 * A workflow definition: any of its versions (`GET /workflows/{id}?version=N`; every version stays readable), its
 * steps, a form that runs it with an input (`POST /workflows/execute`, then the run's page) and its latest runs.
 */
import { useState } from 'preact/hooks';
import type { ExecutionSummary, Workflow } from '../../../schemas/workflow.js';
import { ApiError, api } from '../api.js';
import { html } from '../html.js';
import { href, navigate } from '../router.js';
import { Act, ErrorBanner, Field, Loading, Pager, Time, useAction, useCan, useLoad, usePaged, View } from '../ui.js';
import { RunsTable, runInputSkeleton, StepsView } from './workflows-parts.js';

export function DefinitionPage({ id, version }: { id: string; version?: string }) {
  const wanted = version && /^[1-9]\d*$/.test(version) ? Number(version) : undefined;
  const path = `/workflows/${encodeURIComponent(id)}`;
  const latest = useLoad((signal) => api.get<Workflow>(path, undefined, signal), [id]);
  const pinned = useLoad(
    (signal) => (wanted ? api.get<Workflow>(path, { version: wanted }, signal) : Promise.resolve(undefined)),
    [id, wanted],
  );
  const shown = wanted ? pinned : latest;
  return html`<${View} title="Workflow" ready=${shown.data !== undefined || !!shown.error}>
    <p><a href=${href('workflows')}>← All workflows</a></p>
    <${Loading} state=${shown} label="Loading the workflow…">
      ${(w: Workflow) => html`<${Definition} workflow=${w} latest=${latest.data?.version ?? w.version} />`}
    </${Loading}>
  </${View}>`;
}

function Definition({ workflow: w, latest }: { workflow: Workflow; latest: number }) {
  const versions = Array.from({ length: latest }, (_, i) => latest - i);
  const mayRun = useCan()('workflows:execute');
  return html`
    <section class="card" aria-labelledby="wf-h">
      <header><h2 id="wf-h">${w.name}</h2> <span class="badge">v${w.version}${w.version === latest ? ', latest' : ''}</span></header>
      ${w.description ? html`<p>${w.description}</p>` : null}
      <dl class="facts">
        <dt>Id</dt><dd><code>${w.id}</code></dd>
        <dt>Created</dt><dd>${w.createdBy} <${Time} iso=${w.createdAt} /></dd>
        <dt>This version</dt><dd><${Time} iso=${w.updatedAt} /></dd>
        ${w.webhook ? html`<dt>Approval webhook</dt><dd><code>${w.webhook.url}</code>${w.webhook.secretConfigured ? ' (signed)' : ''}</dd>` : null}
      </dl>
      <nav aria-label="Versions" class="versions">
        <span class="muted">Versions:</span>
        ${versions.map(
          (v) => html`<a href=${href('workflows', w.id, v === latest ? {} : { version: String(v) })}
            aria-current=${v === w.version ? 'page' : undefined}>v${v}</a>`,
        )}
      </nav>
    </section>
    <h2 class="section">Steps</h2>
    <${StepsView} steps=${w.steps} />
    ${mayRun ? html`<${RunForm} workflow=${w} latest=${latest} />` : null}
    <${LatestRuns} workflowId=${w.id} />`;
}

function RunForm({ workflow: w, latest }: { workflow: Workflow; latest: number }) {
  const [text, setText] = useState(() => JSON.stringify(runInputSkeleton(w.steps), null, 2));
  const [problem, setProblem] = useState<string | undefined>();
  const action = useAction();
  const run = (e: Event) => {
    e.preventDefault();
    let input: unknown;
    try {
      input = JSON.parse(text || '{}');
    } catch (err) {
      setProblem(`not JSON: ${(err as Error).message}`);
      return;
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      setProblem('the input is a JSON object, e.g. { "leadId": "…" }');
      return;
    }
    setProblem(undefined);
    void action.run(async () => {
      const started = await api.post<{ executionId: string }>('/workflows/execute', {
        workflowId: w.id,
        input,
        ...(w.version === latest ? {} : { version: w.version }),
      });
      navigate(href('workflows', 'runs', started.executionId));
    });
  };
  const apiProblem = action.error instanceof ApiError ? action.error.fieldMessage('input') : undefined;
  return html`<section class="card" aria-labelledby="run-h">
    <header><h2 id="run-h">Run</h2></header>
    <form onSubmit=${run}>
      <${Field} label="Run input (JSON)" error=${problem ?? apiProblem}
        hint=${`Steps read it as $.input.<member>. Runs ${w.version === latest ? 'the latest version' : `version ${w.version}`}.`}>
        <textarea rows="6" spellcheck=${false} value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)}></textarea>
      </${Field}>
      <${Act} permission="workflows:execute" type="submit" kind="primary" busy=${action.busy} label=${`Run ${w.name}`}>
        ${action.busy ? 'Starting…' : 'Run'}
      </${Act}>
      <${ErrorBanner} error=${action.error} />
    </form>
  </section>`;
}

function LatestRuns({ workflowId }: { workflowId: string }) {
  const list = usePaged<ExecutionSummary>('/workflows/executions', { workflowId, limit: 10 }, [workflowId]);
  return html`<section aria-labelledby="runs-h">
    <h2 id="runs-h" class="section">Runs</h2>
    ${
      list.items.length
        ? html`<${RunsTable} runs=${list.items} showWorkflow=${false} />`
        : list.loading || list.error
          ? null
          : html`<p class="empty">No runs of this workflow yet.</p>`
    }
    <${Pager} list=${list} />
  </section>`;
}
