/**
 * Calendar-aware duration arithmetic in UTC for signal windows.
 *
 * A duration is added as date-fns `add` and Temporal's `PlainDateTime.add` do: years and months first, as calendar
 * units, with the day of month clamped to the target month's length (Jan 31 + P1M = Feb 28, or 29 in a leap year),
 * then weeks and days, then the time units. In UTC a day is always 86,400,000 ms (no daylight saving time, and
 * JavaScript time has no leap seconds), so only months need the calendar.
 *
 * Written here rather than calling date-fns `add`: `add` works in the process's local time zone (UTC needs
 * @date-fns/utc's UTCDate, not a dependency), and the engine adds a window for every comparison on large logs, so the
 * common case (no years or months) is one addition and the calendar case is integer arithmetic without a Date.
 */

import { parseIsoDuration, type IsoDurationParts } from '../../../schemas/signals.js';

/** A duration reduced to what addition needs. */
export interface CalendarDuration {
  /** Years × 12 + months. */
  months: number;
  /** Weeks × 7 + days + the time units, in milliseconds (exact in UTC). */
  fixedMs: number;
  /** The text it was parsed from. */
  iso: string;
}

const MS_PER_DAY = 86_400_000;

/** Reduces parsed parts; fractions of time units are rounded to the millisecond. */
export function toCalendarDuration(parts: IsoDurationParts, iso: string): CalendarDuration {
  const timeMs = Math.round(((parts.hours * 60 + parts.minutes) * 60 + parts.seconds) * 1000);
  return {
    months: parts.years * 12 + parts.months,
    fixedMs: (parts.weeks * 7 + parts.days) * MS_PER_DAY + timeMs,
    iso,
  };
}

/** Parses an ISO 8601 duration; null when it is not one the rules accept (schemas/signals.ts). */
export function parseCalendarDuration(iso: string): CalendarDuration | null {
  const parts = parseIsoDuration(iso);
  return typeof parts === 'string' ? null : toCalendarDuration(parts, iso);
}

/**
 * `t` (epoch ms) plus the duration, calendar-aware in UTC. Not monotone in `t` across a clamped month end: the day is
 * clamped and the time of day kept, so Jan 30 12:00 + P1M = Feb 28 12:00 but Jan 31 00:00 + P1M = Feb 28 00:00
 * (2023). Callers never infer one window end from another's.
 */
export function addDuration(t: number, d: CalendarDuration): number {
  if (d.months === 0) return t + d.fixedMs;
  return addMonths(t, d.months) + d.fixedMs;
}

/** Builds the adder for one duration (the no-month case is the hot one). */
export function durationAdder(d: CalendarDuration): (t: number) => number {
  const { months, fixedMs } = d;
  if (months === 0) return (t) => t + fixedMs;
  return (t) => addMonths(t, months) + fixedMs;
}

function addMonths(t: number, months: number): number {
  const dayNumber = Math.floor(t / MS_PER_DAY);
  const timeOfDay = t - dayNumber * MS_PER_DAY;
  const { year, month, day } = civilFromDays(dayNumber);
  const total = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(total / 12);
  const targetMonth = total - targetYear * 12 + 1;
  const targetDay = Math.min(day, daysInMonth(targetYear, targetMonth));
  return daysFromCivil(targetYear, targetMonth, targetDay) * MS_PER_DAY + timeOfDay;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : (MONTH_DAYS[m - 1] as number);
}

// Proleptic Gregorian day numbers (days since 1970-01-01) and back: H. Hinnant's "chrono-compatible low-level date
// algorithms", valid for every year a Date can hold, without the two-digit-year quirk of Date.UTC.
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(z: number): { year: number; month: number; day: number } {
  const zz = z + 719_468;
  const era = Math.floor(zz / 146_097);
  const doe = zz - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
