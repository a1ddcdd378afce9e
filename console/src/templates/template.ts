/**
 * A workflow template: a ready definition with a few parameters (a small form), which builds exactly the bodies the
 * API takes (`POST /workflows`, and `POST /signal-rules` for a template that starts on a signal). The bodies are
 * typed by the API's own contracts, and test/unit/console/templates.test.ts checks every template against the zod
 * schemas and the tool registry, so a template cannot drift from the API.
 */
import type { SignalRuleBodyInput } from '../../../schemas/signals.js';
import type { WorkflowDefinitionRequest } from '../../../schemas/workflow.js';

export type ParamKind = 'text' | 'number' | 'url' | 'role' | 'secret' | 'select' | 'id' | 'attribute';

export interface TemplateParam {
  key: string;
  label: string;
  kind: ParamKind;
  hint?: string;
  default?: string;
  /** `select`: the values offered. */
  options?: readonly string[];
  /** `number`: integer bounds. */
  min?: number;
  max?: number;
  /** May be left empty (a `secret` left empty is generated). */
  optional?: boolean;
}

export type TemplateValues = Record<string, string>;

export interface TemplateBuild {
  workflow: WorkflowDefinitionRequest;
  /** The signal rule that starts the workflow, made once the workflow's id is known. */
  signalRule?: (workflowId: string) => SignalRuleBodyInput;
  /** Secrets the console made for the definition: the API never returns them, so they are shown once. */
  generatedSecrets: { label: string; value: string }[];
}

export interface WorkflowTemplate {
  id: string;
  name: string;
  summary: string;
  /** What the template creates and what each step does, in order. */
  does: readonly string[];
  params: readonly TemplateParam[];
  /** Also creates a signal rule that starts the workflow (`build` returns `signalRule`). */
  startsOnSignal?: boolean;
  /** The run input the workflow reads (`$.input.<member>`), each member with what it is. */
  runInput: Readonly<Record<string, string>>;
  /** A run input of the right shape (a starting point for the Run form; the tests resolve the steps with it). */
  exampleInput: Readonly<Record<string, unknown>>;
  build(values: TemplateValues): TemplateBuild;
}

/** The roles an approval gate may name, besides admin who may always decide. */
export const GATE_ROLES = ['approver', 'operator', 'admin'] as const;
type GateRole = (typeof GATE_ROLES)[number];

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

/** The form's values: the defaults, overridden by what was typed. */
export const valuesOf = (t: WorkflowTemplate, given: TemplateValues = {}): TemplateValues =>
  Object.fromEntries(t.params.map((p) => [p.key, (given[p.key] ?? p.default ?? '').trim()]));

/** What is wrong with each parameter (none: the template can be built). */
export function checkParams(t: WorkflowTemplate, values: TemplateValues): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const p of t.params) {
    const v = (values[p.key] ?? '').trim();
    const problem = v === '' ? (p.optional ? undefined : 'required') : checkValue(p, v);
    if (problem) problems[p.key] = problem;
  }
  return problems;
}

function checkValue(p: TemplateParam, v: string): string | undefined {
  switch (p.kind) {
    case 'number': {
      const n = Number(v);
      if (!Number.isInteger(n)) return 'a whole number';
      if (p.min !== undefined && n < p.min) return `at least ${p.min}`;
      if (p.max !== undefined && n > p.max) return `at most ${p.max}`;
      return undefined;
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        return 'a URL such as https://hooks.example.com/modos';
      }
      const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
      if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return undefined;
      return 'an https URL (http only to 127.0.0.1 or localhost, which only the local platform allows)';
    }
    case 'role':
      return (GATE_ROLES as readonly string[]).includes(v) ? undefined : `one of ${GATE_ROLES.join(', ')}`;
    case 'select':
      return p.options?.includes(v) ? undefined : `one of ${p.options?.join(', ')}`;
    case 'secret':
      return SECRET.test(v) ? undefined : 'whsec_ followed by base64 of 24 to 64 bytes (leave empty to generate one)';
    case 'id':
      return ID.test(v) ? undefined : '1-64 characters of A-Z, a-z, 0-9, _ or -';
    case 'attribute':
      return ATTRIBUTE.test(v) ? undefined : 'a letter, then letters, digits, _ . or - (at most 64)';
    default:
      return v.length > 200 ? 'at most 200 characters' : undefined;
  }
}

/** A Standard Webhooks signing secret: `whsec_` and base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** The secret typed in the form, or a new one (then listed in `generated`, to show once). */
export function secretOf(
  values: TemplateValues,
  key: string,
  label: string,
  generated: TemplateBuild['generatedSecrets'],
): string {
  const given = values[key]?.trim();
  if (given) return given;
  const value = newWebhookSecret();
  generated.push({ label, value });
  return value;
}

/** An approval gate of `hours` that `role` (and admin) may decide. */
export const gate = (values: TemplateValues, hours = 'approvalHours', role = 'approverRole') => ({
  required: true as const,
  timeoutSeconds: Number(values[hours]) * 3600,
  roles: [values[role] as GateRole],
});

/** The parameters of an approval gate. */
export const gateParams = (defaultHours: number): TemplateParam[] => [
  {
    key: 'approverRole',
    label: 'Who approves',
    kind: 'role',
    default: 'approver',
    hint: 'The role that decides the gate in the Inbox (admin may always decide).',
  },
  {
    key: 'approvalHours',
    label: 'Approval deadline (hours)',
    kind: 'number',
    min: 1,
    max: 720,
    default: String(defaultHours),
    hint: 'An undecided gate times out after this long and the run ends TIMED_OUT.',
  },
];
