/**
 * npm run bench:platform — figures of the local platform on this machine:
 *  1. cold start to healthy (fresh data folder, then a restart on existing data);
 *  2. GET /api/v1/entities/{id} and POST /api/v1/entities at 32 connections (autocannon) side by side
 *     with a plain SDK GetItem / TransactWriteItems loop at the same concurrency against the same
 *     DynamoDB Local, and the share of the raw throughput the API keeps.
 * Options: --duration <s> (default 10), --connections <n> (default 32).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ensureLocalKeys, signLocalToken } from '../local/keys.js';
import { spawnPlatform, stopPlatform } from './lib/spawn-platform.js';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' } },
});
const duration = Number(values.duration);
const connections = Number(values.connections);

interface Figures {
  /** Successful calls per second: 2xx answers for the API, resolved calls for the SDK loop. */
  rps: number;
  /** Successful calls in all. */
  ok: number;
  /** Calls sent in all (the API's include those still in flight when the round ended). */
  sent: number;
  p50: number;
  p99: number;
  errors: number;
}

const fmt = (f: Figures) =>
  `${f.rps.toFixed(0).padStart(6)} req/s  p50 ${f.p50.toFixed(1).padStart(6)} ms  p99 ${f.p99.toFixed(1).padStart(6)} ms  errors ${f.errors}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** `connections` concurrent loops of `op` for `seconds`; latency per call. */
async function sdkLoop(seconds: number, op: (worker: number, i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        try {
          await op(w, i);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    ok: latencies.length,
    sent: latencies.length + errors,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

async function cannon(opts: autocannon.Options): Promise<Figures> {
  const r = await autocannon({ connections, duration, ...opts });
  // Only 2xx answers count as throughput: a 429 or 500 answered fast must not pass for a fast API
  // (autocannon's requests.average counts every response).
  return {
    rps: r['2xx'] / r.duration,
    ok: r['2xx'],
    sent: r.requests.sent,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx + r.errors + r.timeouts,
  };
}

console.log(
  `modos bench:platform — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);

// 1. Cold start.
// An empty bundle cache first (the bundles are built), then the warm cache with a fresh data folder, then
// a restart on existing data. The load below runs with per-tenant limits lifted: it measures the API, not
// the usage plan (one tenant at 32 connections would be throttled at the default limits, as in AWS).
const cacheDir = mkdtempSync(join(tmpdir(), 'modos-bench-bundles-'));
const unlimited = { MODOS_BUNDLE_CACHE_DIR: cacheDir, MODOS_TENANT_RATE: '1000000', MODOS_TENANT_BURST: '1000000' };
const first = await spawnPlatform(mkdtempSync(join(tmpdir(), 'modos-bench-')), unlimited);
await stopPlatform(first.child);
const dataDir = mkdtempSync(join(tmpdir(), 'modos-bench-'));
const fresh = await spawnPlatform(dataDir, unlimited);
await stopPlatform(fresh.child);
const again = await spawnPlatform(dataDir, unlimited);
console.log(
  `\ncold start to healthy: bundles built ${first.readyMs.toFixed(0)} ms (target < 10000), warm bundle cache ${fresh.readyMs.toFixed(0)} ms (target < 5000), restart on existing data ${again.readyMs.toFixed(0)} ms`,
);

// 2. Throughput.
const { url } = again;
const keys = await ensureLocalKeys(dataDir);
const token = await signLocalToken(keys.privateJwk, { tenantId: 'bench', roles: ['admin'], userId: 'bench' });
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const created = await fetch(`${url}/api/v1/entities`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ type: 'deal', attributes: { name: 'Lovelace renewal', amount: 99000 } }),
});
if (created.status !== 201) throw new Error(`entity not created: ${created.status}`);
const entity = (await created.json()) as { id: string };

const endpoint = again.dynamoEndpoint;
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  }),
);
const table = 'modos-local';
const entityKey = { PK: `T#bench#ENTITY#${entity.id}`, SK: 'ENTITY' };

// A type identity resolution does not process, so the figure is the API path itself (people and
// organizations also start an asynchronous resolution per entity, which competes for the same emulator).
const body = JSON.stringify({
  type: 'deal',
  attributes: { name: 'Hopper renewal', amount: 125000, stage: 'proposal', owner: 'grace@example.com' },
});
console.log(
  `\nload: ${connections} connections, ${duration} s per run, 2 alternating rounds, API and SDK against the same DynamoDB Local (p99: worst round)\n`,
);

// Warm both paths briefly.
await cannon({ url: `${url}/api/v1/entities/${entity.id}`, headers, duration: 2 });
await sdkLoop(2, () => doc.send(new GetCommand({ TableName: table, Key: entityKey })));

const sdkTransact = (w: number, i: number) => {
  const id = `raw-${w}-${i}-${Date.now()}`;
  const at = new Date().toISOString();
  // The same transaction shape the API writes: entity (conditional), audit record, outbox item, lane head.
  return doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: table,
            Item: {
              PK: `T#rawbench#ENTITY#${id}`,
              SK: 'ENTITY',
              GSI1PK: 'T#rawbench#ENTITIES',
              GSI1SK: `${at}#${id}`,
              GSI2PK: 'T#rawbench#ENTITIES#deal',
              GSI2SK: `${at}#${id}`,
              attributes: { name: 'Hopper renewal' },
              version: 1,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName: table,
            Item: {
              PK: 'T#rawbench#AUDIT',
              SK: `${at}#${id}`,
              GSI1PK: `T#rawbench#AUDITLANE#${w}`,
              GSI1SK: String(i).padStart(12, '0'),
              action: 'entity.create',
              hash: 'x'.repeat(64),
            },
          },
        },
        { Put: { TableName: table, Item: { PK: 'T#rawbench#OUTBOX', SK: id, entityType: 'RawBench', detail: body } } },
        {
          Put: {
            TableName: table,
            Item: { PK: 'T#rawbench#AUDITHEAD', SK: `LANE#${w}`, seq: i, hash: 'y'.repeat(64) },
          },
        },
      ],
    }),
  );
};

// Two alternating rounds (SDK, API, SDK, API): DynamoDB Local slows down as its files grow, so a
// single ordered pair would favour whichever ran first.
const mean = (xs: Figures[]): Figures => ({
  rps: xs.reduce((a, x) => a + x.rps, 0) / xs.length,
  ok: xs.reduce((a, x) => a + x.ok, 0),
  sent: xs.reduce((a, x) => a + x.sent, 0),
  p50: xs.reduce((a, x) => a + x.p50, 0) / xs.length,
  p99: Math.max(...xs.map((x) => x.p99)),
  errors: xs.reduce((a, x) => a + x.errors, 0),
});
const rounds = { sdkGet: [] as Figures[], apiGet: [] as Figures[], sdkPost: [] as Figures[], apiPost: [] as Figures[] };
for (let round = 0; round < 2; round++) {
  rounds.sdkGet.push(await sdkLoop(duration, () => doc.send(new GetCommand({ TableName: table, Key: entityKey }))));
  rounds.apiGet.push(await cannon({ url: `${url}/api/v1/entities/${entity.id}`, headers }));
  rounds.sdkPost.push(await sdkLoop(duration, sdkTransact));
  rounds.apiPost.push(await cannon({ url: `${url}/api/v1/entities`, method: 'POST', headers, body }));
}
const [apiGet, sdkGet, apiPost, sdkPost] = [
  mean(rounds.apiGet),
  mean(rounds.sdkGet),
  mean(rounds.apiPost),
  mean(rounds.sdkPost),
];
console.log(
  'per round (req/s): ' +
    Object.entries(rounds)
      .map(([k, v]) => `${k} ${v.map((f) => f.rps.toFixed(0)).join('/')}`)
      .join(', '),
);
console.log(`GET  /api/v1/entities/{id}  API ${fmt(apiGet)}`);
console.log(`     GetItem loop            SDK ${fmt(sdkGet)}`);
console.log(`     API keeps ${((apiGet.rps / sdkGet.rps) * 100).toFixed(0)}% of raw SDK throughput (target ≥ 80%)`);
console.log(`POST /api/v1/entities       API ${fmt(apiPost)}`);
console.log(`     TransactWriteItems loop SDK ${fmt(sdkPost)}`);
console.log(`     API keeps ${((apiPost.rps / sdkPost.rps) * 100).toFixed(0)}% of raw SDK throughput (target ≥ 70%)`);

// The POST figure counts 201 answers; the table (read directly, not through the API) holds what was stored:
// at least one entity per 201 and at most one per request sent (a round ends with requests in flight, which
// the API completes after autocannon stopped waiting). Counts include the entity created before the rounds.
let stored = 0;
let ExclusiveStartKey: Record<string, unknown> | undefined;
do {
  const page = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': 'T#bench#ENTITIES' },
      Select: 'COUNT',
      ExclusiveStartKey,
    }),
  );
  stored += page.Count ?? 0;
  ExclusiveStartKey = page.LastEvaluatedKey;
} while (ExclusiveStartKey);
const answered = 1 + apiPost.ok;
const sent = 1 + apiPost.sent;
const verdict =
  stored < answered ? `LOST ${answered - stored}` : stored > sent ? `EXTRA ${stored - sent}` : 'none lost, none extra';
console.log(
  `     entities in the table: ${stored}, for ${answered} 201 answers and ${sent} requests sent (${verdict})`,
);

doc.destroy();
await stopPlatform(again.child);
rmSync(dataDir, { recursive: true, force: true });
rmSync(cacheDir, { recursive: true, force: true });
