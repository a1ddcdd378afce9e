/**
 * Runs signal rules over an event log with the platform's engine, from the command line:
 *   npm run -s signals:replay -- --log <file.xes|.xes.gz|.csv> --rules <rules.json>
 *     [the shared log flags: --case --activity --timestamp --id --time-format --lifecycle --format]
 * The rules file is a JSON array of rule bodies or `{ "rules": [...] }` (docs/signals.md). Each log event becomes an
 * entity change event: `detail.entityId` = its case id, `detail.activity` = its activity, its other attributes under
 * `detail` by their log names (`org:resource`, `lifecycle:transition`, ...), `time` = its timestamp; its id is the
 * log's (XES `identity:id`, the `--id` column, else `<case>#<position>`). Prints ONE JSON object
 * `{ "<ruleId>": <number of keys the rule fired for>, ... }`; the result does not depend on event order or on
 * events repeated with the same id.
 * Exit code 2, with one line on stderr: a bad flag, an unreadable log or rules file, a rule the API would refuse
 * (named with its field), or events without a timestamp when a rule needs times (all but match and repetition).
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '../functions/domain/errors.js';
import type { EventLog } from '../functions/domain/mining/log.js';
import { replay } from '../functions/domain/signals/engine.js';
import { type CompiledSignalRule, compileSignalRule } from '../functions/domain/signals/rules.js';
import type { SignalEvent } from '../functions/domain/signals/types.js';
import { readEventLogFile } from './lib/event-log-file.js';
import { parseLogFlags, runCommand, UsageError } from './lib/log-flags.js';

/** The `source` of the events a replay makes. */
export const REPLAY_SOURCE = 'modos.replay';

function parseOwnFlags(rest: readonly string[]): { rules: string } {
  let rules: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag !== '--rules') throw new UsageError(`unknown argument ${arg}`);
    if (rules !== undefined) throw new UsageError('--rules is given twice');
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError('--rules needs a value');
    rules = value;
  }
  if (rules === undefined) throw new UsageError('--rules <rules.json> is required');
  return { rules };
}

/**
 * Reads and compiles a rules file (a JSON array of rule bodies, or `{ "rules": [...] }`).
 *
 * @throws UsageError naming the file, and the rule and field at fault.
 */
export async function loadRulesFile(path: string): Promise<CompiledSignalRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`${path}: file not found`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(json) ? json : (json as { rules?: unknown })?.rules;
  if (!Array.isArray(list)) throw new UsageError(`${path}: expected a JSON array of rules or { "rules": [...] }`);
  const rules: CompiledSignalRule[] = [];
  const ids = new Set<string>();
  list.forEach((body, index) => {
    try {
      const rule = compileSignalRule(body);
      if (ids.has(rule.id)) throw new UsageError(`${path}: rules[${index}]: the id ${rule.id} is used twice`);
      ids.add(rule.id);
      rules.push(rule);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const id = (body as { id?: unknown })?.id;
      const where = `rules[${index}]${typeof id === 'string' ? ` (${id})` : ''}`;
      const why = (err.details ?? []).map((d) => `${d.field ?? 'rule'}: ${d.message}`).join('; ');
      throw new UsageError(`${path}: ${where}: ${why || err.message}`);
    }
  });
  return rules;
}

/**
 * The log's events as entity change events. Events without a time get time 0 when `needsTimes` is false (their
 * order is then by id, which the untimed kinds do not depend on).
 *
 * @throws UsageError when `needsTimes` and an event has no timestamp.
 */
export function logToSignalEvents(
  log: EventLog,
  needsTimes: boolean,
  timedRules: readonly string[] = [],
): SignalEvent[] {
  const out: SignalEvent[] = [];
  for (const trace of log.traces) {
    for (const e of trace.events) {
      if (e.time === null && needsTimes) {
        throw new UsageError(
          `event ${e.id} of case ${trace.caseId} has no timestamp, and rules ${timedRules.join(', ')} need event times (only match and repetition do not)`,
        );
      }
      const detail: Record<string, unknown> = { ...e.attributes };
      if (e.lifecycle !== undefined) detail['lifecycle:transition'] = e.lifecycle;
      if (e.resource !== undefined) detail['org:resource'] = e.resource;
      // The case and the activity win over attributes of the same name: they are what the rules are written against.
      detail.entityId = trace.caseId;
      detail.activity = e.activity;
      const time = e.time ?? 0;
      out.push({
        id: e.id,
        time,
        event: {
          source: REPLAY_SOURCE,
          'detail-type': 'entity.updated',
          ...(e.time !== null ? { time: new Date(e.time).toISOString() } : {}),
          detail,
        },
      });
    }
  }
  return out;
}

/** Runs the command on its arguments (process.argv.slice(2)) and returns what it prints. */
export async function runSignalsReplay(argv: readonly string[]): Promise<Record<string, number>> {
  const { log: logPath, options, rest } = parseLogFlags(argv);
  const { rules: rulesPath } = parseOwnFlags(rest);
  const rules = await loadRulesFile(rulesPath);
  const log = await readEventLogFile(logPath, options);
  const timed = rules.filter((r) => r.timed).map((r) => r.id);
  return replay(rules, logToSignalEvents(log, timed.length > 0, timed));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCommand(async () => {
    const result = await runSignalsReplay(process.argv.slice(2));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
}
