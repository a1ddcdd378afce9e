/**
 * Rule preview: how often a rule would have fired on the recent past, before it is saved. The rule is checked as
 * create checks it (the same compiler, the same workflow check; errors name the field under `rule.`), nothing is
 * written, and the compiled rule is replayed by the engine (replayRule, as `signals:replay` does) on the signal
 * history of the last `days` UTC days (signal-history.ts).
 *
 * What the figures mean. The replay starts with every key empty at `from`, as if the rule had been saved then: a
 * sequence or absence whose first event came before `from` is not seen. Deadlines are evaluated up to `to` (the
 * request's time): an absence or inactivity deadline that falls after `to` does not count, since it has not come
 * yet (the detector would fire it then, if nothing prevents it). A disabled rule is previewed as if enabled.
 */
import { requirePermission } from '../../auth/authorize.js';
import { ValidationError } from '../../errors.js';
import type { Clock, RequestContext } from '../../ports.js';
import { dedupeAndSort, replayRule } from '../engine.js';
import type { SignalMatch } from '../types.js';
import type { SignalHistory, WorkflowCatalog } from './ports.js';
import { utcDayOf, utcDayStart } from './signal-history.js';
import { checkedRule } from './signal-rules.js';

/** The days a preview may cover, and its default. */
export const PREVIEW_MAX_DAYS = 30;
/** Most history events one preview reads; past it, the oldest are left out (`truncated`). */
export const PREVIEW_MAX_EVENTS = 50_000;
/** Most bytes of stored events one preview reads (about 1.3 KB an event at 50,000; a function of 1 GB holds it). */
export const PREVIEW_MAX_BYTES = 64 * 1024 * 1024;
/** Matches given as samples. */
export const PREVIEW_SAMPLES = 20;

const DAY_MS = 86_400_000;

export interface RulePreviewDeps {
  history: Pick<SignalHistory, 'read'>;
  workflows: WorkflowCatalog;
  clock: Clock;
  /** The read's bounds (default PREVIEW_MAX_EVENTS, PREVIEW_MAX_BYTES). */
  limits?: { maxEvents: number; maxBytes: number };
}

/** A match of the preview. */
export interface PreviewSample {
  key: string;
  /** ISO instant: when it held (the completing event's time, or the deadline). */
  at: string;
  eventIds: string[];
}

/** What the rule would have done on the history of [from, to]. */
export interface RulePreview {
  /** ISO instant: the start of the history replayed (the first day's 00:00 UTC, later when `truncated`). */
  from: string;
  /** ISO instant: the request's time. */
  to: string;
  days: number;
  /** History events read (each once). */
  events: number;
  /** Matches: signals the detector would have written. */
  fired: number;
  /** Distinct keys with at least one match. */
  keys: number;
  /** Matches per UTC day of their `at`, every day from `from`'s to `to`'s, oldest first. */
  byDay: Array<{ day: string; count: number }>;
  /** The first PREVIEW_SAMPLES matches by `at` (then key). */
  samples: PreviewSample[];
  /** The read stopped at a bound before the first day's start: `from` is later, the oldest events left out. */
  truncated: boolean;
  /** Events among those read that were stored trimmed (their largest payload values left out). */
  trimmed: number;
}

/** The rule's refusal with each field named under `rule.`, as the request body holds it. */
function underRule(error: ValidationError): ValidationError {
  const details = (error.details ?? []).map((d) => ({ ...d, field: d.field ? `rule.${d.field}` : 'rule' }));
  return new ValidationError(`invalid rule: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, {
    details,
    cause: error,
  });
}

/**
 * Replays a rule body on the last `days` days of the tenant's signal history (today counts as one), writing
 * nothing. Needs `signals:read` and `entities:read`: the answer holds key values read from entity events.
 *
 * @throws ValidationError naming `rule.<field>` (the rule as create refuses it) or `days`.
 */
export async function previewSignalRule(
  input: { rule: unknown; days?: number },
  ctx: RequestContext,
  deps: RulePreviewDeps,
): Promise<RulePreview> {
  requirePermission(ctx.principal, 'signals:read');
  requirePermission(ctx.principal, 'entities:read');
  const days = input.days ?? PREVIEW_MAX_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > PREVIEW_MAX_DAYS)
    throw new ValidationError(`days must be an integer from 1 to ${PREVIEW_MAX_DAYS}`, {
      details: [{ field: 'days', message: `must be an integer from 1 to ${PREVIEW_MAX_DAYS}` }],
    });
  let rule: Awaited<ReturnType<typeof checkedRule>>;
  try {
    rule = await checkedRule(input.rule, ctx.principal.tenantId, deps);
  } catch (error) {
    throw error instanceof ValidationError ? underRule(error) : error;
  }
  const to = deps.clock.now().getTime();
  const wanted = utcDayStart(to) - (days - 1) * DAY_MS;
  const read = await deps.history.read(ctx.principal.tenantId, {
    from: wanted,
    to,
    maxEvents: deps.limits?.maxEvents ?? PREVIEW_MAX_EVENTS,
    maxBytes: deps.limits?.maxBytes ?? PREVIEW_MAX_BYTES,
  });
  const events = dedupeAndSort(read.events);
  const matches: SignalMatch[] = [];
  replayRule(rule, events, (m) => {
    // A deadline after `to` has not come: the replay's end (+Infinity) would report it.
    if (m.at <= to) matches.push(m);
  });
  const perDay = new Map<string, number>();
  for (const m of matches) perDay.set(utcDayOf(m.at), (perDay.get(utcDayOf(m.at)) ?? 0) + 1);
  const byDay: RulePreview['byDay'] = [];
  for (let t = utcDayStart(read.from); t <= to; t += DAY_MS) {
    const day = utcDayOf(t);
    byDay.push({ day, count: perDay.get(day) ?? 0 });
  }
  matches.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    from: new Date(read.from).toISOString(),
    to: new Date(to).toISOString(),
    days,
    events: events.length,
    fired: matches.length,
    keys: new Set(matches.map((m) => m.key)).size,
    byDay,
    samples: matches.slice(0, PREVIEW_SAMPLES).map((m) => ({
      key: m.key,
      at: new Date(m.at).toISOString(),
      eventIds: [...m.eventIds],
    })),
    truncated: read.truncated,
    trimmed: read.trimmed,
  };
}
