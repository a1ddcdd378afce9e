import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalKeys, signLocalToken } from '../../local/keys.js';
import { startObjectStore } from '../../local/object-store.js';
import { startFakeVendors } from '../../local/vendors/index.js';
import { exitOf } from '../../scripts/lib/spawn-platform.js';
import type { SyncRun } from '../../schemas/connectors.js';
import {
  connectorFor,
  countBy,
  createConnector,
  listAll,
  rawSyncPages,
  truthOf,
  waitForRun,
  withoutVendorLimits,
} from '../support/connector-sync.js';
import { apiClient, eventually, platformProcesses } from '../support/local-platform.js';

/*
 * kill -9 of the platform in the middle of connector syncs. The platform runs as `npm start` runs it (its own
 * process, a persisted data folder); the fake vendors run in the test process, so they outlive it with their
 * Salesforce query locators. After the restart the local Step Functions runtime resumes the executions (the task
 * that died with the process fails as Lambda.Unknown and is retried), the Pages task reads the run's last committed
 * page from the table, and the runs end as an uninterrupted run would.
 */

const processes = platformProcesses();
afterAll(() => processes.killAll());

const TENANT = 'durable-sync';
/** The platform's bucket (local/platform.ts). */
const BUCKET = 'modos-local';
const FINAL = new Set(['succeeded', 'completed_with_gaps', 'failed']);

/** The record ids of a raw page as the vendor sent them. */
const idsOfPage = (system: 'hubspot' | 'salesforce', body: string): string[] =>
  system === 'hubspot'
    ? (JSON.parse(body) as { results: { id: string }[] }).results.map((r) => r.id)
    : (JSON.parse(body) as { records: { Id: string }[] }).records.map((r) => r.Id);

describe('connector syncs killed with the platform', () => {
  it('resume after kill -9 and end succeeded with exact counts, no duplicate entity and every raw page kept', async () => {
    // 3,000 records: about 1,250 at HubSpot (pages of 50) and 1,300 at Salesforce (batches of 200, its smallest).
    const vendors = await startFakeVendors({ port: 0, seed: 5, records: 3000 });
    withoutVendorLimits(vendors);
    const dataDir = mkdtempSync(join(tmpdir(), 'modos-sync-kill-'));
    const env = { MODOS_WEBHOOK_DEV_PORTS: new URL(vendors.url).port };
    const systems = ['hubspot', 'salesforce'] as const;
    try {
      const first = await processes.start(dataDir, env);
      const token = await signLocalToken((await ensureLocalKeys(dataDir)).privateJwk, {
        tenantId: TENANT,
        roles: ['admin'],
        userId: 'dura',
      });
      let client = apiClient(first.url, token);
      const connectors = {
        hubspot: await createConnector(client, connectorFor('hubspot', vendors, { settings: { pageSize: 50 } })),
        salesforce: await createConnector(client, connectorFor('salesforce', vendors, { settings: { pageSize: 200 } })),
      };
      const runIds = {} as Record<(typeof systems)[number], string>;
      for (const system of systems) {
        const res = await client.post(`/api/v1/connectors/${connectors[system]}/sync`, {});
        expect(res.status).toBe(202);
        runIds[system] = res.body.runId;
      }

      // Kill once both runs have committed pages and are each inside a pass, at a vendor cursor (HubSpot's `after`,
      // a Salesforce query locator) that the resumed run must go on from.
      const insidePass = (run: SyncRun) =>
        run.counts.pages >= 2 && run.objects.some((o) => o.status === 'running' && o.cursor !== null);
      const atKill = await eventually(async () => {
        const runs = await Promise.all(
          systems.map(async (s) => (await client.get<SyncRun>(`/api/v1/connectors/runs/${runIds[s]}`)).body),
        );
        if (runs.some((r) => FINAL.has(r.status))) throw new Error('a run ended before the platform was killed');
        return runs.every(insidePass) ? runs : undefined;
        // Both platforms' first pages (cold sandboxes, a process of its own) share the cores with other test files.
      }, 120_000);
      first.child.kill('SIGKILL');
      await exitOf(first.child);

      const second = await processes.start(dataDir, env);
      client = apiClient(second.url, token);
      for (const [i, system] of systems.entries()) {
        const resumed = (await client.get<SyncRun>(`/api/v1/connectors/runs/${runIds[system]}`)).body;
        // Nothing committed before the kill is lost.
        expect(resumed.counts.pages).toBeGreaterThanOrEqual(atKill[i]!.counts.pages);
      }
      const runs = await Promise.all(systems.map((s) => waitForRun(client, runIds[s], 150_000)));

      const truth = vendors.control.truth().records;
      for (const [i, system] of systems.entries()) {
        const run = runs[i]!;
        const records = truth.filter((r) => r.system === system);
        expect(run.status, JSON.stringify(run.error ?? run.gaps)).toBe('succeeded');
        // The kill landed mid-run: pages were still to come.
        expect(run.counts.pages).toBeGreaterThan(atKill[i]!.counts.pages);
        expect(run.counts).toMatchObject({
          read: records.length,
          created: records.length,
          changed: 0,
          unchanged: 0,
          deleted: 0,
          failed: 0,
        });
        const perObject = countBy(records, (r) => r.object);
        for (const o of run.objects) expect(o).toMatchObject({ status: 'done', read: perObject[o.object] });
      }

      // One entity per vendor record: the page that died with the process wrote no second entity when it was read
      // again.
      const both = truth.filter((r) => r.system === 'hubspot' || r.system === 'salesforce');
      const entities = await listAll<{ id: string; type: string }>(client, '/api/v1/entities');
      expect(new Set(entities.map((e) => e.id)).size).toBe(entities.length);
      expect(countBy(entities, (e) => e.type)).toEqual(countBy(both, (r) => r.kind));

      second.child.kill('SIGTERM');
      await exitOf(second.child);

      // Every raw page is in the object store, numbered without a gap, and together they hold each record once.
      const s3 = await startObjectStore({ bucketName: BUCKET, dir: join(dataDir, 's3') });
      try {
        for (const [i, system] of systems.entries()) {
          const run = runs[i]!;
          const pages = await rawSyncPages(
            { endpoint: s3.address, bucket: BUCKET },
            TENANT,
            connectors[system],
            run.runId,
          );
          for (const o of run.objects) {
            const kept = pages.filter((p) => p.object === o.object);
            expect(kept.map((p) => p.page)).toEqual(Array.from({ length: o.pages }, (_, n) => n + 1));
            const ids = kept.flatMap((p) => idsOfPage(system, p.body));
            const expected = truthOf(vendors, system, o.object).map((r) => r.id);
            expect(ids).toHaveLength(expected.length);
            expect(new Set(ids)).toEqual(new Set(expected));
            expect(kept.reduce((n, p) => n + Number(p.metadata.records), 0)).toBe(expected.length);
          }
        }
      } finally {
        await s3.stop();
      }
    } finally {
      await vendors.stop();
      // The killed platform's DynamoDB Local may still be closing its files for a moment.
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10 });
    }
  }, 300_000);
});
