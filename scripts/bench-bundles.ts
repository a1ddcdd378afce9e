/**
 * npm run bench:bundles — each Lambda of the manifest bundled as the CDK stack bundles it (esbuild,
 * minified, ESM, node22, AWS SDK included so every function pins the project's SDK version), with its
 * size and its module init time in a fresh Node process (median of 5 runs).
 * Targets: under 500 KB and under 150 ms each.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTIONS, STATE_MACHINES, scheduleGroups, type FunctionName } from '../functions/platform/manifest.js';
import { ensureBundles } from '../local/lambda/bundles.js';
import { localEnvironment, type LocalBindingValues } from '../local/lambda/environment.js';

const out = mkdtempSync(join(tmpdir(), 'modos-bundles-'));
const RUNS = 5;

// Each bundle starts with only its own environment (what its bindings give it), as in Lambda and on the
// local platform; the values are placeholders, nothing is called at init.
const values: LocalBindingValues = {
  stage: 'bench',
  logLevel: 'ERROR',
  region: 'us-east-1',
  tableName: 'modos-bench',
  bucketName: 'modos-bench',
  busName: 'modos-bench',
  jwtIssuer: 'https://issuer.example/',
  jwtAudience: 'modos-api',
  jwksFile: join(out, 'jwks.json'),
  stateMachineArns: Object.fromEntries(
    STATE_MACHINES.map((m) => [m.name, `arn:aws:states:us-east-1:000000000000:stateMachine:${m.name}`]),
  ),
  callbackKey: 'x'.repeat(64),
  publicApiUrl: 'https://api.example/',
  modelApiKey: 'offline',
  scheduleGroups: Object.fromEntries(
    scheduleGroups().map((g) => [
      g.name,
      {
        groupName: g.groupName('bench'),
        roleArn: `arn:aws:iam::000000000000:role/${g.groupName('bench')}`,
        targetArn: `arn:aws:lambda:us-east-1:000000000000:function:${g.target}`,
        deadLetterArn: `arn:aws:sqs:us-east-1:000000000000:${g.groupName('bench')}-dlq`,
      },
    ]),
  ) as LocalBindingValues['scheduleGroups'],
  endpoints: {
    dynamodb: 'http://127.0.0.1:1',
    s3: 'http://127.0.0.1:1',
    eventbridge: 'http://127.0.0.1:1',
    sfn: 'http://127.0.0.1:1',
    scheduler: 'http://127.0.0.1:1',
  },
  developmentEnv: {},
};
writeFileSync(values.jwksFile, JSON.stringify({ keys: [] }));

// The bundles the local platform runs: built with the CDK stack's settings (functions/platform/bundling.ts).
const bundles = await ensureBundles();
console.log(
  `modos bench:bundles — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; bundles ${bundles.cached ? 'from the cache' : `built in ${bundles.ms} ms`}`,
);
console.log('function            size (KB)  init median (ms)  init runs (ms)');
let worst = { size: 0, init: 0 };
for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
  const fn = FUNCTIONS[name];
  const outfile = bundles.files[name];
  const size = statSync(outfile).size / 1024;
  const probe = join(out, `${fn.name}.probe.mjs`);
  writeFileSync(
    probe,
    `const t = performance.now(); await import(${JSON.stringify(outfile)}); process.stdout.write(String(performance.now() - t));`,
  );
  const env = { ...localEnvironment(fn, values), NODE_OPTIONS: '' };
  const runs = Array.from({ length: RUNS }, () =>
    Number(execFileSync(process.execPath, [probe], { env, encoding: 'utf8' })),
  );
  const median = [...runs].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  worst = { size: Math.max(worst.size, size), init: Math.max(worst.init, median) };
  console.log(
    `${fn.name.padEnd(18)} ${size.toFixed(0).padStart(9)}  ${median.toFixed(1).padStart(16)}  ${runs.map((r) => r.toFixed(0)).join(' ')}`,
  );
}
console.log(
  `largest ${worst.size.toFixed(0)} KB (target < 500), slowest init ${worst.init.toFixed(1)} ms (target < 150)`,
);
rmSync(out, { recursive: true, force: true });
