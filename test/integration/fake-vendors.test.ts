/**
 * The fake vendors over HTTP (plain fetch, loopback): paging to the end, incremental filters, the HubSpot search
 * cap, every fault kind, the vendors' 401 bodies, token issuance and expiry, limits, control calls and the truth.
 * The vendors' own client libraries (jsforce, @hubspot/api-client) read the fakes too.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Client as HubSpotClient } from '@hubspot/api-client';
import { Connection } from '@jsforce/jsforce-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeVendorOptions, type FakeVendors, startFakeVendors } from '../../local/vendors/index.js';

const started: FakeVendors[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((v) => v.stop()));
});

/** A clock the tests move with `control.advanceClock` (requests then all happen at one instant). */
const T0 = Date.parse('2026-12-01T12:00:00.000Z');

async function start(options: FakeVendorOptions = {}): Promise<FakeVendors> {
  const v = await startFakeVendors({ port: 0, now: () => T0, ...options });
  started.push(v);
  return v;
}

type Json = Record<string, unknown> & { [k: string]: any };

async function call(
  v: FakeVendors,
  system: 'salesforce' | 'hubspot' | 'workday',
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string | null } = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => Json }> {
  const token = init.token === undefined ? v.credentials[system].token : init.token;
  const body =
    init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const res = await fetch(`${v.url}/${system}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined && typeof init.body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Json };
}

const soql = (q: string, all = false) =>
  `/services/data/v62.0/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(q)}`;

const ids = (v: FakeVendors, system: 'salesforce' | 'hubspot' | 'workday', object: string) =>
  v.control.truth({ system, object }).records.map((r) => r.id);

async function control(v: FakeVendors, method: string, path: string, body?: unknown) {
  const res = await fetch(`${v.url}/_control${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

/** Every Salesforce record of a query, following nextRecordsUrl; the URLs visited are returned too. */
async function sfAll(v: FakeVendors, q: string, batchSize = 200, all = false) {
  const records: Json[] = [];
  const urls: string[] = [];
  let page = await call(v, 'salesforce', soql(q, all), {
    headers: { 'Sforce-Query-Options': `batchSize=${batchSize}` },
  });
  for (;;) {
    expect(page.status).toBe(200);
    const body = page.json();
    records.push(...body.records);
    if (body.done) return { records, urls, totalSize: body.totalSize as number };
    urls.push(body.nextRecordsUrl);
    expect(urls.length).toBeLessThan(100);
    page = await call(v, 'salesforce', body.nextRecordsUrl, {
      headers: { 'Sforce-Query-Options': `batchSize=${batchSize}` },
    });
  }
}

async function hsAll(v: FakeVendors, object: string, query = '') {
  const records: Json[] = [];
  let after: string | null = null;
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(500);
    const page = await call(
      v,
      'hubspot',
      `/crm/v3/objects/${object}?limit=100${after ? `&after=${after}` : ''}${query}`,
    );
    expect(page.status).toBe(200);
    const body = page.json();
    records.push(...body.results);
    if (!body.paging) return records;
    after = body.paging.next.after;
  }
}

describe('fake vendors: start and credentials', () => {
  it('returns the URL and, per system, a ready token plus the client credentials and refresh token', async () => {
    const v = await start();
    expect(v.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const s of ['salesforce', 'hubspot', 'workday'] as const) {
      expect(Object.keys(v.credentials[s])).toEqual(
        expect.arrayContaining(['token', 'clientId', 'clientSecret', 'refreshToken']),
      );
    }
    expect(v.credentials.workday.tenant).toBe('modos_demo');
    expect(v.credentials.workday.reportPath).toMatch(/^[^/]+\/[^/]+$/);
    expect((await control(v, 'GET', '/credentials')).json).toEqual(v.credentials);
  });

  it('derives the credentials from the seed, so a restarted fake accepts what a client stored', async () => {
    const a = await start({ seed: 7 });
    const b = await start({ seed: 7 });
    const c = await start({ seed: 8 });
    expect(b.credentials.hubspot).toEqual(a.credentials.hubspot);
    expect(c.credentials.hubspot.token).not.toBe(a.credentials.hubspot.token);
  });

  it('refuses records below the minimum and a seed outside 32 bits', async () => {
    await expect(startFakeVendors({ port: 0, records: 10 })).rejects.toThrow(/records/);
    await expect(startFakeVendors({ port: 0, seed: -1 })).rejects.toThrow(/seed/);
  });
});

describe('npm run vendors', () => {
  const run = (args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', 'scripts/vendors.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

  it('prints one JSON line with the URL and credentials once listening, and stops on SIGTERM', async () => {
    const child = run(['--port', '0', '--seed', '2', '--records', '60']);
    let out = '';
    child.stdout.setEncoding('utf8');
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    try {
      const printed = JSON.parse(line) as Json;
      expect(Object.keys(printed)).toEqual(['url', 'salesforce', 'hubspot', 'workday']);
      const r = await fetch(`${printed.url}/hubspot/crm/v3/objects/contacts`, {
        headers: { authorization: `Bearer ${printed.hubspot.token}` },
      });
      expect(r.status).toBe(200);
      const truth = (await (await fetch(`${printed.url}/_control/truth`)).json()) as Json;
      expect(truth.records).toHaveLength(60);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
  });

  it('exits with 2 on bad usage', async () => {
    for (const args of [['--records', 'many'], ['--records', '10'], ['--bogus']]) {
      const child = run(args);
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const [code] = await once(child, 'exit');
      expect(code, args.join(' ')).toBe(2);
      expect(err).toContain('usage: npm run -s vendors');
    }
  });
});

describe('fake Salesforce', () => {
  it('pages a query to the end through nextRecordsUrl and returns every contact exactly once', async () => {
    const v = await start({ records: 3000 });
    const { records, urls, totalSize } = await sfAll(v, 'SELECT Id, LastName FROM Contact ORDER BY SystemModstamp, Id');
    const expected = ids(v, 'salesforce', 'Contact');
    expect(urls.length).toBeGreaterThanOrEqual(2);
    expect(urls[0]).toMatch(/^\/services\/data\/v62\.0\/query\/01g[0-9A-Za-z]{15}-200$/);
    expect(totalSize).toBe(expected.length);
    expect(records.map((r) => r.Id).sort()).toEqual([...expected].sort());
    expect(new Set(records.map((r) => r.Id)).size).toBe(records.length);
  });

  it('returns only the selected fields plus attributes, with Salesforce datetimes and 18-character ids', async () => {
    const v = await start();
    const r = await call(
      v,
      'salesforce',
      soql('SELECT Id, Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id'),
    );
    const first = r.json().records[0];
    expect(Object.keys(first)).toEqual(['attributes', 'Id', 'Name', 'SystemModstamp']);
    expect(first.attributes).toEqual({ type: 'Account', url: `/services/data/v62.0/sobjects/Account/${first.Id}` });
    expect(first.Id).toMatch(/^001[0-9A-Za-z]{15}$/);
    expect(first.SystemModstamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
  });

  it('orders by SystemModstamp then Id and filters with >= and > on SystemModstamp', async () => {
    const v = await start({ records: 1000 });
    const { records } = await sfAll(v, 'SELECT Id, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id', 2000);
    const key = (r: Json) => `${Date.parse(r.SystemModstamp.replace('+0000', 'Z'))}|${r.Id}`;
    const sorted = [...records].sort((a, b) => {
      const x = Date.parse(a.SystemModstamp.replace('+0000', 'Z'));
      const y = Date.parse(b.SystemModstamp.replace('+0000', 'Z'));
      return x - y || (a.Id < b.Id ? -1 : 1);
    });
    expect(records.map(key)).toEqual(sorted.map(key));
    const pivot = records[Math.floor(records.length / 2)]!.SystemModstamp as string;
    const iso = new Date(Date.parse(pivot.replace('+0000', 'Z'))).toISOString();
    const ge = await sfAll(
      v,
      `SELECT Id FROM Contact WHERE SystemModstamp >= ${iso} ORDER BY SystemModstamp, Id`,
      2000,
    );
    const gt = await sfAll(
      v,
      `SELECT Id FROM Contact WHERE SystemModstamp > ${iso.replace('Z', '+00:00')} ORDER BY SystemModstamp, Id`,
      2000,
    );
    const at = Date.parse(iso);
    const millis = (r: Json) => Date.parse(r.SystemModstamp.replace('+0000', 'Z'));
    expect(ge.records.length).toBe(records.filter((r) => millis(r) >= at).length);
    expect(gt.records.length).toBe(records.filter((r) => millis(r) > at).length);
    expect(ge.records.length).toBeGreaterThan(gt.records.length);
  });

  it('moves a changed record to the end of an incremental query with SystemModstamp = now', async () => {
    const v = await start();
    const id = ids(v, 'salesforce', 'Contact')[5]!;
    v.control.update('salesforce', 'Contact', id, { Title: 'Chief Happiness Officer' });
    const since = new Date(T0 - 1000).toISOString();
    const { records } = await sfAll(
      v,
      `SELECT Id, Title, SystemModstamp FROM Contact WHERE SystemModstamp >= ${since} ORDER BY SystemModstamp, Id`,
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      Id: id,
      Title: 'Chief Happiness Officer',
      SystemModstamp: '2026-12-01T12:00:00.000+0000',
    });
  });

  it('applies LIMIT to totalSize', async () => {
    const v = await start();
    const r = (await call(v, 'salesforce', soql('SELECT Id FROM Contact ORDER BY SystemModstamp, Id LIMIT 7'))).json();
    expect(r.totalSize).toBe(7);
    expect(r.records).toHaveLength(7);
  });

  it('answers MALFORMED_QUERY, INVALID_FIELD and INVALID_TYPE with Salesforce error bodies', async () => {
    const v = await start();
    const cases: [string, string][] = [
      ['SELECT FROM Contact', 'MALFORMED_QUERY'],
      ['SELECT Id FROM Contact WHERE', 'MALFORMED_QUERY'],
      ['SELECT Id FROM Contact ORDER SystemModstamp', 'MALFORMED_QUERY'],
      // Salesforce writes datetimes with +0000 but SOQL literals need +00:00 or Z.
      ['SELECT Id FROM Contact WHERE SystemModstamp >= 2026-11-30T10:15:00.000+0000', 'MALFORMED_QUERY'],
      ["SELECT Id FROM Contact WHERE SystemModstamp >= '2026-11-30T10:15:00Z'", 'INVALID_FIELD'],
      ['SELECT Id, Nickname__c FROM Contact', 'INVALID_FIELD'],
      ['SELECT Id FROM Lead', 'INVALID_TYPE'],
    ];
    for (const [q, code] of cases) {
      const r = await call(v, 'salesforce', soql(q));
      expect(r.status, q).toBe(400);
      expect(r.json(), q).toEqual([{ message: expect.any(String), errorCode: code }]);
    }
    const none = await call(v, 'salesforce', '/services/data/v62.0/query');
    expect(none.json()[0].errorCode).toBe('MALFORMED_QUERY');
  });

  it('hides deleted records from query and shows them with IsDeleted in queryAll and getDeleted, for 15 days', async () => {
    const v = await start({ printedTokenLifetimeMs: 30 * 86_400_000 });
    const id = ids(v, 'salesforce', 'Contact')[0]!;
    v.control.remove('salesforce', 'Contact', id);
    const q = 'SELECT Id, IsDeleted FROM Contact ORDER BY SystemModstamp, Id';
    expect((await sfAll(v, q)).records.some((r) => r.Id === id)).toBe(false);
    const all = await sfAll(v, q, 2000, true);
    expect(all.records.find((r) => r.Id === id)).toMatchObject({ IsDeleted: true });

    v.control.advanceClock(2 * 60_000);
    const start_ = new Date(T0 - 3_600_000).toISOString();
    const end = new Date(T0 + 2 * 60_000).toISOString();
    const del = await call(
      v,
      'salesforce',
      `/services/data/v62.0/sobjects/Contact/deleted/?start=${encodeURIComponent(start_)}&end=${encodeURIComponent(end)}`,
    );
    expect(del.status).toBe(200);
    expect(del.json()).toEqual({
      deletedRecords: [{ id, deletedDate: '2026-12-01T12:00:00.000+0000' }],
      earliestDateAvailable: '2026-11-16T12:02:00.000+0000',
      latestDateCovered: '2026-12-01T12:02:00.000+0000',
    });

    v.control.advanceClock(16 * 86_400_000);
    const later = new Date(T0 + 16 * 86_400_000).toISOString();
    const gone = (
      await call(
        v,
        'salesforce',
        `/services/data/v62.0/sobjects/Contact/deleted/?start=${encodeURIComponent(start_)}&end=${encodeURIComponent(later)}`,
      )
    ).json();
    expect(gone.deletedRecords).toEqual([]);
    expect(Date.parse(gone.earliestDateAvailable.replace('+0000', 'Z'))).toBeGreaterThan(Date.parse(start_));
    expect((await sfAll(v, q, 2000, true)).records.some((r) => r.Id === id)).toBe(false);
  });

  it('refuses a getDeleted window of a minute or less with INVALID_REPLICATION_DATE', async () => {
    const v = await start();
    const s = new Date(T0 - 30_000).toISOString();
    const e = new Date(T0).toISOString();
    const r = await call(v, 'salesforce', `/services/data/v62.0/sobjects/Account/deleted/?start=${s}&end=${e}`);
    expect(r.status).toBe(400);
    expect(r.json()[0].errorCode).toBe('INVALID_REPLICATION_DATE');
  });

  it('counts every API call in Sforce-Limit-Info and answers 403 REQUEST_LIMIT_EXCEEDED past the daily limit', async () => {
    const v = await start({ salesforce: { dailyLimit: 3 } });
    const q = soql('SELECT Id FROM Account');
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push((await call(v, 'salesforce', q)).headers.get('sforce-limit-info')!);
    expect(seen).toEqual(['api-usage=1/3', 'api-usage=2/3', 'api-usage=3/3']);
    const over = await call(v, 'salesforce', q);
    expect(over.status).toBe(403);
    expect(over.json()).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    expect(over.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    expect(v.control.stats().rateLimited.salesforce).toBe(1);
  });

  it('expires an unused query locator after 15 minutes with INVALID_QUERY_LOCATOR', async () => {
    const v = await start({ records: 3000 });
    const first = (
      await call(v, 'salesforce', soql('SELECT Id FROM Contact ORDER BY SystemModstamp, Id'), {
        headers: { 'Sforce-Query-Options': 'batchSize=200' },
      })
    ).json();
    expect(first.done).toBe(false);
    v.control.advanceClock(14 * 60_000);
    const second = (await call(v, 'salesforce', first.nextRecordsUrl)).json();
    expect(second.records).toHaveLength(200);
    v.control.advanceClock(15 * 60_000 + 1);
    const expired = await call(v, 'salesforce', second.nextRecordsUrl);
    expect(expired.status).toBe(400);
    expect(expired.json()).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
  });

  it('answers 401 INVALID_SESSION_ID without a token, with an unknown one and with an expired one', async () => {
    const v = await start();
    const body = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
    for (const token of [null, 'nope']) {
      const r = await call(v, 'salesforce', soql('SELECT Id FROM Account'), { token });
      expect(r.status).toBe(401);
      expect(r.json()).toEqual(body);
    }
    v.control.advanceClock(2 * 3_600_000);
    const expired = await call(v, 'salesforce', soql('SELECT Id FROM Account'));
    expect([expired.status, expired.json()]).toEqual([401, body]);
  });

  it('issues session tokens for client credentials and refresh tokens, and refuses bad ones', async () => {
    const v = await start();
    const c = v.credentials.salesforce;
    const token = (form: Record<string, string>) =>
      call(v, 'salesforce', '/services/oauth2/token', {
        token: null,
        body: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const cc = await token({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret });
    expect(cc.status).toBe(200);
    const issued = cc.json();
    expect(issued).toMatchObject({ instance_url: `${v.url}/salesforce`, token_type: 'Bearer', issued_at: String(T0) });
    expect(Object.keys(issued).sort()).toEqual([
      'access_token',
      'id',
      'instance_url',
      'issued_at',
      'scope',
      'signature',
      'token_type',
    ]);
    expect((await call(v, 'salesforce', soql('SELECT Id FROM Account'), { token: issued.access_token })).status).toBe(
      200,
    );

    const rt = await token({
      grant_type: 'refresh_token',
      refresh_token: c.refreshToken,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    expect(rt.status).toBe(200);
    const badClient = await token({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: 'x' });
    expect([badClient.status, badClient.json()]).toEqual([
      400,
      { error: 'invalid_client', error_description: 'invalid client credentials' },
    ]);
    const badRefresh = await token({
      grant_type: 'refresh_token',
      refresh_token: 'x',
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    expect([badRefresh.status, badRefresh.json()]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    ]);
    expect(v.control.stats().tokensIssued.salesforce).toBe(2);
  });

  it('ends an issued session after two hours without calls, and keeps a used one alive', async () => {
    const v = await start();
    const c = v.credentials.salesforce;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: c.clientSecret,
    });
    const issue = async () =>
      (
        await call(v, 'salesforce', '/services/oauth2/token', {
          token: null,
          body: form.toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).json().access_token as string;
    const idle = await issue();
    const busy = await issue();
    for (let i = 0; i < 3; i++) {
      v.control.advanceClock(3_600_000);
      expect((await call(v, 'salesforce', soql('SELECT Id FROM Account'), { token: busy })).status).toBe(200);
    }
    expect((await call(v, 'salesforce', soql('SELECT Id FROM Account'), { token: idle })).status).toBe(401);
  });

  it('serves jsforce: a query with autoFetch follows every batch', async () => {
    const v = await start({ records: 3000 });
    const conn = new Connection({
      instanceUrl: `${v.url}/salesforce`,
      accessToken: v.credentials.salesforce.token,
      version: '62.0',
    });
    const result = await conn.query('SELECT Id, LastName FROM Contact ORDER BY SystemModstamp, Id', {
      autoFetch: true,
      maxFetch: 100_000,
    });
    expect(result.records.map((r) => r.Id).sort()).toEqual(ids(v, 'salesforce', 'Contact').sort());
    expect(conn.limitInfo?.apiUsage?.limit).toBe(100_000);
  });
});

describe('fake HubSpot', () => {
  it('pages contacts, companies and deals with after cursors and returns every record exactly once', async () => {
    const v = await start({ records: 2000, hubspot: { rateLimit: { max: 1000, intervalMs: 10_000 } } });
    for (const object of ['contacts', 'companies', 'deals']) {
      const got = (await hsAll(v, object)).map((r) => r.id as string);
      expect(got.length).toBeGreaterThan(100);
      expect(new Set(got).size).toBe(got.length);
      expect([...got].sort()).toEqual([...ids(v, 'hubspot', object)].sort());
    }
  });

  it('returns the asked properties (unknown ones left out, empty ones null), ISO datetimes and numeric string ids', async () => {
    const v = await start();
    const r = (
      await call(v, 'hubspot', '/crm/v3/objects/contacts?limit=5&properties=firstname,mobilephone,nosuch')
    ).json();
    for (const c of r.results) {
      expect(c.id).toMatch(/^\d+$/);
      expect(Object.keys(c.properties).sort()).toEqual(['firstname', 'mobilephone']);
      expect(c.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(c.archived).toBe(false);
    }
    expect(r.results.some((c: Json) => c.properties.mobilephone === null)).toBe(true);
    expect(r.paging.next.link).toContain(`/hubspot/crm/v3/objects/contacts?`);
    const defaults = (await call(v, 'hubspot', '/crm/v3/objects/companies?limit=1')).json().results[0];
    expect(Object.keys(defaults.properties).sort()).toEqual([
      'createdate',
      'domain',
      'hs_lastmodifieddate',
      'hs_object_id',
      'name',
    ]);
  });

  it('lists associations as HubSpot does: a primary company twice, with and without its label', async () => {
    const v = await start();
    const contacts = await hsAll(v, 'contacts', '&associations=companies');
    const linked = contacts.filter((c) => c.associations);
    expect(linked.length).toBeGreaterThan(contacts.length / 2);
    const a = linked[0]!.associations.companies.results;
    expect(a).toEqual([
      { id: a[0].id, type: 'contact_to_company' },
      { id: a[0].id, type: 'contact_to_company_unlabeled' },
    ]);
    const companyIds = new Set(ids(v, 'hubspot', 'companies'));
    for (const c of linked) for (const x of c.associations.companies.results) expect(companyIds.has(x.id)).toBe(true);
  });

  it('lists archived records only with archived=true, with archivedAt', async () => {
    const v = await start();
    const id = ids(v, 'hubspot', 'deals')[0]!;
    v.control.remove('hubspot', 'deals', id);
    expect((await hsAll(v, 'deals')).some((d) => d.id === id)).toBe(false);
    const archived = await hsAll(v, 'deals', '&archived=true');
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatchObject({ id, archived: true, archivedAt: '2026-12-01T12:00:00.000Z' });
  });

  it('searches by lastmodifieddate ascending and finds a changed record last', async () => {
    const v = await start();
    const id = ids(v, 'hubspot', 'contacts')[3]!;
    v.control.update('hubspot', 'contacts', id, { jobtitle: 'Head of Data' });
    const search = (value: string, after?: string) =>
      call(v, 'hubspot', '/crm/v3/objects/contacts/search', {
        body: {
          filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value }] }],
          sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
          properties: ['jobtitle', 'lastmodifieddate'],
          limit: 100,
          ...(after ? { after } : {}),
        },
      });
    const all: Json[] = [];
    let body = (await search('0')).json();
    all.push(...body.results);
    while (body.paging) {
      body = (await search('0', body.paging.next.after)).json();
      all.push(...body.results);
    }
    expect(all).toHaveLength(ids(v, 'hubspot', 'contacts').length);
    const times = all.map((r) => Date.parse(r.properties.lastmodifieddate));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(all[all.length - 1]).toMatchObject({ id, properties: { jobtitle: 'Head of Data' } });
    const recent = (await search(String(T0))).json();
    expect(recent.total).toBe(1);
    expect(recent.results[0].id).toBe(id);
    expect(recent.results[0].associations).toBeUndefined();
  });

  it('stops a search at 10,000 results: the page after the cap answers 400 VALIDATION_ERROR', async () => {
    const v = await start({ records: 50_000 });
    expect(ids(v, 'hubspot', 'contacts').length).toBeGreaterThan(10_000);
    let after: string | undefined;
    let seen = 0;
    let refusal: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 60 && !refusal; i++) {
      const r = await call(v, 'hubspot', '/crm/v3/objects/contacts/search', {
        body: {
          filterGroups: [],
          sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
          limit: 200,
          ...(after ? { after } : {}),
        },
      });
      if (r.status !== 200) refusal = r;
      else {
        const body = r.json();
        expect(body.total).toBeGreaterThan(10_000);
        seen += body.results.length;
        after = body.paging.next.after;
      }
    }
    expect(seen).toBe(10_000);
    expect(after).toBe('10000');
    expect(refusal!.status).toBe(400);
    expect(refusal!.json()).toMatchObject({
      status: 'error',
      category: 'VALIDATION_ERROR',
      message: expect.stringContaining('10000'),
    });
  });

  it('reads associations in a v4 batch: 200 when every input has one, 207 with NO_ASSOCIATIONS_FOUND otherwise', async () => {
    const v = await start();
    const contacts = await hsAll(v, 'contacts', '&associations=companies');
    const withCompany = contacts.filter((c) => c.associations).slice(0, 3);
    const without = contacts.find((c) => !c.associations)!;
    const ok = await call(v, 'hubspot', '/crm/v4/associations/contacts/companies/batch/read', {
      body: { inputs: withCompany.map((c) => ({ id: c.id })) },
    });
    expect(ok.status).toBe(200);
    const first = ok.json().results[0];
    expect(first).toEqual({
      from: { id: withCompany[0]!.id },
      to: [
        {
          toObjectId: Number(withCompany[0]!.associations.companies.results[0].id),
          associationTypes: [
            { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
            { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
          ],
        },
      ],
    });
    const mixed = await call(v, 'hubspot', '/crm/v4/associations/contact/company/batch/read', {
      body: { inputs: [{ id: withCompany[0]!.id }, { id: without.id }] },
    });
    expect(mixed.status).toBe(207);
    expect(mixed.json()).toMatchObject({
      status: 'COMPLETE',
      numErrors: 1,
      errors: [
        {
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          context: { fromObjectId: [without.id] },
        },
      ],
    });
  });

  it('puts the rate-limit headers on every answer and refuses past the rolling limit with 429 and Retry-After', async () => {
    const v = await start({ hubspot: { rateLimit: { max: 3, intervalMs: 10_000 } } });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(v, 'hubspot', '/crm/v3/objects/companies?limit=1');
      expect(r.headers.get('x-hubspot-ratelimit-max')).toBe('3');
      expect(r.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      remaining.push(r.headers.get('x-hubspot-ratelimit-remaining')!);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const over = await call(v, 'hubspot', '/crm/v3/objects/companies?limit=1');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('10');
    expect(over.json()).toMatchObject({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      correlationId: expect.any(String),
    });
    v.control.advanceClock(10_000);
    expect((await call(v, 'hubspot', '/crm/v3/objects/companies?limit=1')).status).toBe(200);
    expect(v.control.stats().rateLimited.hubspot).toBe(1);
  });

  it('refuses a list page above 100 records', async () => {
    const v = await start();
    const r = await call(v, 'hubspot', '/crm/v3/objects/contacts?limit=101');
    expect(r.status).toBe(400);
    expect(r.json().category).toBe('VALIDATION_ERROR');
  });

  it('tells unknown tokens from expired ones, and refreshes with the same refresh token', async () => {
    const v = await start();
    const unknown = await call(v, 'hubspot', '/crm/v3/objects/contacts', { token: 'nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.json()).toMatchObject({
      status: 'error',
      category: 'INVALID_AUTHENTICATION',
      message: expect.stringContaining('Authentication credentials not found'),
    });
    expect(v.control.expireTokens('hubspot').expired).toBe(1);
    v.control.advanceClock(5 * 60_000);
    const expired = await call(v, 'hubspot', '/crm/v3/objects/contacts');
    expect(expired.status).toBe(401);
    expect(expired.json()).toMatchObject({
      category: 'EXPIRED_AUTHENTICATION',
      message: 'The OAuth token used to make this call expired 5 minute(s) ago.',
    });
    const c = v.credentials.hubspot;
    const form = (refresh: string) =>
      call(v, 'hubspot', '/oauth/v1/token', {
        token: null,
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: c.clientId,
          client_secret: c.clientSecret,
          refresh_token: refresh,
        }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const refreshed = await form(c.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.json()).toMatchObject({ refresh_token: c.refreshToken, expires_in: 1800, token_type: 'bearer' });
    expect(
      (await call(v, 'hubspot', '/crm/v3/objects/contacts', { token: refreshed.json().access_token })).status,
    ).toBe(200);
    v.control.advanceClock(1800_000);
    expect(
      (await call(v, 'hubspot', '/crm/v3/objects/contacts', { token: refreshed.json().access_token })).status,
    ).toBe(401);
    const bad = await form('na1-nope');
    expect([bad.status, bad.json().status]).toEqual([400, 'BAD_REFRESH_TOKEN']);
  });

  it('serves @hubspot/api-client: getAll pages every contact', async () => {
    const v = await start({ records: 1000 });
    const client = new HubSpotClient({ accessToken: v.credentials.hubspot.token, basePath: `${v.url}/hubspot` });
    const all = await client.crm.contacts.getAll(100, undefined, ['email']);
    expect(all.map((c) => c.id).sort()).toEqual(ids(v, 'hubspot', 'contacts').sort());
  });
});

describe('fake Workday', () => {
  const workersPath = (v: FakeVendors, q: string) => `/ccx/api/v1/${v.credentials.workday.tenant}/workers?${q}`;

  it('pages workers with limit and offset: every active worker once, total on every page', async () => {
    const v = await start({ records: 3000, workday: { requestsPerSecond: 0 } });
    const expected = ids(v, 'workday', 'workers');
    const got: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = (await call(v, 'workday', workersPath(v, `limit=100&offset=${offset}`))).json();
      expect(page.total).toBe(expected.length);
      got.push(...page.data.map((w: Json) => w.id));
      if (page.data.length < 100) break;
    }
    expect(got.sort()).toEqual([...expected].sort());
  });

  it('answers a worker in the documented shape, with a management tree of one root', async () => {
    const v = await start({ workday: { requestsPerSecond: 0 } });
    const data = (await call(v, 'workday', workersPath(v, 'limit=100'))).json().data as Json[];
    const w = data[1]!;
    expect(w).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      descriptor: expect.any(String),
      href: `${v.url}/workday/ccx/api/v1/modos_demo/workers/${w.id}`,
      workerId: expect.stringMatching(/^\d+$/),
      isManager: expect.any(Boolean),
      businessTitle: expect.any(String),
      hireDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      workerType: { descriptor: expect.any(String) },
      primarySupervisoryOrganization: { id: expect.any(String), descriptor: expect.any(String) },
      location: {
        id: expect.any(String),
        descriptor: expect.any(String),
        country: { 'ISO_3166-1_Alpha-2_Code': expect.stringMatching(/^[A-Z]{2}$/) },
      },
      manager: { id: expect.any(String), descriptor: expect.any(String) },
    });
    const byId = new Map(data.map((x) => [x.id, x]));
    expect(data.filter((x) => x.manager === null)).toHaveLength(1);
    for (const x of data) {
      const seen = new Set<string>();
      for (let m = x; m.manager; m = byId.get(m.manager.id)!) {
        expect(byId.has(m.manager.id)).toBe(true);
        expect(seen.has(m.id)).toBe(false);
        seen.add(m.id);
      }
      expect(x.isManager).toBe(data.some((y) => y.manager?.id === x.id));
    }
  });

  it('refuses limit above 100 with a Workday error body', async () => {
    const v = await start();
    const r = await call(v, 'workday', workersPath(v, 'limit=101'));
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ error: expect.any(String), errors: [{ error: expect.any(String) }] });
  });

  it('serves the RaaS report in one answer; a terminated worker leaves the REST list and stays in the report', async () => {
    const v = await start({ workday: { requestsPerSecond: 0 } });
    const report = `/ccx/service/customreport2/${v.credentials.workday.tenant}/${v.credentials.workday.reportPath}?format=json`;
    const rows = (await call(v, 'workday', report)).json().Report_Entry as Json[];
    expect(rows.map((r) => r.Worker_WID).sort()).toEqual(ids(v, 'workday', 'workers').sort());
    expect(rows.every((r) => r.Worker_Status === 'Active')).toBe(true);
    const manager = rows.find((r) => rows.some((x) => x.Manager_WID === r.Worker_WID) && r.Manager_WID)!;
    v.control.remove('workday', 'workers', manager.Worker_WID);
    const after = (await call(v, 'workday', report)).json().Report_Entry as Json[];
    expect(after.find((r) => r.Worker_WID === manager.Worker_WID)!.Worker_Status).toBe('Terminated');
    expect(after.filter((r) => r.Manager_WID === manager.Worker_WID && r.Worker_Status === 'Active')).toEqual([]);
    const list = (await call(v, 'workday', workersPath(v, 'limit=100'))).json();
    expect(list.data.some((w: Json) => w.id === manager.Worker_WID)).toBe(false);
    expect(list.total).toBe(rows.length - 1);
    const xml = await call(v, 'workday', report.replace('?format=json', ''));
    expect(xml.headers.get('content-type')).toContain('xml');
    expect(xml.text).toContain('<wd:Report_Entry>');
  });

  it('throttles past its rate with a bare 429 and no rate-limit or Retry-After headers', async () => {
    const v = await start({ workday: { requestsPerSecond: 2 } });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 3; i++) {
      last = await call(v, 'workday', workersPath(v, 'limit=1'));
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last!.headers.get('retry-after')).toBeNull();
    expect([...last!.headers.keys()].filter((k) => k.includes('ratelimit'))).toEqual([]);
    v.control.changeSettings({ workday: { throttleStatus: 500 } });
    expect((await call(v, 'workday', workersPath(v, 'limit=1'))).status).toBe(500);
  });

  it('issues tokens for HTTP Basic client credentials and answers invalid_token without one', async () => {
    const v = await start();
    const c = v.credentials.workday;
    const basic = `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
    const token = (form: Record<string, string>, auth = basic) =>
      call(v, 'workday', `/ccx/oauth2/${c.tenant}/token`, {
        token: null,
        body: new URLSearchParams(form).toString(),
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      });
    const ok = await token({ grant_type: 'refresh_token', refresh_token: c.refreshToken });
    expect(ok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect((await call(v, 'workday', workersPath(v, 'limit=1'), { token: ok.json().access_token })).status).toBe(200);
    expect((await token({ grant_type: 'client_credentials' })).status).toBe(200);
    expect((await token({ grant_type: 'refresh_token', refresh_token: 'x' })).json().error).toBe('invalid_grant');
    expect((await token({ grant_type: 'client_credentials' }, 'Basic eDp5')).json().error).toBe('invalid_client');
    const none = await call(v, 'workday', workersPath(v, 'limit=1'), { token: null });
    expect([none.status, none.json()]).toEqual([401, { error: 'invalid_token' }]);
    v.control.advanceClock(3600_000);
    expect((await call(v, 'workday', workersPath(v, 'limit=1'), { token: ok.json().access_token })).status).toBe(401);
  });
});

describe('fake vendors: faults on request', () => {
  const paths = (v: FakeVendors) => ({
    salesforce: soql('SELECT Id, LastName FROM Contact ORDER BY SystemModstamp, Id'),
    hubspot: '/crm/v3/objects/contacts?limit=10',
    workday: `/ccx/api/v1/${v.credentials.workday.tenant}/workers?limit=10`,
  });
  const withFault = (path: string, fault: string) => `${path}${path.includes('?') ? '&' : '?'}fault=${fault}`;
  const recordsOf = (system: string, body: Json): Json[] =>
    system === 'salesforce' ? body.records : system === 'hubspot' ? body.results : body.data;

  it('429: Salesforce answers 403 REQUEST_LIMIT_EXCEEDED, HubSpot 429 with Retry-After, Workday a bare 429', async () => {
    const v = await start();
    const p = paths(v);
    const sf = await call(v, 'salesforce', withFault(p.salesforce, '429'));
    expect([sf.status, sf.json()[0].errorCode]).toEqual([403, 'REQUEST_LIMIT_EXCEEDED']);
    const hs = await call(v, 'hubspot', withFault(p.hubspot, '429'));
    expect([hs.status, hs.headers.get('retry-after'), hs.json().policyName]).toEqual([
      429,
      '1',
      'TEN_SECONDLY_ROLLING',
    ]);
    const wd = await call(v, 'workday', withFault(p.workday, '429'));
    expect([wd.status, wd.headers.get('retry-after')]).toEqual([429, null]);
    expect(v.control.stats().faults).toMatchObject({
      salesforce: { '429': 1 },
      hubspot: { '429': 1 },
      workday: { '429': 1 },
    });
    expect(v.control.stats().salesforceApiUsage.used).toBe(0);
  });

  it('500, expired-token, html-200 and error-200 answer as each vendor would', async () => {
    const v = await start();
    const p = paths(v);
    for (const system of ['salesforce', 'hubspot', 'workday'] as const) {
      const e500 = await call(v, system, withFault(p[system], '500'));
      expect(e500.status, system).toBe(500);
      const expired = await call(v, system, withFault(p[system], 'expired-token'));
      expect(expired.status, system).toBe(401);
      const html = await call(v, system, withFault(p[system], 'html-200'));
      expect([html.status, html.headers.get('content-type')?.startsWith('text/html')], system).toEqual([200, true]);
      expect(html.text).toContain('<html>');
      const err = await call(v, system, withFault(p[system], 'error-200'));
      expect(err.status, system).toBe(200);
      const body = err.json();
      if (system === 'salesforce') expect(body[0].errorCode).toBe('UNKNOWN_EXCEPTION');
      else if (system === 'hubspot') expect(body.status).toBe('error');
      else expect(body.error).toEqual(expect.any(String));
    }
    expect((await call(v, 'salesforce', withFault(p.salesforce, 'expired-token'))).json()[0].errorCode).toBe(
      'INVALID_SESSION_ID',
    );
    expect((await call(v, 'hubspot', withFault(p.hubspot, 'expired-token'))).json().category).toBe(
      'EXPIRED_AUTHENTICATION',
    );
    expect((await call(v, 'workday', withFault(p.workday, 'expired-token'))).json()).toEqual({
      error: 'invalid_token',
    });
  });

  it('malformed: status 200 with a JSON body cut short', async () => {
    const v = await start();
    const p = paths(v);
    for (const system of ['salesforce', 'hubspot', 'workday'] as const) {
      const r = await call(v, system, withFault(p[system], 'malformed'));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('json');
      expect(() => JSON.parse(r.text)).toThrow();
    }
  });

  it('missing-fields, wrong-types and empty damage the records of a successful page', async () => {
    const v = await start();
    const p = paths(v);
    const idKey = { salesforce: 'Id', hubspot: 'id', workday: 'id' } as const;
    for (const system of ['salesforce', 'hubspot', 'workday'] as const) {
      const missing = recordsOf(system, (await call(v, system, withFault(p[system], 'missing-fields'))).json());
      expect(missing.length).toBeGreaterThan(0);
      expect(missing.every((r) => !(idKey[system] in r))).toBe(true);
      const wrong = recordsOf(system, (await call(v, system, withFault(p[system], 'wrong-types'))).json());
      expect(wrong.every((r) => typeof r[idKey[system]] === 'number')).toBe(true);
      const empty = (await call(v, system, withFault(p[system], 'empty'))).json();
      expect(recordsOf(system, empty)).toEqual([]);
    }
    // An empty Workday page still says how many workers there are: a client paging until a short page stops early.
    expect((await call(v, 'workday', withFault(p.workday, 'empty'))).json().total).toBeGreaterThan(0);
  });

  it('loop: Salesforce names the same batch as the next one, HubSpot repeats the after cursor', async () => {
    const v = await start();
    const first = (await call(v, 'salesforce', withFault(soql('SELECT Id FROM Account'), 'loop'))).json();
    expect(first.done).toBe(false);
    const again = (await call(v, 'salesforce', first.nextRecordsUrl)).json();
    expect(again.nextRecordsUrl).toBe(first.nextRecordsUrl);
    expect(again.records.map((r: Json) => r.Id)).toEqual(first.records.map((r: Json) => r.Id));

    const page = (await call(v, 'hubspot', '/crm/v3/objects/contacts?limit=10&after=120&fault=loop')).json();
    expect(page.paging.next.after).toBe('120');
    const next = (await call(v, 'hubspot', '/crm/v3/objects/contacts?limit=10&after=120')).json();
    expect(next.paging.next.after).toBe('120');
  });

  it('timeout: holds the request without answering until the client gives up', async () => {
    const v = await start({ faults: { holdMs: 60_000 } });
    const t = Date.now();
    await expect(
      fetch(`${v.url}/hubspot/crm/v3/objects/contacts?fault=timeout`, {
        headers: { authorization: `Bearer ${v.credentials.hubspot.token}` },
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
  });

  it('timeout: drops the connection after the configured hold', async () => {
    const v = await start({ faults: { holdMs: 100 } });
    await expect(
      fetch(`${v.url}/workday/ccx/api/v1/modos_demo/workers?fault=timeout`, { signal: AbortSignal.timeout(5000) }),
    ).rejects.toThrow(/fetch failed/);
  });

  it('refuses an unknown fault name instead of ignoring it', async () => {
    const v = await start();
    const r = await call(v, 'hubspot', '/crm/v3/objects/contacts?fault=427');
    expect(r.status).toBe(400);
    expect(r.json().fakeVendorError).toContain('unknown fault');
  });

  it('fails the next count requests of an armed path prefix, then answers normally', async () => {
    const v = await start();
    const armed = await control(v, 'POST', '/faults', {
      system: 'hubspot',
      pathPrefix: '/crm/v3/objects/deals',
      fault: '500',
      count: 2,
    });
    expect(armed.status).toBe(201);
    expect((await call(v, 'hubspot', '/crm/v3/objects/contacts')).status).toBe(200);
    expect((await call(v, 'hubspot', '/crm/v3/objects/deals')).status).toBe(500);
    expect((await control(v, 'GET', '/faults')).json.armed).toEqual([
      { system: 'hubspot', pathPrefix: '/crm/v3/objects/deals', fault: '500', remaining: 1 },
    ]);
    expect((await call(v, 'hubspot', '/crm/v3/objects/deals')).status).toBe(500);
    expect((await call(v, 'hubspot', '/crm/v3/objects/deals')).status).toBe(200);
    await control(v, 'POST', '/faults', {
      system: 'salesforce',
      pathPrefix: '/salesforce/services/data',
      fault: 'expired-token',
      count: 1,
    });
    expect((await call(v, 'salesforce', soql('SELECT Id FROM Account'))).status).toBe(401);
    expect((await call(v, 'salesforce', soql('SELECT Id FROM Account'))).status).toBe(200);
  });
});

describe('fake vendors: control API', () => {
  it('creates, changes and deletes records at each vendor, and the truth follows', async () => {
    const v = await start({ workday: { requestsPerSecond: 0 } });
    const created = await control(v, 'POST', '/records', {
      system: 'salesforce',
      object: 'Contact',
      fields: { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' },
      entityId: 'p9999999',
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const read = (await call(v, 'salesforce', soql(`SELECT Id, Email FROM Contact WHERE Id = '${id}'`))).json();
    expect(read.records).toEqual([expect.objectContaining({ Id: id, Email: 'ada@example.com' })]);
    expect(v.control.truth({ system: 'salesforce' }).records).toContainEqual({
      system: 'salesforce',
      object: 'Contact',
      id,
      entityId: 'p9999999',
      kind: 'person',
    });

    const company = ids(v, 'hubspot', 'companies')[0]!;
    const hs = await control(v, 'POST', '/records', {
      system: 'hubspot',
      object: 'contacts',
      fields: { firstname: 'ada', associations: { companies: [company] } },
    });
    const contact = (await call(v, 'hubspot', `/crm/v3/objects/contacts/${hs.json.id}?associations=companies`)).json();
    expect(contact.associations.companies.results[0].id).toBe(company);
    const changed = await control(v, 'PATCH', `/records/hubspot/contacts/${hs.json.id}`, {
      fields: { lastname: 'lovelace' },
    });
    expect(changed.json.fields.lastname).toBe('lovelace');
    expect(changed.json.fields.lastmodifieddate).toBe('2026-12-01T12:00:00.001Z');

    const worker = await control(v, 'POST', '/records', {
      system: 'workday',
      object: 'workers',
      fields: { Legal_Name_First_Name: 'Ada', Legal_Name_Last_Name: 'Lovelace', Business_Title: 'Analyst' },
    });
    const list = (await call(v, 'workday', '/ccx/api/v1/modos_demo/workers?limit=100&offset=0')).json();
    expect(list.total).toBe(ids(v, 'workday', 'workers').length);
    const deleted = await control(v, 'DELETE', `/records/workday/workers/${worker.json.id}`);
    expect(deleted.json).toMatchObject({ deleted: true, fields: { Worker_Status: 'Terminated' } });

    expect((await control(v, 'PATCH', `/records/salesforce/Contact/${id}`, { fields: { Nickname: 'x' } })).status).toBe(
      400,
    );
    expect((await control(v, 'GET', '/records/hubspot/contacts/1')).status).toBe(404);
  });

  it('expires every token at once; a refresh works again', async () => {
    const v = await start();
    expect((await control(v, 'POST', '/tokens/expire', {})).json.expired).toBe(3);
    for (const s of ['salesforce', 'hubspot'] as const) {
      expect(
        (await call(v, s, s === 'salesforce' ? soql('SELECT Id FROM Account') : '/crm/v3/objects/contacts')).status,
      ).toBe(401);
    }
    const c = v.credentials.salesforce;
    const t = (
      await call(v, 'salesforce', '/services/oauth2/token', {
        token: null,
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: c.refreshToken,
          client_id: c.clientId,
          client_secret: c.clientSecret,
        }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
    ).json().access_token;
    expect((await call(v, 'salesforce', soql('SELECT Id FROM Account'), { token: t })).status).toBe(200);
  });

  it('counts requests per system and path kind, and resets data, counters and tokens', async () => {
    const v = await start();
    await call(v, 'salesforce', soql('SELECT Id FROM Account'));
    await call(v, 'hubspot', '/crm/v3/objects/contacts/search', { body: {} });
    await call(v, 'hubspot', '/crm/v3/objects/contacts');
    await call(v, 'workday', '/ccx/api/v1/modos_demo/workers', { token: 'x' });
    const stats = (await control(v, 'GET', '/stats')).json;
    expect(stats.requests).toEqual({
      salesforce: { query: 1 },
      hubspot: { search: 1, list: 1 },
      workday: { workers: 1 },
    });
    expect(stats.unauthorized.workday).toBe(1);
    const id = ids(v, 'hubspot', 'contacts')[0]!;
    v.control.remove('hubspot', 'contacts', id);
    v.control.expireTokens();
    expect((await control(v, 'POST', '/reset')).status).toBe(200);
    expect(v.control.get('hubspot', 'contacts', id).deleted).toBe(false);
    expect((await call(v, 'hubspot', '/crm/v3/objects/contacts')).status).toBe(200);
    expect(v.control.stats().totals).toEqual({ salesforce: 0, hubspot: 1, workday: 0 });
  });

  it('moves the clock and changes settings at run time', async () => {
    const v = await start();
    expect((await control(v, 'POST', '/clock', { advanceMs: 60_000 })).json.now).toBe('2026-12-01T12:01:00.000Z');
    const s = await control(v, 'PATCH', '/settings', { salesforce: { dailyLimit: 1 } });
    expect(s.json.salesforce.dailyLimit).toBe(1);
    expect((await control(v, 'PATCH', '/settings', { salesforce: { nope: 1 } })).status).toBe(400);
    await call(v, 'salesforce', soql('SELECT Id FROM Account'));
    expect((await call(v, 'salesforce', soql('SELECT Id FROM Account'))).status).toBe(403);
  });

  it('gives the same answers for the same seed and different ones for another seed', async () => {
    const a = await start({ seed: 3 });
    const b = await start({ seed: 3 });
    const c = await start({ seed: 4 });
    const read = async (v: FakeVendors) => [
      (
        await call(
          v,
          'salesforce',
          soql('SELECT Id, FirstName, LastName, Email, Phone, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id'),
        )
      ).text,
      (
        await call(v, 'hubspot', '/crm/v3/objects/contacts?limit=100&properties=firstname,lastname,email,phone')
      ).text.replace(/http:\/\/[^/]+/g, ''),
      (await call(v, 'workday', '/ccx/api/v1/modos_demo/workers?limit=100')).text.replace(/http:\/\/[^/]+/g, ''),
    ];
    const [ra, rb, rc] = await Promise.all([read(a), read(b), read(c)]);
    expect(rb).toEqual(ra);
    for (let i = 0; i < 3; i++) expect(rc![i]).not.toEqual(ra![i]);
    expect(b.control.truth()).toEqual(a.control.truth());
  });

  it('answers the truth for every vendor record, and people appear in two and in three systems', async () => {
    const v = await start();
    const truth = (await control(v, 'GET', '/truth')).json;
    const people = new Map<string, Set<string>>();
    for (const r of truth.records as Json[]) {
      if (r.kind !== 'person') continue;
      if (!people.has(r.entityId)) people.set(r.entityId, new Set());
      people.get(r.entityId)!.add(r.system);
    }
    const inTwo = [...people.values()].filter((s) => s.size >= 2).length;
    const inThree = [...people.values()].filter((s) => s.size === 3).length;
    expect(inTwo / people.size).toBeGreaterThan(0.25);
    expect(inThree).toBeGreaterThanOrEqual(Math.max(1, Math.round(0.03 * people.size)));
    expect(truth.records).toHaveLength(300);
    expect(truth.workdayEmployer.entityId).toMatch(/^o\d+$/);
  });
});
