/**
 * Contract tests of the vendor clients against the fake vendors (local/vendors, built from docs/connectors.md),
 * over real HTTP, with the token and circuit-breaker state in DynamoDB Local and sealed by the real secret box.
 * Retry waits are recorded, not slept (the fakes do not enforce Retry-After on injected faults), so the waits the
 * clients chose can be asserted exactly.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorSourceClient, type ConnectorRef } from '../../functions/adapters/connectors/index.js';
import { AesSecretBox } from '../../functions/adapters/crypto/aes-secret-box.js';
import { keys } from '../../functions/adapters/dynamodb/keys.js';
import {
  CircuitOpenError,
  ConnectorError,
  CursorExpiredError,
  MalformedPageError,
  SourceRateLimitedError,
} from '../../functions/domain/connectors/errors.js';
import type { CallStats, SourceClient } from '../../functions/domain/connectors/ports.js';
import type { ConnectorCredentials } from '../../schemas/connectors.js';
import { ensureTable, startDynamoLocal, type LocalDynamo } from '../../local/dynamodb.js';
import { type FakeVendors, startFakeVendors, type VendorSystem } from '../../local/vendors/index.js';

const TABLE = 'connector-clients-test';
const TENANT = 'tenant-cc';
let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;
let vendors: FakeVendors;
let port: number;
const secretBox = new AesSecretBox(async () => masterKey);
const masterKey = randomBytes(32);

beforeAll(async () => {
  [dynamo, vendors] = await Promise.all([
    startDynamoLocal(mkdtempSync(join(tmpdir(), 'modos-cc-')), { inMemory: true }),
    startFakeVendors({ port: 0, seed: 7, records: 1000 }),
  ]);
  await ensureTable(dynamo.client, TABLE);
  doc = DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } });
  port = Number(new URL(vendors.url).port);
});
afterAll(async () => Promise.all([dynamo?.stop(), vendors?.stop()]));

beforeEach(() => {
  vendors.control.reset();
  // The contract tests page quickly: the fakes' own rate limits are tested where a test says so.
  vendors.control.changeSettings({
    hubspot: { rateLimit: { max: 100_000, intervalMs: 10_000 } },
    workday: { requestsPerSecond: 0 },
    faults: { holdMs: 2_000, retryAfterSeconds: 2 },
  });
});

const policyFor = (fake: FakeVendors) => ({
  allowHttpLoopback: true,
  loopbackPorts: new Set([Number(new URL(fake.url).port)]),
});

function credentialsOf(
  system: VendorSystem,
  kind?: ConnectorCredentials['kind'],
  fake: FakeVendors = vendors,
): ConnectorCredentials {
  const c = fake.credentials[system];
  const chosen = kind ?? (system === 'salesforce' ? 'client_credentials' : 'refresh_token');
  if (chosen === 'access_token') return { kind: 'access_token', accessToken: c.token };
  if (chosen === 'client_credentials')
    return { kind: 'client_credentials', clientId: c.clientId, clientSecret: c.clientSecret };
  return { kind: 'refresh_token', clientId: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken };
}

interface ClientOptions {
  connectorId?: string;
  credentials?: ConnectorCredentials;
  timeoutMs?: number;
  maxRetries?: number;
  hubspotSearchCap?: number;
  baseUrl?: string;
  /** Another fake vendors instance than the shared one. */
  on?: FakeVendors;
  /** Sleep for real (the fakes' own rate limits count real time). */
  realSleep?: boolean;
}

/** A client of a fresh connector (its own token and breaker items), with its waits and log lines recorded. */
function aClient(system: VendorSystem, options: ClientOptions = {}) {
  const fake = options.on ?? vendors;
  const waits: number[] = [];
  const logs: string[] = [];
  const connector: ConnectorRef = {
    id: options.connectorId ?? `con-${randomUUID()}`,
    system,
    baseUrl: options.baseUrl ?? `${fake.url}/${system}`,
    settings:
      system === 'workday'
        ? { tenant: fake.credentials.workday.tenant, reportPath: fake.credentials.workday.reportPath }
        : {},
  };
  const client = connectorSourceClient({
    doc,
    tableName: TABLE,
    secretBox,
    tenantId: TENANT,
    connector,
    credentials: options.credentials ?? credentialsOf(system, undefined, fake),
    urlPolicy: policyFor(fake),
    limiter: { take: async () => 0 },
    retry: {
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      timeoutMs: options.timeoutMs ?? 5_000,
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    },
    ...(options.hubspotSearchCap ? { hubspotSearchCap: options.hubspotSearchCap } : {}),
    sleep: async (ms) => {
      waits.push(ms);
      if (options.realSleep) await new Promise((r) => setTimeout(r, ms));
    },
    log: (level, message, fields) => logs.push(JSON.stringify({ level, message, ...fields })),
  });
  return { client, connector, waits, logs };
}

const addStats = (a: CallStats, b: CallStats): CallStats => ({
  rateLimitWaits: a.rateLimitWaits + b.rateLimitWaits,
  retries: a.retries + b.retries,
  waitedMs: a.waitedMs + b.waitedMs,
  tokenRefreshes: a.tokenRefreshes + b.tokenRefreshes,
});

/** Reads a whole pass; every page's records and the summed stats. */
async function readAll(client: SourceClient, object: string, since: string | null = null, pageSize = 200) {
  const pages: Array<{ records: Array<Record<string, unknown>>; total: number | null; body: string }> = [];
  let stats: CallStats = { rateLimitWaits: 0, retries: 0, waitedMs: 0, tokenRefreshes: 0 };
  let position: string | null = null;
  do {
    const page = await client.readPage({ object, position, since, pageSize });
    pages.push({ records: page.records as Array<Record<string, unknown>>, total: page.total, body: page.body });
    stats = addStats(stats, page.stats);
    position = page.next;
    expect(pages.length).toBeLessThan(1_000);
  } while (position !== null);
  return { pages, records: pages.flatMap((p) => p.records), stats };
}

const idOf = (system: VendorSystem) => (r: Record<string, unknown>) =>
  String(system === 'salesforce' ? r.Id : system === 'workday' && 'Worker_WID' in r ? r.Worker_WID : r.id);

/** The ids the fake holds for an object, live ones only. */
function liveIds(system: VendorSystem, object: string): string[] {
  return vendors.control
    .truth({ system, object })
    .records.filter((row) => !vendors.control.get(system, object, row.id).deleted)
    .map((row) => row.id);
}

const objects: Array<[VendorSystem, string, number]> = [
  ['salesforce', 'Account', 200],
  ['salesforce', 'Contact', 200],
  ['salesforce', 'Opportunity', 200],
  ['hubspot', 'companies', 25],
  ['hubspot', 'contacts', 40],
  ['hubspot', 'deals', 30],
  ['workday', 'workers', 20],
];

describe('paging to the end', () => {
  it.each(objects)('%s %s: every live record exactly once', async (system, object, pageSize) => {
    const { client } = aClient(system);
    const { pages, records } = await readAll(client, object, null, pageSize);
    const ids = records.map(idOf(system));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(liveIds(system, object).sort());
    // One page per batch (a last full page may be followed by an empty one).
    const batches = Math.ceil(ids.length / pageSize);
    expect(pages.length).toBeGreaterThanOrEqual(batches);
    expect(pages.length).toBeLessThanOrEqual(batches + 1);
    for (const page of pages) expect(JSON.parse(page.body)).toBeTypeOf('object');
  });

  it('HubSpot gives the total of a full pass on its first page, from a search, and none on later pages', async () => {
    const { client } = aClient('hubspot');
    const first = await client.readPage({ object: 'contacts', position: null, since: null, pageSize: 10 });
    expect(first.total).toBe(liveIds('hubspot', 'contacts').length);
    const second = await client.readPage({ object: 'contacts', position: first.next, since: null, pageSize: 10 });
    expect(second.total).toBeNull();
  });

  it('Salesforce reports the query total and the API usage', async () => {
    const { client } = aClient('salesforce');
    const page = await client.readPage({ object: 'Contact', position: null, since: null, pageSize: 200 });
    expect(page.total).toBe(liveIds('salesforce', 'Contact').length);
    expect(page.quota?.limit).toBe(100_000);
    expect(page.quota?.used).toBeGreaterThan(0);
  });

  it('Workday reads the RaaS report in one page', async () => {
    const { client } = aClient('workday');
    const page = await client.readPage({ object: 'workerReport', position: null, since: null, pageSize: 100 });
    expect(page.next).toBeNull();
    // A report carries no count of what it should hold: no total to check it against.
    expect(page.total).toBeNull();
    const rest = await readAll(client, 'workers', null, 100);
    const reportIds = new Set((page.records as Array<Record<string, unknown>>).map(idOf('workday')));
    for (const id of rest.records.map(idOf('workday'))) expect(reportIds.has(id)).toBe(true);
  });

  it('HubSpot lists carry their associations', async () => {
    const { client } = aClient('hubspot');
    const { records } = await readAll(client, 'deals', null, 100);
    const withCompany = records.filter((r) => {
      const a = r.associations as { companies?: { results: unknown[] } } | undefined;
      return (a?.companies?.results.length ?? 0) > 0;
    });
    expect(withCompany.length).toBeGreaterThan(0);
  });
});

describe('incremental passes', () => {
  it('Salesforce reads only records modified since the bound', async () => {
    const { client } = aClient('salesforce');
    const since = '2026-10-01T00:00:00.000Z';
    const { records } = await readAll(client, 'Contact', since);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(Date.parse(String(r.SystemModstamp))).toBeGreaterThanOrEqual(Date.parse(since));
    const all = await readAll(client, 'Contact');
    const expected = all.records.filter((r) => Date.parse(String(r.SystemModstamp)) >= Date.parse(since));
    expect(records.map((r) => r.Id).sort()).toEqual(expected.map((r) => r.Id).sort());
  });

  it.each(['contacts', 'deals'])(
    'HubSpot %s found by search carry the associations a listing gives (v4 batch read)',
    async (object) => {
      const { client } = aClient('hubspot');
      const listed = await readAll(client, object, null, 100);
      const searched = await readAll(client, object, '2020-01-01T00:00:00.000Z', 100);
      const shape = (r: Record<string, unknown>) => {
        const associations = (r.associations ?? {}) as Record<string, { results: Array<{ id: string; type: string }> }>;
        return Object.fromEntries(
          Object.entries(associations).map(([to, v]) => [to, v.results.map((a) => `${a.id}:${a.type}`).sort()]),
        );
      };
      const byId = new Map(listed.records.map((r) => [r.id, shape(r)]));
      expect(searched.records.length).toBe(listed.records.length);
      expect(searched.records.filter((r) => Object.keys(shape(r)).length > 0).length).toBeGreaterThan(0);
      for (const r of searched.records) expect(shape(r)).toEqual(byId.get(r.id));
      expect(JSON.parse(searched.pages[0]!.body)).toHaveProperty('associations.companies');
    },
  );

  it('an empty pass is one page with no records and no next position', async () => {
    const { client } = aClient('salesforce');
    const page = await client.readPage({
      object: 'Account',
      position: null,
      since: '2099-01-01T00:00:00.000Z',
      pageSize: 500,
    });
    expect(page).toMatchObject({ records: [], next: null, total: 0 });
    const hs = aClient('hubspot').client;
    expect(
      await hs.readPage({ object: 'deals', position: null, since: '2099-01-01T00:00:00.000Z', pageSize: 50 }),
    ).toMatchObject({
      records: [],
      next: null,
      total: 0,
    });
  });
});

describe('the HubSpot search result cap', () => {
  it('restarts the search at the last modification seen and returns every record once', async () => {
    const cap = 30;
    vendors.control.changeSettings({ hubspot: { searchCap: cap } });
    // Twelve contacts modified at one instant, so the restart lands among records tied with its lower bound.
    vendors.control.setClock('2026-11-20T10:00:00.000Z');
    const tied = liveIds('hubspot', 'contacts').slice(0, 12);
    for (const id of tied) vendors.control.update('hubspot', 'contacts', id, { jobtitle: 'Tied' });
    vendors.control.setClock('2026-11-20T11:00:00.000Z');

    const { client, logs } = aClient('hubspot', { hubspotSearchCap: cap });
    const since = '2026-01-01T00:00:00.000Z';
    const { records, pages } = await readAll(client, 'contacts', since, 7);
    const ids = records.map((r) => String(r.id));
    expect(new Set(ids).size).toBe(ids.length);
    const expected = (await readAll(aClient('hubspot').client, 'contacts', null, 100)).records.filter(
      (r) => Date.parse(String((r.properties as Record<string, string>).lastmodifieddate)) >= Date.parse(since),
    );
    expect(expected.length).toBeGreaterThan(cap * 2);
    expect([...ids].sort()).toEqual(expected.map((r) => String(r.id)).sort());
    expect(logs.filter((l) => l.includes('search restarted')).length).toBeGreaterThanOrEqual(2);
    // The total is the first query's, for every page of the pass.
    expect(new Set(pages.map((p) => p.total))).toEqual(new Set([expected.length]));
  });

  it('fails clearly when more records than the cap share one modification instant', async () => {
    vendors.control.changeSettings({ hubspot: { searchCap: 10 } });
    vendors.control.setClock('2026-11-20T10:00:00.000Z');
    for (const id of liveIds('hubspot', 'contacts').slice(0, 12)) {
      vendors.control.update('hubspot', 'contacts', id, { jobtitle: 'Tied' });
    }
    const { client } = aClient('hubspot', { hubspotSearchCap: 10 });
    const error = (await readAll(client, 'contacts', '2026-11-20T10:00:00.000Z', 5).catch((e) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.vendorCode).toBe('SEARCH_RESULT_CAP');
  });
});

describe('the HubSpot search result cap at its real size', () => {
  let big: FakeVendors;
  beforeAll(async () => {
    big = await startFakeVendors({
      port: 0,
      seed: 11,
      records: 50_000,
      hubspot: { rateLimit: { max: 1_000_000, intervalMs: 10_000 } },
    });
  });
  afterAll(async () => big?.stop());

  it('reads more than 10,000 modified contacts, each once', async () => {
    const live = big.control
      .truth({ system: 'hubspot', object: 'contacts' })
      .records.filter((row) => !big.control.get('hubspot', 'contacts', row.id).deleted)
      .map((row) => row.id);
    expect(live.length).toBeGreaterThan(10_000);
    const { client, logs } = aClient('hubspot', { on: big });
    const { records } = await readAll(client, 'contacts', '2000-01-01T00:00:00.000Z', 100);
    const ids = records.map((r) => String(r.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(live.sort());
    expect(logs.some((l) => l.includes('search restarted'))).toBe(true);
  }, 120_000);
});

describe('rate limits and retries', () => {
  it('HubSpot 429: waits Retry-After, then reads the page', async () => {
    vendors.control.armFault({ system: 'hubspot', pathPrefix: '/crm/v3/objects/companies', fault: '429', count: 2 });
    const { client, waits } = aClient('hubspot');
    const page = await client.readPage({ object: 'companies', position: null, since: null, pageSize: 50 });
    expect(page.records.length).toBeGreaterThan(0);
    expect(page.stats).toMatchObject({ rateLimitWaits: 2, retries: 0 });
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(2_000);
    expect(vendors.control.stats().faults.hubspot['429']).toBe(2);
  });

  it("HubSpot's own rolling limit: the client waits its Retry-After and reads the whole pass", async () => {
    vendors.control.changeSettings({ hubspot: { rateLimit: { max: 4, intervalMs: 1_000 } } });
    const { client, waits } = aClient('hubspot', { realSleep: true });
    const { records, stats } = await readAll(client, 'companies', null, 10);
    expect(records.map((r) => r.id).sort()).toEqual(liveIds('hubspot', 'companies').sort());
    expect(vendors.control.stats().rateLimited.hubspot).toBeGreaterThan(0);
    expect(stats.rateLimitWaits).toBe(vendors.control.stats().rateLimited.hubspot);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(1_000);
  });

  it('Workday throttling (429 and 500, no headers): retried with backoff', async () => {
    vendors.control.armFault({ system: 'workday', pathPrefix: '/ccx/api', fault: '429', count: 1 });
    vendors.control.armFault({ system: 'workday', pathPrefix: '/ccx/api', fault: '500', count: 1 });
    const { client } = aClient('workday');
    const page = await client.readPage({ object: 'workers', position: null, since: null, pageSize: 50 });
    expect(page.records.length).toBeGreaterThan(0);
    expect(page.stats).toMatchObject({ rateLimitWaits: 1, retries: 1 });
  });

  it('Salesforce 5xx: retried up to 5 times, then a retryable ConnectorError', async () => {
    vendors.control.armFault({ system: 'salesforce', pathPrefix: '/services/data', fault: '500', count: 3 });
    const { client } = aClient('salesforce');
    const page = await client.readPage({ object: 'Account', position: null, since: null, pageSize: 200 });
    expect(page.stats.retries).toBe(3);

    vendors.control.armFault({ system: 'salesforce', pathPrefix: '/services/data', fault: '500', count: 10 });
    const before = vendors.control.stats().faults.salesforce['500'] ?? 0;
    const error = (await client
      .readPage({ object: 'Account', position: null, since: null, pageSize: 200 })
      .catch((e) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.retryable).toBe(true);
    expect(error.vendorCode).toBe('UNKNOWN_EXCEPTION');
    expect((vendors.control.stats().faults.salesforce['500'] ?? 0) - before).toBe(6);
  });

  it('Salesforce REQUEST_LIMIT_EXCEEDED: no retry in the call, SourceRateLimitedError for the state machine', async () => {
    vendors.control.armFault({ system: 'salesforce', pathPrefix: '/services/data', fault: '429', count: 1 });
    const { client, waits } = aClient('salesforce');
    const error = (await client
      .readPage({ object: 'Account', position: null, since: null, pageSize: 200 })
      .catch((e) => e)) as SourceRateLimitedError;
    expect(error).toBeInstanceOf(SourceRateLimitedError);
    expect(error.vendorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(error.retryAfterSeconds).toBe(300);
    expect(waits).toEqual([]);
  });

  it('a request that hangs is timed out and retried', async () => {
    vendors.control.armFault({ system: 'workday', pathPrefix: '/ccx/api', fault: 'timeout', count: 1 });
    const { client } = aClient('workday', { timeoutMs: 300 });
    const page = await client.readPage({ object: 'workers', position: null, since: null, pageSize: 50 });
    expect(page.stats.retries).toBe(1);
  });

  it('an expired Salesforce query locator is CursorExpiredError', async () => {
    vendors.control.changeSettings({ salesforce: { locatorTtlMs: 1_000 } });
    const { client } = aClient('salesforce');
    const first = await client.readPage({ object: 'Contact', position: null, since: null, pageSize: 200 });
    expect(first.next).not.toBeNull();
    vendors.control.advanceClock(5_000);
    await expect(
      client.readPage({ object: 'Contact', position: first.next, since: null, pageSize: 200 }),
    ).rejects.toBeInstanceOf(CursorExpiredError);
  });
});

/** What each fake (as its vendor) answers a wrong client secret with. */
const REFUSED_CREDENTIALS_CODE = {
  salesforce: 'invalid_client',
  hubspot: 'BAD_CLIENT_SECRET',
  workday: 'invalid_client',
};

describe('tokens', () => {
  it.each(['salesforce', 'hubspot', 'workday'] as const)(
    '%s: an expired token is refreshed once and the page read',
    async (system) => {
      const { client, connector } = aClient(system);
      const object = system === 'salesforce' ? 'Account' : system === 'hubspot' ? 'companies' : 'workers';
      await client.readPage({ object, position: null, since: null, pageSize: 200 });
      const issued = vendors.control.stats().tokensIssued[system];
      vendors.control.expireTokens(system);
      const page = await client.readPage({ object, position: null, since: null, pageSize: 200 });
      expect(page.stats.tokenRefreshes).toBe(1);
      expect(vendors.control.stats().tokensIssued[system]).toBe(issued + 1);
      const item = (
        await doc.send(new GetCommand({ TableName: TABLE, Key: keys.connectorToken(TENANT, connector.id) }))
      ).Item!;
      expect(item.sealedAccessToken).toMatch(/^enc1\./);
      expect(JSON.stringify(item)).not.toContain(vendors.credentials[system].clientSecret);
    },
  );

  it('two processes refused at once refresh once between them (the lease in the table)', async () => {
    const connectorId = `con-${randomUUID()}`;
    const a = aClient('hubspot', { connectorId }).client;
    const b = aClient('hubspot', { connectorId }).client;
    await a.readPage({ object: 'companies', position: null, since: null, pageSize: 10 });
    await b.readPage({ object: 'companies', position: null, since: null, pageSize: 10 });
    vendors.control.expireTokens('hubspot');
    const issued = vendors.control.stats().tokensIssued.hubspot;
    const [pa, pb] = await Promise.all([
      a.readPage({ object: 'companies', position: null, since: null, pageSize: 10 }),
      b.readPage({ object: 'companies', position: null, since: null, pageSize: 10 }),
    ]);
    expect(pa.records.length + pb.records.length).toBe(20);
    expect(vendors.control.stats().tokensIssued.hubspot).toBe(issued + 1);
  });

  it('a HubSpot private-app access token is used as it is', async () => {
    const { client } = aClient('hubspot', { credentials: credentialsOf('hubspot', 'access_token') });
    const page = await client.readPage({ object: 'deals', position: null, since: null, pageSize: 10 });
    expect(page.records).toHaveLength(10);
    expect(vendors.control.stats().tokensIssued.hubspot).toBe(0);
  });

  it.each(['salesforce', 'hubspot', 'workday'] as const)(
    '%s: refused credentials are a ConnectorError with the vendor code and no secret in it or in the log',
    async (system) => {
      const good = vendors.credentials[system];
      const secret = `wrong-secret-${randomUUID()}`;
      const credentials = {
        ...credentialsOf(system),
        clientSecret: secret,
      } as ConnectorCredentials;
      const { client, logs } = aClient(system, { credentials });
      const object = system === 'salesforce' ? 'Account' : system === 'hubspot' ? 'companies' : 'workers';
      const error = (await client
        .readPage({ object, position: null, since: null, pageSize: 10 })
        .catch((e) => e)) as ConnectorError;
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error.retryable).toBe(false);
      const expected = REFUSED_CREDENTIALS_CODE[system];
      expect(error.vendorCode).toBe(expected);
      expect(error.httpStatus).toBe(400);
      expect(error.message).toContain(expected);
      const everything = `${error.message}\n${logs.join('\n')}`;
      for (const s of [secret, good.clientId, good.refreshToken, good.token]) expect(everything).not.toContain(s);
      // Refused credentials back off: the next call does not ask the vendor again.
      const issuedBefore = vendors.control.stats().requests[system];
      await expect(client.readPage({ object, position: null, since: null, pageSize: 10 })).rejects.toBeInstanceOf(
        ConnectorError,
      );
      expect(vendors.control.stats().requests[system]).toEqual(issuedBefore);
    },
  );
});

describe('malformed pages', () => {
  const cases: Array<[VendorSystem, string, string, string, RegExp]> = [
    ['salesforce', 'Account', '/services/data', 'html-200', /HTML page/],
    ['salesforce', 'Account', '/services/data', 'error-200', /error body \(UNKNOWN_EXCEPTION\)/],
    ['salesforce', 'Account', '/services/data', 'malformed', /truncated or invalid JSON/],
    ['salesforce', 'Account', '/services/data', 'missing-fields', /records\[0\] (has no Id|is not)/],
    ['salesforce', 'Account', '/services/data', 'wrong-types', /totalSize|done/],
    ['hubspot', 'companies', '/crm/v3/objects', 'html-200', /HTML page/],
    ['hubspot', 'companies', '/crm/v3/objects', 'error-200', /error body/],
    ['hubspot', 'companies', '/crm/v3/objects', 'malformed', /truncated or invalid JSON/],
    ['hubspot', 'companies', '/crm/v3/objects', 'missing-fields', /records\[0\] has no id/],
    ['workday', 'workers', '/ccx/api', 'html-200', /HTML page/],
    ['workday', 'workers', '/ccx/api', 'error-200', /error body/],
    ['workday', 'workers', '/ccx/api', 'malformed', /truncated or invalid JSON/],
    ['workday', 'workers', '/ccx/api', 'missing-fields', /records\[0\] has no id/],
    ['workday', 'workers', '/ccx/api', 'wrong-types', /total/],
  ];
  it.each(cases)('%s %s: %s', async (system, object, pathPrefix, fault, message) => {
    vendors.control.armFault({ system, pathPrefix, fault: fault as never, count: 1 });
    const { client } = aClient(system);
    const error = (await client
      .readPage({ object, position: null, since: null, pageSize: 200 })
      .catch((e) => e)) as Error;
    expect(error).toBeInstanceOf(MalformedPageError);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['salesforce', 'Contact', 200],
    ['hubspot', 'contacts', 20],
    ['workday', 'workers', 20],
  ] as const)('%s: a next-page link that loops is refused', async (system, object, pageSize) => {
    const { client } = aClient(system);
    const first = await client.readPage({ object, position: null, since: null, pageSize });
    expect(first.next).not.toBeNull();
    const prefix = system === 'salesforce' ? '/services/data' : system === 'hubspot' ? '/crm/v3/objects' : '/ccx/api';
    vendors.control.armFault({ system, pathPrefix: prefix, fault: 'loop', count: 1 });
    const error = await (async () => {
      let position = first.next;
      for (let i = 0; i < 5 && position; i++) {
        position = (await client.readPage({ object, position, since: null, pageSize })).next;
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(MalformedPageError);
    expect((error as Error).message).toMatch(/loop|repeats|cycle|again/);
  });

  it('an empty page from the vendor is a valid page', async () => {
    vendors.control.armFault({ system: 'hubspot', pathPrefix: '/crm/v3/objects', fault: 'empty', count: 1 });
    const { client } = aClient('hubspot');
    const page = await client.readPage({ object: 'companies', position: null, since: null, pageSize: 10 });
    expect(page.records).toEqual([]);
  });
});

describe('deletions', () => {
  it('Salesforce getDeleted reports deleted ids and the earliest date it still covers', async () => {
    const id = liveIds('salesforce', 'Contact')[0]!;
    const since = vendors.control.now();
    vendors.control.advanceClock(60_000);
    vendors.control.remove('salesforce', 'Contact', id);
    vendors.control.advanceClock(60_000);
    const { client } = aClient('salesforce');
    const page = await client.readDeleted!({ object: 'Contact', since, until: vendors.control.now(), position: null });
    expect(page.ids).toContain(id);
    expect(page.next).toBeNull();
    expect(Date.parse(page.earliestAvailable!)).toBeLessThanOrEqual(Date.parse(since));

    const longAgo = new Date(Date.parse(since) - 40 * 24 * 3600_000).toISOString();
    const old = await client.readDeleted!({
      object: 'Contact',
      since: longAgo,
      until: vendors.control.now(),
      position: null,
    });
    expect(Date.parse(old.earliestAvailable!)).toBeGreaterThan(Date.parse(longAgo));
  });

  it('HubSpot archived records in the window are reported', async () => {
    const id = liveIds('hubspot', 'deals')[0]!;
    const since = vendors.control.now();
    vendors.control.advanceClock(1_000);
    vendors.control.remove('hubspot', 'deals', id);
    const { client } = aClient('hubspot');
    const until = new Date(Date.parse(vendors.control.now()) + 1_000).toISOString();
    const page = await client.readDeleted!({ object: 'deals', since, until, position: null });
    expect(page.ids).toEqual([id]);
  });

  it('Workday has no deletion feed', () => {
    expect(aClient('workday').client.readDeleted).toBeUndefined();
  });
});

describe('the circuit breaker in the table', () => {
  it('opens after 5 failed calls and then refuses without touching the vendor, for every process', async () => {
    const connectorId = `con-${randomUUID()}`;
    const { client } = aClient('workday', { connectorId, maxRetries: 0 });
    vendors.control.armFault({ system: 'workday', pathPrefix: '/ccx/api', fault: '500', count: 100 });
    const read = (c: SourceClient) => c.readPage({ object: 'workers', position: null, since: null, pageSize: 10 });
    for (let i = 0; i < 5; i++) await expect(read(client)).rejects.not.toBeInstanceOf(CircuitOpenError);
    const requests = vendors.control.stats().totals.workday;
    const other = aClient('workday', { connectorId }).client;
    const error = (await read(other).catch((e) => e)) as CircuitOpenError;
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error.retryAfterSeconds).toBeGreaterThan(50);
    expect(vendors.control.stats().totals.workday).toBe(requests);
    const item = (await doc.send(new GetCommand({ TableName: TABLE, Key: keys.connectorBreaker(TENANT, connectorId) })))
      .Item;
    expect(item).toMatchObject({ entityType: 'ConnectorBreaker', mode: 'open', consecutiveFailures: 5 });
  });
});

describe('the outbound URL policy', () => {
  it('refuses a connector URL on a loopback port that is not a development port', async () => {
    const { client } = aClient('workday', { baseUrl: `http://127.0.0.1:${port + 1}/workday` });
    const error = (await client
      .readPage({ object: 'workers', position: null, since: null, pageSize: 10 })
      .catch((e) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.message).toContain('outbound URL policy');
  });
});
