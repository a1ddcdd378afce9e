import { beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectorError,
  CursorExpiredError,
  MalformedPageError,
  SourceRateLimitedError,
} from '../../../../functions/domain/connectors/errors.js';
import type {
  DeletedPage,
  NormalisedRecord,
  Normaliser,
  PageRequest,
  SourceClient,
  SourcePage,
} from '../../../../functions/domain/connectors/ports.js';
import type { ConnectorRecord } from '../../../../functions/domain/connectors/store.js';
import { entityIdOf } from '../../../../functions/domain/connectors/sync/entity-ids.js';
import {
  type SyncEngineDeps,
  cursorView,
  finishSync,
  syncPages,
} from '../../../../functions/domain/connectors/sync/engine.js';
import { type SyncApiDeps, getSyncRun, startSync } from '../../../../functions/domain/connectors/sync/runs.js';
import type { Clock, RequestContext } from '../../../../functions/domain/ports.js';
import type { SyncRunRecord } from '../../../../functions/domain/connectors/sync/store.js';
import { sequentialIds } from '../../../fakes/clock-and-ids.js';
import { InMemoryBlobStore, InMemorySyncStore } from '../../../fakes/in-memory-sync-store.js';

const T = 'acme';
const ctx: RequestContext = { principal: { tenantId: T, userId: 'u-admin', roles: ['admin'] }, requestId: 'r-1' };

interface RawContact {
  Id: string;
  Name: string;
  Email?: string;
  AccountId?: string | null;
  SystemModstamp: string;
  IsDeleted?: boolean;
}

/** A vendor of Contact records ordered by SystemModstamp, Id; positions are offsets. */
class FakeVendor implements SourceClient {
  readonly system = 'salesforce' as const;
  records = new Map<string, RawContact>();
  deleted: { id: string; at: string }[] = [];
  earliestDeletion: string | undefined;
  /** Thrown before the n-th next readPage call is served (null: none). */
  faults: (Error | null)[] = [];
  /** Overrides the total the vendor reports. */
  reportTotal: number | null = null;
  calls = 0;

  add(n: number, at: string, from = 0) {
    for (let i = from; i < from + n; i++) {
      const id = `003${String(i).padStart(5, '0')}`;
      this.records.set(id, {
        Id: id,
        Name: `Person ${i}`,
        Email: `p${i}@x.example`,
        AccountId: 'A1',
        SystemModstamp: at,
      });
    }
  }

  async readPage(request: PageRequest): Promise<SourcePage> {
    this.calls++;
    const fault = this.faults.shift();
    if (fault) throw fault;
    const all = [...this.records.values()]
      .filter((r) => !request.since || r.SystemModstamp >= request.since)
      .sort((a, b) => a.SystemModstamp.localeCompare(b.SystemModstamp) || String(a.Id).localeCompare(String(b.Id)));
    const offset = request.position ? Number(request.position) : 0;
    const records = all.slice(offset, offset + request.pageSize);
    const end = offset + records.length;
    return {
      records,
      body: JSON.stringify({ records }),
      next: end < all.length ? String(end) : null,
      total: this.reportTotal ?? all.length,
      stats: { rateLimitWaits: 0, retries: 0, waitedMs: 0, tokenRefreshes: 0 },
    };
  }

  async readDeleted(request: { since: string; until: string }): Promise<DeletedPage> {
    return {
      ids: this.deleted.filter((d) => d.at >= request.since && d.at < request.until).map((d) => d.id),
      body: '{}',
      next: null,
      ...(this.earliestDeletion ? { earliestAvailable: this.earliestDeletion } : {}),
      stats: { rateLimitWaits: 0, retries: 0, waitedMs: 0, tokenRefreshes: 0 },
    };
  }
}

/** Contact → person (fullName, email) and works-at its account's organization. */
const normalise: Normaliser = (object, raw): NormalisedRecord => {
  const r = raw as RawContact;
  if (typeof r?.Id !== 'string') throw new MalformedPageError(`${object} record field Id: expected string`);
  const ref = { namespace: 'Contact', sourceId: r.Id, role: 'person' as const };
  return {
    sourceId: r.Id,
    modifiedAt: r.SystemModstamp,
    deleted: r.IsDeleted === true,
    entities: [
      {
        ref,
        type: 'person',
        attributes: { fullName: r.Name, ...(r.Email ? { email: r.Email } : {}), source: 'salesforce' },
      },
    ],
    relations: r.AccountId
      ? [{ kind: 'works-at', from: ref, to: { namespace: 'Account', sourceId: r.AccountId, role: 'organization' } }]
      : [],
  };
};

class MovingClock implements Clock {
  constructor(public t: number) {}
  now() {
    return new Date(this.t);
  }
}

const connector = (): ConnectorRecord => ({
  id: 'c1',
  system: 'salesforce',
  name: 'SF',
  baseUrl: 'https://acme.my.salesforce.com',
  credentialsKind: 'client_credentials',
  sealedCredentials: 'sealed',
  settings: { objects: ['Contact'], pageSize: 10 },
  schedule: null,
  enabled: true,
  activeRunId: null,
  lastRun: null,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

let store: InMemorySyncStore;
let vendor: FakeVendor;
let pages: InMemoryBlobStore;
let clock: MovingClock;
let engine: SyncEngineDeps;
let api: SyncApiDeps;

beforeEach(() => {
  store = new InMemorySyncStore();
  store.connectors.set('c1', connector());
  vendor = new FakeVendor();
  pages = new InMemoryBlobStore();
  clock = new MovingClock(Date.parse('2026-11-30T12:00:00.000Z'));
  engine = {
    store,
    connectors: { get: async (_t, id) => store.connectors.get(id) },
    clientFor: async () => vendor,
    normaliserFor: () => normalise,
    pages,
    clock,
    budgetMs: 60_000,
    writeConcurrency: 4,
  };
  api = {
    store,
    connectors: engine.connectors,
    starter: { start: async () => undefined },
    clock,
    ids: sequentialIds('run'),
  };
});

/** Runs the machine's loop to the end as Step Functions would (waits skipped), like the ASL. */
async function runToEnd(runId: string): Promise<string> {
  for (let i = 0; i < 1000; i++) {
    let step;
    try {
      step = await syncPages({ tenantId: T, runId }, engine);
    } catch (error) {
      const e = error as Error;
      return (
        await finishSync(
          {
            tenantId: T,
            runId,
            outcome: 'failed',
            error: { Error: e.name, Cause: JSON.stringify({ errorMessage: e.message }) },
          },
          engine,
        )
      ).status;
    }
    if (step.next === 'finish') return (await finishSync({ tenantId: T, runId, outcome: 'completed' }, engine)).status;
    if (step.next === 'wait') clock.t += step.waitSeconds * 1000;
  }
  throw new Error('the run did not end');
}

async function sync(full = false) {
  const { runId } = await startSync('c1', { full }, ctx, api);
  const status = await runToEnd(runId);
  clock.t += 60_000;
  return { runId, status, run: await getSyncRun(runId, ctx, api) };
}

describe('connector sync engine', () => {
  it('creates one entity per record with one transaction each, keeps every raw page, and succeeds', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    const { status, run, runId } = await sync();
    expect(status).toBe('succeeded');
    expect(run.counts).toMatchObject({ pages: 3, read: 25, created: 25, changed: 0, unchanged: 0, failed: 0 });
    expect(store.writes).toBe(25);
    expect(store.events.filter((e) => e.name === 'entity.created')).toHaveLength(25);
    expect(store.events.at(-1)).toMatchObject({ name: 'connector.sync.completed', payload: { status: 'succeeded' } });
    expect([...pages.objects.keys()].filter((k) => k.includes(`${runId}/Contact/page-`))).toHaveLength(3);
    const person = store.entities.get(entityIdOf('c1', { namespace: 'Contact', sourceId: '00300003', role: 'person' }));
    expect(person?.attributes).toMatchObject({ fullName: 'Person 3', email: 'p3@x.example', source: 'salesforce' });
    const org = entityIdOf('c1', { namespace: 'Account', sourceId: 'A1', role: 'organization' });
    expect(store.relations.has(`${person!.id}|works-at|${org}`)).toBe(true);
    expect(run.progress).toBe(1);
    expect(store.connectors.get('c1')?.activeRunId).toBeNull();
    expect(store.cursorItems.get('c1|Contact')?.watermark).toBe('2026-11-29T10:00:00.000Z');
  });

  it('writes nothing and emits no entity event when a full resync finds the same data', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    await sync();
    const writes = store.writes;
    const events = store.events.length;
    const { run } = await sync(true);
    expect(run.counts).toMatchObject({ read: 25, created: 0, changed: 0, unchanged: 25, deleted: 0 });
    expect(store.writes).toBe(writes);
    expect(store.events.slice(events).map((e) => e.name)).toEqual(['connector.sync.completed']);
  });

  it('reads incrementally from the watermark minus the overlap, and emits entity.updated naming what changed', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    await sync();
    vendor.records.get('00300004')!.Email = 'new@x.example';
    vendor.records.get('00300004')!.SystemModstamp = '2026-11-30T12:30:00.000Z';
    const before = store.events.length;
    const { run } = await sync();
    expect(run.objects[0]).toMatchObject({ mode: 'incremental', since: '2026-11-29T09:55:00.000Z' });
    expect(run.counts).toMatchObject({ read: 25, changed: 1, unchanged: 24 });
    const updated = store.events.slice(before).filter((e) => e.name === 'entity.updated');
    expect(updated).toHaveLength(1);
    expect((updated[0]!.payload as { changed: string[] }).changed).toEqual(['email']);
  });

  it('resumes a run that died mid-page from the last committed page with the counts of an uninterrupted run', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    const { runId } = await startSync('c1', { full: false }, ctx, api);
    store.failWriteAfter = 14; // page 1 (10) committed, page 2 dies after 4 of its 10 writes
    await expect(syncPages({ tenantId: T, runId }, engine)).rejects.toThrow('process died');
    expect((await getSyncRun(runId, ctx, api)).counts).toMatchObject({ pages: 1, read: 10, created: 10 });
    store.failWriteAfter = null;
    expect(await runToEnd(runId)).toBe('succeeded');
    const run = await getSyncRun(runId, ctx, api);
    expect(run.counts).toMatchObject({ pages: 3, read: 25, created: 25, changed: 0, unchanged: 0 });
    expect(store.entities.size).toBe(25);
    expect(store.events.filter((e) => e.name === 'entity.created')).toHaveLength(25);
  });

  it('counts records a restarted pass reads again once (the vendor dropped its cursor)', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    vendor.faults = [null, new CursorExpiredError('invalid query locator')];
    const { run } = await sync();
    expect(run.counts).toMatchObject({ created: 25, changed: 0, unchanged: 0 });
    expect(store.writes).toBe(25);
  });

  it('fails on a malformed page, commits nothing of it and leaves the cursor at the last committed page', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    vendor.records.set('00300015', { ...vendor.records.get('00300015')!, Id: 15 as unknown as string });
    const { status, run } = await sync();
    expect(status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'CONNECTOR_ERROR', name: 'MalformedPageError' });
    // The record with a numeric Id sorts last: pages 1 and 2 commit, page 3 (5 records) fails whole.
    expect(run.error?.message).toContain('Contact page 3');
    expect(run.counts).toMatchObject({ pages: 2, created: 20, failed: 5 });
    expect(run.objects[0]?.cursor).toBe('20');
    expect(store.writes).toBe(20);
    expect(store.cursorItems.size).toBe(0);
    expect(store.connectors.get('c1')?.activeRunId).toBeNull();
  });

  it('refuses a next page that is the page just read (a paging loop)', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    const real = vendor.readPage.bind(vendor);
    vendor.readPage = async (r) => ({ ...(await real(r)), next: r.position ?? '0' });
    const { status, run } = await sync();
    expect(status).toBe('failed');
    expect(run.error?.message).toMatch(/loops/);
  });

  it('waits out a rate limit through the state machine and counts it', async () => {
    vendor.add(5, '2026-11-29T10:00:00.000Z');
    vendor.faults = [new SourceRateLimitedError('REQUEST_LIMIT_EXCEEDED', 120)];
    const { runId } = await startSync('c1', { full: false }, ctx, api);
    expect(await syncPages({ tenantId: T, runId }, engine)).toEqual({ next: 'wait', waitSeconds: 120 });
    expect((await getSyncRun(runId, ctx, api)).status).toBe('waiting');
    expect(await runToEnd(runId)).toBe('succeeded');
    expect((await getSyncRun(runId, ctx, api)).counts).toMatchObject({ rateLimitWaits: 1, created: 5 });
  });

  it('reports completed_with_gaps, not success, when it read fewer records than the vendor says it holds', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    vendor.reportTotal = 27;
    const { status, run } = await sync();
    expect(status).toBe('completed_with_gaps');
    expect(run.gaps[0]).toMatch(/read 25 of the 27/);
    expect(store.cursorItems.get('c1|Contact')?.watermark ?? null).toBeNull();
  });

  it('marks records missing from a full pass deleted and keeps the entity with its history', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    await sync();
    vendor.records.delete('00300007');
    const { run } = await sync(true);
    expect(run.counts).toMatchObject({ deleted: 1, unchanged: 24 });
    const id = entityIdOf('c1', { namespace: 'Contact', sourceId: '00300007', role: 'person' });
    expect(store.entities.get(id)?.attributes).toMatchObject({
      fullName: 'Person 7',
      sourceDeletedAt: expect.any(String),
    });
    const again = await sync(true);
    expect(again.run.counts.deleted).toBe(0);
  });

  it('holds back a full pass that would delete more than half of the records', async () => {
    vendor.add(60, '2026-11-29T10:00:00.000Z');
    await sync();
    for (let i = 0; i < 40; i++) vendor.records.delete(`003${String(i).padStart(5, '0')}`);
    const { status, run } = await sync(true);
    expect(status).toBe('completed_with_gaps');
    expect(run.counts.deleted).toBe(0);
    expect(run.gaps.join(' ')).toMatch(/40 of 60 .* held back/);
  });

  it('records deletions from the vendor feed on an incremental pass', async () => {
    vendor.add(5, '2026-11-29T10:00:00.000Z');
    await sync();
    vendor.records.delete('00300002');
    vendor.deleted.push({ id: '00300002', at: new Date(clock.t).toISOString() });
    clock.t += 1000;
    const { run } = await sync();
    expect(run.counts).toMatchObject({ deleted: 1 });
  });

  it('forces a full pass after a deletion feed that lost deletions', async () => {
    vendor.add(5, '2026-11-29T10:00:00.000Z');
    await sync();
    vendor.earliestDeletion = '2026-12-30T00:00:00.000Z';
    const second = await sync();
    expect(second.run.gaps[0]).toMatch(/no longer reports deletions/);
    const third = await sync();
    expect(third.run.objects[0]?.mode).toBe('full');
  });

  it('answers 409 while a sync of the connector runs, and takes over a stale one', async () => {
    vendor.add(5, '2026-11-29T10:00:00.000Z');
    const { runId } = await startSync('c1', { full: false }, ctx, api);
    await expect(startSync('c1', { full: false }, ctx, api)).rejects.toMatchObject({ status: 409 });
    clock.t += 16 * 60_000;
    const second = await startSync('c1', { full: false }, ctx, api);
    expect(second.runId).not.toBe(runId);
    expect(store.connectors.get('c1')?.activeRunId).toBe(second.runId);
  });

  it('fails the run with CONNECTOR_ERROR and the vendor message when the vendor gives up', async () => {
    vendor.faults = [new ConnectorError('salesforce: invalid client credentials', { vendorCode: 'invalid_client' })];
    const { status, run } = await sync();
    expect(status).toBe('failed');
    expect(run.error).toEqual({
      code: 'CONNECTOR_ERROR',
      name: 'ConnectorError',
      message: 'salesforce: invalid client credentials',
    });
  });

  it('counts an unchanged resync whose cursor the vendor dropped once as one pass, not one and a half', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    await sync();
    vendor.faults = [null, new CursorExpiredError('invalid query locator')];
    const { run } = await sync(true);
    expect(run.counts).toMatchObject({ pages: 3, read: 25, unchanged: 25, created: 0, changed: 0 });
  });

  it('counts records created before a restart once after it, and those after it once too', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    vendor.faults = [null, null, new CursorExpiredError('invalid query locator')];
    const { run, status } = await sync();
    expect(status).toBe('succeeded');
    expect(run.counts).toMatchObject({ read: 25, created: 25, changed: 0, unchanged: 0 });
  });

  it('gives up on a pass whose cursor the vendor keeps dropping', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    vendor.faults = Array.from({ length: 10 }, (_, i) => (i % 2 ? new CursorExpiredError('gone') : null));
    const { status, run } = await sync();
    expect(status).toBe('failed');
    expect(run.error?.message).toMatch(/dropped its cursor 4 times/);
  });

  it('holds back the deletions of a full pass that read fewer records than the vendor reports', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    await sync();
    vendor.records.delete('00300001');
    vendor.reportTotal = 26;
    const { status, run } = await sync(true);
    expect(status).toBe('completed_with_gaps');
    expect(run.counts.deleted).toBe(0);
    expect(run.gaps[0]).toMatch(/read 24 of the 26 .* deletions are held back/);
  });

  it('waits and tries a page again when the vendor fails retryably, and fails the run only after a few tries', async () => {
    vendor.add(5, '2026-11-29T10:00:00.000Z');
    const outage = () => new ConnectorError('Workday answered 500 five times', { retryable: true, httpStatus: 500 });
    vendor.faults = [outage(), outage()];
    const first = await sync();
    expect(first.status).toBe('succeeded');
    expect(first.run.counts).toMatchObject({ created: 5, retries: 2 });
    vendor.faults = Array.from({ length: 10 }, outage);
    const second = await sync(true);
    expect(second.status).toBe('failed');
    expect(second.run.error).toMatchObject({ code: 'CONNECTOR_ERROR', message: 'Workday answered 500 five times' });
  });

  it('fails a run whose execution could not be started and releases the connector for the next try', async () => {
    api.starter = { start: async () => Promise.reject(new Error('StartExecution failed')) };
    await expect(startSync('c1', { full: false }, ctx, api)).rejects.toThrow('StartExecution failed');
    expect(store.connectors.get('c1')?.activeRunId).toBeNull();
    const [failed] = [...store.runs.values()];
    expect(failed).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/could not be started/) },
    });
    api.starter = { start: async () => undefined };
    await expect(startSync('c1', { full: false }, ctx, api)).resolves.toMatchObject({ status: 'queued' });
  });

  it('shows a large vendor position by its size in the run, keeping it whole where the engine resumes from it', async () => {
    vendor.add(25, '2026-11-29T10:00:00.000Z');
    const big = `{"m":"search","tids":[${Array.from({ length: 400 }, (_, i) => `"${i}"`).join(',')}]}`;
    const real = vendor.readPage.bind(vendor);
    vendor.readPage = async (r) => {
      const page = await real({ ...r, position: r.position === big ? '10' : r.position });
      return { ...page, next: page.next === '10' ? big : page.next };
    };
    // The checkpoint after the first page holds the large position.
    const saved: SyncRunRecord[] = [];
    const save = store.saveRun.bind(store);
    store.saveRun = async (t, run, seq) => {
      saved.push(structuredClone(run));
      return save(t, run, seq);
    };
    const { runId } = await startSync('c1', { full: false }, ctx, api);
    expect(await runToEnd(runId)).toBe('succeeded');
    const atBig = saved.find((r) => r.passes[0]?.position === big);
    expect(atBig?.objects[0]?.cursor).toBe(cursorView(big));
    expect(cursorView(big)!.length).toBeLessThan(200);
    expect((await getSyncRun(runId, ctx, api)).counts).toMatchObject({ read: 25, created: 25 });
  });
});
