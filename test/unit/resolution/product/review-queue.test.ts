import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ForbiddenError } from '../../../../functions/domain/errors.js';
import type { RequestContext } from '../../../../functions/domain/ports.js';
import { decideMatch } from '../../../../functions/domain/resolution/matches.js';
import { getReviewQueue, uncertaintyOf } from '../../../../functions/domain/resolution/review.js';
import { executeResolutionRun, startResolutionRun } from '../../../../functions/domain/resolution/runs.js';
import type { ApiHandler } from '../../../../functions/platform/http.js';
import type { Entity } from '../../../../schemas/entity.js';
import { resolutionTestDeps } from '../../../fakes/in-memory-resolution-store.js';
import { anApiEvent, stubHandlerSettings } from '../../../support/builders.js';
import { anEntity } from '../builders.js';

const ctx = (roles: string[] = ['admin'], tenantId = 't1'): RequestContext => ({
  principal: { tenantId, userId: 'u1', roles },
  requestId: 'r1',
});

const FIRST = ['Anna', 'Ben', 'Carla', 'David', 'Emma', 'Frank', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Karl', 'Lena'];
const LAST = [
  'Meyer',
  'Schulz',
  'Wagner',
  'Becker',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
  'Neumann',
  'Braun',
];

/** People and, for each, a variant with a typo in the last name and sometimes another city or birth year. */
function nearDuplicates(): Entity[] {
  return LAST.flatMap((last, i) => [
    anEntity('person', { firstName: FIRST[i], lastName: last, city: i % 2 ? 'Bonn' : 'Koeln', birthDate: dob(i, 0) }),
    anEntity('person', {
      firstName: FIRST[i],
      lastName: `${last.slice(0, -1)}x`,
      city: i % 3 ? 'Bonn' : 'Ulm',
      birthDate: dob(i, i % 2 ? 0 : 1),
    }),
  ]);
}
const dob = (i: number, shift: number) => `19${60 + i + shift}-0${1 + (i % 9)}-1${i % 9}`;

async function batchRun(deps: ReturnType<typeof resolutionTestDeps>, tenantId = 't1') {
  const queued = await startResolutionRun({ type: 'person' }, ctx(['admin'], tenantId), deps);
  return executeResolutionRun(tenantId, queued.id, 'r', deps);
}

function withPeople(people: readonly Entity[], tenantId = 't1') {
  const deps = resolutionTestDeps();
  for (const p of people) deps.store.addEntity(tenantId, p);
  return deps;
}

describe('review queue of a batch run', () => {
  it('stores the undecided pairs the engine proposes, ids and scores only, without a pair decided before', async () => {
    const people = nearDuplicates();
    const deps = withPeople(people);
    await decideMatch(people[0]!.id, people[1]!.id, 'confirm', ctx(), deps);

    const run = await batchRun(deps);

    const queue = deps.store.reviewQueues.get('t1#person');
    expect(queue).toMatchObject({ type: 'person', runId: run.id });
    expect(queue!.pairs.length).toBeGreaterThan(0);
    expect(queue!.pairs.length).toBeLessThanOrEqual(200);
    const decided = [people[0]!.id, people[1]!.id].sort().join('|');
    expect(queue!.pairs.map((p) => [p.id1, p.id2].sort().join('|'))).not.toContain(decided);
    expect(JSON.stringify(queue)).not.toMatch(/meyer|schulz|bonn|19\d\d-/i);
  });

  it('replaces the previous queue with each run', async () => {
    const deps = withPeople(nearDuplicates());
    await batchRun(deps);
    const second = await batchRun(deps);
    expect(deps.store.reviewQueues.get('t1#person')?.runId).toBe(second.id);
  });
});

describe('GET review queue (use case)', () => {
  it('lists pending pairs most uncertain first, explained by fields and levels, with the paths that answer them', async () => {
    const deps = withPeople(nearDuplicates());
    const run = await batchRun(deps);
    const stored = deps.store.reviewQueues.get('t1#person')!;

    const queue = await getReviewQueue({ type: 'person', limit: 3 }, ctx(), deps);

    expect(queue).toMatchObject({ type: 'person', runId: run.id, pending: stored.pairs.length, modelSource: 'fitted' });
    expect(queue.hint).toBeUndefined();
    expect(queue.items).toHaveLength(Math.min(3, stored.pairs.length));
    const u = queue.items.map((i) => i.uncertainty);
    expect(u).toEqual([...u].sort((a, b) => b - a));
    const first = queue.items[0]!;
    expect(first.links).toEqual({
      confirm: `/api/v1/entities/${first.entityId}/matches/${first.otherId}/confirm`,
      reject: `/api/v1/entities/${first.entityId}/matches/${first.otherId}/reject`,
    });
    expect(first.explanation.fields.length).toBeGreaterThan(0);
    expect(first.explanation.fields[0]).toEqual(
      expect.objectContaining({ field: expect.any(String), level: expect.any(String), weight: expect.any(Number) }),
    );
    expect(JSON.stringify(queue)).not.toMatch(/meyer|schulz|bonn|koeln|19\d\d-/i);
  });

  it('leaves out a pair decided since the run and a pair whose entity was deleted, and re-scores the rest', async () => {
    const [a, b, c, d, e, f] = [
      anEntity('person', { firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@example.com' }),
      anEntity('person', { firstName: 'John', lastName: 'Smith', email: 'jon.smith@example.com' }),
      anEntity('person', { firstName: 'Maria', lastName: 'Garcia', city: 'Leeds' }),
      anEntity('person', { firstName: 'Marie', lastName: 'Garcia', city: 'Leeds' }),
      anEntity('person', { firstName: 'Li', lastName: 'Wei', city: 'York' }),
      anEntity('person', { firstName: 'Lee', lastName: 'Wei', city: 'York' }),
    ];
    const deps = withPeople([a, b, c, d, e, f]);
    // stale scores: every pair stored as 0.5, so the order below can only come from re-scoring
    const pair = (x: Entity, y: Entity) => ({ id1: x.id, id2: y.id, probability: 0.5, weight: 0, uncertainty: 1 });
    await deps.store.putReviewQueue('t1', {
      type: 'person',
      runId: 'run1',
      createdAt: '2026-01-01T00:00:00Z',
      pairs: [pair(c, d), pair(a, b), pair(e, f)],
    });
    await decideMatch(d.id, c.id, 'reject', ctx(), deps);
    deps.store.entities.delete(`t1#${f.id}`);

    const queue = await getReviewQueue({ type: 'person', limit: 20 }, ctx(), deps);

    expect(queue.pending).toBe(1);
    expect(queue.items.map((i) => [i.entityId, i.otherId])).toEqual([[a.id, b.id]]);
    expect(queue.items[0]!.probability).toBeGreaterThan(0.9);
    expect(queue.items[0]!.uncertainty).toBeCloseTo(uncertaintyOf(queue.items[0]!.probability, 0.5), 12);
    expect(queue.modelSource).toBe('default');
  });

  it('says to answer with a new run when every proposed pair is decided', async () => {
    const [a, b] = [
      anEntity('person', { firstName: 'Jon', lastName: 'Smith' }),
      anEntity('person', { firstName: 'John', lastName: 'Smith' }),
    ];
    const deps = withPeople([a, b]);
    await deps.store.putReviewQueue('t1', {
      type: 'person',
      runId: 'run1',
      createdAt: '2026-01-01T00:00:00Z',
      pairs: [{ id1: a.id, id2: b.id, probability: 0.5, weight: 0, uncertainty: 1 }],
    });
    await decideMatch(a.id, b.id, 'confirm', ctx(), deps);
    const queue = await getReviewQueue({ type: 'person', limit: 20 }, ctx(), deps);
    expect(queue).toMatchObject({ items: [], pending: 0, runId: 'run1' });
    expect(queue.hint).toMatch(/batch run/);
  });

  it('answers an empty queue with a hint to start a run before the first run, and for another tenant', async () => {
    const deps = withPeople(nearDuplicates());
    expect(await getReviewQueue({ type: 'person', limit: 20 }, ctx(), deps)).toMatchObject({
      items: [],
      pending: 0,
      runId: null,
      generatedAt: null,
      hint: expect.stringContaining('POST /api/v1/resolution/runs'),
    });
    await batchRun(deps);
    const other = await getReviewQueue({ type: 'person', limit: 20 }, ctx(['admin'], 't2'), deps);
    expect(other).toMatchObject({ items: [], pending: 0, runId: null });
    expect((await getReviewQueue({ type: 'organization', limit: 20 }, ctx(), deps)).items).toEqual([]);
  });

  it('is refused to roles without resolution:manage', async () => {
    const deps = withPeople([]);
    for (const role of ['analyst', 'operator', 'approver'])
      await expect(getReviewQueue({ type: 'person', limit: 20 }, ctx([role]), deps)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
  });
});

describe('GET /api/v1/resolution/review (handler)', () => {
  let handler: ApiHandler;
  const deps = withPeople(nearDuplicates());
  const admin = { tenantId: 't1', userId: 'u1', roles: ['admin'] };
  const get = async (query: Record<string, string>, principal = admin) => {
    const res = await handler(anApiEvent({ query, principal }));
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };

  beforeAll(async () => {
    stubHandlerSettings((name, value) => vi.stubEnv(name, value));
    handler = (await import('../../../../functions/handlers/get-review-queue.js')).makeHandler(deps);
    await batchRun(deps);
  });

  it('answers 200 with at most 20 pairs by default', async () => {
    const res = await get({ type: 'person' });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.length).toBeLessThanOrEqual(20);
    expect((await get({ type: 'person', limit: '1' })).body.items).toHaveLength(1);
  });

  it.each([
    [{}, 'query.type'],
    [{ type: 'deal' }, 'query.type'],
    [{ type: 'person', limit: '0' }, 'query.limit'],
    [{ type: 'person', limit: '101' }, 'query.limit'],
    [{ type: 'person', limit: 'ten' }, 'query.limit'],
    [{ type: 'person', cursor: 'x' }, 'query.cursor'],
  ])('refuses %j with 400 naming %s', async (query, field) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('refuses an analyst with 403', async () => {
    expect((await get({ type: 'person' }, { ...admin, roles: ['analyst'] })).status).toBe(403);
  });
});
