// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalKeys, signLocalToken } from '../../local/keys.js';
import { exitOf } from '../../scripts/lib/spawn-platform.js';
import { apiClient, eventually, platformProcesses } from '../support/local-platform.js';

/*
 * Workflow intelligence end to end on the platform as `npm start` runs it (its own process, a persisted data folder):
 * entity changes made by API fire a signal rule, the signal opens a case and starts the rule's workflow, which stops
 * at its approval gate; an absence rule armed before a kill -9 of the platform fires at its deadline after the
 * restart, with nothing else happening.
 */

const processes = platformProcesses();
afterAll(() => processes.killAll());

const TENANT = 'intelligence';

async function adminOf(dataDir: string, url: string) {
  const token = await signLocalToken((await ensureLocalKeys(dataDir)).privateJwk, {
    tenantId: TENANT,
    roles: ['admin'],
    userId: 'ines',
  });
  return apiClient(url, token);
}

describe('signals, cases and triggers on the local platform', () => {
  it('a rule fires on entity changes, opens a case and starts a workflow that waits at its gate; an absence fires at its deadline after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-intelligence-'));
    try {
      const first = await processes.start(dataDir);
      let admin = await adminOf(dataDir, first.url);

      const { body: account } = await admin.post('/api/v1/entities', { type: 'account', attributes: { health: 'ok' } });
      const wf = await admin.post('/api/v1/workflows', {
        name: 'at-risk review',
        steps: [
          {
            id: 'review',
            tool: 'entity.update',
            input: { entityId: account.id, attributes: { reviewed: true } },
            approval: { required: true, timeoutSeconds: 3600 },
          },
        ],
      });
      expect(wf.status).toBe(201);

      const atRisk = await admin.post('/api/v1/signal-rules', {
        id: 'at-risk',
        name: 'Account at risk twice within a day',
        kind: 'count',
        match: {
          'detail-type': ['entity.updated'],
          detail: { payload: { entity: { attributes: { health: ['at-risk'] } } } },
        },
        atLeast: 2,
        within: 'P1D',
        then: { startWorkflow: wf.body.id, input: { reason: 'at-risk' } },
      });
      expect(atRisk.status).toBe(201);
      const silence = await admin.post('/api/v1/signal-rules', {
        id: 'no-follow-up',
        name: 'No follow-up within 20 seconds of a new deal',
        kind: 'absence',
        first: { 'detail-type': ['entity.created'], detail: { entityType: ['deal'] } },
        missing: { detail: { payload: { entity: { attributes: { followedUp: [true] } } } } },
        within: 'PT20S',
      });
      expect(silence.status).toBe(201);

      // Two at-risk updates of the account: the count rule holds at the second.
      let version = account.version as number;
      for (const health of ['at-risk', 'ok', 'at-risk']) {
        const res = await admin.patch(`/api/v1/entities/${account.id}`, { version, attributes: { health } });
        expect(res.status).toBe(200);
        version = res.body.version;
      }
      const [signal] = await eventually(async () => {
        const items = (await admin.get(`/api/v1/signals?rule=at-risk&entity=${account.id}`)).body.items;
        return items.length ? items : undefined;
      }, 20_000);
      expect(signal).toMatchObject({ ruleId: 'at-risk', key: account.id });

      const [opened] = await eventually(async () => {
        const items = (await admin.get('/api/v1/cases?rule=at-risk')).body.items;
        return items.length ? items : undefined;
      }, 20_000);
      expect(opened).toMatchObject({ status: 'open', entityId: account.id, ruleId: 'at-risk' });
      expect(opened.signals.map((s: { id?: string; signalId?: string }) => s.id ?? s.signalId)).toContain(signal.id);

      const approval = await eventually(async () => {
        const items = (await admin.get('/api/v1/approvals?status=pending')).body.items as {
          id: string;
          workflowId: string;
          executionId: string;
        }[];
        return items.find((a) => a.workflowId === wf.body.id);
      }, 30_000);
      const run = (await admin.get(`/api/v1/workflows/executions/${approval.executionId}`)).body;
      expect(run.status).toBe('WAITING_FOR_APPROVAL');
      expect(run.trigger).toMatchObject({ kind: 'signal', id: signal.id, ruleId: 'at-risk' });
      expect(run.input).toMatchObject({ reason: 'at-risk' });

      // The run acts with the roles of the rule's author (admin): approved, its entity.update step succeeds.
      const decided = await admin.post(`/api/v1/approvals/${approval.id}/approve`, {});
      expect(decided.status).toBe(200);
      const done = await eventually(async () => {
        const r = (await admin.get(`/api/v1/workflows/executions/${run.executionId}`)).body;
        return r.status !== 'WAITING_FOR_APPROVAL' && r.status !== 'RUNNING' ? r : undefined;
      }, 30_000);
      expect(done.status).toBe('SUCCEEDED');
      expect((await admin.get(`/api/v1/entities/${account.id}`)).body.attributes).toMatchObject({ reviewed: true });

      // A new deal arms the absence rule's deadline; the platform dies before it, and nothing else happens.
      const { body: deal } = await admin.post('/api/v1/entities', { type: 'deal', attributes: { amount: 100 } });
      const { body: followed } = await admin.post('/api/v1/entities', { type: 'deal', attributes: { amount: 5 } });
      const patched = await admin.patch(`/api/v1/entities/${followed.id}`, {
        version: followed.version,
        attributes: { followedUp: true },
      });
      expect(patched.status).toBe(200);
      // The deadline is armed once the detector has seen the creation: its key state exists for the deal.
      await new Promise((r) => setTimeout(r, 3_000));
      first.child.kill('SIGKILL');
      await exitOf(first.child);

      const second = await processes.start(dataDir);
      admin = await adminOf(dataDir, second.url);
      // Scheduler fires a one-shot schedule within the minute after its time (the local scheduler as AWS does).
      const [absent] = await eventually(async () => {
        const items = (await admin.get(`/api/v1/signals?rule=no-follow-up&entity=${deal.id}`)).body.items;
        return items.length ? items : undefined;
      }, 120_000);
      expect(absent).toMatchObject({ kind: 'absence', key: deal.id });
      // The deadline is the creation event's time plus 20 s (the event's time is the entity's creation instant).
      expect(Math.abs(Date.parse(absent.at) - (Date.parse(deal.createdAt) + 20_000))).toBeLessThan(1_000);
      expect(Date.parse(absent.detectedAt)).toBeGreaterThanOrEqual(Date.parse(absent.at));
      const absentCase = await eventually(async () => {
        const items = (await admin.get('/api/v1/cases?rule=no-follow-up')).body.items as { entityId: string }[];
        return items.find((c) => c.entityId === deal.id);
      }, 20_000);
      expect(absentCase).toBeDefined();
      // The deal that was followed up never fires.
      expect((await admin.get(`/api/v1/signals?rule=no-follow-up&entity=${followed.id}`)).body.items).toEqual([]);
    } finally {
      await processes.killAll();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
