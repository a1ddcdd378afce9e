// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
/**
 * A signal rule as the editor holds it (texts of inputs, patterns as JSON text) and back to the body the API takes
 * (schemas/signals.ts SignalRuleBody). The editor checks only what the API cannot be sent (JSON that does not
 * parse); every other check is the API's, whose 400 names the field.
 */
import type { SignalKind } from '../../../schemas/signals.js';
import type { SignalRule } from './signals-shared.js';

export type PatternField = 'match' | 'first' | 'then' | 'missing';
export type KindField = PatternField | 'within' | 'atLeast' | 'longerThan' | 'fireAtDeadline';

/** The fields of each kind (docs/signals.md, "Fields per kind"); `match` is optional for inactivity. */
export const KIND_FIELDS: Readonly<Record<SignalKind, readonly KindField[]>> = {
  match: ['match'],
  sequence: ['first', 'then', 'within'],
  absence: ['first', 'missing', 'within'],
  count: ['match', 'atLeast', 'within'],
  repetition: ['match', 'atLeast'],
  inactivity: ['longerThan', 'match', 'fireAtDeadline'],
};

/** Every body field but `id`, `name` and `kind` (a change sends `null` for those the rule had and no longer has). */
const OPTIONAL_BODY_FIELDS = [
  'description',
  'key',
  'enabled',
  'case',
  'action',
  'then',
  'match',
  'first',
  'missing',
  'within',
  'atLeast',
  'longerThan',
  'fireAtDeadline',
] as const;

export interface Draft {
  id: string;
  name: string;
  description: string;
  kind: SignalKind;
  key: string;
  enabled: boolean;
  patterns: Record<PatternField, string>;
  within: string;
  atLeast: string;
  longerThan: string;
  fireAtDeadline: boolean;
  caseKey: string;
  caseTitle: string;
  workflow: string;
  workflowInput: string;
  /** Where the rule keeps its workflow: a sequence's `then` is its second pattern, so a sequence uses `action`. */
  actionField: 'then' | 'action';
}

const pretty = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));

export const EXAMPLE_PATTERN = pretty({
  'detail-type': ['entity.updated'],
  detail: { payload: { entity: { attributes: { stage: ['won'] } } } },
});

export function newDraft(): Draft {
  return {
    id: '',
    name: '',
    description: '',
    kind: 'match',
    key: 'entityId',
    enabled: true,
    patterns: { match: EXAMPLE_PATTERN, first: '', then: '', missing: '' },
    within: '',
    atLeast: '',
    longerThan: '',
    fireAtDeadline: false,
    caseKey: '',
    caseTitle: '',
    workflow: '',
    workflowInput: '',
    actionField: 'action',
  };
}

interface Action {
  startWorkflow: string;
  input?: Record<string, unknown>;
}

export function draftOf(rule: SignalRule): Draft {
  const r = rule as SignalRule & Record<string, unknown>;
  const action = (r.action ?? (r.kind === 'sequence' ? undefined : (r.then as Action | undefined))) as
    | Action
    | undefined;
  const pattern = (f: PatternField) =>
    f === 'then' && r.kind !== 'sequence' ? '' : r[f] === undefined ? '' : pretty(r[f]);
  return {
    id: r.id,
    name: r.name,
    description: r.description ?? '',
    kind: r.kind,
    key: r.key,
    enabled: r.enabled,
    patterns: { match: pattern('match'), first: pattern('first'), then: pattern('then'), missing: pattern('missing') },
    within: typeof r.within === 'string' ? r.within : '',
    atLeast: typeof r.atLeast === 'number' ? String(r.atLeast) : '',
    longerThan: typeof r.longerThan === 'string' ? r.longerThan : '',
    fireAtDeadline: r.fireAtDeadline === true,
    caseKey: r.case?.key ?? '',
    caseTitle: r.case?.title ?? '',
    workflow: action?.startWorkflow ?? '',
    workflowInput: action?.input === undefined ? '' : pretty(action.input),
    actionField: r.kind !== 'sequence' && r.action === undefined && r.then !== undefined ? 'then' : 'action',
  };
}

export interface Built {
  body: Record<string, unknown>;
  /** Problems found before sending, by field (JSON that does not parse). */
  problems: Record<string, string>;
}

function parseJson(text: string, field: string, problems: Record<string, string>): unknown {
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) problems[field] = 'must be a JSON object';
    return v;
  } catch (e) {
    problems[field] = `is not JSON: ${(e as Error).message}`;
    return undefined;
  }
}

/** The rule body of a draft (fields left empty are left out, so the API's defaults or its "required" apply). */
export function bodyOf(d: Draft): Built {
  const problems: Record<string, string> = {};
  const body: Record<string, unknown> = { id: d.id.trim(), name: d.name.trim(), kind: d.kind };
  if (d.description.trim()) body.description = d.description.trim();
  if (d.key.trim()) body.key = d.key.trim();
  body.enabled = d.enabled;
  for (const field of KIND_FIELDS[d.kind]) {
    if (field === 'fireAtDeadline') {
      if (d.fireAtDeadline) body.fireAtDeadline = true;
    } else if (field === 'atLeast') {
      const t = d.atLeast.trim();
      if (t) body.atLeast = /^-?\d+$/.test(t) ? Number(t) : t;
    } else if (field === 'within' || field === 'longerThan') {
      if (d[field].trim()) body[field] = d[field].trim();
    } else if (d.patterns[field].trim()) {
      body[field] = parseJson(d.patterns[field], field, problems);
    }
  }
  if (d.caseKey.trim() || d.caseTitle.trim()) {
    body.case = {
      ...(d.caseKey.trim() ? { key: d.caseKey.trim() } : {}),
      ...(d.caseTitle.trim() ? { title: d.caseTitle.trim() } : {}),
    };
  }
  if (d.workflow.trim()) {
    const field = actionFieldOf(d);
    const action: Record<string, unknown> = { startWorkflow: d.workflow.trim() };
    if (d.workflowInput.trim()) action.input = parseJson(d.workflowInput, `${field}.input`, problems);
    body[field] = action;
  }
  return { body, problems };
}

export const actionFieldOf = (d: Draft): 'then' | 'action' => (d.kind === 'sequence' ? 'action' : d.actionField);

/**
 * The PATCH of a change: the version read, every field of the new body (each replaces the stored one), and `null`
 * for each field the stored rule had that the new body leaves out (a kind's fields when the kind changes, a case or
 * an action removed).
 */
export function changeOf(rule: SignalRule, body: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, ...fields } = body;
  const change: Record<string, unknown> = { version: rule.version, ...fields };
  const stored = rule as unknown as Record<string, unknown>;
  for (const f of OPTIONAL_BODY_FIELDS) if (stored[f] !== undefined && !(f in fields)) change[f] = null;
  return change;
}
