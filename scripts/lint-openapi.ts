/**
 * Lints the OpenAPI document the API serves with Redocly (redocly.yaml: the recommended rules, warnings as
 * errors). Writes the document to a temporary file, runs `redocly lint` on it and exits with its status.
 * `npm run -s lint:openapi`, part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { servedOpenApiDocument } from './lib/openapi.js';

const root = resolve(import.meta.dirname, '..');
const cliPackage = createRequire(import.meta.url).resolve('@redocly/cli/package.json');
const cliBin = (JSON.parse(readFileSync(cliPackage, 'utf8')) as { bin: Record<string, string> }).bin.redocly;
if (!cliBin) throw new Error('@redocly/cli names no redocly bin');

const dir = mkdtempSync(join(tmpdir(), 'modos-openapi-'));
try {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(servedOpenApiDocument(), null, 2));
  const run = spawnSync(
    process.execPath,
    [join(dirname(cliPackage), cliBin), 'lint', '--config', join(root, 'redocly.yaml'), file],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  if (run.error) throw run.error;
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
