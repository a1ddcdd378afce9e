/**
 * Signal rule compiler: checks a rule body (schemas/signals.ts, then every pattern with the platform's EventBridge
 * matcher) and turns it into what the engine (engine.ts) runs: pattern matchers folded into one bit mask per event,
 * the key reader, and the window as a calendar-aware adder.
 */

import type * as z from 'zod';
import {
  SignalRuleBody,
  type SignalKind,
  type StartWorkflowAction,
  UNTIMED_SIGNAL_KINDS,
} from '../../../schemas/signals.js';
import { type ErrorDetail, ValidationError } from '../errors.js';
import { InvalidEventPatternError } from '../events/event-pattern.js';
import { type CalendarDuration, durationAdder, parseCalendarDuration } from './duration.js';
import { compileRulePattern } from './rule-pattern.js';

/** Bit of the mask for the rule's first pattern: `match` (match, count, repetition, inactivity) or `first`. */
export const FIRST_PATTERN = 1;
/** Bit of the mask for the rule's second pattern: a sequence's `then`, an absence's `missing`. */
export const SECOND_PATTERN = 2;

/**
 * How far behind the newest event of its key an event may arrive and still be placed by its time: EventBridge
 * retries a delivery for up to 24 hours. An event older than that is ignored (it could otherwise be a duplicate
 * whose first copy the state no longer remembers).
 */
export const DEFAULT_LATENESS_MS = 86_400_000;

/**
 * How long the engine remembers a fact that only an arbitrarily later event can use: the first A of a sequence or
 * an absence (a later A is not the first), a repetition's count, the last event before an open-ended gap of an
 * inactivity rule. Past it the key starts afresh. A year and a month, so yearly patterns survive.
 */
export const DEFAULT_RETENTION_MS = 400 * 86_400_000;

export interface CompileSignalRuleOptions {
  /** Allowed lateness in ms (default DEFAULT_LATENESS_MS); Infinity keeps every event a rule can use. */
  latenessMs?: number;
  /** Retention in ms (default DEFAULT_RETENTION_MS). */
  retentionMs?: number;
}

/** A rule ready for the engine. Holds functions: compile it again from its body after loading it. */
export interface CompiledSignalRule {
  readonly id: string;
  readonly kind: SignalKind;
  /** The body as parsed (defaults applied): what the API stores and returns. */
  readonly body: SignalRuleBody;
  readonly enabled: boolean;
  /** The key path relative to `detail`. */
  readonly keyPath: string;
  /** The event's key: the string at the key path under `detail`, else null (the rule ignores the event). */
  keyOf(event: Record<string, unknown>): string | null;
  /** Which of the rule's patterns the event matches (FIRST_PATTERN | SECOND_PATTERN); 0: none, the rule ignores it. */
  mask(event: Record<string, unknown>): number;
  /** `within` or `longerThan`; null for match and repetition. */
  readonly window: CalendarDuration | null;
  /** t + the window, calendar-aware in UTC (identity for the kinds without one). */
  addWindow(t: number): number;
  /** count and repetition: how many events; 1 for the other kinds. */
  readonly atLeast: number;
  /** inactivity: also fire when the key stays silent past longerThan. */
  readonly fireAtDeadline: boolean;
  /** The workflow to start when the rule fires (`then` or `action`), if any. */
  readonly action: StartWorkflowAction | null;
  /** The case dedup key of an event: the value at `case.key` when the rule names one, else null (use the key). */
  caseKeyOf(event: Record<string, unknown>): string | null;
  readonly caseTitle: string | undefined;
  /** True when the rule's result depends on event times (every kind but match and repetition). */
  readonly timed: boolean;
  readonly latenessMs: number;
  readonly retentionMs: number;
}

/**
 * Checks a rule body and compiles it. Throws ValidationError whose `details[].field` names the rule field at fault
 * (`within`, `kind`, `first.detail.activity` for a pattern error inside `first`).
 */
export function compileSignalRule(body: unknown, options: CompileSignalRuleOptions = {}): CompiledSignalRule {
  const parsed = SignalRuleBody.safeParse(body);
  if (!parsed.success) throw refusal(zodDetails(parsed.error));
  const rule = parsed.data;

  const problems: ErrorDetail[] = [];
  const pattern = (
    field: string,
    value: Record<string, unknown> | undefined,
  ): ((e: Record<string, unknown>) => boolean) | null => {
    if (value === undefined) return null;
    try {
      return compileRulePattern(value);
    } catch (error) {
      if (!(error instanceof InvalidEventPatternError)) throw error;
      problems.push({ field: error.path ? `${field}.${error.path}` : field, message: error.reason });
      return null;
    }
  };

  let firstMatcher: ((e: Record<string, unknown>) => boolean) | null = null;
  let secondMatcher: ((e: Record<string, unknown>) => boolean) | null = null;
  let window: CalendarDuration | null = null;
  let atLeast = 1;
  let fireAtDeadline = false;
  let action: StartWorkflowAction | null = rule.action ?? null;
  switch (rule.kind) {
    case 'match':
      firstMatcher = pattern('match', rule.match);
      action ??= rule.then ?? null;
      break;
    case 'sequence':
      firstMatcher = pattern('first', rule.first);
      if ('startWorkflow' in rule.then) {
        problems.push({
          field: 'then',
          message: "a sequence's then is its second event pattern: give the workflow to start in action",
        });
      } else {
        secondMatcher = pattern('then', rule.then);
      }
      window = duration(rule.within);
      break;
    case 'absence':
      firstMatcher = pattern('first', rule.first);
      secondMatcher = pattern('missing', rule.missing);
      window = duration(rule.within);
      action ??= rule.then ?? null;
      break;
    case 'count':
      firstMatcher = pattern('match', rule.match);
      window = duration(rule.within);
      atLeast = rule.atLeast;
      action ??= rule.then ?? null;
      break;
    case 'repetition':
      firstMatcher = pattern('match', rule.match);
      atLeast = rule.atLeast;
      action ??= rule.then ?? null;
      break;
    case 'inactivity':
      firstMatcher = pattern('match', rule.match);
      window = duration(rule.longerThan);
      fireAtDeadline = rule.fireAtDeadline === true;
      action ??= rule.then ?? null;
      break;
  }
  if (problems.length > 0) throw refusal(problems);

  const latenessMs = options.latenessMs ?? DEFAULT_LATENESS_MS;
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  if (!(latenessMs >= 0) || !(retentionMs >= 0)) {
    throw new ValidationError('lateness and retention must be >= 0 ms', {
      details: [{ field: !(latenessMs >= 0) ? 'latenessMs' : 'retentionMs', message: 'must be >= 0' }],
    });
  }

  const readKey = pathReader(rule.key);
  const readCaseKey = rule.case?.key ? pathReader(rule.case.key) : null;
  return {
    id: rule.id,
    kind: rule.kind,
    body: rule,
    enabled: rule.enabled,
    keyPath: rule.key,
    keyOf: (event) => stringOrNull(readKey(event.detail)),
    mask: maskOf(rule.kind, firstMatcher, secondMatcher),
    window,
    addWindow: window ? durationAdder(window) : (t) => t,
    atLeast,
    fireAtDeadline,
    action,
    caseKeyOf: (event) => (readCaseKey ? stringOrNull(readCaseKey(event.detail)) : null),
    caseTitle: rule.case?.title,
    timed: !UNTIMED_SIGNAL_KINDS.includes(rule.kind),
    latenessMs,
    retentionMs,
  };
}

type Matcher = (e: Record<string, unknown>) => boolean;

function maskOf(
  kind: SignalKind,
  first: Matcher | null,
  second: Matcher | null,
): (e: Record<string, unknown>) => number {
  // An inactivity rule without `match` counts every event of its key as activity.
  if (kind === 'inactivity' && first === null) return () => FIRST_PATTERN;
  const a = first as Matcher;
  if (second === null) return (e) => (a(e) ? FIRST_PATTERN : 0);
  return (e) => (a(e) ? FIRST_PATTERN : 0) | (second(e) ? SECOND_PATTERN : 0);
}

function duration(iso: string): CalendarDuration {
  // The schema has refused every text parseCalendarDuration would refuse.
  return parseCalendarDuration(iso) as CalendarDuration;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A reader of a dotted path. As in EventBridge patterns, `{"a": {"b": 1}}` and `{"a.b": 1}` address the same path
 * `a.b`, so a key containing dots is tried too. Only own properties are read (never `constructor` or `__proto__`).
 */
export function pathReader(path: string): (root: unknown) => unknown {
  const segments = path.split('.');
  if (segments.length === 1) {
    const only = segments[0] as string;
    return (root) => (isRecord(root) && Object.hasOwn(root, only) ? root[only] : undefined);
  }
  const resolve = (node: unknown, from: number): unknown => {
    if (from === segments.length) return node;
    if (!isRecord(node)) return undefined;
    let name = segments[from] as string;
    for (let to = from + 1; to <= segments.length; to++) {
      if (Object.hasOwn(node, name)) {
        const found = resolve(node[name], to);
        if (found !== undefined) return found;
      }
      name = `${name}.${segments[to]}`;
    }
    return undefined;
  };
  return (root) => resolve(root, 0);
}

function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      // One detail per unknown field, so each is named.
      return issue.keys.map((key) => ({ field: path ? `${path}.${key}` : key, message: 'unknown field' }));
    }
    return [{ field: path || 'body', message: issue.message }];
  });
}

function refusal(details: ErrorDetail[]): ValidationError {
  return new ValidationError(`invalid signal rule: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, {
    details,
  });
}
