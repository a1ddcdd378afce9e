import { describe, expect, it } from 'vitest';
import {
  checkScheduleExpression,
  MIN_SYNC_INTERVAL_MINUTES,
  nextFireTime,
  parseScheduleExpression,
} from '../../../functions/domain/connectors/schedule.js';

/** The next `count` fires after `from` (ISO strings), each computed from the one before. */
function fires(expression: string, from: string, count: number, timezone = 'UTC'): string[] {
  const out: string[] = [];
  let at: Date | null = new Date(from);
  for (let i = 0; i < count && at; i++) {
    at = nextFireTime(expression, at, timezone);
    if (at) out.push(at.toISOString());
  }
  return out;
}

describe('checkScheduleExpression: rate', () => {
  it.each(['rate(5 minutes)', 'rate(15 minutes)', 'rate(1 hour)', 'rate(12 hours)', 'rate(1 day)', 'rate(7 days)'])(
    'accepts %s',
    (expression) => {
      expect(checkScheduleExpression(expression)).toBeNull();
    },
  );

  it.each([
    ['rate(1 hours)', /singular for 1/],
    ['rate(1 minutes)', /singular for 1/],
    ['rate(5 hour)', /plural/],
    ['rate(2 day)', /plural/],
    ['rate(0 minutes)', /positive whole number/],
    ['rate(-5 minutes)', /positive whole number/],
    ['rate(1.5 hours)', /positive whole number/],
    ['rate(05 minutes)', /positive whole number/],
    ['rate(10 weeks)', /not a unit/],
    ['rate(10 Minutes)', /not a unit/],
    ['rate(10  minutes)', /rate\(value unit\)/],
    ['rate(10)', /rate\(value unit\)/],
    ['rate()', /rate\(value unit\)/],
  ])('refuses %s', (expression, message) => {
    expect(checkScheduleExpression(expression)).toMatch(message);
  });

  it(`refuses a rate under ${MIN_SYNC_INTERVAL_MINUTES} minutes, saying why`, () => {
    expect(checkScheduleExpression('rate(1 minute)')).toMatch(/at most every 5 minutes.*quotas/);
    expect(checkScheduleExpression('rate(4 minutes)')).toMatch(/rate\(5 minutes\) at the most/);
  });
});

describe('checkScheduleExpression: cron', () => {
  it.each([
    'cron(0 2 * * ? *)',
    'cron(15 10 ? * 6L 2019-2099)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(*/10 9-17 ? * MON-FRI *)',
    'cron(5-50/15 * * * ? *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 15W * ? *)',
    'cron(0 0 ? * 3#2 *)',
    'cron(0 0 ? * L *)',
    'cron(0 12 1,15 JAN,JUL ? 2030)',
    'cron(0 0 1 JAN-MAR,OCT ? *)',
    'cron(0 0 ? * SUN,7 *)',
    'cron(0 0 ? * MON,WED,SAT *)',
    'cron(0 0 1 JUL-AUG ? *)',
    'cron(0 0 29 2 ? *)',
    'cron(0 0 1 */3 ? 2030/2)',
  ])('accepts %s', (expression) => {
    expect(checkScheduleExpression(expression)).toBeNull();
  });

  it.each([
    ['cron(0 2 * * *)', /six fields/],
    ['cron(0 2 * * ? * *)', /six fields/],
    ['cron(0  2 * * ? *)', /six fields/],
    ['cron( 0 2 * * ? *)', /six fields/],
    ['cron(0 2 * * * *)', /cannot both be given: one of them must be \?/],
    ['cron(0 2 1 * MON *)', /cannot both be given/],
    ['cron(0 2 ? * ? *)', /cannot both be \?/],
    ['cron(60 2 * * ? *)', /minutes: 60 is out of range \(0-59\)/],
    ['cron(0 24 * * ? *)', /hours: 24 is out of range/],
    ['cron(0 0 32 * ? *)', /day-of-month: 32 is out of range/],
    ['cron(0 0 0 * ? *)', /day-of-month: 0 is out of range/],
    ['cron(0 0 1 13 ? *)', /month: 13 is out of range \(1-12 or JAN-DEC\)/],
    ['cron(0 0 ? * 0 *)', /day-of-week: 0 is out of range \(1-7 or SUN-SAT\)/],
    ['cron(0 0 ? * 8 *)', /day-of-week: 8 is out of range/],
    ['cron(0 0 1 * ? 1969)', /year: 1969 is out of range \(1970-2199\)/],
    ['cron(0 0 1 * ? 2200)', /year: 2200 is out of range/],
    ['cron(0 0 1 jan ? *)', /write JAN, not jan/],
    ['cron(0 0 ? * fri *)', /write FRI, not fri/],
    ['cron(0 0 1 JANUARY ? *)', /not a value/],
    ['cron(0 0 ? * FRI-MON *)', /goes backwards/],
    ['cron(30-10 * * * ? *)', /goes backwards/],
    ['cron(0 0 ? * */2 *)', /\/ is not a wildcard of this field/],
    ['cron(0/0 * * * ? *)', /increment "0"/],
    ['cron(0/61 * * * ? *)', /increment "61"/],
    ['cron(0/5/5 * * * ? *)', /more than one \//],
    ['cron(0,,5 * * * ? *)', /empty item/],
    ['cron(0 *,5 * * ? *)', /\* stands alone/],
    ['cron(1-2-3 * * * ? *)', /not a value or a range/],
    ['cron(L 0 * * ? *)', /not wildcards of this field/],
    ['cron(0 0 1 * ? L)', /not wildcards of this field/],
    ['cron(0 0 1,L * ? *)', /stand alone/],
    ['cron(0 0 LW * ? *)', /stand alone/],
    ['cron(0 0 L-2 * ? *)', /stand alone/],
    ['cron(0 0 1#2 * ? *)', /stand alone/],
    ['cron(0 0 32W * ? *)', /32 is out of range/],
    ['cron(0 0 ? * 2W *)', /stand alone/],
    ['cron(0 0 ? * 3#6 *)', /occurrence 6 is not 1-5/],
    ['cron(0 0 ? * 3#0 *)', /occurrence 0 is not 1-5/],
    ['cron(0 0 ? * 8L *)', /8 is out of range/],
    ['cron(0 0 ? * FRI#2 *)', /write the day's number/],
    ['cron(0 0 ? * FRIL *)', /write the day's number/],
    ['cron(0 0 ? * 1,2L *)', /stand alone/],
    ['cron(0 0 ? * MON,? *)', /stand alone/],
    ['cron(0 0 ? * WED,L *)', /stand alone/],
    ['cron(0 0 1 JUL,L ? *)', /not wildcards of this field/],
    ['cron()', /six fields/],
  ])('refuses %s', (expression, message) => {
    expect(checkScheduleExpression(expression)).toMatch(message);
  });

  it.each([
    ['cron(* * * * ? *)', 'every minute'],
    ['cron(*/2 * * * ? *)', 'every 2 minutes'],
    ['cron(0,3 * * * ? *)', 'two minutes of an hour 3 apart'],
    ['cron(0,58 1,2 * * ? *)', '1:58 then 2:00'],
  ])('refuses %s (%s): closer than the minimum interval', (expression) => {
    expect(checkScheduleExpression(expression)).toMatch(/less than 5 minutes apart/);
  });

  it('accepts fires 5 minutes apart, and near minutes in hours that are not consecutive', () => {
    expect(checkScheduleExpression('cron(0/5 * * * ? *)')).toBeNull();
    expect(checkScheduleExpression('cron(0,55 * * * ? *)')).toBeNull();
    expect(checkScheduleExpression('cron(0,58 1,3 * * ? *)')).toBeNull();
    expect(checkScheduleExpression('cron(58 23,0 * * ? *)')).toBeNull();
  });
});

describe('checkScheduleExpression: other forms', () => {
  it('refuses a one-time at(...) schedule for a connector, saying why', () => {
    expect(checkScheduleExpression('at(2030-01-01T00:00:00)')).toMatch(/one-time schedule.*syncs repeatedly/);
  });

  it.each(['', 'every 5 minutes', '*/5 * * * *', 'RATE(5 minutes)', 'rate(5 minutes) ', 'cron(0 2 * * ? *'])(
    'refuses %j',
    (expression) => {
      expect(checkScheduleExpression(expression)).toMatch(/rate\(value unit\), cron\(six fields\)/);
    },
  );

  it('parses at(...) for the scheduler itself, and refuses an impossible date', () => {
    expect(parseScheduleExpression('at(2030-01-31T09:30:15)')).toMatchObject({ kind: 'at', day: 31, second: 15 });
    expect(parseScheduleExpression('at(2030-02-30T00:00:00)')).toMatch(/not a date and time/);
    expect(parseScheduleExpression('at(2030-01-01 00:00:00)')).toMatch(/yyyy-mm-ddThh:mm:ss/);
  });
});

describe('nextFireTime: cron in UTC', () => {
  it('fires daily at 02:00, strictly after the given time', () => {
    expect(fires('cron(0 2 * * ? *)', '2025-06-01T01:59:59Z', 2)).toEqual([
      '2025-06-01T02:00:00.000Z',
      '2025-06-02T02:00:00.000Z',
    ]);
    expect(nextFireTime('cron(0 2 * * ? *)', new Date('2025-06-01T02:00:00Z'))?.toISOString()).toBe(
      '2025-06-02T02:00:00.000Z',
    );
  });

  it('steps minutes from their start value, and fires on whole minutes', () => {
    expect(fires('cron(5/20 * * * ? *)', '2025-06-01T10:00:30.500Z', 4)).toEqual([
      '2025-06-01T10:05:00.000Z',
      '2025-06-01T10:25:00.000Z',
      '2025-06-01T10:45:00.000Z',
      '2025-06-01T11:05:00.000Z',
    ]);
  });

  it('reads names: WED and SAT in day-of-week, JUL in month', () => {
    // 2025-06-07 is a Saturday.
    expect(fires('cron(0 0 ? * WED,SAT *)', '2025-06-06T00:00:00Z', 2)).toEqual([
      '2025-06-07T00:00:00.000Z',
      '2025-06-11T00:00:00.000Z',
    ]);
    expect(fires('cron(0 0 1 JUL ? *)', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-07-01T00:00:00.000Z']);
  });

  it('keeps to weekdays with MON-FRI (1 = SUN)', () => {
    // 2025-06-06 is a Friday.
    expect(fires('cron(0 9 ? * MON-FRI *)', '2025-06-06T10:00:00Z', 2)).toEqual([
      '2025-06-09T09:00:00.000Z',
      '2025-06-10T09:00:00.000Z',
    ]);
    expect(fires('cron(0 9 ? * 1 *)', '2025-06-06T10:00:00Z', 1)).toEqual(['2025-06-08T09:00:00.000Z']);
  });

  it('L in day-of-month is the last day of each month, February of a leap year included', () => {
    expect(fires('cron(0 0 L * ? *)', '2024-01-15T00:00:00Z', 4)).toEqual([
      '2024-01-31T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '2024-03-31T00:00:00.000Z',
      '2024-04-30T00:00:00.000Z',
    ]);
    expect(fires('cron(0 0 L 2 ? *)', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-02-28T00:00:00.000Z']);
  });

  it('L alone in day-of-week is Saturday; nL is the last day n of the month', () => {
    // 2025-06-07 is a Saturday.
    expect(fires('cron(0 0 ? * L *)', '2025-06-02T00:00:00Z', 1)).toEqual(['2025-06-07T00:00:00.000Z']);
    // Last Fridays: 2025-01-31, 2025-02-28, 2025-03-28.
    expect(fires('cron(0 10 ? * 6L *)', '2025-01-01T00:00:00Z', 3)).toEqual([
      '2025-01-31T10:00:00.000Z',
      '2025-02-28T10:00:00.000Z',
      '2025-03-28T10:00:00.000Z',
    ]);
  });

  it('n#k is the k-th day n of the month, and a month without a fifth one is skipped', () => {
    // Second Tuesdays of 2025: 01-14, 02-11, 03-11.
    expect(fires('cron(0 0 ? * 3#2 *)', '2025-01-01T00:00:00Z', 3)).toEqual([
      '2025-01-14T00:00:00.000Z',
      '2025-02-11T00:00:00.000Z',
      '2025-03-11T00:00:00.000Z',
    ]);
    // Fifth Mondays in 2025: March 31, June 30, September 29, December 29.
    expect(fires('cron(0 0 ? * 2#5 *)', '2025-01-01T00:00:00Z', 4)).toEqual([
      '2025-03-31T00:00:00.000Z',
      '2025-06-30T00:00:00.000Z',
      '2025-09-29T00:00:00.000Z',
      '2025-12-29T00:00:00.000Z',
    ]);
  });

  it('nW is the nearest weekday, never leaving the month', () => {
    // 2025-03-15 is a Saturday: Friday the 14th. 2025-06-15 a Sunday: Monday the 16th.
    expect(fires('cron(0 0 15W 3 ? *)', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-03-14T00:00:00.000Z']);
    expect(fires('cron(0 0 15W 6 ? *)', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-06-16T00:00:00.000Z']);
    // 2025-02-01 is a Saturday: 1W is Monday the 3rd, not Friday in January.
    expect(fires('cron(0 0 1W 2 ? *)', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-02-03T00:00:00.000Z']);
    // 2025-08-31 is a Sunday: 31W is Friday the 29th, not Monday in September.
    expect(fires('cron(0 0 31W 8 ? *)', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-08-29T00:00:00.000Z']);
    // 2025-06-11 is a Wednesday: itself.
    expect(fires('cron(0 0 11W 6 ? *)', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-06-11T00:00:00.000Z']);
    // A month shorter than n does not fire: 31W skips April.
    expect(fires('cron(0 0 31W 3-5 ? 2025)', '2025-01-01T00:00:00Z', 3)).toEqual([
      '2025-03-31T00:00:00.000Z',
      '2025-05-30T00:00:00.000Z',
    ]);
  });

  it('the 29th of February fires in leap years only (2100 is not one), and day 31 skips shorter months', () => {
    expect(fires('cron(0 0 29 FEB ? *)', '2096-03-01T00:00:00Z', 2)).toEqual([
      '2104-02-29T00:00:00.000Z',
      '2108-02-29T00:00:00.000Z',
    ]);
    expect(fires('cron(0 0 31 * ? *)', '2025-04-01T00:00:00Z', 2)).toEqual([
      '2025-05-31T00:00:00.000Z',
      '2025-07-31T00:00:00.000Z',
    ]);
  });

  it('crosses the end of a year, and stops after the last year of the expression', () => {
    expect(fires('cron(0 0 1 JAN ? 2030,2031)', '2029-12-31T23:59:00Z', 3)).toEqual([
      '2030-01-01T00:00:00.000Z',
      '2031-01-01T00:00:00.000Z',
    ]);
    expect(nextFireTime('cron(0 0 1 * ? 2020)', new Date('2025-01-01T00:00:00Z'))).toBeNull();
    expect(nextFireTime('cron(0 0 30 2 ? *)', new Date('2025-01-01T00:00:00Z'))).toBeNull();
  });
});

describe('nextFireTime: time zones and daylight saving', () => {
  it('evaluates the wall clock of the zone', () => {
    // 09:00 in Berlin is 08:00 UTC in winter (CET) and 07:00 UTC in summer (CEST).
    expect(fires('cron(0 9 * * ? *)', '2025-01-10T00:00:00Z', 1, 'Europe/Berlin')).toEqual([
      '2025-01-10T08:00:00.000Z',
    ]);
    expect(fires('cron(0 9 * * ? *)', '2025-07-10T00:00:00Z', 1, 'Europe/Berlin')).toEqual([
      '2025-07-10T07:00:00.000Z',
    ]);
  });

  it('skips a wall time the clocks jump over (spring forward)', () => {
    // 2024-03-10 in New York: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist that day.
    expect(fires('cron(30 2 * * ? *)', '2024-03-09T00:00:00Z', 3, 'America/New_York')).toEqual([
      '2024-03-09T07:30:00.000Z',
      '2024-03-11T06:30:00.000Z',
      '2024-03-12T06:30:00.000Z',
    ]);
  });

  it('fires once for a wall time the clocks pass twice (fall back)', () => {
    // 2024-11-03 in New York: 01:30 EDT (05:30Z) and 01:30 EST (06:30Z); only the first fires.
    expect(fires('cron(30 1 * * ? *)', '2024-11-02T12:00:00Z', 3, 'America/New_York')).toEqual([
      '2024-11-03T05:30:00.000Z',
      '2024-11-04T06:30:00.000Z',
      '2024-11-05T06:30:00.000Z',
    ]);
    expect(
      nextFireTime('cron(30 1 * * ? *)', new Date('2024-11-03T06:00:00Z'), 'America/New_York')?.toISOString(),
    ).toBe('2024-11-04T06:30:00.000Z');
  });

  it('the day of the week is the zone’s, not UTC’s', () => {
    // Monday 2025-06-09 00:30 in Tokyo is Sunday 15:30 UTC.
    expect(fires('cron(30 0 ? * MON *)', '2025-06-07T00:00:00Z', 1, 'Asia/Tokyo')).toEqual([
      '2025-06-08T15:30:00.000Z',
    ]);
  });

  it('refuses an unknown time zone and an invalid expression', () => {
    expect(() => nextFireTime('cron(0 2 * * ? *)', new Date(), 'Mars/Olympus')).toThrow(/unknown time zone/);
    expect(() => nextFireTime('cron(0 2 * * * *)', new Date())).toThrow(/invalid schedule expression/);
  });
});

describe('nextFireTime: rate and at', () => {
  it('without a start, fires one period after the given (last) fire', () => {
    expect(nextFireTime('rate(15 minutes)', new Date('2025-06-01T10:07:13Z'))?.toISOString()).toBe(
      '2025-06-01T10:22:13.000Z',
    );
  });

  it('with a start, fires on its grid: the start itself first, then every period', () => {
    const start = new Date('2025-06-01T10:00:00Z');
    expect(nextFireTime('rate(2 hours)', new Date('2025-06-01T09:00:00Z'), 'UTC', start)?.toISOString()).toBe(
      '2025-06-01T10:00:00.000Z',
    );
    expect(nextFireTime('rate(2 hours)', start, 'UTC', start)?.toISOString()).toBe('2025-06-01T12:00:00.000Z');
    expect(nextFireTime('rate(2 hours)', new Date('2025-06-01T13:59:59Z'), 'UTC', start)?.toISOString()).toBe(
      '2025-06-01T14:00:00.000Z',
    );
  });

  it('a day is 24 hours whatever the zone’s daylight saving', () => {
    const start = new Date('2024-03-09T12:00:00Z');
    expect(nextFireTime('rate(1 day)', start, 'America/New_York', start)?.toISOString()).toBe(
      '2024-03-10T12:00:00.000Z',
    );
  });

  it('at(...) fires once, in its zone, and never after', () => {
    expect(nextFireTime('at(2030-01-31T09:30:15)', new Date('2030-01-01T00:00:00Z'))?.toISOString()).toBe(
      '2030-01-31T09:30:15.000Z',
    );
    expect(
      nextFireTime('at(2030-01-31T09:30:00)', new Date('2030-01-01T00:00:00Z'), 'Europe/Paris')?.toISOString(),
    ).toBe('2030-01-31T08:30:00.000Z');
    expect(nextFireTime('at(2030-01-31T09:30:00)', new Date('2030-01-31T09:30:00Z'))).toBeNull();
  });
});
