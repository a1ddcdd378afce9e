// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
/**
 * Latency of signal detection on the local platform: from an entity write by API to the `signal.detected` event it
 * causes on the bus. Starts the platform in this process (API, DynamoDB Local, the bus, the SignalDetector bundle in
 * its sandbox), gives a tenant a match rule on created deals beside rules of the other kinds (so every write is
 * evaluated against a realistic rule set, and the timed rule fires once per write), then creates deals one after
 * another through the API. Each sample runs from just before the POST is sent to the moment the bus accepts the
 * entity's signal.detected (the bus's own listener, in this process, on the same monotonic clock): the API, the
 * transaction and its outbox item, the table stream, the bus, the detector's evaluation and transaction, and the
 * stream and bus again. The first `warmup` writes (bundle loading, cold caches) are not counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '../../local/platform.js';
import { api, until } from './api.js';

export interface SignalLatencyOptions {
  /** Timed writes (default 200). */
  writes?: number;
  /** Writes before them that are not timed (default 10). */
  warmup?: number;
}

export interface SignalLatency {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

const TENANT = 'bench-signals';

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Entity write → signal.detected on the local platform: p50, p95 and max over `writes` sequential writes. */
export async function measureSignalLatency(options: SignalLatencyOptions = {}): Promise<SignalLatency> {
  const writes = options.writes ?? 200;
  const warmup = options.warmup ?? 10;
  const dataDir = mkdtempSync(join(tmpdir(), 'modos-bench-signal-latency-'));
  const platform = await startPlatform({
    dataDir,
    port: 0,
    inMemory: true,
    logLevel: 'ERROR',
    tenantLimits: { ratePerSecond: 1_000_000, burst: 1_000_000, quotaPerDay: 1_000_000_000 },
  });
  try {
    const detectedAt = new Map<string, number>();
    platform.bus.onEvent((e) => {
      if (e['detail-type'] !== 'signal.detected' || e.detail.tenantId !== TENANT) return;
      const payload = e.detail.payload as { ruleId: string; key: string };
      if (payload.ruleId === 'timed') detectedAt.set(payload.key, performance.now());
    });
    const admin = api(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'bench' }));
    const created = { 'detail-type': ['entity.created'], detail: { entityType: ['deal'] } };
    const rules = [
      { id: 'timed', name: 'a deal was created', kind: 'match', match: created },
      {
        id: 'won-then-lost',
        name: 'won, then lost within a week',
        kind: 'sequence',
        first: { detail: { payload: { entity: { attributes: { stage: ['won'] } } } } },
        then: { detail: { payload: { entity: { attributes: { stage: ['lost'] } } } } },
        within: 'P7D',
      },
      {
        id: 'not-invoiced',
        name: 'created and not invoiced within 30 days',
        kind: 'absence',
        first: created,
        missing: { detail: { payload: { entity: { attributes: { invoiced: [true] } } } } },
        within: 'P30D',
      },
      {
        id: 'busy',
        name: 'five changes in an hour',
        kind: 'count',
        match: { source: ['modos.entities'] },
        atLeast: 5,
        within: 'PT1H',
      },
      { id: 'silent', name: 'no change for 90 days', kind: 'inactivity', longerThan: 'P90D' },
    ];
    for (const rule of rules) {
      const res = await admin.post('/api/v1/signal-rules', rule);
      if (res.status !== 201) throw new Error(`rule ${rule.id}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const samples: number[] = [];
    for (let i = 0; i < warmup + writes; i++) {
      const t0 = performance.now();
      const res = await admin.post('/api/v1/entities', { type: 'deal', attributes: { stage: 'open', n: i } });
      if (res.status !== 201) throw new Error(`entity ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      const id = res.body.id as string;
      const t1 = await until(`signal.detected of deal ${id}`, async () => detectedAt.get(id), 30_000, 1);
      if (i >= warmup) samples.push(t1 - t0);
    }
    samples.sort((a, b) => a - b);
    return {
      samples: samples.length,
      p50Ms: round(percentile(samples, 50)),
      p95Ms: round(percentile(samples, 95)),
      maxMs: round(samples.at(-1) ?? Number.NaN),
    };
  } finally {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
