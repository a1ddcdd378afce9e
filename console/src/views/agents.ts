/**
 * Agents: the chat, the tenant's agents, personas and skills (system and custom), the outputs agents proposed and
 * the model usage. Creating and changing agents and personas needs `agents:write` (admin); the forms show the API's
 * message next to the field it names.
 */
import { useState } from 'preact/hooks';
import type { Agent, KnowledgeBase, Output, Persona, Skill } from '../../../schemas/agents.js';
import type { UsageReport } from '../../../schemas/agent-sessions-api.js';
import type { z } from 'zod';
import { ApiError, api, type Page } from '../api.js';
import { html } from '../html.js';
import { href, navigate, type Route } from '../router.js';
import {
  Act,
  Badge,
  ErrorBanner,
  Field,
  Loading,
  Pager,
  Tabs,
  Time,
  useAction,
  useCan,
  useForm,
  useLoad,
  usePaged,
  View,
} from '../ui.js';
import { ChatPanel } from './chat.js';

const TABS = [
  ['chat', 'Chat'],
  ['agents', 'Agents'],
  ['personas', 'Personas'],
  ['skills', 'Skills'],
  ['outputs', 'Outputs'],
  ['usage', 'Usage'],
] as const;

export function Agents({ route }: { route: Route }) {
  const may = useCan();
  const tab = TABS.some(([t]) => t === route.path[1]) ? route.path[1]! : 'chat';
  const tabs = TABS.filter(([t]) => (t === 'outputs' ? may('outputs:read') : t === 'usage' ? may('usage:read') : true));
  return html`<${View} title="Agents" ready=${true}>
    <${Tabs} label="Agents sections" tabs=${tabs.map(([id, title]) => ({ id, title, to: href('agents', id) }))} current=${tab} />
    ${
      tab === 'chat'
        ? html`<${ChatPanel} />`
        : tab === 'agents'
          ? html`<${AgentsTab} editId=${route.path[2]} />`
          : tab === 'personas'
            ? html`<${PersonasTab} editId=${route.path[2]} />`
            : tab === 'skills'
              ? html`<${SkillsTab} />`
              : tab === 'outputs'
                ? html`<${OutputsTab} status=${route.query.status} />`
                : html`<${UsageTab} />`
    }
  </${View}>`;
}

/** The API's message for a field of a form's last refusal. */
const fieldError = (error: unknown, field: string) =>
  error instanceof ApiError ? error.fieldMessage(field) : undefined;

function AgentsTab({ editId }: { editId?: string }) {
  const list = usePaged<Agent>('/agents', {}, []);
  const editing = editId === 'new' ? null : list.items.find((a) => a.id === editId);
  return html`<div>
    <div class="buttons"><${Act} permission="agents:write" onClick=${() => navigate(href('agents', 'agents', 'new'))}>New agent</${Act}></div>
    ${
      editId
        ? html`<${AgentForm} key=${editId} agent=${editing ?? undefined} onDone=${() => {
            navigate(href('agents', 'agents'));
            list.reload();
          }} />`
        : null
    }
    <div class="table-wrap"><table>
      <caption class="muted">Agents of the tenant</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Skills</th><th scope="col">Daily limit</th><th scope="col">Updated</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${list.items.map(
        (a) => html`<tr>
          <td>${a.name}<div class="muted">${a.description ?? ''}</div></td>
          <td><${Badge} value=${a.is_active ? 'active' : 'inactive'} /></td>
          <td>${a.skill_ids.length}</td><td>${a.daily_output_limit}</td><td><${Time} iso=${a.updated_at} /></td>
          <td><${Act} permission="agents:write" onClick=${() => navigate(href('agents', 'agents', a.id))} label=${`Edit ${a.name}`}>Edit</${Act}></td>
        </tr>`,
      )}</tbody>
    </table></div>
    <${Pager} list=${list} />
  </div>`;
}

function AgentForm({ agent, onDone }: { agent?: Agent; onDone: () => void }) {
  const deps = useLoad(async (signal) => {
    const [personas, skills, kbs] = await Promise.all([
      api.get<Page<Persona>>('/personas', { limit: 100 }, signal),
      api.get<Page<Skill>>('/skills', undefined, signal),
      api.get<Page<KnowledgeBase>>('/knowledge-bases', { limit: 100 }, signal),
    ]);
    return { personas: personas.items, skills: skills.items, kbs: kbs.items };
  }, []);
  const action = useAction();
  const [skillIds, setSkillIds] = useState<string[]>(agent?.skill_ids ?? []);
  const form = useForm({
    name: agent?.name ?? '',
    description: agent?.description ?? '',
    persona_id: agent?.persona_id ?? '',
    system_prompt: agent?.system_prompt ?? '',
    knowledge_base_id: agent?.knowledge_base_id ?? '',
    daily_output_limit: String(agent?.daily_output_limit ?? 100),
    webhook_url: agent?.webhook_url ?? '',
    is_active: agent?.is_active ?? true,
  });
  const personaId = form.values.persona_id || deps.data?.personas[0]?.id || '';
  const submit = (e: Event) => {
    e.preventDefault();
    const v = form.values;
    const limit = Number(v.daily_output_limit);
    const body: Record<string, unknown> = {
      name: v.name.trim(),
      description: v.description.trim() || undefined,
      persona_id: personaId,
      system_prompt: v.system_prompt,
      skill_ids: skillIds,
      knowledge_base_id: v.knowledge_base_id || undefined,
      daily_output_limit: v.daily_output_limit.trim() && Number.isFinite(limit) ? limit : undefined,
      webhook_url: v.webhook_url.trim() || undefined,
      is_active: v.is_active,
    };
    void action.run(async () => {
      if (agent) {
        // A PATCH names what it removes with null.
        if (!body.knowledge_base_id && agent.knowledge_base_id) body.knowledge_base_id = null;
        if (!body.webhook_url && agent.webhook_url) body.webhook_url = null;
        if (!body.description && agent.description) body.description = null;
        await api.patch(`/agents/${agent.id}`, { version: agent.version, ...body });
      } else await api.post('/agents', body);
      onDone();
    });
  };
  const err = (field: string) => fieldError(action.error, field);
  return html`<form class="card" onSubmit=${submit} aria-label=${agent ? `Edit agent ${agent.name}` : 'New agent'}>
    <h2>${agent ? `Edit ${agent.name}` : 'New agent'}</h2>
    <${Loading} state=${deps} label="Loading personas and skills…">${(d: {
      personas: Persona[];
      skills: Skill[];
      kbs: KnowledgeBase[];
    }) => html`
      <${Field} label="Name" error=${err('name')}><input required maxlength="100" ...${form.bind('name')} /></${Field}>
      <${Field} label="Description" error=${err('description')}><input maxlength="500" ...${form.bind('description')} /></${Field}>
      <${Field} label="Persona" error=${err('persona_id')}>
        <select required ...${form.bind('persona_id')} value=${personaId}>
          ${d.personas.length ? d.personas.map((p) => html`<option value=${p.id}>${p.name}</option>`) : html`<option value="">No persona yet: create one first</option>`}
        </select></${Field}>
      <${Field} label="System prompt" error=${err('system_prompt')}><textarea rows="4" required maxlength="10000" ...${form.bind('system_prompt')}></textarea></${Field}>
      <fieldset><legend>Skills</legend>
        ${d.skills.map(
          (s) => html`<label class="check"><input type="checkbox" checked=${skillIds.includes(s.id)}
          onChange=${(e: Event) => {
            const on = (e.target as HTMLInputElement).checked;
            setSkillIds((ids) => (on ? [...ids, s.id] : ids.filter((x) => x !== s.id)));
          }} /> ${s.display_name}${s.is_sensitive ? ' (sensitive)' : ''}</label>`,
        )}
        ${err('skill_ids') ? html`<span class="field-error" role="alert">${err('skill_ids')}</span>` : null}
      </fieldset>
      <${Field} label="Knowledge base" error=${err('knowledge_base_id')}>
        <select ...${form.bind('knowledge_base_id')}>
          <option value="">None</option>${d.kbs.map((k) => html`<option value=${k.id}>${k.name}</option>`)}
        </select></${Field}>
      <${Field} label="Daily output limit" error=${err('daily_output_limit')}><input type="number" min="1" max="1000" ...${form.bind('daily_output_limit')} /></${Field}>
      <${Field} label="Webhook URL" hint="where proposed outputs are announced (https)" error=${err('webhook_url')}><input type="url" ...${form.bind('webhook_url')} /></${Field}>
      <label class="check"><input type="checkbox" ...${form.check('is_active')} /> Active</label>
    `}</${Loading}>
    <${ErrorBanner} error=${action.error} />
    <div class="buttons">
      <button type="submit" class="primary" disabled=${action.busy}>${action.busy ? 'Saving…' : agent ? 'Save' : 'Create agent'}</button>
      <button type="button" onClick=${onDone}>Cancel</button>
    </div>
  </form>`;
}

const PERSONA_FIELDS = [
  ['name', 'Name', 100],
  ['role', 'Role', 500],
  ['communication_style', 'Communication style', 500],
  ['tone', 'Tone', 500],
  ['target_audience', 'Target audience', 500],
] as const;

function PersonasTab({ editId }: { editId?: string }) {
  const list = usePaged<Persona>('/personas', {}, []);
  const editing = list.items.find((p) => p.id === editId);
  return html`<div>
    <div class="buttons"><${Act} permission="agents:write" onClick=${() => navigate(href('agents', 'personas', 'new'))}>New persona</${Act}></div>
    ${
      editId && (editId === 'new' || editing)
        ? html`<${PersonaForm} key=${editId} persona=${editing} onDone=${() => {
            navigate(href('agents', 'personas'));
            list.reload();
          }} />`
        : null
    }
    <ul class="cards">${list.items.map(
      (p) => html`<li class="card"><header><h2>${p.name}</h2>
        <${Act} permission="agents:write" onClick=${() => navigate(href('agents', 'personas', p.id))} label=${`Edit ${p.name}`}>Edit</${Act}></header>
        <dl class="facts"><dt>Role</dt><dd>${p.role}</dd><dt>Style</dt><dd>${p.communication_style}</dd><dt>Tone</dt><dd>${p.tone}</dd><dt>Audience</dt><dd>${p.target_audience}</dd></dl></li>`,
    )}</ul>
    <${Pager} list=${list} />
  </div>`;
}

function PersonaForm({ persona: editing, onDone }: { persona?: Persona; onDone: () => void }) {
  const action = useAction();
  const form = useForm(
    Object.fromEntries(PERSONA_FIELDS.map(([k]) => [k, editing?.[k] ?? ''])) as Record<string, string>,
  );
  const submit = (e: Event) => {
    e.preventDefault();
    const body = Object.fromEntries(PERSONA_FIELDS.map(([k]) => [k, (form.values[k] ?? '').trim()]));
    void action.run(async () => {
      if (editing) await api.patch(`/personas/${editing.id}`, { version: editing.version, ...body });
      else await api.post('/personas', body);
      onDone();
    });
  };
  return html`<form class="card" onSubmit=${submit} aria-label=${editing ? `Edit persona ${editing.name}` : 'New persona'}>
    <h2>${editing ? `Edit ${editing.name}` : 'New persona'}</h2>
    ${PERSONA_FIELDS.map(
      ([k, label, max]) => html`<${Field} label=${label} error=${fieldError(action.error, k)}>
        <input required maxlength=${max} ...${form.bind(k)} /></${Field}>`,
    )}
    <${ErrorBanner} error=${action.error} />
    <div class="buttons"><button type="submit" class="primary" disabled=${action.busy}>${editing ? 'Save' : 'Create persona'}</button>
      <button type="button" onClick=${onDone}>Cancel</button></div>
  </form>`;
}

function SkillsTab() {
  const skills = useLoad((signal) => api.get<Page<Skill>>('/skills', undefined, signal), []);
  return html`<${Loading} state=${skills} label="Loading skills…">${(
    page: Page<Skill>,
  ) => html`<div class="table-wrap"><table>
    <caption class="muted">System and custom skills</caption>
    <thead><tr><th scope="col">Skill</th><th scope="col">Category</th><th scope="col">Kind</th><th scope="col">Description</th></tr></thead>
    <tbody>${page.items.map(
      (s) => html`<tr><td><code>${s.name}</code><div>${s.display_name}</div></td><td>${s.category}</td>
        <td>${s.is_read_only ? 'read-only' : s.is_automatable ? 'runs on approval' : 'handed over on approval'}${s.is_sensitive ? ', sensitive' : ''}${s.is_system ? '' : ', custom'}</td>
        <td>${s.description}</td></tr>`,
    )}</tbody></table></div>`}</${Loading}>`;
}

const OUTPUT_STATUSES = ['', 'pending', 'approved', 'rejected', 'executed', 'manual', 'notification_failed'];

function OutputsTab({ status }: { status?: string }) {
  const s = OUTPUT_STATUSES.includes(status ?? '') ? (status ?? '') : '';
  const list = usePaged<Output>('/outputs', { status: s || undefined }, [s]);
  return html`<div>
    <div class="filters"><label class="inline">Status
      <select value=${s} onChange=${(e: Event) => navigate(href('agents', 'outputs', { status: (e.target as HTMLSelectElement).value }))}>
        ${OUTPUT_STATUSES.map((x) => html`<option value=${x}>${x || 'any'}</option>`)}
      </select></label></div>
    <div class="table-wrap"><table>
      <caption class="muted">Outputs agents proposed, newest first</caption>
      <thead><tr><th scope="col">Output</th><th scope="col">Skill</th><th scope="col">Status</th><th scope="col">Preview</th><th scope="col">Created</th></tr></thead>
      <tbody>${list.items.map(
        (o) => html`<tr><td><code>${o.id.slice(0, 8)}</code></td><td>${o.skill_used ?? ''}</td>
          <td><${Badge} value=${o.status} />${o.status === 'pending' ? html` <a href=${href('inbox')}>inbox</a>` : null}</td>
          <td class="muted">${o.content_preview ?? ''}</td><td><${Time} iso=${o.created_at} /></td></tr>`,
      )}</tbody></table></div>
    <${Pager} list=${list} />
  </div>`;
}

type Usage = z.output<typeof UsageReport>;

function UsageTab() {
  const usage = useLoad((signal) => api.get<Usage>('/usage', undefined, signal), []);
  return html`<${Loading} state=${usage} label="Loading usage…">${(u: Usage) => html`
    <p>${u.from} to ${u.to}: ${u.totals.input_tokens} input and ${u.totals.output_tokens} output tokens, $${u.totals.cost_usd.toFixed(4)}.</p>
    <div class="table-wrap"><table>
      <caption class="muted">Tokens and cost per day, agent and model</caption>
      <thead><tr><th scope="col">Day</th><th scope="col">Agent</th><th scope="col">Model</th><th scope="col">Calls</th><th scope="col">Input</th><th scope="col">Output</th><th scope="col">Cost (USD)</th></tr></thead>
      <tbody>${u.items.map(
        (r) =>
          html`<tr><td>${r.date}</td><td><code>${r.agent_id.slice(0, 8)}</code></td><td>${r.model}</td><td>${r.calls}</td><td>${r.input_tokens}</td><td>${r.output_tokens}</td><td>${r.cost_usd.toFixed(4)}</td></tr>`,
      )}</tbody></table></div>`}</${Loading}>`;
}
