/**
 * Dates and instants as vendors write them, to ISO 8601: calendar dates `YYYY-MM-DD`, instants in UTC
 * `YYYY-MM-DDTHH:mm:ss.sssZ`. Salesforce writes offsets without a colon (`2026-11-30T10:15:00.000+0000`), HubSpot
 * `…Z`, Workday dates sometimes with an offset (`2026-11-30-08:00`). Read with a pattern and checked against the
 * calendar instead of `Date.parse`, whose acceptance of other shapes is implementation-defined (and would take
 * "2026-02-30" as 2 March).
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A Workday date may carry the offset of the time zone it was entered in; the calendar day is the date. */
const DATE_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:?\d{2})$/;
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** Epoch milliseconds as a string, as HubSpot's older date properties hold them. */
const EPOCH_MS = /^\d{12,14}$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Years before 1000 are placeholders (0001-01-01) or typing errors in these systems, not dates. */
function validDate(year: number, month: number, day: number): boolean {
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * A calendar date as `YYYY-MM-DD`: from a date (with or without an offset), or the UTC date of an instant or of epoch
 * milliseconds (HubSpot keeps date properties as midnight UTC instants). Undefined when it is not a real date.
 */
export function isoDate(value: string | null | undefined): string | undefined {
  const s = value?.trim();
  if (!s) return undefined;
  const m = DATE.exec(s) ?? DATE_WITH_OFFSET.exec(s);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return validDate(year, month, day) ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
  }
  return utcInstant(s)?.slice(0, 10);
}

/**
 * An instant in UTC as `YYYY-MM-DDTHH:mm:ss.sssZ`, from ISO 8601 with an offset (`+0000`, `+01:00`, `Z`) or epoch
 * milliseconds. Without an offset the time is taken as UTC (what the vendors here write when they omit it).
 * Fractions beyond milliseconds are cut, not rounded, so an instant never moves past the one the vendor wrote.
 * Undefined when it is not a real instant.
 */
export function utcInstant(value: string | null | undefined): string | undefined {
  const s = value?.trim();
  if (!s) return undefined;
  if (EPOCH_MS.test(s)) {
    const d = new Date(Number(s));
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  const m = INSTANT.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  const d = new Date(utc);
  // an offset can carry 9999-12-31T23:00-05:00 past the four-digit years toISOString() writes plainly
  return d.getUTCFullYear() <= 9999 ? d.toISOString() : undefined;
}
