import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../local/event-bus.js';
import type { LocalPlatform } from '../../local/platform.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

let platform: LocalPlatform;
let adminA: ReturnType<typeof apiClient>;
let analystA: ReturnType<typeof apiClient>;
let operatorA: ReturnType<typeof apiClient>;
let adminB: ReturnType<typeof apiClient>;
const events: BusEvent[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.onEvent((e) => events.push(e));
  adminA = apiClient(platform.url, await platform.token({ tenantId: 'er-a', roles: ['admin'], userId: 'alice' }));
  analystA = apiClient(platform.url, await platform.token({ tenantId: 'er-a', roles: ['analyst'], userId: 'ann' }));
  operatorA = apiClient(platform.url, await platform.token({ tenantId: 'er-a', roles: ['operator'], userId: 'otto' }));
  adminB = apiClient(platform.url, await platform.token({ tenantId: 'er-b', roles: ['admin'], userId: 'bob' }));
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

const payloadOf = (e: BusEvent) => (e.detail as { payload: Record<string, any> }).payload;
const tenantOf = (e: BusEvent) => (e.detail as { tenantId: string }).tenantId;
const resolutionEvents = (name: string, tenant: string) =>
  events.filter((e) => e['detail-type'] === name && tenantOf(e) === tenant);

/** Creates an entity and waits until its incremental resolution has run (event published and delivered). */
async function created(
  client: ReturnType<typeof apiClient>,
  type: string,
  attributes: Record<string, unknown>,
): Promise<string> {
  const res = await client.post('/api/v1/entities', { type, attributes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as string;
  await eventually(() => events.some((e) => e['detail-type'] === 'entity.created' && payloadOf(e).entity.id === id));
  await platform.bus.drain();
  return id;
}

/** Patches an entity and waits until the delivery of its entity.updated has run. */
async function patched(client: ReturnType<typeof apiClient>, id: string, attributes: Record<string, unknown>) {
  const current = await client.get(`/api/v1/entities/${id}`);
  expect(current.status).toBe(200);
  const res = await client.patch(`/api/v1/entities/${id}`, { version: current.body.version, attributes });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const version = res.body.version as number;
  await eventually(() =>
    events.some(
      (e) =>
        e['detail-type'] === 'entity.updated' &&
        payloadOf(e).entity.id === id &&
        payloadOf(e).entity.version === version,
    ),
  );
  await platform.bus.drain();
}

async function matchesOf(client: ReturnType<typeof apiClient>, id: string) {
  const res = await client.get(`/api/v1/entities/${id}/matches`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as {
    clusterId: string | null;
    items: { entityId: string; probability: number; explanation: { fields: { field: string; level: string }[] } }[];
  };
}

async function batch(client: ReturnType<typeof apiClient>, type: 'person' | 'organization') {
  const start = await client.post('/api/v1/resolution/runs', { type });
  expect(start.status, JSON.stringify(start.body)).toBe(202);
  expect(start.body.status).toBe('QUEUED');
  return eventually(async () => {
    const res = await client.get(`/api/v1/resolution/runs/${start.body.id}`);
    return ['SUCCEEDED', 'FAILED'].includes(res.body.status) ? res.body : undefined;
  }, 30_000);
}

describe('incremental resolution on entity.created', () => {
  let jon: string;
  let john: string;

  it('merges a near-duplicate person and explains it without attribute values', async () => {
    jon = await created(adminA, 'person', { firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@example.com' });
    john = await created(adminA, 'person', {
      firstName: 'John',
      lastName: 'Smith',
      email: 'Jon.Smith@example.com',
      phone: '+1 415 555 0100',
    });

    const merged = await eventually(() =>
      resolutionEvents('entity.merged', 'er-a').find((e) => payloadOf(e).entityIds.includes(john)),
    );
    expect(merged.source).toBe('modos.resolution');
    const payload = payloadOf(merged);
    expect(payload).toMatchObject({
      type: 'person',
      reason: 'incremental',
      matchedEntityId: jon,
      modelSource: 'default',
    });
    expect(payload.memberIds.sort()).toEqual([jon, john].sort());
    expect(payload.probability).toBeGreaterThan(0.9);
    expect(payload.explanation.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'email', level: 'exact' })]),
    );
    expect(JSON.stringify(payload)).not.toMatch(/smith|example\.com|jon\b/i);

    const matches = await matchesOf(adminA, jon);
    expect(matches.clusterId).toBe(payload.clusterId);
    expect(matches.items.map((i) => i.entityId)).toEqual([john]);
    expect(matches.items[0]!.probability).toBeGreaterThan(0.9);
    expect(JSON.stringify(matches)).not.toMatch(/smith|example\.com/i);
  });

  it('leaves a different person alone', async () => {
    const other = await created(adminA, 'person', {
      firstName: 'Maria',
      lastName: 'Garcia',
      email: 'maria@example.org',
    });
    expect((await matchesOf(adminA, other)).clusterId).toBeNull();
    expect(resolutionEvents('entity.merged', 'er-a').some((e) => payloadOf(e).entityIds.includes(other))).toBe(false);
  });

  it('refuses decisions and runs to non-admins (403) but lets readers see matches', async () => {
    expect((await analystA.post(`/api/v1/entities/${jon}/matches/${john}/reject`)).status).toBe(403);
    expect((await operatorA.post(`/api/v1/entities/${jon}/matches/${john}/confirm`)).status).toBe(403);
    expect((await analystA.post('/api/v1/resolution/runs', { type: 'person' })).status).toBe(403);
    expect((await operatorA.get('/api/v1/resolution/runs/nope')).status).toBe(403);
    expect((await analystA.get(`/api/v1/entities/${jon}/matches`)).status).toBe(200);
  });

  it('splits on reject, idempotently, and the pair stays apart after new entities and a batch run', async () => {
    const clusterId = (await matchesOf(adminA, jon)).clusterId;
    const res = await adminA.post(`/api/v1/entities/${jon}/matches/${john}/reject`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ decision: 'reject', changed: true, clusterId: null, otherClusterId: null });
    const split = await eventually(() =>
      resolutionEvents('entity.split', 'er-a').find((e) => payloadOf(e).clusterId === clusterId),
    );
    expect(payloadOf(split)).toMatchObject({ reason: 'rejected', actor: 'alice' });
    expect(payloadOf(split).entityIds.sort()).toEqual([jon, john].sort());

    const again = await adminA.post(`/api/v1/entities/${jon}/matches/${john}/reject`);
    expect(again.status).toBe(200);
    expect(again.body.changed).toBe(false);
    expect(resolutionEvents('entity.split', 'er-a').filter((e) => payloadOf(e).clusterId === clusterId)).toHaveLength(
      1,
    );

    const matches = await matchesOf(adminA, jon);
    expect(matches.clusterId).toBeNull();
    expect((matches as any).decisions).toEqual([
      expect.objectContaining({ otherId: john, decision: 'reject', decidedBy: 'alice' }),
    ]);

    // a third record like both: it may join one of them, never bring them together
    const third = await created(adminA, 'person', {
      firstName: 'Jonny',
      lastName: 'Smith',
      email: 'jon.smith@example.com',
    });
    const apart = async () => {
      const [a, b] = [await matchesOf(adminA, jon), await matchesOf(adminA, john)];
      expect(a.clusterId === null || a.clusterId !== b.clusterId).toBe(true);
    };
    await apart();
    expect(third).toBeTruthy();

    const run = await batch(adminA, 'person');
    expect(run.status, JSON.stringify(run)).toBe('SUCCEEDED');
    expect(run.result).toMatchObject({ cannotLinks: 1 });
    expect(run.progress.phase).toBe('done');
    await platform.bus.drain();
    await apart();
  });

  it('honours a confirm in later batch runs', async () => {
    const a = await created(adminA, 'person', { firstName: 'Alice', lastName: 'Jones', email: 'alice@jones.example' });
    const b = await created(adminA, 'person', { firstName: 'Alicia', lastName: 'Brown', email: 'ab@brown.example' });
    expect((await matchesOf(adminA, a)).clusterId).toBeNull();

    const res = await adminA.post(`/api/v1/entities/${a}/matches/${b}/confirm`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.clusterId).toBeTruthy();
    expect(res.body.otherClusterId).toBe(res.body.clusterId);
    await eventually(() =>
      resolutionEvents('entity.merged', 'er-a').find(
        (e) => payloadOf(e).reason === 'confirmed' && payloadOf(e).memberIds.includes(a),
      ),
    );
    expect((await adminA.post(`/api/v1/entities/${a}/matches/${b}/confirm`)).body.changed).toBe(false);

    const run = await batch(adminA, 'person');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.result.mustLinks).toBe(1);
    const after = await matchesOf(adminA, a);
    expect(after.items.map((i) => i.entityId)).toContain(b);
  });

  it("never shows or merges another tenant's entities", async () => {
    const before = resolutionEvents('entity.merged', 'er-b').length;
    const mine = await created(adminB, 'person', {
      firstName: 'John',
      lastName: 'Smith',
      email: 'jon.smith@example.com',
    });
    expect((await matchesOf(adminB, mine)).clusterId).toBeNull();
    expect(resolutionEvents('entity.merged', 'er-b')).toHaveLength(before);
    expect((await adminB.get(`/api/v1/entities/${jon}/matches`)).status).toBe(404);
    expect((await adminB.post(`/api/v1/entities/${mine}/matches/${jon}/confirm`)).status).toBe(404);
    const run = await batch(adminB, 'person');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.result.entities).toBe(1);
    for (const e of [...resolutionEvents('entity.merged', 'er-b'), ...resolutionEvents('entity.split', 'er-b')]) {
      expect(JSON.stringify(payloadOf(e))).not.toContain(jon);
    }
    expect((await adminA.get(`/api/v1/resolution/runs/${run.id}`)).status).toBe(404);
  });

  it('resolves organizations too', async () => {
    const acme = await created(adminA, 'organization', {
      name: 'Acme Corporation',
      website: 'https://www.acme.example',
      city: 'Springfield',
    });
    const acme2 = await created(adminA, 'organization', {
      name: 'ACME Corp.',
      domain: 'acme.example',
      city: 'Springfield',
    });
    const merged = await eventually(() =>
      resolutionEvents('entity.merged', 'er-a').find((e) => payloadOf(e).entityIds.includes(acme2)),
    );
    expect(payloadOf(merged)).toMatchObject({ type: 'organization', matchedEntityId: acme });
  });
});

describe('re-resolution on entity.updated', () => {
  it('splits an entity out of its cluster when an update makes it someone else, and merges it back when it matches again', async () => {
    const a = await created(adminA, 'person', {
      firstName: 'Petra',
      lastName: 'Novak',
      email: 'petra.novak@example.net',
    });
    const b = await created(adminA, 'person', {
      firstName: 'Petra',
      lastName: 'Novakova',
      email: 'Petra.Novak@example.net',
    });
    const clusterId = (await matchesOf(adminA, a)).clusterId;
    expect(clusterId).toBeTruthy();
    expect((await matchesOf(adminA, b)).clusterId).toBe(clusterId);

    await patched(adminA, b, { firstName: 'Oskar', lastName: 'Lindqvist', email: 'oskar@lindqvist.example' });

    const split = await eventually(() =>
      resolutionEvents('entity.split', 'er-a').find(
        (e) => payloadOf(e).clusterId === clusterId && payloadOf(e).reason === 'updated',
      ),
    );
    expect(payloadOf(split)).toMatchObject({ entityIds: [b], actor: 'system:resolution' });
    expect((await matchesOf(adminA, a)).clusterId).toBeNull();
    expect((await matchesOf(adminA, b)).clusterId).toBeNull();

    await patched(adminA, b, { firstName: 'Petra', lastName: 'Novak', email: 'petra.novak@example.net' });

    const merged = await eventually(() =>
      resolutionEvents('entity.merged', 'er-a').find(
        (e) => payloadOf(e).reason === 'updated' && payloadOf(e).entityIds.includes(b),
      ),
    );
    expect(payloadOf(merged)).toMatchObject({ matchedEntityId: a });
    const matches = await matchesOf(adminA, a);
    expect(matches.clusterId).toBe(payloadOf(merged).clusterId);
    expect(matches.items.map((i) => i.entityId)).toEqual([b]);
  });

  it('does nothing when an update changes no attribute the matcher reads', async () => {
    const a = await created(adminA, 'person', { firstName: 'Ines', lastName: 'Moreau', email: 'ines@moreau.example' });
    const b = await created(adminA, 'person', { firstName: 'Inès', lastName: 'Moreau', email: 'Ines@Moreau.example' });
    const before = (await matchesOf(adminA, a)).clusterId;
    expect(before).toBeTruthy();
    // the create's entity.merged reaches the bus through the outbox: count from after it
    await eventually(() => resolutionEvents('entity.merged', 'er-a').find((e) => payloadOf(e).entityIds.includes(b)));
    const count = () =>
      [...resolutionEvents('entity.merged', 'er-a'), ...resolutionEvents('entity.split', 'er-a')].length;
    const n = count();

    await patched(adminA, b, { tier: 'gold' });
    expect((await matchesOf(adminA, b)).clusterId).toBe(before);
    // then an identifying change: its entity.split is the only resolution event since (the outbox publishes in order)
    await patched(adminA, b, { firstName: 'Oskar', lastName: 'Lindqvist', email: 'oskar2@lindqvist.example' });
    await eventually(() =>
      resolutionEvents('entity.split', 'er-a').find(
        (e) => payloadOf(e).entityIds.includes(b) && payloadOf(e).reason === 'updated',
      ),
    );
    expect(count()).toBe(n + 1);
  });
});
