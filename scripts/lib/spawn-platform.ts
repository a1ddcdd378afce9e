import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Starts the platform the way `npm start` does (its own Node process) and resolves once GET /health
 * answers 200, with the elapsed milliseconds from spawn.
 */
export async function spawnPlatform(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; dynamoEndpoint: string; readyMs: number }> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', 'local/start.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, MODOS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'ERROR', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = /running at (http:\/\/[\d.:]+)/.exec(out)?.[1];
    if (url) {
      const ok = await fetch(`${url}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok)
        return {
          child,
          url,
          dynamoEndpoint: /dynamodb (http:\/\/[\d.:]+)/.exec(out)?.[1] ?? '',
          readyMs: performance.now() - t0,
        };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`platform did not become healthy:\n${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the exit code once the process has exited (at once if it already has). */
export const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null || child.signalCode ? r(child.exitCode) : child.once('exit', (code) => r(code)),
  );

export async function stopPlatform(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}
