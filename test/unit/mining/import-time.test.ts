import { describe, expect, it } from 'vitest';
import {
  makeTimestampReader,
  parseEpochTimestamp,
  parseIsoTimestamp,
  TimeFormatRangeError,
} from '../../../functions/domain/mining/import/time.js';
import { seeded } from '../../support/event-logs.js';

describe('ISO 8601 timestamps', () => {
  it('agrees with Date on random instants written with random offsets and separators', () => {
    const random = seeded(11);
    for (let i = 0; i < 2000; i++) {
      const t = Math.floor(random() * 4e12) - 1e12;
      const offsetMinutes = (Math.floor(random() * 57) - 28) * 30;
      const local = new Date(t + offsetMinutes * 60_000).toISOString().slice(0, 23);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const hh = String(Math.floor(abs / 60)).padStart(2, '0');
      const mm = String(abs % 60).padStart(2, '0');
      const offset = [`${sign}${hh}:${mm}`, `${sign}${hh}${mm}`][i % 2]!;
      const text = (i % 3 === 0 ? local.replace('T', ' ') : local) + offset;
      expect(parseIsoTimestamp(text), text).toBe(t);
    }
  });

  it('reads dates, minutes-only times, long fractions, Z and 24:00', () => {
    expect(parseIsoTimestamp('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoTimestamp('2024-02-29T10:15')).toBe(Date.UTC(2024, 1, 29, 10, 15));
    expect(parseIsoTimestamp('2024-02-29T10:15:30.123456Z')).toBe(Date.UTC(2024, 1, 29, 10, 15, 30, 123));
    expect(parseIsoTimestamp('2024-02-29T10:15:30,5+01')).toBe(Date.UTC(2024, 1, 29, 9, 15, 30, 500));
    expect(parseIsoTimestamp('2024-12-31T24:00:00Z')).toBe(Date.UTC(2025, 0, 1));
    expect(parseIsoTimestamp('0050-06-01T00:00:00Z')).toBe(new Date('0050-06-01T00:00:00Z').getTime());
  });

  it('refuses impossible dates and times and other text', () => {
    for (const bad of [
      '2023-02-29',
      '2024-13-01',
      '2024-04-31',
      '2024-01-01T25:00',
      '2024-01-01T24:30',
      '2024-01-01T10:60',
      '2024-01-01T10:00+24:00',
      '01/02/2024',
      '2024-1-1',
      '',
      'now',
    ]) {
      expect(parseIsoTimestamp(bad), bad).toBeNaN();
    }
  });
});

describe('epoch timestamps', () => {
  it('reads seconds below 1e11 and milliseconds from 1e11 on', () => {
    expect(parseEpochTimestamp('0')).toBe(0);
    expect(parseEpochTimestamp('1700000000')).toBe(1_700_000_000_000);
    expect(parseEpochTimestamp('1700000000.25')).toBe(1_700_000_000_250);
    expect(parseEpochTimestamp('99999999999')).toBe(99_999_999_999_000);
    expect(parseEpochTimestamp('100000000000')).toBe(100_000_000_000);
    expect(parseEpochTimestamp('-86400')).toBe(-86_400_000);
    expect(parseEpochTimestamp('1e9')).toBeNaN();
  });
});

describe('timestamp readers', () => {
  it('reads ISO first, then epoch numbers, without a format', () => {
    const read = makeTimestampReader();
    expect(read('2024-01-01')).toBe(Date.UTC(2024, 0, 1));
    expect(read('1704067200')).toBe(Date.UTC(2024, 0, 1));
    expect(read('1 Jan 2024')).toBeNaN();
  });

  it('reads exactly the format when one is given, with its own offset when it has one', () => {
    const read = makeTimestampReader('dd-MM-yyyy:HH.mm');
    expect(read('05-11-2023:17.45')).toBe(Date.UTC(2023, 10, 5, 17, 45));
    expect(read('2023-11-05T17:45:00Z')).toBeNaN();
    expect(read('31-02-2023:10.00')).toBeNaN();
    const withOffset = makeTimestampReader('yyyy/MM/dd HH:mm XXX');
    expect(withOffset('2023/11/05 17:45 +02:00')).toBe(Date.UTC(2023, 10, 5, 15, 45));
  });

  it('throws TimeFormatRangeError for a format date-fns refuses', () => {
    const read = makeTimestampReader('yyyy-MM-dd HH:mm a');
    expect(() => read('2024-01-01 10:00 AM')).toThrow(TimeFormatRangeError);
  });
});
