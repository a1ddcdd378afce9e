/**
 * npm run bench:bundles — each Lambda of the manifest bundled as the CDK stack bundles it (esbuild,
 * minified, ESM, node22, AWS SDK included so every function pins the project's SDK version), with its
 * size and its module init time in a fresh Node process (median of 5 runs).
 * Targets: under 500 KB and under 150 ms each.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS } from '../functions/platform/manifest.js';
import { LAMBDA_BUNDLING } from '../functions/platform/bundling.js';

const ROOT = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'modos-bundles-'));
const RUNS = 5;

const env = {
  ...process.env,
  STAGE: 'bench',
  TABLE_NAME: 'modos-bench',
  BUCKET_NAME: 'modos-bench',
  EVENT_BUS_NAME: 'modos-bench',
  AWS_REGION: 'us-east-1',
  JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
  LOG_LEVEL: 'ERROR',
};

console.log(`modos bench:bundles — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
console.log('function            size (KB)  init median (ms)  init runs (ms)');
let worst = { size: 0, init: 0 };
for (const fn of Object.values(FUNCTIONS)) {
  const outfile = join(out, `${fn.name}.mjs`);
  await build({ ...LAMBDA_BUNDLING, entryPoints: [join(ROOT, fn.entry)], outfile, sourcemap: false, logLevel: 'error' });
  const size = statSync(outfile).size / 1024;
  const probe = join(out, `${fn.name}.probe.mjs`);
  writeFileSync(probe, `const t = performance.now(); await import(${JSON.stringify(outfile)}); process.stdout.write(String(performance.now() - t));`);
  const runs = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, [probe], { env, encoding: 'utf8' })));
  const median = [...runs].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  worst = { size: Math.max(worst.size, size), init: Math.max(worst.init, median) };
  console.log(`${fn.name.padEnd(18)} ${size.toFixed(0).padStart(9)}  ${median.toFixed(1).padStart(16)}  ${runs.map((r) => r.toFixed(0)).join(' ')}`);
}
console.log(`largest ${worst.size.toFixed(0)} KB (target < 500), slowest init ${worst.init.toFixed(1)} ms (target < 150)`);
rmSync(out, { recursive: true, force: true });
