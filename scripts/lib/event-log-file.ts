/**
 * An event-log file for the command-line tools: streamed from disk into the domain importer (so a large log is
 * never held as one buffer), the format taken from the extension (.xes, .xes.gz, .csv, .csv.gz) unless given.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type LogImportOptions, readEventLog } from '../../functions/domain/mining/import/index.js';
import type { EventLog } from '../../functions/domain/mining/log.js';

/** A log file that is missing or cannot be read as a log; `cause` is the LogFormatError with line/column/field. */
export class LogFileError extends Error {
  override readonly name = 'LogFileError';
}

/** The format a file name implies, if any. */
export function formatOfPath(path: string): 'xes' | 'csv' | undefined {
  if (/\.xes(\.gz)?$/i.test(path)) return 'xes';
  if (/\.csv(\.gz)?$/i.test(path)) return 'csv';
  return undefined;
}

/**
 * Reads the event log at `path`.
 *
 * @throws LogFileError naming the path: the file is missing or not a file, or its content is not a valid log.
 */
export async function readEventLogFile(path: string, options: LogImportOptions = {}): Promise<EventLog> {
  let isFile = false;
  try {
    isFile = (await stat(path)).isFile();
  } catch {
    throw new LogFileError(`${path}: file not found`);
  }
  if (!isFile) throw new LogFileError(`${path}: not a file`);
  const format = options.format ?? formatOfPath(path);
  try {
    return await readEventLog(createReadStream(path, { highWaterMark: 1 << 20 }), {
      ...options,
      ...(format ? { format } : {}),
    });
  } catch (err) {
    if ((err as Error)?.name === 'LogFormatError') {
      throw new LogFileError(`${path}: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}
