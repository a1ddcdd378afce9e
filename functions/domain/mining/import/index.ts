/**
 * Event-log import: XES (optionally gzipped) and CSV to the EventLog every mining algorithm and the signal replay
 * read. The rules of each format are in xes.ts and csv.ts; docs/process-mining.md ("Event logs") sums them up.
 */
import type { EventLog } from '../log.js';
import { readCsv } from './csv.js';
import { LogFormatError } from './errors.js';
import { type LogInput, peekText, textChunks } from './source.js';
import type { LifecycleMode } from './trace-order.js';
import { readXes } from './xes.js';

export { type CsvColumns, resolveCsvColumns } from './csv.js';
export { LogFormatError, type LogPosition } from './errors.js';
export type { LogInput } from './source.js';
export type { LifecycleMode } from './trace-order.js';

export interface LogImportOptions {
  /** Sniffed when not given: XML (first non-blank character `<`) is XES, anything else CSV. */
  format?: 'xes' | 'csv';
  /** CSV: the case id column (default `case:concept:name`, `case_id` or `case`). */
  caseColumn?: string;
  /** CSV: the activity column (default `concept:name` or `activity`). */
  activityColumn?: string;
  /** CSV: the timestamp column (default `time:timestamp` or `timestamp`; none: the log has no times). */
  timestampColumn?: string;
  /** CSV: a column of event ids (default: `<case>#<position>`). */
  idColumn?: string;
  /** CSV: a date-fns `parse` format for the timestamps, read in UTC (default: ISO 8601 or epoch numbers). */
  timeFormat?: string;
  /** `complete` (default): drop events whose lifecycle transition is present and not `complete`; `all`: keep all. */
  lifecycle?: LifecycleMode;
}

/**
 * Reads an event log from bytes, text or a stream of chunks (a file, an S3 object body). Gzip is detected by its
 * magic bytes and inflated on the fly; the format is sniffed when not given.
 *
 * @throws LogFormatError (status 400) naming the line, column and field of the first problem.
 */
export async function readEventLog(input: LogInput, options: LogImportOptions = {}): Promise<EventLog> {
  if (options.lifecycle !== undefined && options.lifecycle !== 'complete' && options.lifecycle !== 'all') {
    throw new LogFormatError(`lifecycle must be "complete" or "all", not "${options.lifecycle}"`, {
      field: 'lifecycle',
    });
  }
  const { firstChar, all } = await peekText(textChunks(input));
  if (firstChar === undefined) throw new LogFormatError('the log is empty', { line: 1 });
  const format = options.format ?? (firstChar === '<' ? 'xes' : 'csv');
  const lifecycle = options.lifecycle ?? 'complete';
  if (format === 'xes') return readXes(all, { lifecycle });
  if (format === 'csv') {
    const { format: _, ...csv } = options;
    return readCsv(all, { ...csv, lifecycle });
  }
  throw new LogFormatError(`format must be "xes" or "csv", not "${String(format)}"`, { field: 'format' });
}
