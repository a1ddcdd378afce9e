import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDuration, parseCalendarDuration } from '../../../functions/domain/signals/duration.js';
import { referenceAdd } from '../../support/signals-reference.js';

const add = (iso: string, t: number): number => {
  const d = parseCalendarDuration(iso);
  if (!d) throw new Error(`refused: ${iso}`);
  return addDuration(t, d);
};

describe('calendar-aware durations in UTC', () => {
  it('clamps a month added to the 31st to the end of the shorter month', () => {
    expect(add('P1M', Date.UTC(2024, 0, 31, 8, 30))).toBe(Date.UTC(2024, 1, 29, 8, 30));
    expect(add('P1M', Date.UTC(2023, 0, 31, 8, 30))).toBe(Date.UTC(2023, 1, 28, 8, 30));
    expect(add('P1M', Date.UTC(2023, 2, 31))).toBe(Date.UTC(2023, 3, 30));
    expect(add('P1Y', Date.UTC(2024, 1, 29))).toBe(Date.UTC(2025, 1, 28));
    expect(add('P1Y2M', Date.UTC(2023, 11, 31, 23, 59, 59, 999))).toBe(Date.UTC(2025, 1, 28, 23, 59, 59, 999));
  });

  it('adds months before days, as date-fns add and Temporal do', () => {
    // Jan 31 + 1 month = Feb 29 (2024), then + 1 day = Mar 1; days first would give Mar 1 + 1 month = Apr 1.
    expect(add('P1M1D', Date.UTC(2024, 0, 31))).toBe(Date.UTC(2024, 2, 1));
  });

  it('adds weeks, days and time units as fixed lengths (a UTC day has no daylight saving shift)', () => {
    const t = Date.UTC(2024, 2, 30, 12);
    expect(add('P2W', t)).toBe(t + 14 * 86_400_000);
    expect(add('PT90M', t)).toBe(t + 90 * 60_000);
    expect(add('PT0.5S', t)).toBe(t + 500);
    expect(add('PT1,5H', t)).toBe(t + 90 * 60_000);
    expect(add('P1DT1S', t)).toBe(t + 86_401_000);
  });

  it('works before 1970 and in years below 100', () => {
    expect(add('P1M', Date.UTC(1960, 0, 31))).toBe(Date.UTC(1960, 1, 29));
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 0, 31);
    const expected = new Date(0);
    expected.setUTCFullYear(50, 1, 28);
    expect(add('P1M', year50.getTime())).toBe(expected.getTime());
  });

  it('agrees with the reference calendar on any date and duration', () => {
    const parts = fc.record({
      y: fc.integer({ min: 0, max: 6 }),
      mo: fc.integer({ min: 0, max: 30 }),
      d: fc.integer({ min: 0, max: 400 }),
      h: fc.integer({ min: 0, max: 48 }),
      s: fc.integer({ min: 0, max: 5000 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }), parts, (t, p) => {
        const iso = `P${p.y}Y${p.mo}M${p.d}DT${p.h}H${p.s}S`;
        fc.pre(p.y + p.mo + p.d + p.h + p.s > 0);
        expect(add(iso, t)).toBe(referenceAdd(t, iso));
      }),
      { numRuns: 2000 },
    );
  });

  it('is not monotone across a clamped month end (the time of day is kept), as date-fns and Temporal', () => {
    // A later start can end earlier: the engine never derives one window's end from another's.
    expect(add('P1M', Date.UTC(2023, 0, 30, 12))).toBe(Date.UTC(2023, 1, 28, 12));
    expect(add('P1M', Date.UTC(2023, 0, 31, 0))).toBe(Date.UTC(2023, 1, 28, 0));
  });

  it('never ends a window before its start, nor moves it by more than a day against a later start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.integer({ min: 0, max: 40 * 86_400_000 }),
        fc.constantFrom('P1M', 'P1Y', 'P1Y2M', 'P13M', 'P1M1D'),
        (t, dt, iso) => {
          expect(add(iso, t)).toBeGreaterThan(t);
          expect(add(iso, t + dt)).toBeGreaterThan(add(iso, t) - 86_400_000);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
