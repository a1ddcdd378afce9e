/**
 * npm run -s bench:sync-resolution -- [--seeds 1,2,3] [--records N]
 *
 * How well the connected graph merges the records of several systems, against the fake vendors' ground truth: for
 * each seed, the three connectors of a fresh platform sync the fakes, identity resolution runs on the bus as it does
 * in production, and every person and organization record's cluster (GET /entities/{id}/sources) is compared with
 * the generator's true entity. Prints pairwise precision / recall / F1 of "these two records are the same" per kind,
 * and how many true entities present in two or more systems came out as one entity. Seed 1 is the one the demo and
 * the tests use; the others were never looked at while building the sync or the normalisers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPlatform } from '../local/platform.js';
import { startFakeVendors, type FakeVendors } from '../local/vendors/index.js';
import { api } from './lib/api.js';
import { ensureDemoConnectors, syncAll, type VendorCredentials } from './lib/demo-sync.js';

const { values } = parseArgs({
  options: { seeds: { type: 'string', default: '1,2,3' }, records: { type: 'string', default: '600' } },
});
const seeds = values.seeds.split(',').map(Number);
const records = Number(values.records);

async function vendorsFor(seed: number): Promise<FakeVendors> {
  for (let port = 8930; port < 8950; port++) {
    try {
      return await startFakeVendors({ port, seed, records });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('no free port in 8930-8949');
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
const fmt = (n: number) => n.toFixed(3);

console.log(
  `modos bench:sync-resolution — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${records} vendor records per seed`,
);
for (const seed of seeds) {
  const dataDir = mkdtempSync(join(tmpdir(), 'modos-bench-sync-er-'));
  const platform = await startPlatform({
    dataDir,
    port: 0,
    inMemory: true,
    logLevel: 'ERROR',
    tenantLimits: { ratePerSecond: 1_000_000, burst: 1_000_000, quotaPerDay: 1_000_000_000 },
  });
  const vendors = await vendorsFor(seed);
  try {
    const client = api(platform.url, await platform.token({ tenantId: 'bench', roles: ['admin'], userId: 'bench' }));
    const connectors = await ensureDemoConnectors(client, vendors.credentials as VendorCredentials);
    const runs = await syncAll(client, connectors);
    await platform.bus.drain();
    const truth = new Map(
      vendors.control
        .truth()
        .records.map((r) => [`${r.system}|${r.object}|${r.id.toLowerCase()}`, { entity: r.entityId, kind: r.kind }]),
    );
    // Every person / organization record: its cluster (resolution) and its true entity (generator).
    const recordCluster = new Map<string, string>();
    const recordTruth = new Map<string, { entity: string; kind: string; system: string }>();
    const entities: { id: string; type: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await client.get(`/api/v1/entities?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      entities.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    for (const e of entities.filter((x) => x.type === 'person' || x.type === 'organization')) {
      if (recordCluster.has(e.id)) continue;
      const res = await client.get(`/api/v1/entities/${e.id}/sources`);
      const clusterId: string = res.body.golden.clusterId ?? e.id;
      for (const id of res.body.golden.entityIds as string[]) recordCluster.set(id, clusterId);
      for (const s of res.body.items as { entityId: string; system: string; object: string; sourceId: string }[]) {
        const t = truth.get(`${s.system}|${s.object}|${s.sourceId.toLowerCase()}`);
        if (t) recordTruth.set(s.entityId, { ...t, system: s.system });
      }
    }
    console.log(`\nseed ${seed}: ${runs.map((r) => `${r.connector} ${r.status} ${r.records}`).join(', ')}`);
    for (const kind of ['person', 'organization']) {
      const ids = [...recordTruth.entries()].filter(([, t]) => t.kind === kind).map(([id]) => id);
      const predicted = new Set<string>();
      const actual = new Set<string>();
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++) {
          const a = ids[i]!;
          const b = ids[j]!;
          if (recordCluster.get(a) && recordCluster.get(a) === recordCluster.get(b)) predicted.add(pairKey(a, b));
          if (recordTruth.get(a)!.entity === recordTruth.get(b)!.entity) actual.add(pairKey(a, b));
        }
      }
      const tp = [...predicted].filter((p) => actual.has(p)).length;
      const precision = predicted.size ? tp / predicted.size : 1;
      const recall = actual.size ? tp / actual.size : 1;
      // True entities held by two or more systems, and how many of them came out as exactly one cluster.
      const byEntity = new Map<string, string[]>();
      for (const id of ids)
        byEntity.set(recordTruth.get(id)!.entity, [...(byEntity.get(recordTruth.get(id)!.entity) ?? []), id]);
      const multi = [...byEntity.values()].filter((g) => new Set(g.map((id) => recordTruth.get(id)!.system)).size >= 2);
      const whole = multi.filter((g) => new Set(g.map((id) => recordCluster.get(id) ?? id)).size === 1).length;
      console.log(
        `  ${kind.padEnd(12)} records ${ids.length}, true pairs ${actual.size}, predicted ${predicted.size}: ` +
          `P ${fmt(precision)} R ${fmt(recall)} F1 ${fmt(precision + recall ? (2 * precision * recall) / (precision + recall) : 0)}; ` +
          `multi-system entities ${multi.length}, merged whole ${whole}`,
      );
    }
  } finally {
    await vendors.stop();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
