// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
/**
 * One signal rule: its editor (create: `POST /signal-rules`; change: `PATCH /signal-rules/{id}` with the version
 * read; delete: `DELETE /signal-rules/{id}?version=` after a confirmation) for who holds `signals:write`, its
 * summary for who may only read, and for both its preview (`POST /signal-rules/preview`). The form holds the common
 * fields; patterns are JSON text. The API checks the rule with the detector's own compiler: its 400 names the field
 * (`match.detail.stage`, `rule.within` for a preview), shown beside that input.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SignalKind } from '../../../schemas/signals.js';
import { api } from '../api.js';
import { html } from '../html.js';
import { href, navigate } from '../router.js';
import {
  Act,
  Badge,
  ErrorBanner,
  Field,
  Json,
  Loading,
  Spinner,
  Time,
  useAction,
  useCan,
  useLoad,
  View,
} from '../ui.js';
import {
  actionFieldOf,
  bodyOf,
  changeOf,
  type Draft,
  draftOf,
  KIND_FIELDS,
  newDraft,
  type PatternField,
} from './signals-draft.js';
import { PREVIEW_DAYS, type Preview, PreviewResult } from './signals-preview.js';
import { ConflictOffer, fieldProblem, KINDS, type SignalRule } from './signals-shared.js';

const PATTERN_LABELS: Record<PatternField, string> = {
  match: 'Pattern (match)',
  first: 'First pattern (first)',
  then: 'Then pattern (then)',
  missing: 'Missing pattern (missing)',
};

/** A rule just created: its page says so once. */
let justCreated: string | null = null;

export function RulePage({ id }: { id: string | null }) {
  const rule = useLoad<SignalRule | null>(
    (signal) =>
      id === null
        ? Promise.resolve(null)
        : api.get<SignalRule>(`/signal-rules/${encodeURIComponent(id)}`, undefined, signal),
    [id],
  );
  const mayWrite = useCan()('signals:write');
  const title = id === null ? 'New signal rule' : rule.data ? `Rule: ${rule.data.name}` : `Rule ${id}`;
  return html`<${View} title=${title} ready=${rule.data !== undefined || !!rule.error}
    actions=${html`<a href=${href('signals')}>All rules</a>`}>
    <${Loading} state=${rule} label="Loading the rule…">
      ${(r: SignalRule | null) =>
        r === null && !mayWrite
          ? html`<p class="notice">Your roles may not create signal rules.</p>`
          : mayWrite
            ? html`<${RuleEditor} rule=${r} onSaved=${(saved: SignalRule) => rule.setData(saved)} onReload=${rule.reload} />`
            : html`<${RuleSummary} rule=${r!} />`}
    </${Loading}>
  </${View}>`;
}

/** Who may only read: the rule's fields, and its preview. */
function RuleSummary({ rule: r }: { rule: SignalRule }) {
  const { problems: _p, body } = bodyOf(draftOf(r));
  return html`<div class="rule-page">
    <div class="rule-read">
      <section class="card" aria-labelledby="rule-facts">
        <h2 id="rule-facts">Rule</h2>
        <${RuleFacts} rule=${r} />
      </section>
      <section class="card" aria-labelledby="rule-body">
        <h2 id="rule-body">Body</h2>
        <${Json} value=${body} />
      </section>
    </div>
    <${PreviewPanel} body=${body} problems=${{}} keyIsEntity=${r.key === 'entityId'} onError=${() => {}} />
  </div>`;
}

function RuleFacts({ rule: r }: { rule: SignalRule }) {
  const mayCases = useCan()('cases:read');
  return html`<dl class="facts">
    <dt>Id</dt><dd><code>${r.id}</code></dd>
    <dt>Kind</dt><dd>${r.kind}</dd>
    <dt>Key</dt><dd><code>${r.key}</code></dd>
    <dt>State</dt><dd><${Badge} value=${r.enabled ? 'enabled' : 'disabled'} /></dd>
    <dt>Version</dt><dd>${r.version}, <${Time} iso=${r.updatedAt} /> by ${r.updatedBy}</dd>
    <dt>Created</dt><dd><${Time} iso=${r.createdAt} /> by ${r.createdBy}</dd>
    <dt>Detected</dt><dd><a href=${href('signals', 'detected', { rule: r.id })}>Signals of this rule</a>
      ${mayCases ? html` · <a href=${href('cases', { rule: r.id })}>its cases</a>` : null}</dd>
  </dl>`;
}

function RuleEditor({
  rule,
  onSaved,
  onReload,
}: {
  rule: SignalRule | null;
  onSaved: (r: SignalRule) => void;
  onReload: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => (rule ? draftOf(rule) : newDraft()));
  const [local, setLocal] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(rule && justCreated === rule.id ? 'Rule created.' : null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  /** The last refusal of the form (a save's or a preview's) and how its fields are named. */
  const [refusal, setRefusal] = useState<{ error: unknown; prefix: string } | null>(null);
  const save = useAction();
  const remove = useAction();
  useEffect(() => {
    justCreated = null;
  }, []);
  useEffect(() => {
    if (rule) setDraft(draftOf(rule));
  }, [rule?.version]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const setPattern = (f: PatternField, v: string) => setDraft((d) => ({ ...d, patterns: { ...d.patterns, [f]: v } }));
  const problem = (field: string) =>
    local[field] ?? (refusal ? fieldProblem(refusal.error, field, refusal.prefix) : undefined);
  const built = bodyOf(draft);

  const submit = async (e: Event) => {
    e.preventDefault();
    setSaved(null);
    setLocal(built.problems);
    setRefusal(null);
    if (Object.keys(built.problems).length) return;
    const result = await save.run(() =>
      rule
        ? api.patch<SignalRule>(`/signal-rules/${encodeURIComponent(rule.id)}`, changeOf(rule, built.body))
        : api.post<SignalRule>('/signal-rules', built.body),
    );
    if (!result) return;
    if (rule) {
      setSaved(result.version === rule.version ? 'Nothing changed.' : `Saved as version ${result.version}.`);
      onSaved(result);
    } else {
      justCreated = result.id;
      navigate(href('signals', 'rules', result.id));
    }
  };
  useEffect(() => {
    if (save.error) setRefusal({ error: save.error, prefix: '' });
  }, [save.error]);

  const doDelete = async () => {
    if (!rule) return;
    const done = await remove.run(async () => {
      await api.del(`/signal-rules/${encodeURIComponent(rule.id)}`, { version: rule.version });
      return true;
    });
    if (done) navigate(href('signals'));
  };
  const reload = () => {
    save.clear();
    remove.clear();
    setRefusal(null);
    setConfirmDelete(false);
    onReload();
  };

  const kindFields = KIND_FIELDS[draft.kind];
  const text = (field: keyof Draft, label: string, hint?: string, problemField: string = field) =>
    html`<${Field} label=${label} hint=${hint} error=${problem(problemField)}>
      <input name=${field} value=${draft[field] as string}
        onInput=${(e: Event) => set(field, (e.target as HTMLInputElement).value as never)} />
    </${Field}>`;
  const actionField = actionFieldOf(draft);

  return html`${rule ? html`<section class="card" aria-labelledby="rule-facts"><h2 id="rule-facts">Rule</h2><${RuleFacts} rule=${rule} /></section>` : null}
  <div class="rule-page">
  <form class="rule-editor" onSubmit=${submit} novalidate>
    <div class="grid2">
      <fieldset>
        <legend>Rule</legend>
        ${rule ? null : text('id', 'Id', '1-64 characters of A-Z, a-z, 0-9, _ or -; it cannot change later')}
        ${text('name', 'Name')}
        ${text('description', 'Description (optional)')}
        <${Field} label="Kind" error=${problem('kind')}>
          <select name="kind" value=${draft.kind} onChange=${(e: Event) => set('kind', (e.target as HTMLSelectElement).value as SignalKind)}>
            ${KINDS.map((k) => html`<option value=${k}>${k}</option>`)}
          </select>
        </${Field}>
        ${text('key', 'Key', 'the detail path whose value groups events (default entityId)')}
        <label class="check"><input type="checkbox" name="enabled" checked=${draft.enabled}
          onChange=${(e: Event) => set('enabled', (e.target as HTMLInputElement).checked)} /> Enabled</label>
      </fieldset>
      <fieldset>
        <legend>What it notices (${draft.kind})</legend>
        ${kindFields.map((f) => {
          if (f === 'within') return text('within', 'Within (within)', 'an ISO 8601 duration: P7D, PT90M, P1M');
          if (f === 'longerThan')
            return text('longerThan', 'Silent longer than (longerThan)', 'an ISO 8601 duration: P30D');
          if (f === 'atLeast') return text('atLeast', 'At least (atLeast)', 'how many matching events, at least 2');
          if (f === 'fireAtDeadline')
            return html`<label class="check"><input type="checkbox" name="fireAtDeadline" checked=${draft.fireAtDeadline}
              onChange=${(e: Event) => set('fireAtDeadline', (e.target as HTMLInputElement).checked)} /> Also fire at the deadline, when nothing comes</label>`;
          const optional = draft.kind === 'inactivity' && f === 'match';
          return html`<${Field} label=${`${PATTERN_LABELS[f]}${optional ? ' (optional: which events count as activity)' : ''}`}
            hint="an EventBridge event pattern over the entity change event, as JSON" error=${problem(f)}>
            <textarea name=${f} class="code-input" rows="7" spellcheck=${false} value=${draft.patterns[f]}
              onInput=${(e: Event) => setPattern(f, (e.target as HTMLTextAreaElement).value)}></textarea>
          </${Field}>`;
        })}
      </fieldset>
      <fieldset>
        <legend>Case</legend>
        <p class="hint">Each signal opens or updates the case of its key: by default the rule and the key's value.</p>
        ${text('caseKey', 'Case key (optional)', 'a detail path whose value dedupes the case instead', 'case.key')}
        ${text('caseTitle', 'Case title (optional)', 'default: the rule name', 'case.title')}
      </fieldset>
      <fieldset>
        <legend>Workflow to start (optional)</legend>
        ${text('workflow', 'Workflow id', 'the workflow started on each signal', actionField)}
        <${Field} label="Workflow input (optional JSON object)" error=${problem(`${actionField}.input`)}>
          <textarea name="workflowInput" class="code-input" rows="3" spellcheck=${false} value=${draft.workflowInput}
            onInput=${(e: Event) => set('workflowInput', (e.target as HTMLTextAreaElement).value)}></textarea>
        </${Field}>
      </fieldset>
    </div>
    <div role="status" aria-live="polite" class="live">${saved ?? ''}</div>
    <${ErrorBanner} error=${save.error ?? remove.error} />
    ${rule ? html`<${ConflictOffer} error=${save.error ?? remove.error} what="rule" onReload=${reload} />` : null}
    <div class="buttons">
      <${Act} permission="signals:write" type="submit" kind="primary" busy=${save.busy}>${rule ? 'Save' : 'Create rule'}</${Act}>
      ${rule && !confirmDelete ? html`<${Act} permission="signals:write" kind="danger" onClick=${() => setConfirmDelete(true)}>Delete…</${Act}>` : null}
      ${save.busy ? html`<${Spinner} label="Saving…" />` : null}
    </div>
    ${
      rule && confirmDelete
        ? html`<div class="confirm" role="group" aria-label="Confirm deletion">
          <p>Delete the rule <strong>${rule.name}</strong>? Detection stops with the next event; its signals, cases and versions stay.</p>
          <div class="buttons">
            <${Act} permission="signals:write" kind="danger" busy=${remove.busy} onClick=${doDelete}>Delete the rule</${Act}>
            <button type="button" onClick=${() => setConfirmDelete(false)}>Cancel</button>
          </div>
        </div>`
        : null
    }
  </form>
  <${PreviewPanel} body=${built.body} problems=${built.problems} keyIsEntity=${(draft.key.trim() || 'entityId') === 'entityId'}
    onError=${(error: unknown) => {
      setLocal(built.problems);
      setRefusal(error ? { error, prefix: 'rule.' } : null);
    }} />
  </div>`;
}

/** The preview of the rule as the form holds it (or as stored, for who may only read). */
function PreviewPanel({
  body,
  problems,
  keyIsEntity,
  onError,
}: {
  body: Record<string, unknown>;
  problems: Record<string, string>;
  keyIsEntity: boolean;
  onError: (e: unknown) => void;
}) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const action = useAction();
  const run = async () => {
    setPreview(null);
    if (Object.keys(problems).length) {
      onError(undefined);
      return;
    }
    // A new rule's id is not needed to preview it: any valid id stands in.
    const rule = { ...body, id: (body.id as string) || 'preview' };
    const result = await action.run(() => api.post<Preview>('/signal-rules/preview', { rule, days: PREVIEW_DAYS }));
    if (result) {
      setPreview(result);
      onError(undefined);
    }
  };
  useEffect(() => {
    if (action.error) onError(action.error);
  }, [action.error]);
  const busy = action.busy;
  // The route asks for both: its samples are entities' keys (README, POST /signal-rules/preview).
  const can = useCan();
  if (!can('signals:read') || !can('entities:read')) return null;
  return html`<section class="card preview-panel" aria-labelledby="preview-title">
    <header><h2 id="preview-title">Preview</h2></header>
    <p class="muted">Replays the rule on the last ${PREVIEW_DAYS} days of entity changes; nothing is written.</p>
    <div class="buttons"><button type="button" onClick=${run} disabled=${busy} aria-busy=${busy ? 'true' : undefined}>Preview the last ${PREVIEW_DAYS} days</button></div>
    ${busy ? html`<${Spinner} label=${`Replaying the last ${PREVIEW_DAYS} days…`} />` : null}
    ${action.error ? html`<${ErrorBanner} error=${action.error} />` : null}
    ${preview ? html`<${PreviewResult} preview=${preview} keyIsEntity=${keyIsEntity} />` : null}
  </section>`;
}
