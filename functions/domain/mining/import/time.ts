/**
 * Timestamps of event logs, to epoch milliseconds.
 *
 * - ISO 8601 (XES `xs:dateTime`, most CSV exports): `2010-12-30T14:32:00.000+01:00`, `2010-12-30 14:32:00+01:00`,
 *   `2010-12-30T14:32Z`, `2010-12-30` — date, optional time (`T` or a space), optional fraction, optional offset
 *   (`Z`, `+hh:mm`, `+hhmm`, `+hh`). A value without an offset is UTC, so a log reads the same on every machine.
 * - Epoch numbers: milliseconds when the magnitude is at least 1e11, else seconds (1e11 s is the year 5138 and 1e11
 *   ms is March 1973, so the two readings only overlap for millisecond stamps before 1973).
 * - An explicit format (date-fns `parse` tokens, e.g. `dd-MM-yyyy:HH.mm`), read in UTC unless the format itself
 *   has an offset token (`X`, `x`).
 *
 * The ISO reader is a hand-written regular expression rather than `Date.parse`, because `Date.parse` of anything but
 * the strict `T` form is implementation-defined and reads offset-less values in the process's local zone.
 */
import { parse } from 'date-fns';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const EPOCH = /^[+-]?\d+(?:\.\d+)?$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Epoch ms of an ISO 8601 date or date-time (see the module comment), or NaN when it is not one or out of range. */
export function parseIsoTimestamp(value: string): number {
  const m = ISO.exec(value);
  if (!m) return Number.NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return Number.NaN;
  if (month === 2 && day === 29 && !isLeapYear(year)) return Number.NaN;
  // 24:00:00 is the end of the day (ISO 8601); a leap second 60 is read as the next second, as Date.UTC does.
  if (hour > 24 || (hour === 24 && (minute > 0 || second > 0 || ms > 0)) || minute > 59 || second > 60) {
    return Number.NaN;
  }
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return Number.NaN;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC maps years 0..99 to 1900..1999.
  if (year < 100) {
    const d = new Date(t);
    d.setUTCFullYear(year);
    t = d.getTime();
  }
  return t - offsetMinutes * 60_000;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Epoch ms of a number of seconds or milliseconds since 1970 (the rule is in the module comment), else NaN. */
export function parseEpochTimestamp(value: string): number {
  if (!EPOCH.test(value)) return Number.NaN;
  const n = Number(value);
  return Math.abs(n) >= 1e11 ? Math.trunc(n) : Math.round(n * 1000);
}

/** A format the date-fns parser refuses (an unknown or incompatible token): the caller names its option. */
export class TimeFormatRangeError extends Error {
  override readonly name = 'TimeFormatRangeError';
}

/**
 * A reader of one log's timestamps: ISO 8601 or epoch numbers without a format; exactly the format when one is
 * given. Returns NaN for a value it cannot read; throws TimeFormatRangeError when the format itself is invalid.
 */
export function makeTimestampReader(timeFormat?: string): (value: string) => number {
  if (timeFormat === undefined || timeFormat === '') {
    return (value) => {
      const iso = parseIsoTimestamp(value);
      return Number.isNaN(iso) ? parseEpochTimestamp(value) : iso;
    };
  }
  return (value) => {
    let d: Date;
    try {
      d = parse(value, timeFormat, UTC_REFERENCE, { in: inUtc });
    } catch (err) {
      throw new TimeFormatRangeError((err as Error).message, { cause: err });
    }
    return d.getTime();
  };
}

/**
 * date-fns `parse` sets the fields it reads through the local-time methods of its working date (setHours, ...), so
 * with a plain Date it reads in the process's zone and skips the hour a daylight-saving change skips. A Date whose
 * local-time methods are the UTC ones makes it read in UTC on any machine (what `@date-fns/utc`'s UTCDate does;
 * these few lines spare a dependency).
 */
class UtcDate extends Date {
  override getFullYear(): number {
    return this.getUTCFullYear();
  }
  override getMonth(): number {
    return this.getUTCMonth();
  }
  override getDate(): number {
    return this.getUTCDate();
  }
  override getDay(): number {
    return this.getUTCDay();
  }
  override getHours(): number {
    return this.getUTCHours();
  }
  override getMinutes(): number {
    return this.getUTCMinutes();
  }
  override getSeconds(): number {
    return this.getUTCSeconds();
  }
  override getMilliseconds(): number {
    return this.getUTCMilliseconds();
  }
  override getTimezoneOffset(): number {
    return 0;
  }
  override setFullYear(year: number, month?: number, date?: number): number {
    return this.setUTCFullYear(year, month ?? this.getUTCMonth(), date ?? this.getUTCDate());
  }
  override setMonth(month: number, date?: number): number {
    return this.setUTCMonth(month, date ?? this.getUTCDate());
  }
  override setDate(date: number): number {
    return this.setUTCDate(date);
  }
  override setHours(hours: number, min?: number, sec?: number, ms?: number): number {
    return this.setUTCHours(
      hours,
      min ?? this.getUTCMinutes(),
      sec ?? this.getUTCSeconds(),
      ms ?? this.getUTCMilliseconds(),
    );
  }
  override setMinutes(min: number, sec?: number, ms?: number): number {
    return this.setUTCMinutes(min, sec ?? this.getUTCSeconds(), ms ?? this.getUTCMilliseconds());
  }
  override setSeconds(sec: number, ms?: number): number {
    return this.setUTCSeconds(sec, ms ?? this.getUTCMilliseconds());
  }
  override setMilliseconds(ms: number): number {
    return this.setUTCMilliseconds(ms);
  }
  /** date-fns builds its intermediate dates through this, so they stay UtcDates. */
  [Symbol.for('constructDateFrom')](value: Date | number | string): UtcDate {
    return new UtcDate(+new Date(value));
  }
}

const inUtc = (value: Date | number | string): UtcDate => new UtcDate(+new Date(value));
const UTC_REFERENCE = new UtcDate(0);
