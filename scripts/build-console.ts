/**
 * `npm run -s build:console [-- --out DIR]`: builds the operator console (console/build.ts) and prints each file
 * with its size and gzipped size. `npm start` and `cdk synth` build it themselves; this is for looking at the result.
 */
import { parseArgs } from 'node:util';
import { buildConsole } from '../console/build.js';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const result = await buildConsole({ outDir: values.out });
for (const f of result.files)
  process.stdout.write(
    `${f.name.padEnd(24)} ${String(f.bytes).padStart(8)} B  ${String(f.gzipBytes).padStart(7)} B gzipped\n`,
  );
process.stdout.write(`total gzipped ${(result.gzipBytes / 1024).toFixed(1)} KB in ${result.outDir}\n`);
