/**
 * Generates a seeded adversarial entity-resolution data set in the shared data sets' format.
 *   npm run -s gen:er -- --kind person|organization --mode dedup|link --records N --seed S --out DIR
 *                        [--overlap 0.1] [--duplicate-rate 0.4] [--traps family=0.1,typo=0.5]
 * Progress and a trap summary go to stderr. Exit 2 on bad usage, 1 when the files cannot be written.
 */
import { pathToFileURL } from 'node:url';
import {
  type SyntheticDataset,
  SyntheticOptionsError,
  generateOrganizations,
  generatePeople,
  SUGGESTED_MAPPINGS,
  writeDataset,
} from '../local/synthetic/index.js';

export class GenUsageError extends Error {
  override readonly name = 'GenUsageError';
  readonly code = 'CLI_USAGE';
}

const USAGE = `usage: gen:er --kind person|organization --mode dedup|link --records N --seed S --out DIR
              [--overlap 0.1] [--duplicate-rate 0.4] [--traps name=rate,...]`;

export interface GenArgs {
  kind: 'person' | 'organization';
  mode: 'dedup' | 'link';
  records: number;
  seed: number;
  out: string;
  overlap?: number;
  duplicateRate?: number;
  traps: Record<string, number>;
}

function usage(message: string): GenUsageError {
  return new GenUsageError(`${message}\n${USAGE}`);
}

function rate(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw usage(`${name} must be a number in [0, 1], got "${value}"`);
  return n;
}

export function parseGenArgs(argv: readonly string[]): GenArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') throw new GenUsageError(USAGE);
    if (!a.startsWith('--')) throw usage(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const [key, value] = eq > 0 ? [a.slice(2, eq), a.slice(eq + 1)] : [a.slice(2), argv[++i]];
    if (value === undefined || value.startsWith('--')) throw usage(`--${key} needs a value`);
    values.set(key, value);
  }
  const known = new Set(['kind', 'mode', 'records', 'seed', 'out', 'overlap', 'duplicate-rate', 'traps']);
  for (const k of values.keys()) if (!known.has(k)) throw usage(`unknown option --${k}`);
  const kind = values.get('kind');
  if (kind !== 'person' && kind !== 'organization') throw usage('--kind must be person or organization');
  const mode = values.get('mode');
  if (mode !== 'dedup' && mode !== 'link') throw usage('--mode must be dedup or link');
  const records = Number(values.get('records'));
  if (!(Number.isInteger(records) && records >= 2)) throw usage('--records must be an integer ≥ 2');
  const seed = Number(values.get('seed'));
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw usage('--seed must be an integer in [0, 2^32)');
  const out = values.get('out');
  if (!out) throw usage('--out is required');
  if (values.has('overlap') && mode !== 'link') throw usage('--overlap applies to --mode link only');
  if (values.has('duplicate-rate') && mode !== 'dedup') throw usage('--duplicate-rate applies to --mode dedup only');
  const traps: Record<string, number> = {};
  for (const entry of (values.get('traps') ?? '').split(',').filter((s) => s.trim() !== '')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw usage(`--traps entry "${entry}" is not name=rate`);
    traps[entry.slice(0, eq).trim()] = rate(`trap ${entry.slice(0, eq).trim()}`, entry.slice(eq + 1));
  }
  const args: GenArgs = { kind, mode, records, seed, out, traps };
  if (values.has('overlap')) args.overlap = rate('--overlap', values.get('overlap')!);
  if (values.has('duplicate-rate')) args.duplicateRate = rate('--duplicate-rate', values.get('duplicate-rate')!);
  return args;
}

export function runGenCli(argv: readonly string[], log: (line: string) => void): SyntheticDataset {
  const args = parseGenArgs(argv);
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)}s`;
  log(`[gen-er] generating ${args.records} ${args.kind} ${args.mode} records, seed ${args.seed}`);
  const options = {
    mode: args.mode,
    records: args.records,
    seed: args.seed,
    traps: args.traps,
    ...(args.overlap !== undefined ? { overlap: args.overlap } : {}),
    ...(args.duplicateRate !== undefined ? { duplicateRate: args.duplicateRate } : {}),
  };
  let dataset: SyntheticDataset;
  try {
    dataset = args.kind === 'person' ? generatePeople(options) : generateOrganizations(options);
  } catch (err) {
    // Bad trap names and rates come from the command line, so they are usage errors.
    if (err instanceof SyntheticOptionsError) throw usage(err.message);
    throw err;
  }
  log(`[gen-er] ${elapsed()} generated ${dataset.entities} entities`);
  const files = writeDataset(dataset, args.out);
  log(`[gen-er] ${elapsed()} wrote ${files.join(', ')} to ${args.out}`);
  for (const [trap, c] of Object.entries(dataset.trapCounts))
    log(`[gen-er]   ${trap}: ${c.affected}/${c.eligible} (${c.eligible ? (c.affected / c.eligible).toFixed(3) : '-'})`);
  log(`[gen-er] mapping: ${SUGGESTED_MAPPINGS[args.kind]}`);
  return dataset;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    runGenCli(process.argv.slice(2), (line) => process.stderr.write(`${line}\n`));
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`gen-er: ${e.name === 'GenUsageError' ? '' : `${e.name}: `}${e.message}\n`);
    process.exit(e.name === 'GenUsageError' ? 2 : 1);
  }
}
