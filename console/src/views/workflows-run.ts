/**
 * A run: its status, who and what started it, its step history (`GET /workflows/executions/{id}`), followed every
 * `POLL_MS` while it runs or waits for an approval; a failed, timed-out or rejected run can be re-driven from the
 * step that failed (`POST /workflows/executions/{id}/redrive`).
 */
import { useState } from 'preact/hooks';
import type { Execution } from '../../../schemas/workflow.js';
import { api } from '../api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import {
  Act,
  Badge,
  ErrorBanner,
  formatDuration,
  Json,
  Loading,
  Time,
  useAction,
  useCan,
  useLoad,
  usePolling,
  View,
} from '../ui.js';
import { ACTIVE, REDRIVABLE } from './workflows-parts.js';

export const POLL_MS = 1500;

export function RunPage({ id }: { id: string }) {
  const path = `/workflows/executions/${encodeURIComponent(id)}`;
  const run = useLoad((signal) => api.get<Execution>(path, undefined, signal), [id]);
  const active = !!run.data && ACTIVE.includes(run.data.status);
  usePolling(() => active && run.reload(), POLL_MS, [active]);
  const redrive = useAction();
  const [said, setSaid] = useState('');
  const doRedrive = () =>
    redrive.run(async () => {
      const next = await api.post<Execution>(`${path}/redrive`);
      run.setData(next);
      setSaid(`Re-driven: the run resumes (re-drive ${next.redrives}).`);
    });
  return html`<${View} title="Run" ready=${run.data !== undefined || !!run.error}>
    <p><a href=${href('workflows', { tab: 'runs' })}>← All runs</a></p>
    <div role="status" aria-live="polite" class="live">${said}</div>
    <${Loading} state=${run} label="Loading the run…">
      ${(r: Execution) => html`<${RunDetail} run=${r} active=${active}
        redrive=${
          REDRIVABLE.includes(r.status)
            ? html`<${Act} permission="workflows:execute" kind="primary" busy=${redrive.busy} onClick=${doRedrive}>
                ${redrive.busy ? 'Re-driving…' : 'Re-drive'}</${Act}>`
            : null
        } />
        <${ErrorBanner} error=${redrive.error} />`}
    </${Loading}>
  </${View}>`;
}

function RunDetail({ run: r, active, redrive }: { run: Execution; active: boolean; redrive: unknown }) {
  const mayDecide = useCan()('approvals:read');
  const waiting = r.steps.find((s) => s.status === 'WAITING_FOR_APPROVAL');
  const trigger = r.trigger;
  return html`
    <section class="card" aria-labelledby="run-h">
      <header>
        <h2 id="run-h"><code>${r.executionId}</code></h2>
        <span data-run-status=${r.status}><${Badge} value=${r.status} /></span>
        ${active ? html`<span class="muted">following it every ${POLL_MS / 1000} s</span>` : null}
        <span class="actions">${redrive}</span>
      </header>
      <dl class="facts">
        <dt>Workflow</dt>
        <dd><a href=${href('workflows', r.workflowId, { version: String(r.workflowVersion) })}>${r.workflowId}</a> version ${r.workflowVersion}</dd>
        <dt>Started</dt><dd>${r.startedBy} <${Time} iso=${r.startedAt} /></dd>
        ${
          trigger && trigger.kind !== 'api'
            ? html`<dt>Started by</dt><dd>${trigger.kind} <code>${trigger.id}</code>${trigger.kind === 'signal' ? html` of rule <code>${trigger.ruleId}</code>` : null}</dd>`
            : null
        }
        <dt>Last change</dt><dd><${Time} iso=${r.updatedAt} /></dd>
        ${r.completedAt ? html`<dt>Finished</dt><dd><${Time} iso=${r.completedAt} /> after ${formatDuration(Date.parse(r.completedAt) - Date.parse(r.startedAt))}</dd>` : null}
        ${
          r.redrives
            ? html`<dt>Re-driven</dt><dd>${r.redrives}×${(r.redrivenBy ?? []).map((x) => html`, by ${x.userId} <${Time} iso=${x.at} />`)}</dd>`
            : null
        }
        ${r.error ? html`<dt>Error</dt><dd class="overdue">${r.error.code}${r.error.stepId ? ` at ${r.error.stepId}` : ''}: ${r.error.message}</dd>` : null}
      </dl>
      ${
        waiting
          ? html`<p class="notice">Step <code>${waiting.id}</code> waits for a decision${
              mayDecide
                ? html`: <a href=${href('inbox')}>decide it in the Inbox</a>`
                : ' in the Inbox of who may approve it'
            }.</p>`
          : null
      }
      <details><summary>Run input</summary><${Json} value=${r.input} /></details>
    </section>
    <h2 class="section">Step history</h2>
    <div class="table-wrap"><table class="steps-table">
      <thead><tr><th scope="col">Step</th><th scope="col">Status</th><th scope="col">Attempts</th>
        <th scope="col">Started</th><th scope="col">Took</th><th scope="col">Result</th></tr></thead>
      <tbody>${r.steps.map(
        (s) => html`<tr data-step=${s.id} data-step-status=${s.status}>
          <td><strong>${s.id}</strong><div class="muted"><code>${s.tool}</code></div></td>
          <td><${Badge} value=${s.status} />${s.approvalId ? html`<div class="muted">approval <code>${s.approvalId}</code></div>` : null}</td>
          <td>${s.attempts}</td>
          <td><${Time} iso=${s.startedAt} /></td>
          <td>${s.startedAt && s.completedAt ? formatDuration(Date.parse(s.completedAt) - Date.parse(s.startedAt)) : '—'}</td>
          <td>
            ${s.error ? html`<div class="overdue">${s.error.code}: ${s.error.message}</div>` : null}
            ${s.output !== undefined ? html`<details><summary>Output</summary><${Json} value=${s.output} /></details>` : null}
          </td>
        </tr>`,
      )}</tbody>
    </table></div>`;
}
