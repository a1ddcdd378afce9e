// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
/**
 * Signal rules, the detector and deadlines on the local platform: rules created by API, entities written by API,
 * the detector's bundle invoked by the local bus (and directly, to deliver an event twice or two at once), the
 * deadline fired by the local scheduler, signals read by API and seen on the bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../local/event-bus.js';
import type { LocalPlatform } from '../../local/platform.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

let platform: LocalPlatform;
let adminA: ReturnType<typeof apiClient>;
let operatorA: ReturnType<typeof apiClient>;
let analystA: ReturnType<typeof apiClient>;
let adminB: ReturnType<typeof apiClient>;
const events: BusEvent[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.onEvent((e) => events.push(e));
  adminA = apiClient(platform.url, await platform.token({ tenantId: 'sig-a', roles: ['admin'], userId: 'alice' }));
  operatorA = apiClient(platform.url, await platform.token({ tenantId: 'sig-a', roles: ['operator'], userId: 'otto' }));
  analystA = apiClient(platform.url, await platform.token({ tenantId: 'sig-a', roles: ['analyst'], userId: 'ann' }));
  adminB = apiClient(platform.url, await platform.token({ tenantId: 'sig-b', roles: ['admin'], userId: 'bob' }));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

const del = (client: ReturnType<typeof apiClient>, path: string) => client.raw('DELETE', path, '');
const stage = (value: string) => ({ payload: { entity: { attributes: { stage: [value] } } } });

async function aDeal(client: ReturnType<typeof apiClient>, attributes: Record<string, unknown>): Promise<string> {
  const res = await client.post('/api/v1/entities', { type: 'deal', attributes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function patchDeal(client: ReturnType<typeof apiClient>, id: string, attributes: Record<string, unknown>) {
  const { body: current } = await client.get(`/api/v1/entities/${id}`);
  const res = await client.patch(`/api/v1/entities/${id}`, { version: current.version, attributes });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const signalsOf = async (client: ReturnType<typeof apiClient>, query: string) =>
  (await client.get(`/api/v1/signals?${query}`)).body.items as Array<Record<string, any>>;

const entityEvent = (type: string, entityId: string) =>
  events.find((e) => e['detail-type'] === type && (e.detail.payload as any)?.entity?.id === entityId);

describe('signal rules by API', () => {
  it('creates a rule (operator too), reads it back, and lists the tenant’s rules only', async () => {
    const res = await operatorA.post('/api/v1/signal-rules', {
      id: 'won',
      name: 'deal won',
      kind: 'match',
      match: { 'detail-type': ['entity.updated'], detail: stage('won') },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ id: 'won', version: 1, key: 'entityId', enabled: true, createdBy: 'otto' });
    expect((await analystA.get('/api/v1/signal-rules/won')).body).toEqual(res.body);
    expect((await adminB.get('/api/v1/signal-rules/won')).status).toBe(404);
    expect((await analystA.post('/api/v1/signal-rules', { ...res.body, id: 'x' })).status).toBe(403);
  });

  it.each([
    ['a malformed pattern', { match: { detail: { stage: 'won' } } }, 'match.detail.stage'],
    ['a window that is no duration', { kind: 'count', atLeast: 2, within: 'a week' }, 'within'],
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['a workflow the tenant does not have', { then: { startWorkflow: 'nope' } }, 'then.startWorkflow'],
  ])('answers 400 naming the field for %s, and stores nothing', async (_what, change, field) => {
    const before = (await adminA.get('/api/v1/signal-rules?limit=100')).body.items.length;
    const res = await adminA.post('/api/v1/signal-rules', {
      id: 'bad',
      name: 'bad',
      kind: 'match',
      match: { detail: stage('x') },
      ...change,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect((await adminA.get('/api/v1/signal-rules?limit=100')).body.items).toHaveLength(before);
    expect((await adminA.get('/api/v1/signal-rules/bad')).status).toBe(404);
  });

  it('changes a rule with the version read (409 when stale) and deletes it', async () => {
    const rule = { id: 'tmp', name: 'tmp', kind: 'match', match: { detail: stage('tmp') } };
    expect((await adminA.post('/api/v1/signal-rules', rule)).status).toBe(201);
    expect((await adminA.post('/api/v1/signal-rules', rule)).status).toBe(409);
    const changed = await adminA.patch('/api/v1/signal-rules/tmp', { version: 1, name: 'renamed' });
    expect(changed.body).toMatchObject({ version: 2, name: 'renamed' });
    expect((await adminA.patch('/api/v1/signal-rules/tmp', { version: 1, name: 'again' })).status).toBe(409);
    expect((await adminA.get('/api/v1/signal-rules/tmp?version=1')).body.name).toBe('tmp');
    expect((await del(adminA, '/api/v1/signal-rules/tmp?version=1')).status).toBe(409);
    expect((await del(adminA, '/api/v1/signal-rules/tmp?version=2')).status).toBe(204);
    expect((await adminA.get('/api/v1/signal-rules/tmp')).status).toBe(404);
    const actions = (await adminA.get('/api/v1/audit?limit=100')).body.items
      .filter((a: { resourceId: string }) => a.resourceId === 'tmp')
      .map((a: { action: string }) => a.action);
    expect(actions.sort()).toEqual(['signal-rule.create', 'signal-rule.delete', 'signal-rule.update']);
  });
});

describe('detection on entity changes', () => {
  it('fires a rule created by API on an entity updated by API: signal by API, audited, and signal.detected', async () => {
    const deal = await aDeal(adminA, { stage: 'open' });
    await patchDeal(adminA, deal, { stage: 'won' });
    const [signal] = await eventually(async () => {
      const items = await signalsOf(analystA, `entity=${deal}`);
      return items.length ? items : undefined;
    });
    expect(signal).toMatchObject({ ruleId: 'won', ruleVersion: 1, kind: 'match', key: deal, entityId: deal });
    expect(signal!.caseKey).toBe(`won:${deal}`);
    expect((await analystA.get(`/api/v1/signals/${signal!.id}`)).body).toEqual(signal);
    expect((await adminB.get(`/api/v1/signals/${signal!.id}`)).status).toBe(404);
    const updated = entityEvent('entity.updated', deal)!;
    expect(signal!.eventIds).toEqual([updated.detail.eventId]);
    const detected = await eventually(() =>
      events.find((e) => e['detail-type'] === 'signal.detected' && (e.detail.payload as any).signalId === signal!.id),
    );
    expect(detected.source).toBe('modos.signals');
    // The signal carries the entity write's correlation id on.
    expect(detected.detail.correlationId).toBe(updated.detail.correlationId);
    const audit = (await adminA.get('/api/v1/audit?limit=100')).body.items.find(
      (a: { resourceId: string }) => a.resourceId === signal!.id,
    );
    expect(audit).toMatchObject({ action: 'signal.detect', actor: 'system:signal-detector' });
  });

  it('detects a sequence from an entity created by API to its update', async () => {
    const created = await adminA.post('/api/v1/signal-rules', {
      id: 'reopened',
      name: 'created, then lost within a day',
      kind: 'sequence',
      first: { detail: { activity: ['entity.created'], entityType: ['deal'] } },
      then: { detail: stage('lost') },
      within: 'P1D',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const deal = await aDeal(adminA, { stage: 'open' });
    await patchDeal(adminA, deal, { stage: 'lost' });
    const items = await eventually(async () => {
      const s = await signalsOf(adminA, `rule=reopened&entity=${deal}`);
      return s.length ? s : undefined;
    });
    expect(items).toHaveLength(1);
    expect(items[0]!.eventIds).toEqual([
      entityEvent('entity.created', deal)!.detail.eventId,
      entityEvent('entity.updated', deal)!.detail.eventId,
    ]);
  });

  it('writes one signal for the same bus event delivered twice', async () => {
    const deal = await aDeal(adminA, { stage: 'open' });
    await patchDeal(adminA, deal, { stage: 'won' });
    await eventually(async () => (await signalsOf(adminA, `rule=won&entity=${deal}`)).length === 1);
    const event = entityEvent('entity.updated', deal)!;
    const again = (await platform.lambda.invoke('SignalDetector', structuredClone(event))) as { signals: string[] };
    expect(again.signals).toEqual([]);
    await platform.bus.drain();
    expect(await signalsOf(adminA, `rule=won&entity=${deal}`)).toHaveLength(1);
  });

  it('counts two changes of one key delivered at the same time once each (the key state is written conditionally)', async () => {
    expect(
      (
        await adminA.post('/api/v1/signal-rules', {
          id: 'busy',
          name: 'three touches in an hour',
          kind: 'count',
          match: { detail: { activity: ['entity.updated'], payload: { entity: { attributes: { touch: [true] } } } } },
          atLeast: 3,
          within: 'PT1H',
        })
      ).status,
    ).toBe(201);
    const deal = await aDeal(adminA, { stage: 'open' });
    await patchDeal(adminA, deal, { touch: true, n: 1 });
    const first = await eventually(() => entityEvent('entity.updated', deal));
    await platform.bus.drain();
    // Two more changes of the key, delivered concurrently (and one of them twice).
    const copy = (n: number) => {
      const e = structuredClone(first);
      e.detail.eventId = `${first.detail.eventId}-${n}`;
      e.detail.occurredAt = new Date(Date.parse(first.detail.occurredAt as string) + n * 1000).toISOString();
      return e;
    };
    const [second, third] = [copy(1), copy(2)];
    await Promise.all([
      platform.lambda.invoke('SignalDetector', second),
      platform.lambda.invoke('SignalDetector', third),
      platform.lambda.invoke('SignalDetector', structuredClone(third)),
    ]);
    const items = await signalsOf(adminA, `rule=busy&entity=${deal}`);
    expect(items).toHaveLength(1);
    expect(items[0]!.eventIds).toEqual([first.detail.eventId, second.detail.eventId, third.detail.eventId]);
  });

  it("keeps tenants apart: another tenant's rules never see the event", async () => {
    expect(
      (
        await adminB.post('/api/v1/signal-rules', {
          id: 'everything',
          name: 'every change',
          kind: 'match',
          match: { source: ['modos.entities'] },
        })
      ).status,
    ).toBe(201);
    const deal = await aDeal(adminA, { stage: 'open' });
    await eventually(() => entityEvent('entity.created', deal));
    await platform.bus.drain();
    expect(await signalsOf(adminB, `entity=${deal}`)).toEqual([]);
    expect(await signalsOf(adminB, 'rule=everything')).toEqual([]);
    const theirs = await aDeal(adminB, { stage: 'open' });
    await eventually(async () => (await signalsOf(adminB, `entity=${theirs}`)).length === 1);
    expect((await signalsOf(adminA, 'limit=100')).some((s) => s.key === theirs)).toBe(false);
  });

  it('stops detecting with the next event once the rule is deleted', async () => {
    const { body: rule } = await adminA.get('/api/v1/signal-rules/won');
    expect((await del(adminA, `/api/v1/signal-rules/won?version=${rule.version}`)).status).toBe(204);
    const deal = await aDeal(adminA, { stage: 'open' });
    await patchDeal(adminA, deal, { stage: 'won' });
    await eventually(() => entityEvent('entity.updated', deal));
    await platform.bus.drain();
    expect(await signalsOf(adminA, `entity=${deal}`)).toEqual([]);
  });
});

describe('absence deadlines', () => {
  it('fires at its deadline through the local scheduler, even when nothing else happens', async () => {
    expect(
      (
        await adminA.post('/api/v1/signal-rules', {
          id: 'uninvoiced',
          name: 'created and not invoiced within 3 s',
          kind: 'absence',
          first: { detail: { activity: ['entity.created'], payload: { entity: { attributes: { invoice: [true] } } } } },
          missing: { detail: { payload: { entity: { attributes: { invoiced: [true] } } } } },
          within: 'PT3S',
        })
      ).status,
    ).toBe(201);
    const silent = await aDeal(adminA, { invoice: true });
    const paid = await aDeal(adminA, { invoice: true });
    await patchDeal(adminA, paid, { invoiced: true });
    const created = await eventually(() => entityEvent('entity.created', silent));
    // Scheduler fires one-shot schedules within the minute after their time: the local scheduler as AWS does.
    const [signal] = await eventually(async () => {
      const items = await signalsOf(adminA, `rule=uninvoiced&entity=${silent}`);
      return items.length ? items : undefined;
    }, 90_000);
    expect(signal).toMatchObject({ kind: 'absence', eventIds: [created.detail.eventId] });
    expect(Date.parse(signal!.at)).toBe(Date.parse(created.detail.occurredAt as string) + 3000);
    expect(Date.parse(signal!.detectedAt)).toBeGreaterThanOrEqual(Date.parse(signal!.at));
    await platform.scheduler.settled();
    expect(await signalsOf(adminA, `rule=uninvoiced&entity=${paid}`)).toEqual([]);
  }, 120_000);
});

describe('previewing a rule on the last 30 days', () => {
  let adminP: ReturnType<typeof apiClient>;
  let analystP: ReturnType<typeof apiClient>;
  let approverP: ReturnType<typeof apiClient>;
  const deals: string[] = [];
  const everyDeal = {
    id: 'all',
    name: 'every deal change',
    kind: 'match',
    match: { detail: { entityType: ['deal'] } },
  };
  const preview = (client: ReturnType<typeof apiClient>, rule: unknown, days?: number) =>
    client.post('/api/v1/signal-rules/preview', days === undefined ? { rule } : { rule, days });

  beforeAll(async () => {
    const token = (roles: string[]) => platform.token({ tenantId: 'sig-p', roles, userId: 'pat' });
    adminP = apiClient(platform.url, await token(['admin']));
    analystP = apiClient(platform.url, await token(['analyst']));
    approverP = apiClient(platform.url, await token(['approver']));
    // d0: open → won → won again (touched); d1: created won; d2: open → lost.
    deals.push(await aDeal(adminP, { stage: 'open' }), await aDeal(adminP, { stage: 'won' }));
    deals.push(await aDeal(adminP, { stage: 'open' }));
    await patchDeal(adminP, deals[0]!, { stage: 'won' });
    await patchDeal(adminP, deals[0]!, { touched: true });
    await patchDeal(adminP, deals[2]!, { stage: 'lost' });
  });

  it('counts what a rule would have fired on the entity changes the detector recorded, and writes nothing', async () => {
    // The detector has recorded all six changes once the preview of a rule matching every deal change sees them.
    const all = await eventually(async () => {
      const res = await preview(analystP, everyDeal);
      return res.status === 200 && res.body.events === 6 ? res : undefined;
    });
    const today = new Date(all.body.to).toISOString().slice(0, 10);
    expect(all.body).toMatchObject({ days: 30, events: 6, fired: 6, keys: 3, truncated: false, trimmed: 0 });
    expect(all.body.byDay).toHaveLength(30);
    expect(all.body.byDay.at(-1).day).toBe(today);
    expect(all.body.byDay.reduce((n: number, d: { count: number }) => n + d.count, 0)).toBe(6);
    expect(all.body.from).toBe(new Date(Date.parse(`${today}T00:00:00.000Z`) - 29 * 86_400_000).toISOString());

    const won = await preview(analystP, {
      id: 'won-after-open',
      name: 'opened, then won within a day',
      kind: 'sequence',
      first: { detail: { activity: ['entity.created'], payload: { entity: { attributes: { stage: ['open'] } } } } },
      then: { detail: stage('won') },
      within: 'P1D',
    });
    expect(won.status, JSON.stringify(won.body)).toBe(200);
    expect(won.body).toMatchObject({ events: 6, fired: 1, keys: 1 });
    const createdEvent = entityEvent('entity.created', deals[0]!)!;
    expect(won.body.samples).toHaveLength(1);
    expect(won.body.samples[0]).toMatchObject({ key: deals[0] });
    expect(won.body.samples[0].eventIds[0]).toBe(createdEvent.detail.eventId);

    // Two days: the changes were made today, or just before midnight yesterday.
    const thrice = await preview(adminP, { ...everyDeal, id: 'busy', kind: 'count', atLeast: 3, within: 'PT1H' }, 2);
    expect(thrice.body).toMatchObject({ days: 2, fired: 1, keys: 1, samples: [{ key: deals[0] }] });
    expect(thrice.body.byDay.map((d: { day: string }) => d.day).at(-1)).toBe(today);
    expect(thrice.body.byDay).toHaveLength(2);

    // A preview stores no rule, no signal and no audit record.
    expect((await adminP.get('/api/v1/signal-rules')).body.items).toEqual([]);
    expect(await signalsOf(adminP, 'limit=100')).toEqual([]);
    const audited = (await adminP.get('/api/v1/audit?limit=100')).body.items.map((a: { action: string }) => a.action);
    expect(audited.filter((a: string) => a.startsWith('signal'))).toEqual([]);
  });

  it("sees the tenant's own history only", async () => {
    const res = await preview(adminB, everyDeal);
    expect(res.status).toBe(200);
    // Tenant sig-b's deals were created and never changed: one event each, and none of sig-p's.
    const theirs = (await adminB.get('/api/v1/entities?type=deal&limit=100')).body.items as Array<{ id: string }>;
    expect(theirs.length).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ events: theirs.length, fired: theirs.length });
    expect(res.body.samples.map((s: { key: string }) => s.key).sort()).toEqual(theirs.map((d) => d.id).sort());
  });

  it.each([
    ['a malformed pattern', { ...everyDeal, match: { detail: { stage: 'won' } } }, 'rule.match.detail.stage'],
    ['an unknown field', { ...everyDeal, colour: 'red' }, 'rule.colour'],
    [
      'a workflow the tenant does not have',
      { ...everyDeal, then: { startWorkflow: 'nope' } },
      'rule.then.startWorkflow',
    ],
  ])('answers 400 naming the field under rule. for %s', async (_what, rule, field) => {
    const res = await preview(adminP, rule);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('refuses days outside 1..30, a role without signals:read, and a rule with the id preview', async () => {
    const res = await preview(adminP, everyDeal, 31);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['days']);
    expect((await preview(approverP, everyDeal)).status).toBe(403);
    const reserved = await adminP.post('/api/v1/signal-rules', { ...everyDeal, id: 'preview' });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.details.map((d: { field: string }) => d.field)).toEqual(['id']);
  });
});
