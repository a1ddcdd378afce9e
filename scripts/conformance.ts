/**
 * Conformance of an event log against a Petri net, from the command line:
 *   npm run -s conformance -- --log <file.xes|.xes.gz|.csv> --model <net.pnml> [--method tbr|alignments]
 *     [--max-states <n>] [--details] [the shared log flags: --case --activity --timestamp --id --time-format ...]
 * Prints one JSON object: { method, logFitness, averageTraceFitness, fittingTraces, fittingTracesShare, traces:
 * [{ case, fitness, fits }] } (alignments add timedOutTraces, and alignmentTimedOut on a trace that hit
 * --max-states). --details adds per trace the token counts and deviations (tbr) or the cost and moves
 * (alignments). Token replay is the default method; the formulas are in docs/process-mining.md ("Conformance").
 * A bad flag, a missing or unreadable log or model: one line on stderr, exit code 2.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { alignLog } from '../functions/domain/mining/conformance/alignments.js';
import { type CompiledNet, compileNet } from '../functions/domain/mining/conformance/compiled-net.js';
import { replayLog } from '../functions/domain/mining/conformance/token-replay.js';
import { readPnml } from '../functions/domain/mining/pnml.js';
import { readEventLogFile } from './lib/event-log-file.js';
import { UsageError, parseLogFlags, runCommand } from './lib/log-flags.js';

export type ConformanceMethod = 'tbr' | 'alignments';

interface OwnFlags {
  model: string;
  method: ConformanceMethod;
  maxStates?: number;
  details: boolean;
}

function parseOwnFlags(rest: readonly string[]): OwnFlags {
  let model: string | undefined;
  let method: ConformanceMethod = 'tbr';
  let maxStates: number | undefined;
  let details = false;
  const seen = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === '--details' && eq < 0) {
      details = true;
      continue;
    }
    if (flag !== '--model' && flag !== '--method' && flag !== '--max-states') {
      throw new UsageError(`unknown argument ${arg} (see scripts/conformance.ts for the flags)`);
    }
    if (seen.has(flag)) throw new UsageError(`${flag} is given twice`);
    seen.add(flag);
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    if (flag === '--model') model = value;
    else if (flag === '--method') {
      if (value !== 'tbr' && value !== 'alignments') {
        throw new UsageError(`--method must be tbr or alignments, not "${value}"`);
      }
      method = value;
    } else {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`--max-states must be a positive integer, not "${value}"`);
      maxStates = n;
    }
  }
  if (model === undefined) throw new UsageError('--model <net.pnml> is required');
  return { model, method, details, ...(maxStates === undefined ? {} : { maxStates }) };
}

/** Reads and checks the PNML model; any problem is a UsageError naming the file (exit 2). */
async function readModel(path: string): Promise<CompiledNet> {
  let xml: string;
  try {
    xml = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`${path}: file not found or not readable`);
  }
  try {
    return compileNet(readPnml(xml));
  } catch (err) {
    throw new UsageError(`${path}: not a usable Petri net: ${(err as Error).message}`, { cause: err });
  }
}

/** Runs the command on `argv` (process.argv.slice(2)) and returns the JSON object it prints. */
export async function runConformance(argv: readonly string[]): Promise<Record<string, unknown>> {
  const { log: logPath, options, rest } = parseLogFlags(argv);
  const flags = parseOwnFlags(rest);
  const net = await readModel(flags.model);
  const log = await readEventLogFile(logPath, options);
  if (flags.method === 'tbr') {
    const r = replayLog(log, net);
    return {
      method: 'tbr',
      logFitness: r.logFitness,
      averageTraceFitness: r.averageTraceFitness,
      fittingTraces: r.fittingTraces,
      fittingTracesShare: r.fittingTracesShare,
      traces: r.traces.map((t) => ({
        case: t.caseId,
        fitness: t.fitness,
        fits: t.fits,
        ...(flags.details
          ? {
              produced: t.produced,
              consumed: t.consumed,
              missing: t.missing,
              remaining: t.remaining,
              deviations: t.deviations,
              unknownActivities: t.unknownActivities,
              missingAtEnd: t.missingAtEnd,
              remainingTokens: t.remainingTokens,
            }
          : {}),
      })),
    };
  }
  let a: ReturnType<typeof alignLog>;
  try {
    a = alignLog(log, net, flags.maxStates === undefined ? {} : { maxStates: flags.maxStates });
  } catch (err) {
    // The one refusal: a model whose final marking no run reaches (within the budget).
    if ((err as Error).name === 'ValidationError') throw new UsageError(`${flags.model}: ${(err as Error).message}`);
    throw err;
  }
  return {
    method: 'alignments',
    logFitness: a.logFitness,
    averageTraceFitness: a.averageTraceFitness,
    fittingTraces: a.fittingTraces,
    fittingTracesShare: a.fittingTracesShare,
    timedOutTraces: a.timedOutTraces,
    traces: a.traces.map((t) => ({
      case: t.caseId,
      fitness: t.fitness,
      fits: t.fits,
      ...(t.alignmentTimedOut ? { alignmentTimedOut: true } : {}),
      ...(flags.details ? { cost: t.cost, deviations: t.deviations, moves: t.moves } : {}),
    })),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCommand(async () => {
    const result = await runConformance(process.argv.slice(2));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
}
