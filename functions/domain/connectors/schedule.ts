/**
 * Schedule expressions in EventBridge Scheduler's syntax, checked and evaluated here so that the API refuses
 * (400, naming the problem) what Scheduler would refuse later, and the local scheduler fires at the times AWS
 * fires. The syntax, as the Scheduler User Guide ("Schedule types") documents it:
 *
 * - `rate(value unit)`: `value` a positive integer, `unit` one of minute | minutes | hour | hours | day | days,
 *   singular exactly when the value is 1 (`rate(1 hours)` and `rate(5 hour)` are invalid).
 * - `cron(minutes hours day-of-month month day-of-week year)`: six fields separated by single spaces.
 *
 *   | field        | values                   | wildcards       |
 *   | ------------ | ------------------------ | --------------- |
 *   | minutes      | 0-59                     | `, - * /`       |
 *   | hours        | 0-23                     | `, - * /`       |
 *   | day-of-month | 1-31                     | `, - * ? / L W` |
 *   | month        | 1-12 or JAN-DEC          | `, - * /`       |
 *   | day-of-week  | 1-7 or SUN-SAT (1 = SUN) | `, - * ? L #`   |
 *   | year         | 1970-2199                | `, - * /`       |
 *
 *   Exactly one of day-of-month and day-of-week is `?`. `L` is the last day of the month (day-of-month) or of
 *   the week (day-of-week, i.e. SAT); `nL` in day-of-week the month's last day n (`6L`: last Friday). `nW` is the
 *   weekday (MON-FRI) nearest day n within the same month. `n#k` is the k-th day n of the month (`3#2`: second
 *   Tuesday).
 * - `at(yyyy-mm-ddThh:mm:ss)`: a one-time schedule.
 *
 * Where the guide is silent this module takes the stricter reading, so that what it accepts Scheduler accepts:
 * `L`, `W`, `#` and `?` stand alone in their field (no lists of them, no `LW`, no `L-3`), `nL` and `n#k` take the
 * day's number, names are upper case, ranges go upwards (no `FRI-MON`), and `/` is not used in day-of-week (the
 * guide does not list it there).
 *
 * Written here rather than taken from a cron library: the common ones (cron-parser, croner, cron-schedule) read
 * Unix or Quartz dialects: no year field or no `?` rule, day-of-week 0-6 from Sunday, `L`/`W`/`#` with other
 * meanings or combinations, and none refuses what Scheduler refuses with a message naming the field. The
 * AWS-specific parsers on npm are small single-author packages that neither validate nor evaluate time zones.
 */

/** A connector syncs at most this often: see MIN_SYNC_INTERVAL_REASON. */
export const MIN_SYNC_INTERVAL_MINUTES = 5;

/**
 * Why there is a minimum: a sync run reads the vendor's API, whose quotas are per organisation and per day
 * (Salesforce's daily API requests, HubSpot's daily and per-10-second limits, Workday's tenant throttles), and a
 * connector has one run at a time (a fire while one runs is skipped). Incremental runs every minute or two would
 * mostly be skipped or spend the customer's quota on empty pages. A sync now is always one API call away
 * (POST /connectors/{id}/sync).
 */
export const MIN_SYNC_INTERVAL_REASON = `a connector syncs at most every ${MIN_SYNC_INTERVAL_MINUTES} minutes (vendor API quotas; one run at a time)`;

export type RateUnit = 'minute' | 'hour' | 'day';

/** The days of a month a cron expression names. */
export type DayOfMonthSpec =
  | { kind: 'any' }
  | { kind: 'days'; days: ReadonlySet<number> }
  | { kind: 'last' }
  | { kind: 'nearestWeekday'; day: number };

/** The days of a week a cron expression names (1 = SUN … 7 = SAT). */
export type DayOfWeekSpec =
  | { kind: 'any' }
  | { kind: 'days'; days: ReadonlySet<number> }
  | { kind: 'lastOfMonth'; day: number }
  | { kind: 'nthOfMonth'; day: number; nth: number };

export interface CronSchedule {
  kind: 'cron';
  minutes: readonly number[];
  hours: readonly number[];
  daysOfMonth: DayOfMonthSpec;
  months: readonly number[];
  daysOfWeek: DayOfWeekSpec;
  years: readonly number[];
}

export type ParsedSchedule =
  | { kind: 'rate'; value: number; unit: RateUnit; periodMs: number }
  | CronSchedule
  | {
      kind: 'at';
      /** The wall-clock time, evaluated in the schedule's time zone. */
      year: number;
      month: number;
      day: number;
      hour: number;
      minute: number;
      second: number;
    };

const MINUTE_MS = 60_000;
const UNIT_MS: Record<RateUnit, number> = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 1_440 * MINUTE_MS };

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Names for the values from `min` on (JAN = 1, SUN = 1). */
  names?: readonly string[];
  /** Whether `/` is a wildcard of the field. */
  step: boolean;
}

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59, step: true },
  hours: { name: 'hours', min: 0, max: 23, step: true },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31, step: true },
  month: { name: 'month', min: 1, max: 12, names: MONTH_NAMES, step: true },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: DAY_NAMES, step: false },
  year: { name: 'year', min: 1970, max: 2199, step: true },
} as const satisfies Record<string, FieldSpec>;

/** Thrown inside the parser only; callers get its message. */
class ExpressionProblem extends Error {
  override readonly name = 'ExpressionProblem';
}

function problem(message: string): never {
  throw new ExpressionProblem(message);
}

const INTEGER = /^(0|[1-9]\d*)$/;

const rangeText = (f: FieldSpec) =>
  f.names ? `${f.min}-${f.max} or ${f.names[0]}-${f.names[f.names.length - 1]}` : `${f.min}-${f.max}`;

/** One value of a field: a number in range or (month, day-of-week) an upper-case name. */
function fieldValue(f: FieldSpec, text: string): number {
  if (f.names) {
    const index = f.names.indexOf(text);
    if (index >= 0) return f.min + index;
    if (f.names.includes(text.toUpperCase()))
      problem(`cron ${f.name}: write ${text.toUpperCase()}, not ${text} (names are upper case)`);
  }
  if (!/^\d+$/.test(text)) problem(`cron ${f.name}: ${JSON.stringify(text)} is not a value (${rangeText(f)})`);
  const n = Number(text);
  if (n < f.min || n > f.max) problem(`cron ${f.name}: ${text} is out of range (${rangeText(f)})`);
  return n;
}

/** The values of a field made of `*`, `*\/n`, or a list of `a`, `a-b`, `a/n`, `a-b/n`. */
function fieldValues(f: FieldSpec, text: string): number[] {
  const values = new Set<number>();
  const stepOf = (raw: string): number => {
    if (!f.step) problem(`cron ${f.name}: / is not a wildcard of this field (use , and -)`);
    if (!INTEGER.test(raw) || Number(raw) < 1 || Number(raw) > f.max - f.min + 1)
      problem(
        `cron ${f.name}: the increment ${JSON.stringify(raw)} is not a whole number from 1 to ${f.max - f.min + 1}`,
      );
    return Number(raw);
  };
  const add = (from: number, to: number, step: number) => {
    for (let v = from; v <= to; v += step) values.add(v);
  };
  if (text === '*') {
    add(f.min, f.max, 1);
    return [...values];
  }
  if (text.startsWith('*/')) {
    add(f.min, f.max, stepOf(text.slice(2)));
    return [...values];
  }
  for (const term of text.split(',')) {
    if (term === '') problem(`cron ${f.name}: empty item in the list ${JSON.stringify(text)}`);
    if (term.includes('*')) problem(`cron ${f.name}: * stands alone (or as */n), not in ${JSON.stringify(text)}`);
    const [range, step, extra] = term.split('/');
    if (extra !== undefined) problem(`cron ${f.name}: ${JSON.stringify(term)} has more than one /`);
    const [fromText, toText, more] = range!.split('-');
    if (more !== undefined || fromText === '' || toText === '')
      problem(`cron ${f.name}: ${JSON.stringify(term)} is not a value or a range a-b`);
    const from = fieldValue(f, fromText!);
    const to = toText === undefined ? (step === undefined ? from : f.max) : fieldValue(f, toText);
    if (to < from) problem(`cron ${f.name}: the range ${range} goes backwards (write the smaller value first)`);
    add(from, to, step === undefined ? 1 : stepOf(step));
  }
  return [...values].sort((a, b) => a - b);
}

const SPECIALS = /[?LW#]/;

/** Whether a field uses `? L W #` (outside the names JUL, WED… whose letters they share). */
const usesSpecials = (text: string) => SPECIALS.test(text.replace(/[A-Z]{3}/g, ''));

function dayOfMonthSpec(text: string): DayOfMonthSpec {
  const f = FIELDS.dayOfMonth;
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'last' };
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) return { kind: 'nearestWeekday', day: fieldValue(f, weekday[1]!) };
  if (usesSpecials(text))
    problem(
      `cron day-of-month: ${JSON.stringify(text)}: ?, L and nW stand alone in the field (# belongs to day-of-week)`,
    );
  return { kind: 'days', days: new Set(fieldValues(f, text)) };
}

function dayOfWeekSpec(text: string): DayOfWeekSpec {
  const f = FIELDS.dayOfWeek;
  if (text === '?') return { kind: 'any' };
  // L alone is the last day of the week.
  if (text === 'L') return { kind: 'days', days: new Set([7]) };
  const last = /^(\d+)L$/.exec(text);
  if (last) return { kind: 'lastOfMonth', day: fieldValue(f, last[1]!) };
  const nth = /^(\d+)#(\d+)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) problem(`cron day-of-week: in ${text} the occurrence ${nth[2]} is not 1-5`);
    return { kind: 'nthOfMonth', day: fieldValue(f, nth[1]!), nth: n };
  }
  if (/^[A-Z]{3}(L|#\d+)$/.test(text))
    problem(`cron day-of-week: write the day's number in ${text} (1 = SUN … 7 = SAT), as in 6L or 3#2`);
  if (usesSpecials(text))
    problem(
      `cron day-of-week: ${JSON.stringify(text)}: ?, L, nL and n#k stand alone in the field (W belongs to day-of-month)`,
    );
  return { kind: 'days', days: new Set(fieldValues(f, text)) };
}

function parseCron(body: string): CronSchedule {
  const fields = body.split(' ');
  if (fields.length !== 6 || fields.some((x) => x === ''))
    problem(
      'cron needs six fields separated by single spaces: minutes hours day-of-month month day-of-week year, e.g. cron(0 2 * * ? *)',
    );
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  for (const [text, f] of [
    [minutes, FIELDS.minutes],
    [hours, FIELDS.hours],
    [month, FIELDS.month],
    [year, FIELDS.year],
  ] as const) {
    if (usesSpecials(text)) problem(`cron ${f.name}: ${JSON.stringify(text)}: ? L W # are not wildcards of this field`);
  }
  const schedule: CronSchedule = {
    kind: 'cron',
    minutes: fieldValues(FIELDS.minutes, minutes),
    hours: fieldValues(FIELDS.hours, hours),
    daysOfMonth: dayOfMonthSpec(dom),
    months: fieldValues(FIELDS.month, month),
    daysOfWeek: dayOfWeekSpec(dow),
    years: fieldValues(FIELDS.year, year),
  };
  const domAny = schedule.daysOfMonth.kind === 'any';
  const dowAny = schedule.daysOfWeek.kind === 'any';
  if (domAny && dowAny) problem('cron: day-of-month and day-of-week cannot both be ?: give one of them (or *)');
  if (!domAny && !dowAny)
    problem('cron: day-of-month and day-of-week cannot both be given: one of them must be ? (e.g. cron(0 2 * * ? *))');
  return schedule;
}

function parseRate(body: string): ParsedSchedule {
  const m = /^(\S+) (\S+)$/.exec(body);
  if (!m) problem('rate is rate(value unit), e.g. rate(15 minutes)');
  const [valueText, unitText] = [m[1]!, m[2]!];
  if (!INTEGER.test(valueText) || Number(valueText) < 1 || !Number.isSafeInteger(Number(valueText)))
    problem(`rate: ${JSON.stringify(valueText)} is not a positive whole number`);
  const value = Number(valueText);
  const singular = /^(minute|hour|day)$/.exec(unitText)?.[1] as RateUnit | undefined;
  const plural = /^(minute|hour|day)s$/.exec(unitText)?.[1] as RateUnit | undefined;
  const unit = singular ?? plural;
  if (!unit) problem(`rate: ${JSON.stringify(unitText)} is not a unit (minute, minutes, hour, hours, day, days)`);
  if (value === 1 && plural) problem(`rate: write rate(1 ${unit}), singular for 1`);
  if (value !== 1 && singular) problem(`rate: write rate(${value} ${unit}s), plural for values other than 1`);
  return { kind: 'rate', value, unit, periodMs: value * UNIT_MS[unit] };
}

function parseAt(body: string): ParsedSchedule {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) problem('at is at(yyyy-mm-ddThh:mm:ss), e.g. at(2030-01-31T09:30:00)');
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
    problem(`at: ${body} is not a date and time`);
  return { kind: 'at', year, month, day, hour, minute, second };
}

/**
 * Parses an expression of any of Scheduler's three kinds (rate, cron, at). Returns the schedule, or a message
 * naming the problem. This is Scheduler's own check (the local scheduler uses it); connectors have
 * `checkScheduleExpression`, which adds their rules.
 */
export function parseScheduleExpression(expression: string): ParsedSchedule | string {
  try {
    const m = /^(rate|cron|at)\((.*)\)$/s.exec(expression);
    if (!m) problem('a schedule is rate(value unit), cron(six fields) or at(yyyy-mm-ddThh:mm:ss)');
    const kind = m[1] as 'rate' | 'cron' | 'at';
    const body = m[2]!;
    return kind === 'rate' ? parseRate(body) : kind === 'cron' ? parseCron(body) : parseAt(body);
  } catch (error) {
    if (error instanceof ExpressionProblem) return error.message;
    throw error;
  }
}

/**
 * Whether a cron schedule can fire twice less than `minutes` apart: two of its minutes of an hour are that
 * close, or (when it fires in two consecutive hours) its last minute of an hour and its first of the next.
 */
function firesWithin(schedule: CronSchedule, minutes: number): boolean {
  const m = schedule.minutes;
  for (let i = 1; i < m.length; i++) if (m[i]! - m[i - 1]! < minutes) return true;
  const hours = new Set(schedule.hours);
  const consecutiveHours = schedule.hours.some((h) => hours.has((h + 1) % 24));
  return m.length > 0 && consecutiveHours && 60 - m[m.length - 1]! + m[0]! < minutes;
}

/**
 * Checks a connector's schedule: EventBridge Scheduler's syntax (module header), no one-time `at(...)`, and no
 * more often than every MIN_SYNC_INTERVAL_MINUTES. Returns null when it is valid, else a message naming the problem.
 */
export function checkScheduleExpression(expression: string): string | null {
  if (/^at\(/.test(expression))
    return 'at(...) is a one-time schedule, and a connector syncs repeatedly: use rate(...) or cron(...)';
  const parsed = parseScheduleExpression(expression);
  if (typeof parsed === 'string') return parsed;
  if (parsed.kind === 'rate' && parsed.periodMs < MIN_SYNC_INTERVAL_MINUTES * MINUTE_MS)
    return `rate: ${MIN_SYNC_INTERVAL_REASON}, so rate(${MIN_SYNC_INTERVAL_MINUTES} minutes) at the most`;
  if (parsed.kind === 'cron' && firesWithin(parsed, MIN_SYNC_INTERVAL_MINUTES))
    return `cron minutes: fires less than ${MIN_SYNC_INTERVAL_MINUTES} minutes apart; ${MIN_SYNC_INTERVAL_REASON}`;
  return null;
}

// ---- evaluation -------------------------------------------------------------------------------------------

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = SUN … 7 = SAT, of a calendar date (the same in every time zone). */
const dayOfWeek = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

/** The day of the month `nW` means in this month, or undefined when the month is shorter than n. */
function nearestWeekday(year: number, month: number, n: number): number | undefined {
  const last = daysInMonth(year, month);
  if (n > last) return undefined;
  const dow = dayOfWeek(year, month, n);
  // Saturday moves to Friday, Sunday to Monday, never out of the month (1W on a Saturday is Monday the 3rd).
  if (dow === 7) return n === 1 ? 3 : n - 1;
  if (dow === 1) return n === last ? n - 2 : n + 1;
  return n;
}

function matchesDay(s: CronSchedule, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  const dom = s.daysOfMonth;
  if (dom.kind === 'days' && !dom.days.has(day)) return false;
  if (dom.kind === 'last' && day !== last) return false;
  if (dom.kind === 'nearestWeekday' && nearestWeekday(year, month, dom.day) !== day) return false;
  const dow = s.daysOfWeek;
  const weekday = dayOfWeek(year, month, day);
  if (dow.kind === 'days' && !dow.days.has(weekday)) return false;
  if (dow.kind === 'lastOfMonth' && (weekday !== dow.day || day + 7 <= last)) return false;
  if (dow.kind === 'nthOfMonth' && (weekday !== dow.day || Math.ceil(day / 7) !== dow.nth)) return false;
  return true;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** Whether Intl knows the IANA time zone name (as Scheduler's ScheduleExpressionTimezone takes it). */
export function isTimeZone(timezone: string): boolean {
  try {
    formatterOf(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of an instant in a time zone, and its offset from UTC in ms. */
function wallTimeOf(ms: number, timezone: string): WallTime & { offsetMs: number } {
  if (timezone === 'UTC') {
    const d = new Date(ms);
    const wall = {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
    };
    return { ...wall, offsetMs: 0 };
  }
  const parts: Record<string, number> = {};
  for (const p of formatterOf(timezone).formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute! };
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, parts.second!);
  return { ...wall, offsetMs: asUtc - Math.floor(ms / 1000) * 1000 };
}

/**
 * The first instant whose wall-clock time in the zone is `w` (seconds 0), or undefined when the clocks skip it
 * (spring forward). When the clocks pass it twice (fall back) this is the first pass: Scheduler fires once.
 */
function instantOf(w: WallTime, timezone: string, second = 0): number | undefined {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, second);
  if (timezone === 'UTC') return naive;
  // The zone's offsets around that wall time (a day either side covers any transition of the day).
  const offsets = new Set([-86_400_000, 0, 86_400_000].map((d) => wallTimeOf(naive + d, timezone).offsetMs));
  const candidates = [...offsets]
    .map((offset) => naive - offset)
    .filter((t) => {
      const back = wallTimeOf(t, timezone);
      return (
        back.year === w.year &&
        back.month === w.month &&
        back.day === w.day &&
        back.hour === w.hour &&
        back.minute === w.minute
      );
    })
    .sort((a, b) => a - b);
  return candidates[0];
}

function nextCronFire(s: CronSchedule, afterMs: number, timezone: string): number | undefined {
  // Scheduler fires on whole minutes: start from the minute after `after`'s, in the zone's wall-clock time.
  const from = wallTimeOf(afterMs, timezone);
  for (const year of s.years) {
    if (year < from.year) continue;
    for (const month of s.months) {
      if (year === from.year && month < from.month) continue;
      const last = daysInMonth(year, month);
      const sameMonth = year === from.year && month === from.month;
      for (let day = sameMonth ? from.day : 1; day <= last; day++) {
        if (!matchesDay(s, year, month, day)) continue;
        const sameDay = sameMonth && day === from.day;
        for (const hour of s.hours) {
          if (sameDay && hour < from.hour) continue;
          for (const minute of s.minutes) {
            if (sameDay && hour === from.hour && minute < from.minute) continue;
            const t = instantOf({ year, month, day, hour, minute }, timezone);
            if (t !== undefined && t > afterMs) return t;
          }
        }
      }
    }
  }
  return undefined;
}

/**
 * The next time a schedule fires strictly after `after`, or null if it never fires again (a cron expression's
 * years are over, an `at` is past). Cron and `at` are evaluated in `timezone` (IANA name) with Scheduler's
 * daylight-saving rules: a wall time the clocks skip does not fire, one they pass twice fires once (the first).
 *
 * A rate has no calendar: its fires are `start`, `start + period`, `start + 2·period`… with `start` the
 * schedule's StartDate or, without one, the time it was created (Scheduler fires at once then); `days` are
 * 24-hour periods whatever the zone. Without `start`, the next fire is `after + period` (`after` being the last
 * fire).
 */
export function nextFireTime(expression: string, after: Date, timezone = 'UTC', start?: Date): Date | null {
  const parsed = parseScheduleExpression(expression);
  if (typeof parsed === 'string') throw new RangeError(`invalid schedule expression ${expression}: ${parsed}`);
  if (!isTimeZone(timezone)) throw new RangeError(`unknown time zone ${JSON.stringify(timezone)}`);
  const afterMs = after.getTime();
  if (parsed.kind === 'rate') {
    if (!start) return new Date(afterMs + parsed.periodMs);
    const startMs = start.getTime();
    if (afterMs < startMs) return new Date(startMs);
    return new Date(startMs + (Math.floor((afterMs - startMs) / parsed.periodMs) + 1) * parsed.periodMs);
  }
  if (parsed.kind === 'at') {
    const t = instantOf(parsed, timezone, parsed.second);
    return t !== undefined && t > afterMs ? new Date(t) : null;
  }
  const t = nextCronFire(parsed, afterMs, timezone);
  return t === undefined ? null : new Date(t);
}
