import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, eventually } from '../support/local-platform.js';

const ROOT = resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];

/** Runs the platform as `npm start` does, in its own process, and waits until it prints its URL. */
async function startProcess(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, MODOS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'ERROR', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await eventually(() => /running at (http:\/\/[\d.:]+)/.exec(out)?.[1], 30_000).catch(() => {
    throw new Error(`platform did not start:\n${out}`);
  });
  return { child, url };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null || child.signalCode ? r(child.exitCode) : child.once('exit', (code) => r(code))));

/** DynamoDB Local JVMs whose command line names this data folder. */
function jvmsFor(dataDir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `^java .*DynamoDBLocal.jar.*${dataDir}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function tokenFor(dataDir: string): Promise<string> {
  const { ensureLocalKeys, signLocalToken } = await import('../../local/keys.js');
  const keys = await ensureLocalKeys(dataDir);
  return signLocalToken(keys.privateJwk, { tenantId: 'durable', roles: ['admin'] });
}

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && !c.signalCode) c.kill('SIGKILL');
});

describe('durability of the local platform', () => {
  it('keeps entities across a restart and stops its JVM on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-dur-'));
    const first = await startProcess(dataDir);
    const api = apiClient(first.url, await tokenFor(dataDir));
    const { body: e } = await api.post('/api/v1/entities', { type: 'person', attributes: { name: 'Grace' } });
    expect(jvmsFor(dataDir)).toHaveLength(1);

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(jvmsFor(dataDir)).toEqual([]);

    const second = await startProcess(dataDir);
    const again = await apiClient(second.url, await tokenFor(dataDir)).get(`/api/v1/entities/${e.id}`);
    expect(again.status).toBe(200);
    expect(again.body.attributes.name).toBe('Grace');
    second.child.kill('SIGTERM');
    await exited(second.child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves no JVM behind when the platform is killed with SIGKILL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-kill-'));
    const { child } = await startProcess(dataDir);
    expect(jvmsFor(dataDir)).toHaveLength(1);

    child.kill('SIGKILL');
    await exited(child);

    await eventually(() => jvmsFor(dataDir).length === 0, 10_000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes an event written just before the process died, after the restart, exactly once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-outbox-'));
    // A publisher that polls once at start and then not for a minute: the write below stays unpublished.
    const first = await startProcess(dataDir, { MODOS_STREAM_POLL_MS: '60000' });
    const { body: e } = await apiClient(first.url, await tokenFor(dataDir)).post('/api/v1/entities', { type: 'person', attributes: { name: 'Linus' } });
    expect(e.id).toBeTruthy();
    first.child.kill('SIGKILL');
    await exited(first.child);
    const log = join(dataDir, 'events.jsonl');
    const published = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.includes(e.id)) : []);
    expect(published()).toHaveLength(0);

    const second = await startProcess(dataDir);
    await eventually(() => published().length === 1, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(published()).toHaveLength(1);
    second.child.kill('SIGTERM');
    await exited(second.child);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
