import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../local/event-bus.js';
import type { LocalPlatform } from '../../local/platform.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

let platform: LocalPlatform;
let admin: ReturnType<typeof apiClient>;
let analyst: ReturnType<typeof apiClient>;
let operator: ReturnType<typeof apiClient>;
let otherAdmin: ReturnType<typeof apiClient>;
const events: BusEvent[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.onEvent((e) => events.push(e));
  admin = apiClient(platform.url, await platform.token({ tenantId: 'rv-a', roles: ['admin'], userId: 'alice' }));
  analyst = apiClient(platform.url, await platform.token({ tenantId: 'rv-a', roles: ['analyst'], userId: 'ann' }));
  operator = apiClient(platform.url, await platform.token({ tenantId: 'rv-a', roles: ['operator'], userId: 'otto' }));
  otherAdmin = apiClient(platform.url, await platform.token({ tenantId: 'rv-b', roles: ['admin'], userId: 'bob' }));
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

interface ReviewItem {
  entityId: string;
  otherId: string;
  probability: number;
  weight: number;
  uncertainty: number;
  explanation: { fields: { field: string; level: string | null; weight: number }[] };
  links: { confirm: string; reject: string };
}
interface ReviewQueueBody {
  items: ReviewItem[];
  pending: number;
  runId: string | null;
  hint?: string;
}

async function reviewQueue(client: ReturnType<typeof apiClient>, query = 'type=person&limit=100') {
  const res = await client.get(`/api/v1/resolution/review?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as ReviewQueueBody;
}

const FIRST = ['Anna', 'Bruno', 'Carla', 'Dieter', 'Elke', 'Fritz', 'Gisela', 'Horst', 'Ilse', 'Jens'];
const LAST = ['Meyer', 'Schulz', 'Wagner', 'Becker', 'Hoffmann', 'Koch', 'Richter', 'Klein', 'Wolf', 'Neumann'];

describe('review queue on the local platform', () => {
  it('answers an empty queue with a hint before any run', async () => {
    const queue = await reviewQueue(admin);
    expect(queue).toMatchObject({ items: [], pending: 0, runId: null });
    expect(queue.hint).toContain('/api/v1/resolution/runs');
  });

  it('proposes near-duplicates after a batch run, and a confirmed pair leaves the queue', async () => {
    const names: string[] = [];
    for (let i = 0; i < LAST.length; i++) {
      const variants = [
        { firstName: FIRST[i], lastName: LAST[i], city: i % 2 ? 'Bonn' : 'Koeln', birthDate: `19${60 + i}-03-1${i}` },
        // typo in the last name, and every other one another city and birth year
        {
          firstName: FIRST[i],
          lastName: `${LAST[i]!.slice(0, -1)}x`,
          city: i % 3 ? 'Bonn' : 'Ulm',
          birthDate: `19${60 + i + (i % 2)}-03-1${i}`,
        },
      ];
      for (const attributes of variants) {
        const res = await admin.post('/api/v1/entities', { type: 'person', attributes });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        names.push(attributes.lastName!);
      }
    }
    await platform.bus.drain();

    const start = await admin.post('/api/v1/resolution/runs', { type: 'person' });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    const run = await eventually(async () => {
      const res = await admin.get(`/api/v1/resolution/runs/${start.body.id}`);
      return ['SUCCEEDED', 'FAILED'].includes(res.body.status) ? res.body : undefined;
    }, 30_000);
    expect(run.status, JSON.stringify(run)).toBe('SUCCEEDED');

    const queue = await reviewQueue(admin);
    expect(queue.runId).toBe(run.id);
    expect(queue.items.length).toBeGreaterThan(0);
    expect(queue.pending).toBe(queue.items.length);
    const u = queue.items.map((i) => i.uncertainty);
    expect(u).toEqual([...u].sort((a, b) => b - a));
    expect(queue.items[0]!.explanation.fields.length).toBeGreaterThan(0);
    for (const name of [...names, 'Bonn', 'Koeln', '-03-1']) expect(JSON.stringify(queue)).not.toContain(name);
    expect((await reviewQueue(admin, 'type=person&limit=1')).items).toHaveLength(1);

    const pair = queue.items[0]!;
    const confirmed = await admin.post(pair.links.confirm);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body).toMatchObject({ entityId: pair.entityId, otherId: pair.otherId, decision: 'confirm' });

    const after = await reviewQueue(admin);
    expect(after.pending).toBe(queue.pending - 1);
    expect(after.items.some((i) => i.entityId === pair.entityId && i.otherId === pair.otherId)).toBe(false);

    // another tenant sees nothing of it
    const theirs = await reviewQueue(otherAdmin);
    expect(theirs).toMatchObject({ items: [], pending: 0, runId: null });
  });

  it('refuses other roles with 403', async () => {
    expect((await analyst.get('/api/v1/resolution/review?type=person')).status).toBe(403);
    expect((await operator.get('/api/v1/resolution/review?type=person')).status).toBe(403);
  });

  it.each([
    ['type=deal', 'query.type'],
    ['limit=5', 'query.type'],
    ['type=person&limit=0', 'query.limit'],
    ['type=person&limit=101', 'query.limit'],
    ['type=person&limit=many', 'query.limit'],
  ])('refuses ?%s with 400 naming %s', async (query, field) => {
    const res = await admin.get(`/api/v1/resolution/review?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});
