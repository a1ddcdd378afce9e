/**
 * Scores texts with the product's prompt-injection detector and threshold:
 *   npm run -s detect-injection -- --input texts.jsonl --output verdicts.jsonl
 *
 * The input has one JSON object per line with a string `text` (other fields are ignored; blank lines are skipped).
 * The output has, per input line and in order, `{ "score": 0..1, "injection": true|false }`. Nothing is written
 * unless every line is valid: a missing flag, an unreadable file, or a line that is not JSON or has no string
 * `text` prints one line on stderr (naming the line number) and exits with code 2.
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { detectInjection } from '../functions/domain/security/injection/detector.js';

/** A bad command line or input: one line on stderr, exit code 2. */
export class DetectInputError extends Error {
  override readonly name = 'DetectInputError';
}

/** Reads `--input` and `--output` (each as `--flag value` or `--flag=value`). */
export function parseFlags(argv: readonly string[]): { input: string; output: string } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag !== '--input' && flag !== '--output') {
      throw new DetectInputError(`unknown argument ${arg} (expected --input <texts.jsonl> --output <verdicts.jsonl>)`);
    }
    if (values.has(flag)) throw new DetectInputError(`${flag} is given twice`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || value.startsWith('--'))
      throw new DetectInputError(`${flag} needs a value`);
    values.set(flag, value);
  }
  const input = values.get('--input');
  const output = values.get('--output');
  if (input === undefined) throw new DetectInputError('--input <texts.jsonl> is required');
  if (output === undefined) throw new DetectInputError('--output <verdicts.jsonl> is required');
  return { input, output };
}

/** The verdict lines of a JSONL input, read as a stream; throws DetectInputError on the first bad line. */
export async function verdictsOf(input: string): Promise<string[]> {
  const stream = createReadStream(input, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) =>
      reject(new DetectInputError(`${input}: file not found or not readable`, { cause: err })),
    );
  });
  await opened;
  const out: string[] = [];
  let n = 0;
  // Blank lines may only end the file: one in the middle would shift every later verdict off its input line.
  let blank: number | undefined;
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    if (line.trim() === '') {
      blank ??= n;
      continue;
    }
    if (blank !== undefined) throw new DetectInputError(`${input}: line ${blank} is empty (each line needs a "text")`);
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new DetectInputError(`${input}: line ${n} is not JSON`);
    }
    const text = (row as { text?: unknown } | null)?.text;
    if (row === null || typeof row !== 'object' || Array.isArray(row) || typeof text !== 'string') {
      throw new DetectInputError(`${input}: line ${n} has no string "text" field`);
    }
    const v = detectInjection(text);
    out.push(JSON.stringify({ score: v.score, injection: v.injection }));
  }
  return out;
}

/** Runs the command on `argv` (process.argv.slice(2)): reads, scores, then writes the whole output. */
export async function runDetectInjection(argv: readonly string[]): Promise<number> {
  const { input, output } = parseFlags(argv);
  const lines = await verdictsOf(input);
  try {
    await writeFile(output, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  } catch (err) {
    throw new DetectInputError(`${output}: cannot be written`, { cause: err });
  }
  return lines.length;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runDetectInjection(process.argv.slice(2)).catch((err: unknown) => {
    const e = err as Error;
    const expected = e?.name === 'DetectInputError';
    process.stderr.write(`error: ${expected ? e.message : (e?.stack ?? String(err))}\n`);
    process.exit(expected ? 2 : 1);
  });
}
