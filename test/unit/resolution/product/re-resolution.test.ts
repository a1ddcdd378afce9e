import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../../functions/domain/ports.js';
import { entityToRecord } from '../../../../functions/domain/resolution/entity-records.js';
import {
  HOT_KEY_CAP,
  resolveCreatedEntity,
  resolveUpdatedEntity,
} from '../../../../functions/domain/resolution/incremental.js';
import { decideMatch } from '../../../../functions/domain/resolution/matches.js';
import { indexKeysFor } from '../../../../functions/domain/resolution/stored-model.js';
import type { Entity } from '../../../../schemas/entity.js';
import { resolutionTestDeps } from '../../../fakes/in-memory-resolution-store.js';
import { anEntity } from '../builders.js';

type Deps = ReturnType<typeof resolutionTestDeps>;
const admin: RequestContext = { principal: { tenantId: 't1', userId: 'u1', roles: ['admin'] }, requestId: 'r1' };

async function create(deps: Deps, entity: Entity) {
  deps.store.addEntity('t1', entity);
  return resolveCreatedEntity('t1', entity, `req-${entity.id}`, deps);
}

/** Applies a merge patch as PATCH /entities/{id} does, stores the result and delivers its entity.updated. */
async function update(deps: Deps, entity: Entity, patch: Record<string, unknown>) {
  const [current] = await deps.store.getEntities('t1', [entity.id]);
  const attributes: Record<string, unknown> = { ...current!.attributes };
  const changed: string[] = [];
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete attributes[name];
    else attributes[name] = value;
    changed.push(name);
  }
  const next: Entity = { ...current!, attributes, version: current!.version + 1, updatedAt: '2026-01-02T00:00:00Z' };
  deps.store.addEntity('t1', next);
  const event = { entity: next, changed: changed.sort() };
  return { event, outcome: await resolveUpdatedEntity('t1', event, `upd-${entity.id}-${next.version}`, deps) };
}

const emailKey = (email: string) => indexKeysFor('person', entityToRecord(anEntity('person', { email })))[0]!;
const filedUnder = async (deps: Deps, key: string) => (await deps.store.candidates('t1', 'person', [key], 1000)).ids;

const jon = () => anEntity('person', { firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@example.com' });
const john = () => anEntity('person', { firstName: 'John', lastName: 'Smith', email: 'Jon.Smith@example.com' });
const stranger = { firstName: 'Maria', lastName: 'Garcia', email: 'maria.garcia@example.org' };

describe('re-resolution on entity.updated', () => {
  it('takes an entity whose identifying attributes no longer match out of its cluster, with an audited entity.split', async () => {
    const deps = resolutionTestDeps();
    const [a, b] = [jon(), john()];
    await create(deps, a);
    const clusterId = (await create(deps, b)).clusterId!;

    const { outcome } = await update(deps, b, stranger);

    expect(outcome).toMatchObject({ status: 'indexed', leftClusterId: clusterId });
    expect(await deps.store.clusterOf('t1', a.id)).toBeUndefined();
    expect(await deps.store.clusterOf('t1', b.id)).toBeUndefined();
    const last = deps.store.mutations.at(-1)!.mutation;
    expect(last.audit).toMatchObject({ action: 'entity.split', resourceType: 'entity-cluster', resourceId: clusterId });
    expect(last.events).toEqual([
      {
        name: 'entity.split',
        payload: expect.objectContaining({
          clusterId,
          entityIds: [b.id],
          reason: 'updated',
          resultingClusters: [
            { clusterId: null, memberIds: [a.id] },
            { clusterId: null, memberIds: [b.id] },
          ],
        }),
      },
    ]);
    // the old e-mail's key no longer finds it, the new one does
    expect(await filedUnder(deps, emailKey('jon.smith@example.com'))).toEqual([a.id]);
    expect(await filedUnder(deps, emailKey(stranger.email))).toEqual([b.id]);
  });

  it('keeps the rest of the cluster together under its id when one member leaves', async () => {
    const deps = resolutionTestDeps();
    const [a, b] = [jon(), john()];
    const c = anEntity('person', { firstName: 'Jonathan', lastName: 'Smith', email: 'jon.smith@example.com' });
    for (const e of [a, b, c]) await create(deps, e);
    const before = (await deps.store.clusterOf('t1', a.id))!;
    expect(before.members).toHaveLength(3);

    await update(deps, c, stranger);

    const after = (await deps.store.clusterOf('t1', a.id))!;
    expect(after).toMatchObject({ clusterId: before.clusterId, members: [a.id, b.id] });
    expect(deps.store.events('entity.split').at(-1)!.payload).toMatchObject({
      resultingClusters: [
        { clusterId: before.clusterId, memberIds: [a.id, b.id] },
        { clusterId: null, memberIds: [c.id] },
      ],
    });
  });

  it('merges an entity that an update made a near-duplicate, with entity.merged reason updated', async () => {
    const deps = resolutionTestDeps();
    const [a, m] = [jon(), anEntity('person', stranger)];
    await create(deps, a);
    expect((await create(deps, m)).status).toBe('indexed');

    const { outcome } = await update(deps, m, { firstName: 'John', lastName: 'Smith', email: 'jon.smith@example.com' });

    expect(outcome).toMatchObject({ status: 'merged', matchedEntityId: a.id });
    expect(outcome.leftClusterId).toBeUndefined();
    expect(deps.store.events('entity.merged')).toEqual([
      expect.objectContaining({
        payload: expect.objectContaining({ entityIds: [m.id], memberIds: [a.id, m.id], reason: 'updated' }),
      }),
    ]);
    expect(deps.store.events('entity.split')).toEqual([]);
  });

  it('moves an entity from the cluster it left to the one it now matches (split, then merge)', async () => {
    const deps = resolutionTestDeps();
    const [a, b, m] = [jon(), john(), anEntity('person', stranger)];
    for (const e of [a, b, m]) await create(deps, e);
    const old = (await deps.store.clusterOf('t1', a.id))!.clusterId;

    const { outcome } = await update(deps, b, { firstName: 'Mario', lastName: 'Garcia', email: stranger.email });

    expect(outcome).toMatchObject({ status: 'merged', matchedEntityId: m.id, leftClusterId: old });
    expect(deps.store.mutations.slice(-2).map((x) => x.mutation.events[0]!.name)).toEqual([
      'entity.split',
      'entity.merged',
    ]);
    expect((await deps.store.clusterOf('t1', m.id))!.members.sort()).toEqual([b.id, m.id].sort());
  });

  it('does nothing, and says so, when no attribute the matcher reads changed', async () => {
    const deps = resolutionTestDeps();
    const [a, b] = [jon(), john()];
    await create(deps, a);
    await create(deps, b);
    const writes = deps.store.mutations.length;
    const keySet = structuredClone(deps.store.keySets.get(`t1#${b.id}`));

    const { outcome } = await update(deps, b, { tier: 'gold', notes: 'called twice' });

    expect(outcome).toEqual({ status: 'unchanged', candidates: 0, hotKeys: 0 });
    expect(deps.store.mutations).toHaveLength(writes);
    expect(deps.store.keySets.get(`t1#${b.id}`)).toEqual(keySet);
  });

  it('keeps an entity with a confirmed partner in its cluster whatever its new attributes', async () => {
    const deps = resolutionTestDeps();
    const a = anEntity('person', { firstName: 'Alice', lastName: 'Jones', email: 'alice@jones.example' });
    const b = anEntity('person', { firstName: 'Alicia', lastName: 'Brown', email: 'ab@brown.example' });
    for (const e of [a, b]) await create(deps, e);
    await decideMatch(a.id, b.id, 'confirm', admin, deps);
    const cluster = (await deps.store.clusterOf('t1', a.id))!;

    const { outcome } = await update(deps, b, stranger);

    expect(outcome).toMatchObject({ status: 'kept', clusterId: cluster.clusterId });
    expect(await deps.store.clusterOf('t1', b.id)).toEqual(cluster);
    expect(deps.store.events('entity.split')).toEqual([]);
  });

  it('never joins an entity to one it was rejected against, however alike an update makes them', async () => {
    const deps = resolutionTestDeps();
    const [a, m] = [jon(), anEntity('person', stranger)];
    for (const e of [a, m]) await create(deps, e);
    await decideMatch(m.id, a.id, 'reject', admin, deps);

    const { outcome } = await update(deps, m, { firstName: 'Jon', lastName: 'Smith', email: 'jon.smith@example.com' });

    expect(outcome.status).toBe('indexed');
    expect(outcome.candidates).toBe(1);
    expect(deps.store.events('entity.merged')).toEqual([]);
  });

  it('changes nothing more when the event is redelivered, or an older update arrives after a newer one', async () => {
    const deps = resolutionTestDeps();
    const [a, b, m] = [jon(), john(), anEntity('person', stranger)];
    for (const e of [a, b, m]) await create(deps, e);
    const moved = await update(deps, b, { firstName: 'Mario', lastName: 'Garcia', email: stranger.email });
    expect(moved.outcome.status).toBe('merged');
    const writes = deps.store.mutations.length;

    const again = await resolveUpdatedEntity('t1', moved.event, 'redelivered', deps);
    expect(again).toMatchObject({ status: 'kept' });

    // a later update moves it back; then the earlier event is delivered late: the entity's current state wins
    await update(deps, b, { firstName: 'John', lastName: 'Smith', email: 'jon.smith@example.com' });
    const late = await resolveUpdatedEntity('t1', moved.event, 'late', deps);
    expect(late.status).toBe('kept');
    expect(await filedUnder(deps, emailKey('jon.smith@example.com'))).toContain(b.id);
    expect(await filedUnder(deps, emailKey(stranger.email))).toEqual([m.id]);
    expect(deps.store.mutations.length).toBe(writes + 2);
  });

  it('leaves other types and hot keys to the same rules as creates', async () => {
    const deps = resolutionTestDeps();
    const deal = { ...anEntity('person', {}), type: 'deal' as const };
    expect((await resolveUpdatedEntity('t1', { entity: deal, changed: ['email'] }, 'r', deps)).status).toBe('skipped');
    for (let i = 0; i <= HOT_KEY_CAP; i++)
      await create(deps, anEntity('person', { firstName: `Zed${i}`, lastName: `Q${i}x`, email: 'shared@example.com' }));
    const x = anEntity('person', { firstName: 'Ann', lastName: 'Lee' });
    await create(deps, x);
    expect((await update(deps, x, { email: 'shared@example.com' })).outcome.hotKeys).toBeGreaterThan(0);
  });
});
