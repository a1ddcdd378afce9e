/**
 * Lists the local bus's dead letters, and re-drives them:
 *   npm run -s bus:dead-letters -- [--data-dir .modos] [--rule <rule>] [--id <id>]... [--event <event id>] [--json] [--redrive]
 * Without --redrive it only reads `<data dir>/bus/dead-letters.jsonl`. With --redrive it drops a request
 * for the selected dead letters into `<data dir>/bus/redrive/`: a running platform takes it within a
 * second (this command waits for that), a stopped one on its next start. Each becomes a new delivery
 * with a fresh retry policy. Format and guarantees: docs/local-event-bus.md.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { targetName, type DeadLetter } from '../local/event-bus-state.js';
import { busIsRunning, readDeadLetters, requestRedrive, selectDeadLetters } from '../local/event-dead-letters.js';

const USAGE =
  'usage: npm run -s bus:dead-letters -- [--data-dir <dir>] [--rule <rule>] [--id <id>]... [--event <event id>] [--json] [--redrive]';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs the command; resolves with its exit code (0 done, 1 a redrive not taken in time, 2 usage). */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  options: { waitMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'data-dir': { type: 'string' },
        rule: { type: 'string' },
        id: { type: 'string', multiple: true },
        event: { type: 'string' },
        json: { type: 'boolean', default: false },
        redrive: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    io.err(`bus:dead-letters: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const dataDir = resolve(values['data-dir'] ?? options.env?.MODOS_DATA_DIR ?? '.modos');
  const stateDir = join(dataDir, 'bus');
  if (!existsSync(dataDir)) {
    io.err(`bus:dead-letters: no data folder at ${dataDir}\n${USAGE}`);
    return 2;
  }
  const selected = selectDeadLetters(readDeadLetters(stateDir), {
    rule: values.rule,
    ids: values.id,
    eventId: values.event,
  });
  for (const letter of selected) io.out(values.json ? JSON.stringify(letter) : describe(letter));
  if (!values.redrive) {
    if (!values.json) io.err(`${selected.length} dead letter(s) in ${join(stateDir, 'dead-letters.jsonl')}`);
    return 0;
  }
  if (!selected.length) {
    io.err('no dead letter matches: nothing to re-drive');
    return 0;
  }
  const running = busIsRunning(stateDir);
  const request = requestRedrive(
    stateDir,
    selected.map((l) => l.id),
  );
  if (!running) {
    io.err(
      `${selected.length} dead letter(s) queued for redrive; the platform is not running, its next start delivers them`,
    );
    return 0;
  }
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  while (existsSync(request)) {
    if (Date.now() > deadline) {
      io.err(`the running platform has not taken the redrive request yet; it stays queued in ${request}`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  io.err(`${selected.length} dead letter(s) re-driven; the running platform is delivering them`);
  return 0;
}

function describe(l: DeadLetter): string {
  return [
    l.id,
    `${l.rule} -> ${targetName(l.target)}`,
    `${l.event['detail-type']} ${l.event.id}`,
    `attempts=${l.attempts}`,
    l.reason,
    `last=${l.lastAttemptAt}`,
    `${l.error.name}: ${l.error.message}`,
  ].join('  ');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await runCli(
    process.argv.slice(2),
    { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
    { env: process.env },
  );
  process.exit(code);
}
