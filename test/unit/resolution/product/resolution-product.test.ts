import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../../functions/domain/errors.js';
import type { RequestContext } from '../../../../functions/domain/ports.js';
import { clusterByAverageLinkage, resolve } from '../../../../functions/domain/resolution/engine/index.js';
import { HOT_KEY_CAP, resolveCreatedEntity } from '../../../../functions/domain/resolution/incremental.js';
import { decideMatch, listMatches } from '../../../../functions/domain/resolution/matches.js';
import {
  executeResolutionRun,
  planBatchChanges,
  startResolutionRun,
} from '../../../../functions/domain/resolution/runs.js';
import { defaultModel, indexKeysFor, scoreAgainst } from '../../../../functions/domain/resolution/stored-model.js';
import { entityToRecord } from '../../../../functions/domain/resolution/entity-records.js';
import { resolutionTestDeps } from '../../../fakes/in-memory-resolution-store.js';
import { anEntity } from '../builders.js';

const ctx = (roles: string[] = ['admin'], tenantId = 't1'): RequestContext => ({
  principal: { tenantId, userId: 'u1', roles },
  requestId: 'r1',
});
const jon = () => anEntity('person', { firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@example.com' });
const john = () => anEntity('person', { first_name: 'John', surname: 'Smith', email: 'Jon.Smith@example.com' });

/** Adds the entity to the store and runs incremental resolution, as the entity.created rule does. */
async function create(deps: ReturnType<typeof resolutionTestDeps>, entity: ReturnType<typeof jon>, tenantId = 't1') {
  deps.store.addEntity(tenantId, entity);
  return resolveCreatedEntity(tenantId, entity, `req-${entity.id}`, deps);
}

describe('stored model and blocking keys', () => {
  it('scores a near-duplicate above and a stranger below the threshold with the priors', () => {
    const [dup, stranger] = scoreAgainst(defaultModel('person'), entityToRecord(jon()), [
      entityToRecord(john()),
      entityToRecord(anEntity('person', { firstName: 'Maria', lastName: 'Garcia', email: 'maria@example.org' })),
    ]);
    expect(dup!.probability).toBeGreaterThan(0.99);
    expect(stranger!.probability).toBeLessThan(0.01);
    expect(dup!.explanation.fields.map((f) => [f.field, f.level])).toEqual(
      expect.arrayContaining([
        ['email', 'exact'],
        ['lastName', 'exact'],
      ]),
    );
    expect(JSON.stringify(dup)).not.toMatch(/smith|example/i);
  });

  it('files near-duplicates under a shared hashed key that holds no attribute value', () => {
    const a = indexKeysFor('person', entityToRecord(jon()));
    const b = indexKeysFor('person', entityToRecord(john()));
    expect(a.some((k) => b.includes(k))).toBe(true);
    expect(a.every((k) => /^[0-9a-f]{32}$/.test(k))).toBe(true);
  });

  it('maps aliases and ignores unknown attributes', () => {
    expect(entityToRecord(anEntity('person', { surname: 'Smith', Email: ['a@b.c'], tier: 'gold' })).attributes).toEqual(
      { lastName: 'Smith', email: 'a@b.c' },
    );
  });
});

describe('clustering with decisions', () => {
  const scores: Record<string, number> = { '0-1': 0.99, '1-2': 0.98, '0-2': 0.97 };
  const score = (a: number, b: number) => scores[a < b ? `${a}-${b}` : `${b}-${a}`] ?? 0.01;
  const edges = Object.entries(scores).map(([k, p]) => ({ a: Number(k[0]), b: Number(k[2]), probability: p }));

  it('never joins a cannot-link pair however strong their edges', () => {
    const r = clusterByAverageLinkage(3, edges, score, { threshold: 0.5, constraints: { cannotLink: [[0, 2]] } });
    expect(r.clusters.some((c) => c.includes(0) && c.includes(2))).toBe(false);
    expect(r.cannotLinkRefusals).toBeGreaterThan(0);
  });

  it('joins a must-link pair that scores nothing, and skips a must-link that would join a cannot-link pair', () => {
    const r = clusterByAverageLinkage(5, [], score, {
      threshold: 0.5,
      constraints: {
        mustLink: [
          [3, 4],
          [0, 3],
          [2, 4],
        ],
        cannotLink: [[0, 2]],
      },
    });
    expect(r.clusters).toEqual(expect.arrayContaining([[0, 3, 4], [1], [2]]));
  });

  it('passes record-id constraints through resolve', () => {
    const records = [
      jon(),
      john(),
      anEntity('person', { firstName: 'Maria', lastName: 'Garcia', email: 'maria@example.org' }),
    ].map(entityToRecord);
    const free = resolve({ kind: 'person', records });
    expect(free.clusters.some((c) => c.recordIds.length === 2)).toBe(true);
    const apart = resolve({
      kind: 'person',
      records,
      constraints: { cannotLink: [[records[0]!.id, records[1]!.id]], mustLink: [[records[0]!.id, records[2]!.id]] },
    });
    const clusterOf = (id: string) => apart.clusters.find((c) => c.recordIds.includes(id))!.clusterId;
    expect(clusterOf(records[0]!.id)).not.toBe(clusterOf(records[1]!.id));
    expect(clusterOf(records[0]!.id)).toBe(clusterOf(records[2]!.id));
  });
});

describe('incremental resolution', () => {
  it('links a near-duplicate, audited with an explained entity.merged in the same change', async () => {
    const deps = resolutionTestDeps();
    const a = jon();
    const b = john();
    expect((await create(deps, a)).status).toBe('indexed');
    const outcome = await create(deps, b);
    expect(outcome).toMatchObject({ status: 'merged', matchedEntityId: a.id });
    const [m] = deps.store.mutations;
    expect(m!.mutation.audit).toMatchObject({
      action: 'entity.merge',
      resourceType: 'entity-cluster',
      resourceId: outcome.clusterId,
    });
    expect(m!.mutation.events).toEqual([
      expect.objectContaining({
        name: 'entity.merged',
        payload: expect.objectContaining({
          entityIds: [b.id],
          memberIds: [a.id, b.id],
          reason: 'incremental',
          modelSource: 'default',
        }),
      }),
    ]);
    expect((await deps.store.clusterOf('t1', a.id))!.members).toEqual([a.id, b.id]);
  });

  it('does nothing more when the event is redelivered', async () => {
    const deps = resolutionTestDeps();
    const b = john();
    await create(deps, jon());
    await create(deps, b);
    expect((await resolveCreatedEntity('t1', b, 'again', deps)).status).toBe('skipped');
    expect(deps.store.mutations).toHaveLength(1);
  });

  it('does not join a cluster holding an entity rejected against the new one', async () => {
    const deps = resolutionTestDeps();
    const a = jon();
    const b = john();
    await create(deps, a);
    deps.store.addEntity('t1', b);
    await decideMatch(b.id, a.id, 'reject', ctx(), deps);
    expect((await resolveCreatedEntity('t1', b, 'r', deps)).status).toBe('indexed');
    expect(await deps.store.clusterOf('t1', a.id)).toBeUndefined();
  });

  it('skips blocking keys shared by more than the cap (hot keys)', async () => {
    const deps = resolutionTestDeps();
    for (let i = 0; i <= HOT_KEY_CAP; i++)
      await create(deps, anEntity('person', { firstName: `Zed${i}`, lastName: `Q${i}x`, email: 'shared@example.com' }));
    const outcome = await create(
      deps,
      anEntity('person', { firstName: 'Ann', lastName: 'Lee', email: 'shared@example.com' }),
    );
    expect(outcome.hotKeys).toBeGreaterThan(0);
  });

  it("never sees another tenant's entities", async () => {
    const deps = resolutionTestDeps();
    await create(deps, jon(), 't1');
    expect((await create(deps, john(), 't2')).status).toBe('indexed');
  });
});

describe('admin decisions', () => {
  async function mergedPair() {
    const deps = resolutionTestDeps();
    const a = jon();
    const b = john();
    await create(deps, a);
    await create(deps, b);
    return { deps, a, b };
  }

  it('splits the cluster on reject, emits entity.split, and does nothing on a repeat', async () => {
    const { deps, a, b } = await mergedPair();
    const clusterId = (await deps.store.clusterOf('t1', a.id))!.clusterId;
    const result = await decideMatch(a.id, b.id, 'reject', ctx(), deps);
    expect(result).toMatchObject({ changed: true, clusterId: null, otherClusterId: null });
    expect(deps.store.events('entity.split')).toEqual([
      expect.objectContaining({
        payload: expect.objectContaining({ clusterId, entityIds: [a.id, b.id], reason: 'rejected', actor: 'u1' }),
      }),
    ]);
    expect(deps.store.mutations.at(-1)!.mutation.audit.action).toBe('entity.match.reject');
    const count = deps.store.mutations.length;
    expect((await decideMatch(b.id, a.id, 'reject', ctx(), deps)).changed).toBe(false);
    expect(deps.store.mutations).toHaveLength(count);
    expect((await listMatches(a.id, ctx(['analyst']), deps)).decisions).toEqual([
      expect.objectContaining({ otherId: b.id, decision: 'reject' }),
    ]);
  });

  it('keeps the rest of a cluster together when one pair is rejected', async () => {
    const { deps, a, b } = await mergedPair();
    const c = anEntity('person', { firstName: 'Jonathan', lastName: 'Smith', email: 'jon.smith@example.com' });
    await create(deps, c);
    expect((await deps.store.clusterOf('t1', c.id))?.members).toHaveLength(3);
    await decideMatch(a.id, c.id, 'reject', ctx(), deps);
    const [ca, cc] = [await deps.store.clusterOf('t1', a.id), await deps.store.clusterOf('t1', c.id)];
    expect(ca?.clusterId).not.toBe(cc?.clusterId);
    expect([ca?.members, cc?.members].some((m) => m?.includes(b.id))).toBe(true);
  });

  it('merges on confirm and refuses a confirm that would join a rejected pair (409)', async () => {
    const deps = resolutionTestDeps();
    const a = anEntity('person', { firstName: 'Alice', lastName: 'Jones' });
    const b = anEntity('person', { firstName: 'Bob', lastName: 'Brown' });
    const c = anEntity('person', { firstName: 'Carl', lastName: 'Cole' });
    for (const e of [a, b, c]) await create(deps, e);
    const r = await decideMatch(a.id, b.id, 'confirm', ctx(), deps);
    expect(r.clusterId).toBeTruthy();
    expect(deps.store.events('entity.merged')).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ reason: 'confirmed', memberIds: [a.id, b.id] }) }),
    ]);
    await decideMatch(c.id, b.id, 'reject', ctx(), deps);
    await expect(decideMatch(c.id, a.id, 'confirm', ctx(), deps)).rejects.toBeInstanceOf(ConflictError);
  });

  it('lets a rejected pair be re-decided as confirmed (the new decision replaces the reject)', async () => {
    const deps = resolutionTestDeps();
    const a = anEntity('person', { firstName: 'Alice', lastName: 'Jones' });
    const b = anEntity('person', { firstName: 'Bob', lastName: 'Brown' });
    for (const e of [a, b]) await create(deps, e);
    await decideMatch(a.id, b.id, 'reject', ctx(), deps);
    const confirmed = await decideMatch(a.id, b.id, 'confirm', ctx(), deps);
    expect(confirmed.clusterId).toBeTruthy();
    expect((await deps.store.clusterOf('t1', a.id))?.members).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('is admin-only and tenant-scoped', async () => {
    const { deps, a, b } = await mergedPair();
    await expect(decideMatch(a.id, b.id, 'reject', ctx(['operator']), deps)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(decideMatch(a.id, b.id, 'reject', ctx(['admin'], 't2'), deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listMatches(a.id, ctx(['admin'], 't2'), deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(startResolutionRun({ type: 'person' }, ctx(['analyst']), deps)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('batch runs', () => {
  it('fits and stores the model, writes clusters, and honours confirm and reject decisions', async () => {
    const deps = resolutionTestDeps();
    const people = [
      jon(),
      john(),
      anEntity('person', { firstName: 'Maria', lastName: 'Garcia', email: 'maria@example.org', city: 'Leeds' }),
      anEntity('person', { firstName: 'Mario', lastName: 'Rossi', email: 'mario@example.it', city: 'Rome' }),
      ...Array.from({ length: 30 }, (_, i) =>
        anEntity('person', {
          firstName: `Name${i}`,
          lastName: `Family${i * 7}`,
          email: `p${i}@ex${i}.com`,
          city: i % 2 ? 'York' : 'Bath',
        }),
      ),
    ];
    for (const p of people) deps.store.addEntity('t1', p);
    const [a, b, maria, mario] = people as [
      (typeof people)[0],
      (typeof people)[0],
      (typeof people)[0],
      (typeof people)[0],
    ];
    await decideMatch(a.id, b.id, 'reject', ctx(), deps);
    await decideMatch(maria.id, mario.id, 'confirm', ctx(), deps);
    const queued = await startResolutionRun({ type: 'person' }, ctx(), deps);
    expect(deps.store.events('resolution.run.requested')).toHaveLength(1);
    const run = await executeResolutionRun('t1', queued.id, 'r', deps);
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      progress: { phase: 'done' },
      result: { entities: people.length, mustLinks: 1, cannotLinks: 1 },
    });
    expect((await deps.store.getModel('t1', 'person'))?.source).toBe('fitted');
    expect((await deps.store.clusterOf('t1', a.id))?.members ?? [a.id]).not.toContain(b.id);
    expect((await deps.store.clusterOf('t1', maria.id))?.members).toEqual(expect.arrayContaining([maria.id, mario.id]));
    // a second run on unchanged data changes nothing
    const count = deps.store.mutations.length;
    const again = await startResolutionRun({ type: 'person' }, ctx(), deps);
    await executeResolutionRun('t1', again.id, 'r', deps);
    expect(deps.store.mutations.length).toBe(count + 1); // the run's own start record only
  });

  it('records a run FAILED (not RUNNING for ever) when it fails in a way a retry would repeat', async () => {
    const deps = resolutionTestDeps();
    for (const p of [jon(), john()]) deps.store.addEntity('t1', p);
    const queued = await startResolutionRun({ type: 'person' }, ctx(), deps);
    deps.store.listDecisions = async () => {
      throw new Error('corrupt decision item');
    };
    await expect(executeResolutionRun('t1', queued.id, 'r', deps)).rejects.toThrow(/corrupt/);
    expect(await deps.store.getRun('t1', queued.id)).toMatchObject({
      status: 'FAILED',
      error: { code: 'INTERNAL_ERROR', message: expect.stringMatching(/corrupt decision item/) },
    });
  });

  it('plans a split and a merge against stored clusters, keeping the id of the largest overlap', () => {
    let n = 0;
    const ids = { newId: () => `new${++n}` };
    const stored = [
      { clusterId: 'c1', type: 'person' as const, members: ['a', 'b', 'c'], version: 3 },
      { clusterId: 'c2', type: 'person' as const, members: ['x', 'y'], version: 1 },
    ];
    const plans = planBatchChanges(
      'person',
      stored,
      [
        ['a', 'b'],
        ['x', 'y'],
      ],
      [],
      'run1',
      { ids },
    );
    expect(plans).toHaveLength(1);
    expect(plans[0]!.change.clusters).toEqual([
      { clusterId: 'c1', type: 'person', members: ['a', 'b'], expectedVersion: 3 },
    ]);
    expect(plans[0]!.change.pointers).toEqual([{ entityId: 'c', clusterId: null, expectedClusterId: 'c1' }]);
    expect(plans[0]!.events.map((e) => e.name)).toEqual(['entity.split']);
    const merge = planBatchChanges('person', stored, [['a', 'b', 'c', 'x', 'y']], [], 'run1', { ids });
    expect(merge[0]!.change.clusters).toEqual([
      { clusterId: 'c1', type: 'person', members: ['a', 'b', 'c', 'x', 'y'], expectedVersion: 3 },
      { clusterId: 'c2', type: 'person', members: [], expectedVersion: 1 },
    ]);
    expect(merge[0]!.events.map((e) => e.name)).toEqual(['entity.merged']);
  });
});

describe('large clusters', () => {
  it('scores a new entity against an evenly spaced sample of a large cluster', async () => {
    const { evenSample, MAX_SCORED_MEMBERS } = await import('../../../../functions/domain/resolution/incremental.js');
    const members = Array.from({ length: 1000 }, (_, i) => `e${i}`);
    const sample = evenSample(members, MAX_SCORED_MEMBERS);
    expect(sample).toHaveLength(MAX_SCORED_MEMBERS);
    expect(new Set(sample).size).toBe(MAX_SCORED_MEMBERS);
    expect(sample[0]).toBe('e0');
    expect(sample[sample.length - 1]).toBe(`e${Math.floor(((MAX_SCORED_MEMBERS - 1) * 1000) / MAX_SCORED_MEMBERS)}`);
    expect(evenSample(['a', 'b'], MAX_SCORED_MEMBERS)).toEqual(['a', 'b']);
  });
});
