/**
 * Helpers of the connector sync tests (test/integration/connector-sync*.test.ts): connector definitions built from
 * the fake vendors' credentials, a sync started and waited for through the API, listings walked to the end, and
 * the fakes' ground truth grouped the way the assertions need it.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { FakeVendors, TruthRow, VendorSystem } from '../../local/vendors/index.js';
import type { SyncRun } from '../../schemas/connectors.js';
import type { ApiResponse, apiClient } from './local-platform.js';

export type Client = ReturnType<typeof apiClient>;

const FINAL = new Set(['succeeded', 'completed_with_gaps', 'failed']);

/**
 * Settings that keep the fakes' own limiters out of the way (HubSpot's rolling window, Workday's throttle), so the
 * waits and retries a run counts are exactly those of the faults a test arms.
 */
export function withoutVendorLimits(vendors: FakeVendors): void {
  vendors.control.changeSettings({
    hubspot: { rateLimit: { max: 100_000, intervalMs: 10_000 } },
    workday: { requestsPerSecond: 0 },
  });
}

/** A create-connector body for `system` against these fakes, with their client credentials. */
export function connectorFor(
  system: VendorSystem,
  vendors: FakeVendors,
  overrides: { name?: string; settings?: Record<string, unknown>; clientSecret?: string } = {},
) {
  const c = vendors.credentials;
  const base = { system, name: overrides.name ?? `${system} (fake)`, baseUrl: `${vendors.url}/${system}` };
  if (system === 'salesforce') {
    return {
      ...base,
      credentials: {
        kind: 'client_credentials',
        clientId: c.salesforce.clientId,
        clientSecret: overrides.clientSecret ?? c.salesforce.clientSecret,
      },
      settings: overrides.settings ?? {},
    };
  }
  const own = system === 'hubspot' ? c.hubspot : c.workday;
  return {
    ...base,
    credentials: {
      kind: 'refresh_token',
      clientId: own.clientId,
      clientSecret: overrides.clientSecret ?? own.clientSecret,
      refreshToken: own.refreshToken,
    },
    settings: system === 'workday' ? { tenant: c.workday.tenant, ...overrides.settings } : (overrides.settings ?? {}),
  };
}

/** Creates a connector through the API and returns its id. */
export async function createConnector(client: Client, body: unknown): Promise<string> {
  const res = await client.post('/api/v1/connectors', body);
  if (res.status !== 201) throw new Error(`POST /api/v1/connectors: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Polls a run until it is final. */
export async function waitForRun(client: Client, runId: string, timeoutMs = 120_000): Promise<SyncRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get<SyncRun>(`/api/v1/connectors/runs/${runId}`);
    if (res.status !== 200) throw new Error(`GET run ${runId}: ${res.status} ${JSON.stringify(res.body)}`);
    if (FINAL.has(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a sync (202 expected) and waits for its run to end. */
export async function syncAndWait(client: Client, connectorId: string, body: unknown = {}): Promise<SyncRun> {
  const res = await client.post(`/api/v1/connectors/${connectorId}/sync`, body);
  if (res.status !== 202) throw new Error(`POST sync: ${res.status} ${JSON.stringify(res.body)}`);
  return waitForRun(client, res.body.runId);
}

/** Every item of a paged listing (`items`, `nextCursor`). */
export async function listAll<T = unknown>(client: Client, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: ApiResponse<{ items: T[]; nextCursor: string | null }> = await client.get(
      `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** The fakes' truth rows of one system (and object), deleted records included. */
export function truthOf(vendors: FakeVendors, system: VendorSystem, object?: string): TruthRow[] {
  return vendors.control.truth().records.filter((r) => r.system === system && (!object || r.object === object));
}

/** How many of `rows` there are per key. */
export function countBy<T>(rows: readonly T[], key: (row: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  return counts;
}

/** The raw pages a run kept (`sync-pages/<connectorId>/<runId>/<object>/page-NNNNNN.json`), read over S3. */
export async function rawSyncPages(
  s3: { endpoint: string; bucket: string },
  tenantId: string,
  connectorId: string,
  runId: string,
): Promise<{ object: string; page: number; body: string; metadata: Record<string, string> }[]> {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const prefix = `t/${tenantId}/sync-pages/${connectorId}/${runId}/`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(out.Contents ?? []).map((o) => o.Key!));
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  const pages = [];
  for (const key of keys) {
    const m = /^([^/]+)\/page-(\d{6})\.json$/.exec(key.slice(prefix.length));
    if (!m) continue;
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    pages.push({
      object: m[1]!,
      page: Number(m[2]),
      body: await got.Body!.transformToString(),
      metadata: got.Metadata ?? {},
    });
  }
  client.destroy();
  return pages.sort((a, b) => a.object.localeCompare(b.object) || a.page - b.page);
}
