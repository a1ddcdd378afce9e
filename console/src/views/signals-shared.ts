/**
 * What the signal, case and audit views share: the API's problems for one form field, the offer to reload after a
 * 409 (someone else changed the record since it was read).
 */
import type { SignalKind, SignalRuleBody } from '../../../schemas/signals.js';
import { ApiError } from '../api.js';
import { html } from '../html.js';
import { isStale } from '../ui.js';

/** A rule as the API returns it (schemas/signals-api.ts SignalRule): its body with defaults, and its version. */
export type SignalRule = SignalRuleBody & {
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
};

/** The rule kinds (schemas/signals.ts SIGNAL_KINDS, repeated: importing values from schemas/ would bundle zod). */
export const KINDS = [
  'match',
  'sequence',
  'absence',
  'count',
  'repetition',
  'inactivity',
] as const satisfies readonly SignalKind[];

/**
 * The API's messages for `field` and the fields under it (`match` also takes `match.detail.stage`, shown with the
 * rest of its path), joined; `prefix` is what the request puts before the field (`rule.` for a preview).
 */
export function fieldProblem(error: unknown, field: string, prefix = ''): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const name = `${prefix}${field}`;
  const found = error.details
    .filter((d) => d.field === name || d.field?.startsWith(`${name}.`))
    .map((d) => (d.field === name ? d.message : `${d.field!.slice(prefix.length)}: ${d.message}`));
  return found.length ? found.join('; ') : undefined;
}

/** After a 409: what happened, and a button that reads the record again (dropping what was not saved). */
export function ConflictOffer({ error, what, onReload }: { error: unknown; what: string; onReload: () => void }) {
  if (!isStale(error)) return null;
  return html`<div class="notice conflict" role="status">
    <p>The ${what} was changed by someone else since you read it; nothing was saved.</p>
    <button type="button" onClick=${onReload}>Reload the ${what}</button>
  </div>`;
}

/** A short form of a long id or hash, the whole of it in the title. */
export const Short = ({ value, n = 12 }: { value: string; n?: number }) =>
  html`<code title=${value}>${value.length > n + 1 ? `${value.slice(0, n)}…` : value}</code>`;
