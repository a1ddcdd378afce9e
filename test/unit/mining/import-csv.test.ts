import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LogFormatError, readEventLog, resolveCsvColumns } from '../../../functions/domain/mining/import/index.js';
import type { EventLog } from '../../../functions/domain/mining/log.js';
import { randomChunks, randomLog, seeded, sequencesOf, toCsv } from '../../support/event-logs.js';

const csvError = async (input: string | Uint8Array, options = {}): Promise<LogFormatError> => {
  try {
    await readEventLog(input, options);
  } catch (err) {
    expect(err).toBeInstanceOf(LogFormatError);
    return err as LogFormatError;
  }
  throw new Error('expected a LogFormatError');
};

/** What an import must give back of the log a CSV was written from: cases, activities, times, notes. */
const essence = (log: EventLog) =>
  log.traces.map((t) => ({
    caseId: t.caseId,
    events: t.events.map((e) => ({ activity: e.activity, time: e.time, note: e.attributes.note })),
  }));

describe('CSV import of generated logs', () => {
  const variantsOfWriting = [
    { separator: ',' as const },
    { separator: ';' as const, crlf: true },
    { separator: '\t' as const, bom: true },
    { separator: ',' as const, quoteAll: true, crlf: true, bom: true },
  ];

  for (const [i, writing] of variantsOfWriting.entries()) {
    it(`reads back cases, order, times and awkward cells (writing ${JSON.stringify(writing)})`, async () => {
      for (let seed = 1; seed <= 5; seed++) {
        const log = randomLog(seed * 10 + i, { awkward: true });
        const text = toCsv(log, { ...writing, attributes: ['note'] });
        const read = await readEventLog(text);
        expect(essence(read)).toEqual(essence(log));
      }
    });
  }

  it('restores each case from rows in any order, with the same ids (position in time order)', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const log = randomLog(seed);
      const ordered = await readEventLog(toCsv(log));
      const shuffledRead = await readEventLog(toCsv(log, { shuffle: seeded(seed) }));
      expect(sequencesOf(shuffledRead)).toEqual(sequencesOf(log));
      const ids = (l: EventLog) => Object.fromEntries(l.traces.map((t) => [t.caseId, t.events.map((e) => e.id)]));
      expect(ids(shuffledRead)).toEqual(ids(ordered));
    }
  });

  it('lists traces in order of their case first appearing in the file', async () => {
    const text = 'case_id,activity,timestamp\nz,a,2024-01-02\ny,a,2024-01-01\nz,b,2024-01-03\nx,a,2023-01-01\n';
    const log = await readEventLog(text);
    expect(log.traces.map((t) => t.caseId)).toEqual(['z', 'y', 'x']);
  });

  it('keeps file order for equal times (a stable sort)', async () => {
    const text = 'case_id,activity,timestamp\nc,b,2024-01-02\nc,x,2024-01-01\nc,a,2024-01-02\nc,c,2024-01-02\n';
    const log = await readEventLog(text);
    expect(log.traces[0]!.events.map((e) => e.activity)).toEqual(['x', 'b', 'a', 'c']);
  });

  it('gives the same log whatever the chunks a stream is cut into (also inside multi-byte characters)', async () => {
    const log = randomLog(7, { awkward: true });
    const bytes = new TextEncoder().encode(toCsv(log, { separator: ';', attributes: ['note'], crlf: true }));
    const whole = await readEventLog(bytes);
    for (let seed = 1; seed <= 5; seed++) {
      expect(await readEventLog(randomChunks(bytes, seeded(seed)))).toEqual(whole);
    }
  });

  it('inflates gzip found by its magic bytes, from a buffer or a stream', async () => {
    const text = toCsv(randomLog(3));
    const plain = await readEventLog(text);
    const gz = gzipSync(Buffer.from(text));
    expect(await readEventLog(gz)).toEqual(plain);
    expect(await readEventLog(randomChunks(gz, seeded(2), 5))).toEqual(plain);
  });
});

describe('CSV columns', () => {
  it('takes pm4py-style column names and keeps the other columns as attributes', async () => {
    const text = [
      ',concept:name,org:resource,time:timestamp,Costs,case:concept:name,case:creator',
      '0,register,Pete,2010-12-30 14:32:00+01:00,50,3,Fluxicon',
      '1,decide,Sara,2010-12-31 09:00:00+01:00,200,3,',
    ].join('\n');
    const log = await readEventLog(text);
    expect(log.traces).toHaveLength(1);
    const t = log.traces[0]!;
    expect(t.caseId).toBe('3');
    // The case: column is a trace attribute under the name after the prefix; the unnamed index column is dropped.
    expect(t.attributes).toEqual({ creator: 'Fluxicon' });
    expect(t.events.map((e) => [e.activity, e.resource, e.attributes])).toEqual([
      ['register', 'Pete', { Costs: '50' }],
      ['decide', 'Sara', { Costs: '200' }],
    ]);
    expect(t.events[0]!.time).toBe(Date.UTC(2010, 11, 30, 13, 32));
  });

  it('matches default names ignoring case, spaces, _ and -, preferring an exact match', async () => {
    const log = await readEventLog('Case ID;Activity;TimeStamp\nk1;a;2024-03-01T10:00:00Z\n');
    expect(log.traces[0]!.caseId).toBe('k1');
    expect(log.traces[0]!.events[0]!.time).toBe(Date.UTC(2024, 2, 1, 10));
    const both = await readEventLog('Activity,concept:name,case\nwrong,right,k\n');
    expect(both.traces[0]!.events[0]!.activity).toBe('right');
    expect((await readEventLog('CaseID,activity\nq,a\n')).traces[0]!.caseId).toBe('q');
  });

  it('uses the columns the options name, and the id column as event ids', async () => {
    const text = 'ref,step,when,eid,activity\nr1,s1,2024-01-02,E2,ignored\nr1,s0,2024-01-01,E1,ignored\n';
    const log = await readEventLog(text, {
      caseColumn: 'ref',
      activityColumn: 'step',
      timestampColumn: 'when',
      idColumn: 'eid',
    });
    expect(log.traces[0]!.events.map((e) => [e.id, e.activity])).toEqual([
      ['E1', 's0'],
      ['E2', 's1'],
    ]);
    expect(log.traces[0]!.events[0]!.attributes).toEqual({ activity: 'ignored' });
  });

  it('tells from a header alone which columns an import reads, for checks that only see the header', () => {
    expect(resolveCsvColumns(['', 'Case ID', 'Activity', 'org:resource', 'lifecycle:transition', 'x'])).toEqual({
      case: 1,
      activity: 2,
      timestamp: -1,
      id: -1,
      lifecycle: 4,
      resource: 3,
    });
    expect(resolveCsvColumns(['a', 'b', 'c'], { caseColumn: 'a', activityColumn: 'b', idColumn: 'c' })).toMatchObject({
      case: 0,
      activity: 1,
      id: 2,
    });
    expect(() => resolveCsvColumns(['case', 'step'])).toThrow(LogFormatError);
  });

  it('has no times without a timestamp column, and keeps file order', async () => {
    const log = await readEventLog('case_id,activity\nc,b\nc,a\n');
    expect(log.traces[0]!.events.map((e) => [e.activity, e.time])).toEqual([
      ['b', null],
      ['a', null],
    ]);
  });

  it('keeps completed events only, unless all are asked for', async () => {
    const text =
      'case_id,activity,timestamp,lifecycle:transition\nc,a,2024-01-01,start\nc,a,2024-01-02,COMPLETE\nc,b,2024-01-03,\n';
    const complete = await readEventLog(text);
    expect(complete.traces[0]!.events.map((e) => [e.id, e.lifecycle])).toEqual([
      ['c#1', 'complete'],
      ['c#2', undefined],
    ]);
    const all = await readEventLog(text, { lifecycle: 'all' });
    expect(all.traces[0]!.events.map((e) => e.lifecycle)).toEqual(['start', 'complete', undefined]);
  });

  it('reads a row with fewer cells than the header as empty cells', async () => {
    const log = await readEventLog('case_id,activity,extra\nc,a\nc,b,x\n');
    expect(log.traces[0]!.events.map((e) => e.attributes)).toEqual([{}, { extra: 'x' }]);
  });

  it('ignores blank lines and reads a file with a header only as an empty log', async () => {
    expect((await readEventLog('case_id,activity\n\nc,a\n\n')).traces).toHaveLength(1);
    expect((await readEventLog('case_id,activity\n')).traces).toEqual([]);
  });
});

describe('CSV timestamps', () => {
  it('reads ISO 8601 with an offset, Z, T or space, and without an offset as UTC', async () => {
    const text = [
      'case_id,activity,timestamp',
      'c,a,2024-01-01T10:00:00+02:00',
      'c,b,2024-01-01 10:00:01.5Z',
      'c,c,2024-01-01 10:00:02',
      'c,d,2024-01-02',
    ].join('\n');
    const times = (await readEventLog(text)).traces[0]!.events.map((e) => e.time);
    expect(times).toEqual([
      Date.UTC(2024, 0, 1, 8),
      Date.UTC(2024, 0, 1, 10, 0, 1, 500),
      Date.UTC(2024, 0, 1, 10, 0, 2),
      Date.UTC(2024, 0, 2),
    ]);
  });

  it('reads epoch seconds and epoch milliseconds', async () => {
    const text = 'case_id,activity,timestamp\nc,a,1700000000\nc,b,1700000000500\n';
    expect((await readEventLog(text)).traces[0]!.events.map((e) => e.time)).toEqual([
      1_700_000_000_000, 1_700_000_000_500,
    ]);
  });

  it('reads a given time format in UTC, whatever the process time zone', async () => {
    const saved = process.env.TZ;
    try {
      // 02:30 on these days does not exist in local time where the clocks went forward.
      const text = 'case_id,activity,timestamp\nc,a,31-03-2024:02.30\nc,b,10-03-2024:02.30\n';
      for (const tz of ['UTC', 'Europe/Amsterdam', 'America/New_York']) {
        process.env.TZ = tz;
        const times = (await readEventLog(text, { timeFormat: 'dd-MM-yyyy:HH.mm' })).traces[0]!.events.map(
          (e) => e.time,
        );
        expect(times, tz).toEqual([Date.UTC(2024, 2, 10, 2, 30), Date.UTC(2024, 2, 31, 2, 30)]);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('CSV errors', () => {
  it('names the line and column of a missing case id or activity', async () => {
    const noCase = await csvError('case_id,activity\nc,a\n,b\n');
    expect([noCase.line, noCase.column, noCase.field]).toEqual([3, 'case_id', 'case_id']);
    expect(noCase.message).toMatch(/line 3, column "case_id": missing case id/);
    const noActivity = await csvError('case_id;activity\r\nc;a\r\nc;b\r\nc;\r\n');
    expect([noActivity.line, noActivity.column]).toEqual([4, 'activity']);
    expect(noActivity.status).toBe(400);
  });

  it('names the line and column of a timestamp that does not parse, or is missing', async () => {
    const bad = await csvError('case_id,activity,timestamp\nc,a,2024-01-01\nc,b,yesterday\n');
    expect([bad.line, bad.column]).toEqual([3, 'timestamp']);
    expect(bad.message).toContain('"yesterday" is not a timestamp');
    const impossible = await csvError('case_id,activity,timestamp\nc,a,2023-02-29\n');
    expect(impossible.line).toBe(2);
    const missing = await csvError('case_id,activity,timestamp\nc,a,\n');
    expect(missing.message).toMatch(/missing timestamp/);
    const format = await csvError('case_id,activity,timestamp\nc,a,2024-01-01\n', { timeFormat: 'dd-MM-yyyy' });
    expect(format.message).toContain('dd-MM-yyyy');
  });

  it('names the option of a column that is not in the header', async () => {
    const e = await csvError('case_id,activity\nc,a\n', { timestampColumn: 'when' });
    expect([e.line, e.field]).toEqual([1, 'timestampColumn']);
    expect(e.message).toContain('no column "when"');
    const noActivity = await csvError('case_id,step\nc,a\n');
    expect(noActivity.field).toBe('activityColumn');
  });

  it('names the line of an unclosed quote, and refuses an empty input', async () => {
    const e = await csvError('case_id,activity\nc,"a\nc,b\n');
    expect(e.message).toMatch(/not valid CSV: Quote Not Closed/);
    // The quote opened on line 2 runs to the end of the file: csv-parse reports the last line it read.
    expect(e.line).toBe(3);
    expect((await csvError('')).message).toMatch(/empty/);
    expect((await csvError('\n\n  ')).message).toMatch(/empty/);
  });

  it('refuses a missing event id when an id column is named', async () => {
    const e = await csvError('case_id,activity,eid\nc,a,\n', { idColumn: 'eid' });
    expect([e.line, e.column]).toEqual([2, 'eid']);
  });

  it('refuses gzip data that does not inflate', async () => {
    const gz = gzipSync(Buffer.from('case_id,activity\nc,a\n'));
    const e = await csvError(gz.subarray(0, gz.length - 6));
    expect(e.message).toMatch(/gzip/);
  });
});
