/**
 * CSV event logs (one row per event), parsed by streaming with csv-parse.
 *
 * - Separator: `,`, `;` or tab, whichever occurs most often in the header line outside quotes (`,` when none does).
 *   RFC 4180 quoting (separators, quotes and line breaks inside quoted cells), CRLF or LF, a UTF-8 BOM; blank lines
 *   are skipped; a row may have fewer cells than the header (the missing ones are empty).
 * - Columns: each option names its column exactly (`caseColumn`, `activityColumn`, `timestampColumn`, `idColumn`).
 *   Without one, the first header that equals a default name is taken, else the first that equals it ignoring case,
 *   spaces, `_` and `-` (so `Case ID`, `CaseID`, `case-id` are `case_id`):
 *   case `case:concept:name`, `case_id`, `case`; activity `concept:name`, `activity`; timestamp `time:timestamp`,
 *   `timestamp`; lifecycle `lifecycle:transition`, `lifecycle`; resource `org:resource`, `resource`. A log without a
 *   timestamp column has no times (file order is kept); a named column that is not in the header is an error.
 * - Other columns are attributes, as the text of the cell (CSV has no types), empty cells left out. A `case:` column
 *   (pm4py's naming of case attributes) is a trace attribute under the name after the prefix (its first non-empty
 *   value in the case). A column with an empty header (a spreadsheet's or pandas' row index) is ignored.
 * - Rows: a missing case id or activity, or a timestamp that does not parse, is a LogFormatError naming the line
 *   and the column. Times: ISO 8601 (offset-less = UTC) or epoch numbers, or exactly `timeFormat` (time.ts).
 * - Order: traces in order of their case's first row; within a case, rows stable-sorted by time (rows may come in
 *   any order; equal times keep file order).
 * - Ids: the `idColumn` cell, else `<case id>#<position>`: the 0-based position in the case's time order, counted
 *   before lifecycle filtering, so a file whose rows are shuffled gives each event the same id.
 * - Lifecycle filtering as in XES (trace-order.ts).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import type { EventLog, LogEvent, Trace } from '../log.js';
import { LogFormatError } from './errors.js';
import { makeTimestampReader, TimeFormatRangeError } from './time.js';
import { keepsLifecycle, type LifecycleMode } from './trace-order.js';

export interface CsvReadOptions {
  caseColumn?: string;
  activityColumn?: string;
  timestampColumn?: string;
  idColumn?: string;
  timeFormat?: string;
  lifecycle?: LifecycleMode;
}

const DEFAULT_COLUMNS = {
  case: ['case:concept:name', 'case_id', 'case'],
  activity: ['concept:name', 'activity'],
  timestamp: ['time:timestamp', 'timestamp'],
  lifecycle: ['lifecycle:transition', 'lifecycle'],
  resource: ['org:resource', 'resource'],
} as const;

const SEPARATORS = [',', ';', '\t'] as const;

interface PendingRow {
  activity: string;
  time: number | null;
  id?: string;
  lifecycle?: string;
  resource?: string;
  attributes: Record<string, string>;
}

interface Bucket {
  caseId: string;
  rows: PendingRow[];
  attributes: Record<string, string>;
}

interface Layout {
  header: string[];
  caseIdx: number;
  activityIdx: number;
  timeIdx: number;
  idIdx: number;
  lifecycleIdx: number;
  resourceIdx: number;
  /** [cell index, attribute name, is a case attribute]. */
  others: Array<[number, string, boolean]>;
}

/** Reads a CSV log from its text chunks (see the module comment). Throws LogFormatError on malformed input. */
export async function readCsv(chunks: AsyncIterable<string>, options: CsvReadOptions = {}): Promise<EventLog> {
  const { separator, all } = await sniffSeparator(chunks);
  const lifecycleMode = options.lifecycle ?? 'complete';
  const readTime = makeTimestampReader(options.timeFormat);
  const buckets = new Map<string, Bucket>();
  let layout: Layout | undefined;

  const onRecord = (cells: string[], info: { lines: number }): null => {
    if (!layout) {
      layout = resolveLayout(cells, options);
      return null;
    }
    addRow(layout, cells, info.lines);
    return null;
  };

  const addRow = (l: Layout, cells: string[], line: number): void => {
    const caseId = cells[l.caseIdx] ?? '';
    if (caseId === '') throw new LogFormatError('missing case id', { line, column: l.header[l.caseIdx]! });
    const activity = cells[l.activityIdx] ?? '';
    if (activity === '') throw new LogFormatError('missing activity', { line, column: l.header[l.activityIdx]! });
    let time: number | null = null;
    if (l.timeIdx >= 0) {
      const column = l.header[l.timeIdx]!;
      const raw = (cells[l.timeIdx] ?? '').trim();
      if (raw === '') throw new LogFormatError('missing timestamp', { line, column });
      try {
        time = readTime(raw);
      } catch (err) {
        if (!(err instanceof TimeFormatRangeError)) throw err;
        throw new LogFormatError(`invalid time format "${options.timeFormat}": ${err.message}`, {
          field: 'timeFormat',
        });
      }
      if (Number.isNaN(time)) {
        const expected = options.timeFormat ? `the format "${options.timeFormat}"` : 'ISO 8601 or epoch seconds/ms';
        throw new LogFormatError(`"${raw}" is not a timestamp (expected ${expected})`, { line, column });
      }
    }
    const row: PendingRow = { activity, time, attributes: {} };
    if (l.idIdx >= 0) {
      const id = cells[l.idIdx] ?? '';
      if (id === '') throw new LogFormatError('missing event id', { line, column: l.header[l.idIdx]! });
      row.id = id;
    }
    if (l.lifecycleIdx >= 0) {
      const v = cells[l.lifecycleIdx];
      if (v) row.lifecycle = v.trim().toLowerCase();
    }
    if (l.resourceIdx >= 0) {
      const v = cells[l.resourceIdx];
      if (v) row.resource = v;
    }
    let bucket = buckets.get(caseId);
    if (!bucket) buckets.set(caseId, (bucket = { caseId, rows: [], attributes: {} }));
    for (const [idx, name, isCase] of l.others) {
      const v = cells[idx];
      if (v === undefined || v === '') continue;
      if (!isCase) row.attributes[name] = v;
      else if (!(name in bucket.attributes)) bucket.attributes[name] = v;
    }
    bucket.rows.push(row);
  };

  const parser = parse({
    delimiter: separator,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    on_record: onRecord,
  });
  try {
    await pipeline(Readable.from(all), parser, async (records: AsyncIterable<unknown>) => {
      for await (const _ of records) {
        // on_record keeps every row itself and hands nothing on.
      }
    });
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new LogFormatError(`not valid CSV: ${err.message}`, line === undefined ? {} : { line }, { cause: err });
    }
    throw err;
  }
  if (!layout) throw new LogFormatError('empty file: no header row', { line: 1 });
  const traces: Trace[] = [];
  for (const bucket of buckets.values()) traces.push(finishCase(bucket, lifecycleMode));
  return { traces };
}

function finishCase(bucket: Bucket, lifecycleMode: LifecycleMode): Trace {
  const rows = bucket.rows;
  // Stable (ES2019): equal times keep file order. Without a timestamp column every time is null: file order.
  if (rows.length > 1 && rows[0]!.time !== null) rows.sort((a, b) => a.time! - b.time!);
  const events: LogEvent[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!keepsLifecycle(r.lifecycle, lifecycleMode)) continue;
    const e: LogEvent = {
      id: r.id ?? `${bucket.caseId}#${i}`,
      activity: r.activity,
      time: r.time,
      attributes: r.attributes,
    };
    if (r.lifecycle !== undefined) e.lifecycle = r.lifecycle;
    if (r.resource !== undefined) e.resource = r.resource;
    events.push(e);
  }
  return { caseId: bucket.caseId, events, attributes: bucket.attributes };
}

const normalise = (h: string): string => h.toLowerCase().replace(/[\s_-]/g, '');

/** Index of the column an option names (exactly), else of the first default name (exact, then normalised), or -1. */
function findColumn(
  header: string[],
  given: string | undefined,
  defaults: readonly string[],
  option: string,
  required: boolean,
  what: string,
): number {
  if (given !== undefined) {
    const i = header.indexOf(given);
    if (i < 0) {
      throw new LogFormatError(`no column "${given}" in the header (${header.join(', ')})`, {
        line: 1,
        field: option,
      });
    }
    return i;
  }
  for (const d of defaults) {
    const i = header.indexOf(d);
    if (i >= 0) return i;
  }
  const normalised = header.map(normalise);
  for (const d of defaults) {
    const i = normalised.indexOf(normalise(d));
    if (i >= 0) return i;
  }
  if (required) {
    throw new LogFormatError(
      `no ${what} column: expected one of ${defaults.join(', ')} in the header (${header.join(', ')}); name it with the ${option} option`,
      { line: 1, field: option },
    );
  }
  return -1;
}

/** Which header columns an import reads as what (indices into the header; -1: none). */
export interface CsvColumns {
  case: number;
  activity: number;
  timestamp: number;
  id: number;
  lifecycle: number;
  resource: number;
}

/**
 * The columns an import of a CSV with this header would use (the rules in the module comment), so a caller that only
 * sees the header — an upload check — applies the same rules as the import.
 *
 * @throws LogFormatError (line 1, field = the option) when a named column is not in the header or no case or
 *   activity column can be found.
 */
export function resolveCsvColumns(header: readonly string[], options: CsvReadOptions = {}): CsvColumns {
  const h = header.map((c) => c.trim());
  const caseIdx = findColumn(h, options.caseColumn, DEFAULT_COLUMNS.case, 'caseColumn', true, 'case');
  const activityIdx = findColumn(
    h,
    options.activityColumn,
    DEFAULT_COLUMNS.activity,
    'activityColumn',
    true,
    'activity',
  );
  const timeIdx = findColumn(
    h,
    options.timestampColumn,
    DEFAULT_COLUMNS.timestamp,
    'timestampColumn',
    false,
    'timestamp',
  );
  const idIdx = options.idColumn === undefined ? -1 : findColumn(h, options.idColumn, [], 'idColumn', true, 'id');
  const taken = new Set([caseIdx, activityIdx, timeIdx, idIdx]);
  const free = (i: number) => (taken.has(i) ? -1 : i);
  const lifecycleIdx = free(findColumn(h, undefined, DEFAULT_COLUMNS.lifecycle, 'lifecycle', false, ''));
  const resourceIdx = free(findColumn(h, undefined, DEFAULT_COLUMNS.resource, 'resource', false, ''));
  return {
    case: caseIdx,
    activity: activityIdx,
    timestamp: timeIdx,
    id: idIdx,
    lifecycle: lifecycleIdx,
    resource: resourceIdx,
  };
}

function resolveLayout(cells: string[], options: CsvReadOptions): Layout {
  const header = cells.map((c) => c.trim());
  const c = resolveCsvColumns(header, options);
  const taken = new Set([c.case, c.activity, c.timestamp, c.id, c.lifecycle, c.resource]);
  const others: Layout['others'] = [];
  header.forEach((name, i) => {
    if (taken.has(i) || name === '') return;
    if (name.startsWith('case:')) others.push([i, name.slice(5), true]);
    else others.push([i, name, false]);
  });
  return {
    header,
    caseIdx: c.case,
    activityIdx: c.activity,
    timeIdx: c.timestamp,
    idIdx: c.id,
    lifecycleIdx: c.lifecycle,
    resourceIdx: c.resource,
    others,
  };
}

/**
 * The separator of the header line (see the module comment), and the whole text again. Reads only up to the end of
 * the header line (a quoted header cell may hold a line break).
 */
async function sniffSeparator(
  chunks: AsyncIterable<string>,
): Promise<{ separator: string; all: AsyncGenerator<string> }> {
  const it = chunks[Symbol.asyncIterator]();
  const seen: string[] = [];
  const counts = new Map<string, number>(SEPARATORS.map((s) => [s, 0]));
  let inQuotes = false;
  let done = false;
  for (let r = await it.next(); !r.done && !done; r = done ? r : await it.next()) {
    const text = r.value;
    seen.push(text);
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '"') inQuotes = !inQuotes;
      else if (!inQuotes && (c === '\n' || c === '\r')) {
        done = true;
        break;
      } else if (!inQuotes && counts.has(c)) counts.set(c, counts.get(c)! + 1);
    }
  }
  let separator: string = ',';
  let best = 0;
  for (const s of SEPARATORS) {
    const n = counts.get(s)!;
    if (n > best) {
      best = n;
      separator = s;
    }
  }
  async function* all(): AsyncGenerator<string> {
    yield* seen;
    if (done) for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { separator, all: all() };
}
