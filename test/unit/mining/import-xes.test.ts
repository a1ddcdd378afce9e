import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LogFormatError, readEventLog } from '../../../functions/domain/mining/import/index.js';
import type { EventLog } from '../../../functions/domain/mining/log.js';
import { randomChunks, randomLog, seeded, toXes } from '../../support/event-logs.js';

const xesError = async (input: string | Uint8Array, options = {}): Promise<LogFormatError> => {
  try {
    await readEventLog(input, options);
  } catch (err) {
    expect(err).toBeInstanceOf(LogFormatError);
    return err as LogFormatError;
  }
  throw new Error('expected a LogFormatError');
};

const trace = (body: string, name = 'c1') => `<trace><string key="concept:name" value="${name}"/>${body}</trace>`;
const event = (activity: string, extra = '') =>
  `<event><string key="concept:name" value="${activity}"/>${extra}</event>`;
const at = (iso: string) => `<date key="time:timestamp" value="${iso}"/>`;
const lc = (transition: string) => `<string key="lifecycle:transition" value="${transition}"/>`;
const xes = (...traces: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<log>${traces.join('\n')}</log>`;

/** A log with typed attributes on its events and traces, for round trips. */
function typedLog(seed: number): EventLog {
  const random = seeded(seed);
  const log = randomLog(seed, { cases: 12 });
  for (const t of log.traces) {
    t.attributes = { priority: Math.floor(random() * 5), channel: random() < 0.5 ? 'web' : 'a & <b> "c"' };
    for (const e of t.events) {
      e.attributes = { amount: Math.round(random() * 10000) / 100, urgent: random() < 0.3, items: 3 };
      if (random() < 0.5) e.resource = random() < 0.5 ? 'Pete' : 'batch-system';
    }
  }
  return log;
}

describe('XES import', () => {
  it('reads back cases, activities, times, resources and typed attributes of a generated log', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const log = typedLog(seed);
      const read = await readEventLog(toXes(log));
      expect(read).toEqual(log);
    }
  });

  it('gives the same log whatever the chunks a stream is cut into, plain or gzipped', async () => {
    const bytes = new TextEncoder().encode(toXes(typedLog(9)).replace('"web"', '"wéb ✓"'));
    const whole = await readEventLog(bytes);
    for (let seed = 1; seed <= 4; seed++) {
      expect(await readEventLog(randomChunks(bytes, seeded(seed)))).toEqual(whole);
      expect(await readEventLog(randomChunks(gzipSync(bytes), seeded(seed), 64))).toEqual(whole);
    }
  });

  it('keeps the top-level value of a nested attribute and skips lists, globals, classifiers and log attributes', async () => {
    const text = `<log>
      <extension name="Concept" prefix="concept" uri="x"/>
      <int key="meta_total" value="561470"><int key="Payment" value="77601"/></int>
      <global scope="event"><string key="concept:name" value="__INVALID__"/><string key="cost" value="0"/></global>
      <classifier name="Activity" keys="concept:name"/>
      <string key="concept:name" value="the log"/>
      ${trace(
        event(
          'a',
          `<float key="amount" value="35.0"><string key="currency" value="EUR"/></float>
           <list key="tags"><values><string key="t" value="x"/></values></list>
           <container key="box"><int key="inner" value="1"/></container>`,
        ),
      )}
    </log>`;
    const log = await readEventLog(text);
    expect(log.traces).toHaveLength(1);
    expect(log.traces[0]!.events[0]!.attributes).toEqual({ amount: 35 });
    expect(log.traces[0]!.attributes).toEqual({});
  });

  it('reads int, float, boolean, id, date and string attributes as their types', async () => {
    const attrs =
      '<int key="n" value="-7"/><float key="x" value="2.5e3"/><boolean key="b" value="TRUE"/>' +
      '<boolean key="f" value="0"/><id key="ref" value="a1b2"/><date key="due" value="2024-01-01T00:00:00Z"/>';
    const log = await readEventLog(xes(trace(event('a', attrs))));
    expect(log.traces[0]!.events[0]!.attributes).toEqual({
      n: -7,
      x: 2500,
      b: true,
      f: false,
      ref: 'a1b2',
      due: '2024-01-01T00:00:00Z',
    });
  });

  it('keeps only completed events by default, with ids counted before filtering', async () => {
    const text = xes(
      trace(
        event('a', lc('start') + at('2024-01-01T00:00:00Z')) +
          event('a', lc('complete') + at('2024-01-01T01:00:00Z')) +
          event('b', lc('START') + at('2024-01-01T02:00:00Z')) +
          event('b', lc('Complete') + at('2024-01-01T03:00:00Z')) +
          event('c', at('2024-01-01T04:00:00Z')),
      ),
    );
    const complete = await readEventLog(text);
    expect(complete.traces[0]!.events.map((e) => [e.id, e.activity, e.lifecycle])).toEqual([
      ['c1#1', 'a', 'complete'],
      ['c1#3', 'b', 'complete'],
      ['c1#4', 'c', undefined],
    ]);
    const all = await readEventLog(text, { lifecycle: 'all' });
    expect(all.traces[0]!.events.map((e) => e.id)).toEqual(['c1#0', 'c1#1', 'c1#2', 'c1#3', 'c1#4']);
  });

  it('keeps the completions of generated start/complete pairs, with ids from their file positions', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const log = randomLog(seed, { cases: 10 });
      const paired: EventLog = {
        traces: log.traces.map((t) => ({
          ...t,
          events: t.events.flatMap((e) => [
            { ...e, time: e.time! - 500, lifecycle: 'start' },
            { ...e, lifecycle: 'complete' },
          ]),
        })),
      };
      const text = toXes(paired);
      const complete = await readEventLog(text);
      expect(complete.traces.map((t) => t.events.map((e) => [e.activity, e.time]))).toEqual(
        log.traces.map((t) => t.events.map((e) => [e.activity, e.time])),
      );
      expect(complete.traces[0]!.events.map((e) => e.id)).toEqual(
        log.traces[0]!.events.map((_, j) => `${log.traces[0]!.caseId}#${2 * j + 1}`),
      );
      const all = await readEventLog(text, { lifecycle: 'all' });
      expect(all.traces.map((t) => t.events.length)).toEqual(log.traces.map((t) => 2 * t.events.length));
    }
  });

  it('takes identity:id as the event id when present', async () => {
    const log = await readEventLog(xes(trace(event('a', '<id key="identity:id" value="ev-42"/>') + event('b'))));
    expect(log.traces[0]!.events.map((e) => e.id)).toEqual(['ev-42', 'c1#1']);
  });

  it('stable-sorts a trace by time when every event has one, and keeps file order otherwise', async () => {
    const sorted = await readEventLog(
      xes(
        trace(
          event('late', at('2024-01-03T00:00:00Z')) +
            event('early', at('2024-01-01T00:00:00+00:00')) +
            event('tie-1', at('2024-01-02T01:00:00+01:00')) +
            event('tie-2', at('2024-01-02T00:00:00Z')),
        ),
      ),
    );
    expect(sorted.traces[0]!.events.map((e) => [e.activity, e.id])).toEqual([
      ['early', 'c1#1'],
      ['tie-1', 'c1#2'],
      ['tie-2', 'c1#3'],
      ['late', 'c1#0'],
    ]);
    const partly = await readEventLog(xes(trace(event('b', at('2024-01-03T00:00:00Z')) + event('a'))));
    expect(partly.traces[0]!.events.map((e) => e.activity)).toEqual(['b', 'a']);
  });

  it('keeps traces with the same name apart, in file order, and reads trace attributes anywhere in the trace', async () => {
    const log = await readEventLog(
      xes(
        trace(event('a'), 'x'),
        `<trace>${event('b')}<string key="concept:name" value="x"/><int key="k" value="1"/></trace>`,
      ),
    );
    expect(log.traces.map((t) => [t.caseId, t.events[0]!.activity, t.attributes])).toEqual([
      ['x', 'a', {}],
      ['x', 'b', { k: 1 }],
    ]);
  });

  it('decodes the encoding an XML declaration names, and sniffs XML after a BOM and blank lines', async () => {
    const latin1 = Buffer.from(
      `<?xml version="1.0" encoding="ISO-8859-1"?><log>${trace(event('Prüfung'))}</log>`,
      'latin1',
    );
    expect((await readEventLog(latin1)).traces[0]!.events[0]!.activity).toBe('Prüfung');
    const bom = `\uFEFF\n\n  ${xes(trace(event('a')))}`;
    expect((await readEventLog(new TextEncoder().encode(bom))).traces).toHaveLength(1);
    expect((await readEventLog(bom)).traces).toHaveLength(1);
  });

  it('ignores an event outside any trace', async () => {
    const log = await readEventLog(`<log>${event('stray')}${trace(event('a'))}</log>`);
    expect(log.traces.map((t) => t.events.map((e) => e.activity))).toEqual([['a']]);
  });
});

describe('XES errors', () => {
  it('names the line of malformed XML', async () => {
    const e = await xesError('<log>\n<trace>\n<event></trace>\n</log>');
    expect(e.line).toBe(3);
    expect(e.status).toBe(400);
  });

  it('names the line and field of an event without activity or a trace without case id', async () => {
    const noActivity = await xesError(`<log>\n${trace(`\n<event>${at('2024-01-01T00:00:00Z')}</event>`)}</log>`);
    expect([noActivity.line, noActivity.field]).toEqual([3, 'concept:name']);
    const noCase = await xesError(`<log>\n\n<trace>${event('a')}</trace></log>`);
    expect([noCase.line, noCase.field]).toEqual([3, 'concept:name']);
    expect(noCase.message).toMatch(/case id/);
  });

  it('names the line, column and key of a value that does not parse as its type', async () => {
    const time = await xesError(
      `<log>\n${trace(event('a', '\n<date key="time:timestamp" value="31/12/2024"/>'))}</log>`,
    );
    expect([time.line, time.field]).toEqual([3, 'time:timestamp']);
    expect(time.column).toBeGreaterThan(0);
    const int = await xesError(xes(trace(event('a', '<int key="n" value="seven"/>'))));
    expect(int.field).toBe('n');
    const bool = await xesError(xes(trace(event('a', '<boolean key="b" value="maybe"/>'))));
    expect(bool.field).toBe('b');
    const noValue = await xesError(xes(trace(event('a', '<string key="s"/>'))));
    expect(noValue.field).toBe('s');
  });

  it('refuses XML that is not an XES log, nested traces and an unknown declared encoding', async () => {
    expect((await xesError('<pnml><net/></pnml>')).message).toMatch(/not an XES log/);
    expect((await xesError(`<log><trace>${trace('')}</trace></log>`)).message).toMatch(/inside a <trace>/);
    const klingon = new TextEncoder().encode('<?xml version="1.0" encoding="x-klingon"?><log/>');
    expect((await xesError(klingon)).field).toBe('encoding');
    expect((await xesError('<log>', { format: 'xes' })).message).toMatch(/not well-formed/);
  });

  it('refuses an invalid lifecycle option', async () => {
    const e = await xesError(xes(), { lifecycle: 'some' });
    expect(e.field).toBe('lifecycle');
  });
});
