/**
 * The command-line flags every event-log command shares (`mine`, `conformance`, `signals:replay`):
 *   --log <file>            the log: .xes, .xes.gz, .csv (required)
 *   --format xes|csv        when the file name does not tell (default: by extension, else sniffed)
 *   --case <column>         CSV case id column (default case:concept:name, case_id, case)
 *   --activity <column>     CSV activity column (default concept:name, activity)
 *   --timestamp <column>    CSV timestamp column (default time:timestamp, timestamp)
 *   --id <column>           CSV event id column (default <case>#<position>; XES: identity:id)
 *   --time-format <fmt>     CSV timestamp format, date-fns tokens, UTC (e.g. dd-MM-yyyy:HH.mm)
 *   --lifecycle complete|all  keep only completed events (default) or all
 * Each takes `--flag value` or `--flag=value`. The rest of the arguments are handed back for the command's own flags.
 */
import type { LogImportOptions } from '../../functions/domain/mining/import/index.js';

/** A bad command line: the command prints the message on one line and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedLogFlags {
  /** The --log path. */
  log: string;
  options: LogImportOptions;
  /** Arguments that are not shared log flags, in their order. */
  rest: string[];
}

const OPTION_OF = {
  '--case': 'caseColumn',
  '--activity': 'activityColumn',
  '--timestamp': 'timestampColumn',
  '--id': 'idColumn',
  '--time-format': 'timeFormat',
} as const satisfies Record<string, keyof LogImportOptions>;

const SHARED = new Set(['--log', '--format', '--lifecycle', ...Object.keys(OPTION_OF)]);

/** Splits `--flag=value` and reads `--flag value`; throws UsageError when the value is missing. */
function valueAt(argv: readonly string[], i: number): { flag: string; value: string; next: number } {
  const arg = argv[i]!;
  const eq = arg.indexOf('=');
  if (eq > 0) return { flag: arg.slice(0, eq), value: arg.slice(eq + 1), next: i + 1 };
  const value = argv[i + 1];
  if (value === undefined || (value.startsWith('--') && value.length > 2)) {
    throw new UsageError(`${arg} needs a value`);
  }
  return { flag: arg, value, next: i + 2 };
}

/**
 * Parses the shared log flags out of `argv` (process.argv.slice(2)).
 *
 * @throws UsageError for a missing --log, a flag without a value, a repeated flag or a bad --format/--lifecycle.
 */
export function parseLogFlags(argv: readonly string[]): ParsedLogFlags {
  const options: LogImportOptions = {};
  const rest: string[] = [];
  const seen = new Set<string>();
  let log: string | undefined;
  for (let i = 0; i < argv.length; ) {
    const arg = argv[i]!;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (!SHARED.has(name)) {
      rest.push(arg);
      i++;
      continue;
    }
    const { flag, value, next } = valueAt(argv, i);
    i = next;
    if (seen.has(flag)) throw new UsageError(`${flag} is given twice`);
    seen.add(flag);
    if (value === '') throw new UsageError(`${flag} needs a value`);
    if (flag === '--log') log = value;
    else if (flag === '--format') {
      if (value !== 'xes' && value !== 'csv') throw new UsageError(`--format must be xes or csv, not "${value}"`);
      options.format = value;
    } else if (flag === '--lifecycle') {
      if (value !== 'complete' && value !== 'all') {
        throw new UsageError(`--lifecycle must be complete or all, not "${value}"`);
      }
      options.lifecycle = value;
    } else {
      options[OPTION_OF[flag as keyof typeof OPTION_OF]] = value;
    }
  }
  if (log === undefined) throw new UsageError('--log <file.xes|file.xes.gz|file.csv> is required');
  return { log, options, rest };
}

/**
 * Runs a command's main function: a UsageError or an unreadable log (LogFileError, LogFormatError) prints one line on
 * stderr and exits with code 2; any other failure prints its message and exits with code 1.
 */
export function runCommand(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const e = err as Error;
    const expected = ['UsageError', 'LogFileError', 'LogFormatError'].includes(e?.name);
    process.stderr.write(`error: ${expected ? e.message : (e?.stack ?? String(err))}\n`.replace(/\n(?=.)/g, ' '));
    process.exit(expected ? 2 : 1);
  });
}
