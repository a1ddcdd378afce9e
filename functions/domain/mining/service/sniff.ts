import { constants, gunzipSync } from 'node:zlib';
import type { MiningLogOptions } from '../../../../schemas/mining-api.js';
import { ValidationError } from '../../errors.js';

/** What an upload is, told from its first bytes: whether it is gzipped, XES or CSV, and a CSV's header. */
export interface SniffedLog {
  compressed: boolean;
  format: 'xes' | 'csv';
  /** A CSV's column names (first line, split on its separator). */
  columns?: string[];
}

/** Compressed bytes inflated to look at the start of a gzipped upload: far less than the log, enough for a header. */
const GZIP_PEEK_BYTES = 16 * 1024;
/** Text looked at: an XES `<log` element or a CSV header line comes within it. */
const TEXT_PEEK_CHARS = 64 * 1024;

const invalid = (field: string, message: string): ValidationError =>
  new ValidationError(`${field}: ${message}`, { details: [{ field, message }] });

const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * The start of the log as text. A gzipped upload is inflated from its first GZIP_PEEK_BYTES only (a sync flush
 * returns what those bytes hold without needing the rest), so sniffing costs the same for any size; the whole
 * stream is inflated and checked by the worker, which fails the job with the importer's message if it is broken.
 */
function peekText(bytes: Uint8Array, compressed: boolean): string {
  let head: Uint8Array = bytes.subarray(0, compressed ? GZIP_PEEK_BYTES : TEXT_PEEK_CHARS * 4);
  if (compressed) {
    try {
      head = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: TEXT_PEEK_CHARS * 4 });
    } catch (error) {
      // A peek larger than the limit is still a fine start; only a corrupt stream is refused here.
      if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE')
        throw invalid('content', 'gzip data that does not inflate');
      head = gunzipSync(bytes.subarray(0, 1024), { finishFlush: constants.Z_SYNC_FLUSH });
    }
  }
  let text: string;
  try {
    // `stream: true`: a multi-byte character cut at the end of the peek is not an error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    throw invalid('content', 'not UTF-8 text: an XES or CSV log (optionally gzipped) is expected');
  }
  if (text.includes('\u0000'))
    throw invalid('content', 'binary data: an XES or CSV log (optionally gzipped) is expected');
  return text.replace(/^\uFEFF/, '').slice(0, TEXT_PEEK_CHARS);
}

/** The CSV separator of a header line: the candidate that splits it most (`,`, `;`, tab), as the importer detects it. */
function separatorOf(line: string): string {
  let best = ',';
  let most = 0;
  for (const candidate of [',', ';', '\t']) {
    const n = line.split(candidate).length - 1;
    if (n > most) {
      most = n;
      best = candidate;
    }
  }
  return best;
}

const unquote = (cell: string): string => {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
};

/**
 * The importer's default columns (functions/domain/mining/import/csv.ts) and its rule for them: a header matches a
 * default when equal to it once case, spaces, `_` and `-` are ignored (`Case ID` is `case_id`).
 */
const normalise = (h: string): string => h.toLowerCase().replace(/[\s_-]/g, '');

const DEFAULT_COLUMNS = {
  caseColumn: ['case:concept:name', 'case_id', 'case'],
  activityColumn: ['concept:name', 'activity'],
} as const;

/**
 * Tells what an upload is and refuses, naming the field, what cannot be a log: not gzip nor UTF-8 text, a format
 * that contradicts the content, XML without an XES `<log>` element at its start, a CSV header without the case or
 * activity column (or a column an option names). Cheap by design (the first bytes only): deeper faults fail the job.
 */
export function sniffLog(
  bytes: Uint8Array,
  declared: 'xes' | 'csv' | undefined,
  options: MiningLogOptions,
): SniffedLog {
  if (bytes.length === 0) throw invalid('content', 'empty');
  const compressed = isGzip(bytes);
  const text = peekText(bytes, compressed).trimStart();
  if (text === '') throw invalid('content', 'no text at the start of the log');
  const format = text.startsWith('<') ? 'xes' : 'csv';
  if (declared && declared !== format)
    throw invalid('format', `the content is ${format === 'xes' ? 'XML (XES)' : 'not XML (CSV)'}, not ${declared}`);
  if (format === 'xes') {
    if (!/<log[\s>/]/.test(text)) throw invalid('content', 'XML without an XES <log> element at its start');
    return { compressed, format };
  }
  const newline = text.search(/\r?\n/);
  if (newline < 0 && text.length >= TEXT_PEEK_CHARS) throw invalid('content', 'a CSV header line longer than 64 KB');
  const header = newline < 0 ? text : text.slice(0, newline);
  const columns = header.split(separatorOf(header)).map(unquote);
  const present = new Set(columns);
  for (const option of ['caseColumn', 'activityColumn', 'timestampColumn', 'idColumn'] as const) {
    const named = options[option];
    if (named !== undefined && !present.has(named))
      throw invalid(`options.${option}`, `no column ${JSON.stringify(named)} in the CSV header`);
  }
  const normalised = new Set(columns.map(normalise));
  for (const option of ['caseColumn', 'activityColumn'] as const) {
    if (options[option] === undefined && !DEFAULT_COLUMNS[option].some((c) => normalised.has(normalise(c))))
      throw invalid(
        `options.${option}`,
        `the CSV header has none of ${DEFAULT_COLUMNS[option].join(', ')}: name the column with options.${option}`,
      );
  }
  return { compressed, format, columns };
}
