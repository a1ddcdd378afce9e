import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('npm start on a machine without Java', () => {
  it('stops in under 5 s and names the fix', async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'modos-path-'));
    const t0 = Date.now();
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', '--import', 'tsx', 'local/start.ts'],
      {
        cwd: ROOT,
        env: {
          PATH: emptyPath,
          HOME: process.env.HOME ?? tmpdir(),
          MODOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'modos-nojava-')),
          PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    const ms = Date.now() - t0;
    expect(code).toBe(1);
    expect(out).toContain('needs Java 17+');
    expect(out).toContain('apt-get install -y openjdk-17-jre-headless');
    expect(ms).toBeLessThan(5000);
  }, 20_000);
});
