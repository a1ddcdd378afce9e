/**
 * Process discovery from the command line:
 *   npm run -s mine -- --log <file.xes|.xes.gz|.csv> [--output model.json] [--pnml net.pnml] [--noise 0.2]
 *     [--dot file.dot] [--svg file.svg] [--picture net|dfg] [the shared log flags: --case --activity --timestamp
 *     --id --time-format --format --lifecycle]
 * Prints one JSON object: { cases, events, activities, variants, startActivities, endActivities, dfg: [{ from, to,
 * count }], dependencies: [{ from, to, value }] }, and writes the Petri net the inductive miner – infrequent
 * discovers (noise threshold --noise, default 0.2; 0 = plain inductive miner, which fits every trace) as PNML: to
 * --pnml, else next to --output (model.json → model.pnml), else to ./model.pnml. --output writes the whole model
 * as JSON (the summary, the process tree, the net, the directly-follows graph with durations, bottlenecks,
 * automation candidates); --dot and --svg write a picture of the net, or of the directly-follows graph with
 * --picture dfg. A bad flag, a missing or unreadable log, an output that cannot be written: one line on stderr,
 * exit code 2.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type LogSummary,
  automationCandidates,
  bottlenecks,
  directlyFollows,
  summariseLog,
} from '../functions/domain/mining/discovery.js';
import {
  DEFAULT_NOISE_THRESHOLD,
  discoverProcessTree,
  formatProcessTree,
  processTreeToPetriNet,
} from '../functions/domain/mining/inductive.js';
import { writePnml } from '../functions/domain/mining/pnml.js';
import { dfgToDot, petriNetToDot, renderSvg } from '../functions/domain/mining/render.js';
import { readEventLogFile } from './lib/event-log-file.js';
import { UsageError, parseLogFlags, runCommand } from './lib/log-flags.js';

interface MineFlags {
  output?: string;
  pnml?: string;
  dot?: string;
  svg?: string;
  noise: number;
  picture: 'net' | 'dfg';
}

const VALUE_FLAGS = new Set(['--output', '--pnml', '--noise', '--dot', '--svg', '--picture']);

function parseMineFlags(rest: readonly string[]): MineFlags {
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_FLAGS.has(flag)) throw new UsageError(`unknown argument ${arg} (see scripts/mine.ts for the flags)`);
    if (values.has(flag)) throw new UsageError(`${flag} is given twice`);
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '' || (value.startsWith('--') && value.length > 2)) {
      throw new UsageError(`${flag} needs a value`);
    }
    values.set(flag, value);
  }
  const noiseText = values.get('--noise');
  const noise = noiseText === undefined ? DEFAULT_NOISE_THRESHOLD : Number(noiseText);
  if (noiseText !== undefined && (!/^\s*[\d.eE+-]+\s*$/.test(noiseText) || !(noise >= 0 && noise <= 1))) {
    throw new UsageError(`--noise must be a number from 0 to 1, not "${noiseText}"`);
  }
  const picture = values.get('--picture') ?? 'net';
  if (picture !== 'net' && picture !== 'dfg') throw new UsageError(`--picture must be net or dfg, not "${picture}"`);
  const flags: MineFlags = { noise, picture };
  for (const [flag, key] of [
    ['--output', 'output'],
    ['--pnml', 'pnml'],
    ['--dot', 'dot'],
    ['--svg', 'svg'],
  ] as const) {
    const value = values.get(flag);
    if (value !== undefined) flags[key] = value;
  }
  return flags;
}

/** Where the net goes: --pnml, else beside --output with the .pnml extension, else ./model.pnml. */
export function pnmlPathOf(flags: Pick<MineFlags, 'output' | 'pnml'>): string {
  if (flags.pnml !== undefined) return flags.pnml;
  if (flags.output !== undefined) {
    const ext = extname(flags.output);
    return join(dirname(flags.output), `${basename(flags.output, ext)}.pnml`);
  }
  return 'model.pnml';
}

async function writeOutput(path: string, content: string): Promise<void> {
  try {
    await writeFile(path, content);
  } catch (err) {
    throw new UsageError(`${path}: cannot write the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: err,
    });
  }
}

/**
 * Runs the command on `argv` (process.argv.slice(2)): mines the log, writes the files the flags ask for, and
 * returns the summary it prints.
 */
export async function runMine(argv: readonly string[]): Promise<LogSummary> {
  const { log: logPath, options, rest } = parseLogFlags(argv);
  const flags = parseMineFlags(rest);
  const log = await readEventLogFile(logPath, options);
  const summary = summariseLog(log);
  const tree = discoverProcessTree(log, { noiseThreshold: flags.noise });
  const net = processTreeToPetriNet(tree, { id: basename(logPath) });
  await writeOutput(pnmlPathOf(flags), writePnml(net));
  if (flags.output !== undefined) {
    const model = {
      ...summary,
      noiseThreshold: flags.noise,
      processTree: formatProcessTree(tree),
      tree,
      net,
      directlyFollows: directlyFollows(log),
      bottlenecks: bottlenecks(log),
      automationCandidates: automationCandidates(log),
    };
    await writeOutput(flags.output, `${JSON.stringify(model, null, 2)}\n`);
  }
  if (flags.dot !== undefined || flags.svg !== undefined) {
    const title = `${basename(logPath)}: ${flags.picture === 'net' ? `inductive miner, noise ${flags.noise}` : 'directly-follows graph'}`;
    const dot = flags.picture === 'net' ? petriNetToDot(net, { title }) : dfgToDot(directlyFollows(log), { title });
    if (flags.dot !== undefined) await writeOutput(flags.dot, dot);
    if (flags.svg !== undefined) await writeOutput(flags.svg, await renderSvg(dot));
  }
  return summary;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCommand(async () => {
    const summary = await runMine(process.argv.slice(2));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  });
}
