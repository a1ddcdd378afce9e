/**
 * npm run -s bench:sync -- [--records N] [--scale-records N] [--changes N]
 *
 * Connector sync figures on the local platform (the deployed bundles, DynamoDB Local, the local Step Functions
 * runtime) against the fake vendors:
 * 1. a full sync of `--records` vendor records (default 50,000) across Salesforce, HubSpot and Workday, the three
 *    connectors in parallel: records/s, DynamoDB write requests per synced record and transactions per changed entity
 *    (counted on the wire by a proxy in front of DynamoDB Local);
 * 2. a full resync of the unchanged data: writes and entity events;
 * 3. a change at the source → `entity.updated` accepted by the bus, through an incremental sync (`--changes` times);
 * 4. scaling on `--scale-records` (default 6,000): page size, and connectors one after the other vs in parallel.
 *
 * Identity resolution is paused for the measurement (the bus accepts and journals every event but delivers none), so
 * the writes counted are the sync's own; resolution's cost is measured by bench:resolve-latency and bench:er.
 */
import { cpus, totalmem } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPlatform } from '../local/platform.js';
import { startFakeVendors, type FakeVendors } from '../local/vendors/index.js';
import { api, until } from './lib/api.js';
import { demoConnectors, syncAll, type VendorCredentials } from './lib/demo-sync.js';
import { startDynamoWriteCounter, type WriteCounts } from './lib/dynamo-write-counter.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '50000' },
    'scale-records': { type: 'string', default: '6000' },
    changes: { type: 'string', default: '5' },
  },
});
const RECORDS = Number(values.records);
const SCALE_RECORDS = Number(values['scale-records']);
const CHANGES = Number(values.changes);

process.env.MODOS_BUS_PAUSED = 'true';
const dataDir = mkdtempSync(join(tmpdir(), 'modos-bench-sync-'));
let counter: Awaited<ReturnType<typeof startDynamoWriteCounter>> | undefined;
const platform = await startPlatform({
  dataDir,
  port: 0,
  inMemory: true,
  logLevel: 'ERROR',
  tenantLimits: { ratePerSecond: 1_000_000, burst: 1_000_000, quotaPerDay: 1_000_000_000 },
  functionsDynamoEndpoint: async (upstream) => {
    counter = await startDynamoWriteCounter(upstream);
    return counter.endpoint;
  },
});
const writes = (): WriteCounts => structuredClone(counter!.counts);
const entityEvents: { type: string; id: string; email?: unknown; at: number }[] = [];
platform.bus.onEvent((e) => {
  const type = e['detail-type'];
  if (type !== 'entity.created' && type !== 'entity.updated') return;
  const entity = (e.detail as { payload: { entity: { id: string; attributes: Record<string, unknown> } } }).payload
    .entity;
  entityEvents.push({ type, id: entity.id, email: entity.attributes.email, at: Date.now() });
});

/** Waits until the outbox has published what the sync committed (no new entity event for a second). */
async function eventsSettled(): Promise<void> {
  let seen = -1;
  while (seen !== entityEvents.length) {
    seen = entityEvents.length;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The fakes on a free port of the range the platform's outbound calls may reach. */
async function vendorsWith(records: number): Promise<FakeVendors> {
  for (let port = 8950; port < 9000; port++) {
    try {
      return await startFakeVendors({
        port,
        records,
        seed: 1,
        // The bench measures the platform, not the vendors' throttles: limits far above what a sync asks.
        hubspot: { rateLimit: { max: 100_000, intervalMs: 10_000 } },
        workday: { requestsPerSecond: 0 },
        salesforce: { dailyLimit: 10_000_000 },
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('no free port in 8950-8999 for the fake vendors');
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function tenantClient(tenant: string) {
  return api(platform.url, await platform.token({ tenantId: tenant, roles: ['admin'], userId: 'bench' }));
}

/** Connectors of `tenant` against `vendors` (Workday through its paged REST workers), ids by system. */
async function configure(
  tenant: string,
  vendors: FakeVendors,
  settings: { pageSize?: Record<string, number> } = {},
): Promise<{ client: ReturnType<typeof api>; ids: Map<string, string> }> {
  const client = await tenantClient(tenant);
  const ids = new Map<string, string>();
  for (const def of demoConnectors(vendors.credentials as VendorCredentials)) {
    const body = {
      ...def,
      settings: {
        ...(def.system === 'workday' ? { tenant: vendors.credentials.workday.tenant, objects: ['workers'] } : {}),
        ...(settings.pageSize ? { pageSize: settings.pageSize[def.system] } : {}),
      },
    };
    const res = await client.post('/api/v1/connectors', body);
    if (res.status !== 201) throw new Error(`connector ${def.system}: ${res.status} ${JSON.stringify(res.body)}`);
    ids.set(def.system, res.body.id);
  }
  return { client, ids };
}

async function timedSync(client: ReturnType<typeof api>, ids: Map<string, string>, full = false) {
  const w0 = writes();
  const e0 = entityEvents.length;
  const t0 = performance.now();
  const runs = await syncAll(client, ids, { full, timeoutMs: 3_600_000 });
  const seconds = (performance.now() - t0) / 1000;
  await eventsSettled();
  const w1 = writes();
  const read = runs.reduce((a, r) => a + r.run.counts.read, 0);
  const sum = (k: string) => runs.reduce((a, r) => a + r.run.counts[k], 0);
  const txns = (w1.byOperation.TransactWriteItems ?? 0) - (w0.byOperation.TransactWriteItems ?? 0);
  return {
    runs,
    seconds,
    read,
    created: sum('created'),
    changed: sum('changed'),
    unchanged: sum('unchanged'),
    deleted: sum('deleted'),
    writeRequests: w1.requests - w0.requests,
    // Each run's start and finish are one transaction each, and a transaction DynamoDB refused (an audit lane head
    // another sandbox moved: the writer reads it again and retries) is no write: the rest are entity writes.
    entityTransactions: txns - (w1.refused - w0.refused) - 2 * runs.length,
    refused: w1.refused - w0.refused,
    checkpoints: (w1.byOperation.PutItem ?? 0) - (w0.byOperation.PutItem ?? 0),
    entityEvents: entityEvents.length - e0,
    statuses: runs.map((r) => `${r.connector} ${r.status}`).join(', '),
  };
}

say(
  `modos bench:sync — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
const main = await vendorsWith(RECORDS);
try {
  // 1. Full sync.
  const { client, ids } = await configure('bench', main);
  const full = await timedSync(client, ids);
  say(`\n1. full sync of ${fmt(full.read)} vendor records (3 connectors in parallel, default page sizes)`);
  say(`   ${full.statuses}; ${fmt(full.seconds, 1)} s → ${fmt(full.read / full.seconds)} records/s`);
  say(
    `   entities created ${fmt(full.created)}; entity transactions ${fmt(full.entityTransactions)} ` +
      `(${fmt(full.entityTransactions / Math.max(1, full.created + full.changed + full.deleted), 2)} per changed entity); ` +
      `DynamoDB write requests ${fmt(full.writeRequests)} (${fmt(full.writeRequests / full.read, 2)} per record, ` +
      `of which ${fmt(full.checkpoints)} run checkpoints); entity events ${fmt(full.entityEvents)}`,
  );
  // What the vendors hold, from their ground truth (records deleted or terminated at the vendor are not served).
  const live = main.control.truth().records.filter((r) => !main.control.get(r.system, r.object, r.id).deleted).length;
  say(`   the vendors hold ${fmt(live)} live records (ground truth); the runs read ${fmt(full.read)}`);
  for (const r of full.runs) {
    say(
      `   ${r.connector.padEnd(10)} read ${fmt(r.run.counts.read)} pages ${r.run.counts.pages} retries ${r.run.counts.retries} ` +
        `rate-limit waits ${r.run.counts.rateLimitWaits} gaps ${r.run.gaps.length}`,
    );
  }

  // 2. Resync of unchanged data.
  const resync = await timedSync(client, ids, true);
  say(`\n2. full resync of the same data`);
  say(
    `   ${resync.statuses}; ${fmt(resync.seconds, 1)} s; unchanged ${fmt(resync.unchanged)}, created ${resync.created}, ` +
      `changed ${resync.changed}, deleted ${resync.deleted}; entity transactions ${resync.entityTransactions}, ` +
      `entity events ${resync.entityEvents}; other write requests ${resync.writeRequests - resync.entityTransactions} ` +
      `(${resync.refused} refused and retried, ` +
      `run start/finish and ${resync.checkpoints} checkpoints)`,
  );

  // 3. Change at the source → entity.updated.
  const truth = main.control.truth({ system: 'salesforce', object: 'Contact' }).records.slice(0, CHANGES);
  const latencies: number[] = [];
  for (const [i, row] of truth.entries()) {
    const email = `changed-${i}-${Date.now()}@bench.example`;
    const t0 = Date.now();
    main.control.update('salesforce', 'Contact', row.id, { Email: email });
    await syncAll(client, new Map([['salesforce', ids.get('salesforce')!]]));
    await until('entity.updated of the change', async () => entityEvents.some((e) => e.email === email), 60_000, 5);
    latencies.push(entityEvents.find((e) => e.email === email)!.at - t0);
  }
  latencies.sort((a, b) => a - b);
  say(
    `\n3. change at the source → entity.updated accepted by the bus (incremental Salesforce sync), ${CHANGES} changes`,
  );
  say(`   ms: ${latencies.join(', ')} (median ${latencies[Math.floor(latencies.length / 2)]})`);
} finally {
  await main.stop();
}

// 4. Scaling, on a smaller data set: each configuration on a tenant of its own (every record created).
const small = await vendorsWith(SCALE_RECORDS);
try {
  say(`\n4. scaling on ${fmt(SCALE_RECORDS)} vendor records (every configuration on a fresh tenant)`);
  // Page sizes within each vendor's range (Salesforce honours 200-2000, HubSpot and Workday 1-100).
  const sizes = [
    { salesforce: 200, hubspot: 25, workday: 25 },
    { salesforce: 500, hubspot: 50, workday: 50 },
    { salesforce: 2000, hubspot: 100, workday: 100 },
  ];
  for (const [n, pageSize] of sizes.entries()) {
    const { client, ids } = await configure(`scale-p${n}`, small, { pageSize });
    const r = await timedSync(client, ids);
    const label = `${pageSize.salesforce}/${pageSize.hubspot}/${pageSize.workday}`;
    say(
      `   page sizes ${label.padEnd(11)} (Salesforce/HubSpot/Workday), 3 connectors in parallel: ${fmt(r.seconds, 1)} s, ` +
        `${fmt(r.read / r.seconds)} records/s, ${r.runs.reduce((a, x) => a + x.run.counts.pages, 0)} pages (${r.statuses})`,
    );
  }
  const { client, ids } = await configure('scale-seq', small, { pageSize: sizes[1]! });
  const t0 = performance.now();
  let read = 0;
  for (const [system, id] of ids) {
    const [run] = await syncAll(client, new Map([[system, id]]));
    read += run!.run.counts.read;
  }
  const seconds = (performance.now() - t0) / 1000;
  say(
    `   page sizes 500/50/50, connectors one after the other: ${fmt(seconds, 1)} s, ${fmt(read / seconds)} records/s`,
  );
} finally {
  await small.stop();
  await platform.stop();
  await counter?.close();
  rmSync(dataDir, { recursive: true, force: true });
}
