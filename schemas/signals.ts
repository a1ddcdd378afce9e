// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Id } from './common.js';

/**
 * A signal rule: what to notice in a tenant's entity change events. The same body is accepted by the API
 * (`POST /api/v1/signal-rules`) and read from rule files (`signals:replay --rules`). The schema is structural:
 * patterns are checked with the platform's EventBridge matcher by the domain's rule compiler
 * (functions/domain/signals/rules.ts), which schemas/ may not import.
 */

export const SIGNAL_KINDS = ['match', 'sequence', 'absence', 'count', 'repetition', 'inactivity'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** Kinds whose result does not depend on event times (replay accepts logs without timestamps for them). */
export const UNTIMED_SIGNAL_KINDS: readonly SignalKind[] = ['match', 'repetition'];

/**
 * Most events a count needs (`atLeast`): a count's state holds the last `atLeast - 1` matching events, and a key's
 * state holds at most this many events (functions/domain/signals/engine.ts, KEPT_EVENTS_CAP).
 */
export const MAX_COUNT_AT_LEAST = 1000;
/** Most events a repetition needs: its state holds a counter, so the bound only keeps the number exact. */
export const MAX_REPETITION_AT_LEAST = 1_000_000_000;

// ---------------------------------------------------------------------------------------------
// ISO 8601 durations
// ---------------------------------------------------------------------------------------------

/** The components of an ISO 8601 duration, as written (weeks are kept apart: `P2W`). */
export interface IsoDurationParts {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** Longest duration a rule may use (a window that long keeps a key's state for as long). */
export const MAX_DURATION = 'P10Y';

const MS_PER_DAY = 86_400_000;
// Mean Gregorian year and month (400-year cycle): how a calendar duration is compared with MAX_DURATION.
const MEAN_YEAR_DAYS = 365.2425;
const MEAN_MONTH_DAYS = MEAN_YEAR_DAYS / 12;

// PnW alone (ISO 8601-1 does not combine weeks with other units), or PnYnMnDTnHnMnS with any part left out.
// A decimal fraction (`.` or `,`) is allowed on the time units only: a fraction of a calendar day or month has
// no single length. Digits are bounded so a number never loses precision before the range check.
const ISO_DURATION =
  /^P(?:(\d{1,9})W|(?:(\d{1,9})Y)?(?:(\d{1,9})M)?(?:(\d{1,9})D)?(?:T(?=\d)(?:(\d{1,12}(?:[.,]\d{1,9})?)H)?(?:(\d{1,12}(?:[.,]\d{1,9})?)M)?(?:(\d{1,12}(?:[.,]\d{1,9})?)S)?)?)$/;

/**
 * Parses an ISO 8601 duration (`P7D`, `PT90M`, `P1Y2M`, `P2W`, `PT0.5S`). Returns the parts, or the reason it is
 * refused as a string: not ISO 8601, a fraction anywhere but on the last (time) unit, zero, or longer than P10Y.
 */
export function parseIsoDuration(text: string): IsoDurationParts | string {
  const m = ISO_DURATION.exec(text);
  if (!m || text === 'P') {
    return 'must be an ISO 8601 duration such as P7D, PT90M, P1Y2M, P2W or PT0.5S';
  }
  const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s.replace(',', '.')));
  const timeParts = [m[5], m[6], m[7]];
  const lastGiven = timeParts.reduce((last, part, i) => (part === undefined ? last : i), -1);
  if (timeParts.some((part, i) => part !== undefined && /[.,]/.test(part) && i !== lastGiven)) {
    return 'only the last unit of a duration may have a fraction';
  }
  const parts: IsoDurationParts = {
    years: num(m[2]),
    months: num(m[3]),
    weeks: num(m[1]),
    days: num(m[4]),
    hours: num(m[5]),
    minutes: num(m[6]),
    seconds: num(m[7]),
  };
  const nominal = nominalDurationMs(parts);
  // Below a millisecond nothing can be measured: event times are epoch milliseconds.
  if (!(nominal >= 1)) return 'must be longer than 0 (at least 1 ms)';
  if (nominal > nominalDurationMs(MAX_DURATION_PARTS)) return `must be at most ${MAX_DURATION}`;
  return parts;
}

const MAX_DURATION_PARTS: IsoDurationParts = {
  years: 10,
  months: 0,
  weeks: 0,
  days: 0,
  hours: 0,
  minutes: 0,
  seconds: 0,
};

/**
 * A duration's length in milliseconds with mean Gregorian years and months: only for comparing durations with one
 * another (the engine adds years and months as calendar units).
 */
export function nominalDurationMs(p: IsoDurationParts): number {
  const days = p.years * MEAN_YEAR_DAYS + p.months * MEAN_MONTH_DAYS + p.weeks * 7 + p.days;
  return days * MS_PER_DAY + ((p.hours * 60 + p.minutes) * 60 + p.seconds) * 1000;
}

export const IsoDuration = z
  .string()
  .max(64)
  .superRefine((text, ctx) => {
    const parsed = parseIsoDuration(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  })
  .meta({
    id: 'IsoDuration',
    description:
      'ISO 8601 duration (P7D, PT90M, P1Y2M, P2W, PT0.5S), > 0 and at most P10Y; years and months are calendar units in UTC.',
  });

// ---------------------------------------------------------------------------------------------
// Rule body
// ---------------------------------------------------------------------------------------------

/**
 * An attribute path relative to the event's `detail`, dotted: `entityId`, `customer.id`. A segment is any text
 * without dots or control characters (log attributes such as `org:resource` are segments).
 */
export const DetailPath = z
  .string()
  .max(256)
  .regex(/^[^.\u0000-\u001f]+(?:\.[^.\u0000-\u001f]+)*$/, 'must be a dotted attribute path such as entityId or a.b');

/**
 * An EventBridge event pattern over the entity change event (`source`, `detail-type`, `time`, `detail`). Its
 * grammar is checked by the platform's matcher when the rule is compiled.
 */
export const SignalEventPattern = z
  .record(z.string(), z.unknown())
  .meta({ id: 'SignalEventPattern', description: 'An EventBridge event pattern.' });

export const StartWorkflowAction = z
  .strictObject({
    startWorkflow: Id,
    /** The workflow run's input; the signal is added to it by the platform. */
    input: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'StartWorkflowAction' });
export type StartWorkflowAction = z.infer<typeof StartWorkflowAction>;

export const SignalCaseOptions = z
  .strictObject({
    /** A detail path whose value dedupes the case instead of the entity (the rule's key). */
    key: DetailPath.optional(),
    title: z.string().min(1).max(200).optional(),
  })
  .meta({ id: 'SignalCaseOptions' });

const common = {
  id: Id,
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  /** The attribute path (relative to `detail`) whose value groups events; an event without it is ignored. */
  key: DetailPath.default('entityId'),
  enabled: z.boolean().default(true),
  case: SignalCaseOptions.optional(),
  action: StartWorkflowAction.optional(),
};

/** `then` (the kinds other than sequence) and `action` say the same thing: only one of them may be given. */
function oneAction(value: { then?: unknown; action?: unknown }, ctx: z.core.$RefinementCtx): void {
  if (value.then !== undefined && value.action !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['action'],
      message: 'give the workflow to start in then or in action, not both',
    });
  }
}

const MatchRule = z
  .strictObject({
    ...common,
    kind: z.literal('match'),
    match: SignalEventPattern,
    then: StartWorkflowAction.optional(),
  })
  .superRefine(oneAction);

const SequenceRule = z.strictObject({
  ...common,
  kind: z.literal('sequence'),
  first: SignalEventPattern,
  /** The second pattern (the workflow to start goes under `action`). */
  then: SignalEventPattern,
  within: IsoDuration,
});

const AbsenceRule = z
  .strictObject({
    ...common,
    kind: z.literal('absence'),
    first: SignalEventPattern,
    missing: SignalEventPattern,
    within: IsoDuration,
    then: StartWorkflowAction.optional(),
  })
  .superRefine(oneAction);

const CountRule = z
  .strictObject({
    ...common,
    kind: z.literal('count'),
    match: SignalEventPattern,
    atLeast: z.number().int().min(2).max(MAX_COUNT_AT_LEAST),
    within: IsoDuration,
    then: StartWorkflowAction.optional(),
  })
  .superRefine(oneAction);

const RepetitionRule = z
  .strictObject({
    ...common,
    kind: z.literal('repetition'),
    match: SignalEventPattern,
    atLeast: z.number().int().min(2).max(MAX_REPETITION_AT_LEAST),
    then: StartWorkflowAction.optional(),
  })
  .superRefine(oneAction);

const InactivityRule = z
  .strictObject({
    ...common,
    kind: z.literal('inactivity'),
    longerThan: IsoDuration,
    /** Which events count as activity (default: every event of the key). */
    match: SignalEventPattern.optional(),
    /** Also fire when the key stays silent longer than longerThan after its last event, at that deadline. */
    fireAtDeadline: z.boolean().optional(),
    then: StartWorkflowAction.optional(),
  })
  .superRefine(oneAction);

export const SignalRuleBody = z
  .discriminatedUnion('kind', [MatchRule, SequenceRule, AbsenceRule, CountRule, RepetitionRule, InactivityRule])
  .meta({ id: 'SignalRuleBody' });
/** A rule body as parsed (defaults applied). */
export type SignalRuleBody = z.infer<typeof SignalRuleBody>;
/** A rule body as written (key and enabled optional). */
export type SignalRuleBodyInput = z.input<typeof SignalRuleBody>;
