import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitOf } from '../../scripts/lib/spawn-platform.js';
import { apiClient, eventually, platformProcesses } from '../support/local-platform.js';

const processes = platformProcesses();
const startProcess = processes.start;
const exited = exitOf;

/** DynamoDB Local JVMs whose command line names this data folder. */
function jvmsFor(dataDir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `^java .*DynamoDBLocal.jar.*${dataDir}`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

async function tokenFor(dataDir: string): Promise<string> {
  const { ensureLocalKeys, signLocalToken } = await import('../../local/keys.js');
  const keys = await ensureLocalKeys(dataDir);
  return signLocalToken(keys.privateJwk, { tenantId: 'durable', roles: ['admin'] });
}

afterEach(() => processes.killAll());

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
    // Two starts of the platform's own process (each may take up to spawnPlatform's 60 s) beside other test files.
  }, 150_000);

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
    const created = await apiClient(first.url, await tokenFor(dataDir)).post('/api/v1/entities', {
      type: 'person',
      attributes: { name: 'Linus' },
    });
    expect(created.body.id).toBeTruthy();
    // The event carries the request id as its correlation id (the event log keeps no payload).
    const requestId = created.headers.get('x-request-id')!;
    first.child.kill('SIGKILL');
    await exited(first.child);
    const log = join(dataDir, 'events.jsonl');
    const published = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l.includes(requestId) && l.includes('entity.created'))
        : [];
    expect(published()).toHaveLength(0);

    const second = await startProcess(dataDir);
    await eventually(() => published().length === 1, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(published()).toHaveLength(1);
    second.child.kill('SIGTERM');
    await exited(second.child);
    rmSync(dataDir, { recursive: true, force: true });
  }, 150_000);
});
