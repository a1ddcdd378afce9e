import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf } from '../../scripts/lib/spawn-platform.js';
import { apiClient, eventually, platformProcesses } from '../support/local-platform.js';
import { startWebhookReceiver } from '../../scripts/lib/webhook-receiver.js';

const processes = platformProcesses();
const startProcess = processes.start;
const exited = exitOf;

async function tokenFor(dataDir: string, roles: string[]): Promise<string> {
  const { ensureLocalKeys, signLocalToken } = await import('../../local/keys.js');
  return signLocalToken((await ensureLocalKeys(dataDir)).privateJwk, { tenantId: 'durable', roles, userId: 'dora' });
}

afterAll(() => processes.killAll());

describe('a run waiting on an approval', () => {
  it('survives kill -9 of the platform: still pending after restart, the same callback link works, no step runs twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-wf-kill-'));
    let secret: string | undefined;
    const receiver = await startWebhookReceiver(() => secret);
    try {
      const first = await startProcess(dataDir);
      const admin = apiClient(first.url, await tokenFor(dataDir, ['admin']));
      const { body: entity } = await admin.post('/api/v1/entities', { type: 'person', attributes: { visits: 0 } });
      const wf = await admin.post('/api/v1/workflows', {
        name: 'durable',
        webhook: { url: receiver.url },
        steps: [
          { id: 'before', tool: 'entity.update', input: { entityId: entity.id, attributes: { visits: 1 } } },
          {
            id: 'gate',
            tool: 'entity.update',
            input: { entityId: entity.id, attributes: { approved: true } },
            approval: { required: true, timeoutSeconds: 300 },
          },
          { id: 'after', tool: 'entity.update', input: { entityId: entity.id, attributes: { visits: 2 } } },
        ],
      });
      secret = wf.body.webhookSecret;
      const { body: run } = await admin.post('/api/v1/workflows/execute', { workflowId: wf.body.id, input: {} });
      const hook = await eventually(
        () => receiver.received.find((r) => r.verified?.type === 'approval.requested'),
        15_000,
      );
      const approveLink: string = hook.verified.data.callbacks.approve;

      first.child.kill('SIGKILL');
      await exited(first.child);

      const second = await startProcess(dataDir);
      const admin2 = apiClient(second.url, await tokenFor(dataDir, ['admin']));
      const waiting = await admin2.get(`/api/v1/workflows/executions/${run.executionId}`);
      expect(waiting.body.status).toBe('WAITING_FOR_APPROVAL');
      const pending = (await admin2.get('/api/v1/approvals?status=pending')).body.items;
      expect(pending.map((a: { id: string }) => a.id)).toContain(hook.verified.data.approvalId);

      // The link was issued by the first process; its port is gone, so call the same path on the new one.
      const path = approveLink.replace(/^http:\/\/[^/]+/, '');
      const decided = await fetch(`${second.url}${path}`, { method: 'POST' });
      expect(decided.status).toBe(200);

      const done = await eventually(async () => {
        const r = await admin2.get(`/api/v1/workflows/executions/${run.executionId}`);
        return ['SUCCEEDED', 'FAILED'].includes(r.body.status) ? r.body : undefined;
      }, 20_000);
      expect(done.status).toBe('SUCCEEDED');
      expect(done.steps.map((s: { attempts: number }) => s.attempts)).toEqual([1, 1, 1]);
      const final = (await admin2.get(`/api/v1/entities/${entity.id}`)).body;
      expect(final.attributes).toMatchObject({ visits: 2, approved: true });
      // created (1) + one update per step: no effect happened twice
      expect(final.version).toBe(4);
      const notifications = receiver.received.filter((r) => r.verified?.type === 'approval.requested');
      expect(new Set(notifications.map((n) => n.id)).size).toBe(1);

      second.child.kill('SIGTERM');
      await exited(second.child);
    } finally {
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Two starts of the platform's own process (each may take up to spawnPlatform's 60 s) beside other test files.
  }, 150_000);
});
