/**
 * Pieces the workflow pages share: a definition's steps shown readably (tool, input with its references spelled
 * out, approval gate), and a table of runs.
 */
import type { ComponentChildren } from 'preact';
import type { ExecutionSummary, RunStatus, WorkflowStepView } from '../../../schemas/workflow.js';
import { api } from '../api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import { Badge, formatDuration, Time, useCan, useLoad } from '../ui.js';

export const RUN_STATUSES = [
  'RUNNING',
  'WAITING_FOR_APPROVAL',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'REJECTED',
] as const satisfies readonly RunStatus[];
/** The statuses a run can be re-driven from. */
export const REDRIVABLE: readonly string[] = ['FAILED', 'TIMED_OUT', 'REJECTED'];
export const ACTIVE: readonly string[] = ['RUNNING', 'WAITING_FOR_APPROVAL'];

interface ToolInfo {
  name: string;
  description: string;
  requiresApproval: boolean;
  compensatable: boolean;
}

// The registry is the same for every tenant and changes only with a deployment: read once per page load.
let tools: Promise<{ items: ToolInfo[] }> | undefined;
const loadTools = () => {
  tools ??= api.get<{ items: ToolInfo[] }>('/tools').catch((e) => {
    tools = undefined;
    throw e;
  });
  return tools;
};

/** A value of a step's input as a reader understands it: references say where the value comes from. */
function InputValue({ value }: { value: unknown }): ComponentChildren {
  if (typeof value === 'string') {
    if (value.startsWith('$$.')) return html`<code>${value.slice(1)}</code>`;
    if (value.startsWith('$.input.'))
      return html`<span class="ref">from the run input <code>${value.slice(8)}</code></span>`;
    const step = /^\$\.steps\.([^.]+)\.output(?:\.(.+))?$/.exec(value);
    if (step)
      return html`<span class="ref">from the output of step <code>${step[1]}</code>${step[2] ? html` at <code>${step[2]}</code>` : ''}</span>`;
    return html`<code>${value}</code>`;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return html`<dl class="facts nested">
      ${Object.entries(value).map(([k, v]) => html`<dt>${k}</dt><dd><${InputValue} value=${v} /></dd>`)}
    </dl>`;
  }
  return html`<code>${JSON.stringify(value)}</code>`;
}

export function StepsView({ steps }: { steps: WorkflowStepView[] }) {
  const mayReadTools = useCan()('tools:read');
  const registry = useLoad(() => (mayReadTools ? loadTools() : Promise.resolve({ items: [] })), [mayReadTools]);
  const toolOf = (name: string) => registry.data?.items.find((t) => t.name === name);
  return html`<ol class="steps">
    ${steps.map((s, i) => {
      const tool = toolOf(s.tool);
      return html`<li class="card" data-step-id=${s.id}>
        <header><h3>${i + 1}. ${s.id}</h3> <code>${s.tool}</code>${s.approval ? html` <${Badge} value="approval gate" />` : null}</header>
        ${tool ? html`<p class="muted">${tool.description}${tool.compensatable ? ' Undone if a later step fails.' : ''}</p>` : null}
        ${
          s.approval
            ? html`<p class="gate">Waits for a decision by <strong>${(s.approval.roles ?? ['approver']).join(', ')}</strong>
              (or admin) for at most ${formatDuration(s.approval.timeoutSeconds * 1000)}; undecided, the run ends TIMED_OUT.${
                s.approval.heartbeatSeconds
                  ? ` Heartbeat every ${formatDuration(s.approval.heartbeatSeconds * 1000)}.`
                  : ''
              }</p>`
            : null
        }
        <dl class="facts">
          ${Object.entries(s.input).map(([k, v]) => html`<dt>${k}</dt><dd><${InputValue} value=${v} /></dd>`)}
          ${(s.secretInputs ?? []).map((k) => html`<dt>${k}</dt><dd class="muted">set, sealed (never shown)</dd>`)}
        </dl>
      </li>`;
    })}
  </ol>`;
}

/** The members of the run input a definition's steps read (`$.input.<member>`), for a Run form to start from. */
export function runInputSkeleton(steps: WorkflowStepView[]): Record<string, string> {
  const members = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.startsWith('$.input.')) members.add(v.slice(8).split('.')[0]!);
    else if (v && typeof v === 'object') for (const w of Object.values(v)) walk(w);
  };
  for (const s of steps) walk(s.input);
  return Object.fromEntries([...members].map((m) => [m, '']));
}

export function RunsTable({ runs, showWorkflow = true }: { runs: ExecutionSummary[]; showWorkflow?: boolean }) {
  return html`<div class="table-wrap"><table>
    <thead><tr><th scope="col">Run</th>${showWorkflow ? html`<th scope="col">Workflow</th>` : null}<th scope="col">Status</th>
      <th scope="col">Steps done</th><th scope="col">Started</th><th scope="col">Stopped</th><th scope="col">Started by</th></tr></thead>
    <tbody>${runs.map(
      (r) => html`<tr data-run-id=${r.executionId}>
        <td><a href=${href('workflows', 'runs', r.executionId)}><code>${r.executionId}</code></a></td>
        ${showWorkflow ? html`<td><a href=${href('workflows', r.workflowId, { version: String(r.workflowVersion) })}>${r.workflowId}</a> v${r.workflowVersion}</td>` : null}
        <td><${Badge} value=${r.status} />${r.currentStep ? html` <span class="muted">at ${r.currentStep.id}</span>` : null}
          ${r.error ? html`<div class="muted">${r.error.code}: ${r.error.message}</div>` : null}</td>
        <td>${r.progress.done} / ${r.progress.total}</td>
        <td><${Time} iso=${r.startedAt} /></td>
        <td><${Time} iso=${r.stoppedAt} /></td>
        <td>${r.startedBy}${r.redrives ? html` <span class="muted">(re-driven ${r.redrives}×)</span>` : null}</td>
      </tr>`,
    )}</tbody>
  </table></div>`;
}
