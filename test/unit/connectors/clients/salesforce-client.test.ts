/**
 * The Salesforce client's own decisions against a tiny scripted server (the fake vendors cover the API at large in
 * test/integration/connector-clients.test.ts): what it sends, a getDeleted window older than Salesforce keeps,
 * paging links that leave the instance, positions that are not its own.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sourceClientFor } from '../../../../functions/adapters/connectors/index.js';
import { noBreaker } from '../../../../functions/adapters/connectors/shared/circuit-breaker.js';
import { ConnectorError, MalformedPageError } from '../../../../functions/domain/connectors/errors.js';
import type { SourceClient } from '../../../../functions/domain/connectors/ports.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}
type Reply = { status: number; body: unknown; headers?: Record<string, string> };

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

async function aSalesforce(reply: (seen: Seen) => Reply) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    seen.push(s);
    const r = reply(s);
    res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers }).end(JSON.stringify(r.body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client: SourceClient = sourceClientFor(
    { id: 'c1', system: 'salesforce', baseUrl: `http://127.0.0.1:${port}`, settings: {} },
    {
      tokens: {
        get: async () => ({ accessToken: 'sf-session', expiresAt: null, instanceUrl: `http://127.0.0.1:${port}` }),
        refresh: async () => {
          throw new Error('not expected');
        },
      },
      breaker: noBreaker,
      urlPolicy: { allowHttpLoopback: true, loopbackPorts: new Set([port]) },
      limiter: { take: async () => 0 },
      sleep: async () => {},
    },
  );
  return { client, seen };
}

const queryPage = (records: unknown[], more?: string) => ({
  totalSize: 3,
  done: more === undefined,
  ...(more ? { nextRecordsUrl: more } : {}),
  records,
});

describe('the Salesforce client', () => {
  it('sends the SOQL of the pass, the batch size and the session', async () => {
    const { client, seen } = await aSalesforce(() => ({ status: 200, body: queryPage([{ Id: '003A' }]) }));
    await client.readPage({ object: 'Contact', position: null, since: '2026-11-30T10:15:00.123Z', pageSize: 50 });
    const url = new URL(seen[0]!.url, 'http://x');
    expect(url.pathname).toBe('/services/data/v62.0/query');
    expect(url.searchParams.get('q')).toBe(
      'SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, Title, Birthdate, MailingStreet, MailingCity, ' +
        'MailingPostalCode, MailingCountry, AccountId, CreatedDate, SystemModstamp, IsDeleted FROM Contact ' +
        'WHERE SystemModstamp >= 2026-11-30T10:15:00Z ORDER BY SystemModstamp, Id',
    );
    // 50 is below Salesforce's smallest batch: 200 is asked for.
    expect(seen[0]!.headers['sforce-query-options']).toBe('batchSize=200');
    expect(seen[0]!.headers.authorization).toBe('Bearer sf-session');
  });

  it('follows nextRecordsUrl and ends on done', async () => {
    const { client, seen } = await aSalesforce((s) =>
      s.url.includes('/query/')
        ? { status: 200, body: queryPage([{ Id: '003C' }]) }
        : { status: 200, body: queryPage([{ Id: '003A' }, { Id: '003B' }], '/services/data/v62.0/query/01gABC-2') },
    );
    const first = await client.readPage({ object: 'Contact', position: null, since: null, pageSize: 2000 });
    expect(first.next).not.toBeNull();
    const second = await client.readPage({ object: 'Contact', position: first.next, since: null, pageSize: 2000 });
    expect(second.next).toBeNull();
    expect(seen[1]!.url).toBe('/services/data/v62.0/query/01gABC-2');
  });

  it('refuses a paging link that leaves the instance', async () => {
    const { client } = await aSalesforce(() => ({
      status: 200,
      body: queryPage([{ Id: '003A' }], 'https://elsewhere.example/services/data/v62.0/query/01g-2'),
    }));
    const error = await client
      .readPage({ object: 'Contact', position: null, since: null, pageSize: 200 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(MalformedPageError);
    expect((error as Error).message).toContain('nextRecordsUrl');
  });

  it('refuses a page that is not done and has no next link', async () => {
    const { client } = await aSalesforce(() => ({ status: 200, body: { totalSize: 5, done: false, records: [] } }));
    const error = await client
      .readPage({ object: 'Account', position: null, since: null, pageSize: 200 })
      .catch((e) => e);
    expect((error as Error).message).toContain('done is false but nextRecordsUrl is missing');
  });

  it('asks getDeleted from inside its window when the vendor keeps less than was asked, and says so', async () => {
    const { client, seen } = await aSalesforce((s) => {
      const start = new URL(s.url, 'http://x').searchParams.get('start')!;
      if (Date.parse(start) < Date.parse('2026-11-16T00:00:00Z')) {
        return {
          status: 400,
          body: [{ message: 'startDate before earliestDateAvailable', errorCode: 'INVALID_REPLICATION_DATE' }],
        };
      }
      return {
        status: 200,
        body: {
          deletedRecords: [{ id: '003X', deletedDate: '2026-11-29T10:00:00.000+0000' }],
          earliestDateAvailable: '2026-11-16T10:00:00.000+0000',
          latestDateCovered: '2026-12-01T10:00:00.000+0000',
        },
      };
    });
    const page = await client.readDeleted!({
      object: 'Contact',
      since: '2026-10-01T00:00:00.000Z',
      until: '2026-12-01T10:00:00.000Z',
      position: null,
    });
    expect(page.ids).toEqual(['003X']);
    expect(page.earliestAvailable).toBe('2026-11-16T10:00:00.000Z');
    expect(seen.map((s) => new URL(s.url, 'http://x').pathname)).toEqual([
      '/services/data/v62.0/sobjects/Contact/deleted/',
      '/services/data/v62.0/sobjects/Contact/deleted/',
    ]);
  });

  it('refuses a position it did not write and an object it does not know, without calling the vendor', async () => {
    const { client, seen } = await aSalesforce(() => ({ status: 200, body: queryPage([]) }));
    for (const request of [
      { object: 'Contact', position: '{"after":"5"}' },
      { object: 'Lead', position: null },
    ]) {
      const error = (await client
        .readPage({ ...request, since: null, pageSize: 200 })
        .catch((e) => e)) as ConnectorError;
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error.retryable).toBe(false);
    }
    expect(seen).toHaveLength(0);
  });
});
