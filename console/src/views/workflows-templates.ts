/**
 * The template library (console/src/templates): each template says what it does and asks for a few parameters;
 * "Use template" creates what it needs through the API (`POST /workflows`, and `POST /signal-rules` for a template
 * that starts on a signal) and shows the created definition, with any signing secret it generated, once.
 */
import { useState } from 'preact/hooks';
import type { Workflow } from '../../../schemas/workflow.js';
import { ApiError, api } from '../api.js';
import { html } from '../html.js';
import { href } from '../router.js';
import {
  checkParams,
  TEMPLATES,
  type TemplateBuild,
  type TemplateParam,
  type TemplateValues,
  valuesOf,
  type WorkflowTemplate,
} from '../templates/index.js';
import { GATE_ROLES } from '../templates/template.js';
import { Act, ErrorBanner, Field, useAction, useCan, View } from '../ui.js';
import { StepsView } from './workflows-parts.js';

export function TemplateLibrary({ tabs }: { tabs: unknown }) {
  return html`<${View} title="Workflows" ready=${true}>
    ${tabs}
    <p class="muted">Ready workflow definitions: fill in what they ask and create them in one click.</p>
    <ul class="cards">${TEMPLATES.map((t) => html`<${TemplateCard} key=${t.id} template=${t} />`)}</ul>
  </${View}>`;
}

interface Created {
  workflow: Workflow;
  secrets: TemplateBuild['generatedSecrets'];
  ruleId?: string;
  /** The rule still to create, when creating it failed after the workflow was created. */
  pendingRule?: TemplateBuild['signalRule'];
}

function TemplateCard({ template: t }: { template: WorkflowTemplate }) {
  const can = useCan();
  const [values, setValues] = useState<TemplateValues>(() => valuesOf(t));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<Created | null>(null);
  const action = useAction();
  const needsRule = t.startsOnSignal === true;
  const allowed = can('workflows:write') && (!needsRule || can('signals:write'));

  const createRule = async (c: Created, make: NonNullable<TemplateBuild['signalRule']>) => {
    const rule = make(c.workflow.id);
    try {
      await api.post('/signal-rules', rule);
    } catch (error) {
      // The workflow stays: the rule can be created again from here.
      setCreated({ ...c, pendingRule: make });
      throw error;
    }
    setCreated({ ...c, ruleId: rule.id, pendingRule: undefined });
  };
  const use = (e: Event) => {
    e.preventDefault();
    const found = checkParams(t, values);
    setProblems(found);
    if (Object.keys(found).length) return;
    void action.run(async () => {
      const built = t.build(valuesOf(t, values));
      if (built.signalRule) {
        // Refuse a taken rule id before anything is created, so a template is not left half made.
        const id = built.signalRule('wf_check').id;
        const taken = await api.get(`/signal-rules/${encodeURIComponent(id)}`).then(
          () => true,
          (err) => {
            if (err instanceof ApiError && err.status === 404) return false;
            throw err;
          },
        );
        if (taken) {
          setProblems({ ruleId: `a signal rule ${id} exists: choose another id` });
          return;
        }
      }
      const workflow = await api.post<Workflow>('/workflows', built.workflow);
      const c: Created = { workflow, secrets: built.generatedSecrets };
      setCreated(c);
      if (built.signalRule) await createRule(c, built.signalRule);
    });
  };
  const retryRule = () => created?.pendingRule && void action.run(() => createRule(created, created.pendingRule!));
  const hid = `tpl-${t.id}`;
  return html`<li class="card template" data-template=${t.id}>
    <header><h2 id=${hid}>${t.name}</h2></header>
    <p>${t.summary}</p>
    <ul class="does">${t.does.map((d) => html`<li>${d}</li>`)}</ul>
    <details><summary>Run input it reads</summary>
      <dl class="facts">${Object.entries(t.runInput).map(([k, v]) => html`<dt><code>${k}</code></dt><dd>${v}</dd>`)}</dl>
    </details>
    <form onSubmit=${use} aria-labelledby=${hid} novalidate>
      <div class="grid2">
        ${t.params.map(
          (
            p,
          ) => html`<${ParamField} param=${p} value=${values[p.key] ?? ''} error=${problems[p.key] ?? apiField(action.error, p)}
            onInput=${(v: string) => setValues({ ...values, [p.key]: v })} />`,
        )}
      </div>
      ${
        allowed
          ? html`<${Act} permission="workflows:write" type="submit" kind="primary" busy=${action.busy} label=${`Use template ${t.name}`}>
              ${action.busy ? 'Creating…' : 'Use template'}</${Act}>`
          : html`<p class="muted">Creating it needs workflows:write${needsRule ? ' and signals:write' : ''} (admin).</p>`
      }
      <${ErrorBanner} error=${action.error} />
    </form>
    ${created ? html`<${CreatedView} created=${created} onRetryRule=${retryRule} busy=${action.busy} />` : null}
  </li>`;
}

/** The API's message for a field a parameter fills (e.g. the rule id), when the API named one. */
function apiField(error: unknown, p: TemplateParam): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (p.key === 'ruleId') return error.fieldMessage('id');
  if (p.key === 'name') return error.fieldMessage('name');
  return undefined;
}

function ParamField({
  param: p,
  value,
  error,
  onInput,
}: {
  param: TemplateParam;
  value: string;
  error?: string;
  onInput: (v: string) => void;
}) {
  const set = (e: Event) => onInput((e.target as HTMLInputElement | HTMLSelectElement).value);
  const options = p.kind === 'role' ? GATE_ROLES : p.kind === 'select' ? (p.options ?? []) : null;
  const control = options
    ? html`<select value=${value} onChange=${set}>${options.map((o) => html`<option value=${o}>${o}</option>`)}</select>`
    : html`<input value=${value} onInput=${set} aria-invalid=${error ? 'true' : undefined}
        type=${p.kind === 'number' ? 'number' : p.kind === 'url' ? 'url' : 'text'}
        min=${p.min} max=${p.max} autocomplete="off" spellcheck=${false}
        placeholder=${p.kind === 'url' ? 'https://…' : p.kind === 'secret' ? 'generated when empty' : undefined} />`;
  return html`<${Field} label=${`${p.label}${p.optional ? ' (optional)' : ''}`} hint=${p.hint} error=${error}>${control}</${Field}>`;
}

function CreatedView({ created: c, onRetryRule, busy }: { created: Created; onRetryRule: () => void; busy: boolean }) {
  return html`<div class="created" role="status">
    <p><strong>Created</strong> <a href=${href('workflows', c.workflow.id)} data-created-workflow=${c.workflow.id}>${c.workflow.name}</a>
      (<code>${c.workflow.id}</code>, version ${c.workflow.version}).
      ${c.ruleId ? html` Signal rule <a href=${href('signals')}><code>${c.ruleId}</code></a> starts it.` : null}</p>
    ${
      c.pendingRule
        ? html`<p class="notice">The workflow exists; its signal rule was not created.
          <button type="button" onClick=${onRetryRule} disabled=${busy}>Create the signal rule again</button></p>`
        : null
    }
    ${c.secrets.map(
      (s) => html`<p class="notice">${s.label} (shown this once; the receiver verifies signatures with it):
        <code class="secret">${s.value}</code></p>`,
    )}
    <${StepsView} steps=${c.workflow.steps} />
  </div>`;
}
