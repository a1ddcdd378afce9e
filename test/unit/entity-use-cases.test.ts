import { beforeEach, describe, expect, it } from 'vitest';
import {
  createEntity,
  getEntity,
  listEntities,
  patchEntity,
  updateEntity,
  type EntityDeps,
} from '../../functions/domain/entities/entity-use-cases.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../functions/domain/errors.js';
import { hashOf } from '../../functions/domain/shared/hash.js';
import { aContext } from '../support/builders.js';
import { fixedClock, sequentialIds } from '../fakes/clock-and-ids.js';
import { InMemoryEntityRepository } from '../fakes/in-memory-entity-repository.js';

describe('entity use cases', () => {
  let repo: InMemoryEntityRepository;
  let deps: EntityDeps;
  beforeEach(() => {
    repo = new InMemoryEntityRepository();
    deps = { entities: repo, clock: fixedClock(), ids: sequentialIds('ent') };
  });

  it('creates an entity at version 1 and records its audit entry and entity.created event in the same mutation', async () => {
    const entity = await createEntity({ type: 'person', attributes: { name: 'Ada' } }, aContext(), deps);

    expect(entity).toEqual({
      id: 'ent-1',
      type: 'person',
      attributes: { name: 'Ada' },
      version: 1,
      createdAt: '2026-02-03T04:05:06.000Z',
      updatedAt: '2026-02-03T04:05:06.000Z',
    });
    expect(repo.mutations).toHaveLength(1);
    const m = repo.mutations[0]!;
    expect(m.tenantId).toBe('tenant-a');
    expect(m.audit).toMatchObject({
      action: 'entity.create',
      actor: 'user-1',
      resourceId: 'ent-1',
      requestId: 'req-1',
      beforeHash: null,
    });
    expect(m.audit.afterHash).toBe(hashOf(entity));
    expect(m.events.map((e) => e.name)).toEqual(['entity.created']);
  });

  it('refuses creation to a role without entities:write', async () => {
    await expect(
      createEntity({ type: 'person', attributes: {} }, aContext({ roles: ['analyst'] }), deps),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(repo.mutations).toHaveLength(0);
  });

  it('lets an analyst read but not an approver', async () => {
    const e = await createEntity({ type: 'person', attributes: {} }, aContext(), deps);
    await expect(getEntity(e.id, aContext({ roles: ['analyst'] }), deps)).resolves.toMatchObject({ id: e.id });
    await expect(getEntity(e.id, aContext({ roles: ['approver'] }), deps)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("returns not found for another tenant's entity id", async () => {
    const e = await createEntity({ type: 'person', attributes: {} }, aContext(), deps);
    await expect(getEntity(e.id, aContext({ tenantId: 'tenant-b' }), deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listEntities({ limit: 10 }, aContext({ tenantId: 'tenant-b' }), deps)).resolves.toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('applies a merge patch: changes, adds and removes attributes, bumps the version and lists what changed', async () => {
    const e = await createEntity(
      { type: 'person', attributes: { name: 'Ada', city: 'London', tier: 'gold' } },
      aContext(),
      deps,
    );

    const next = await updateEntity(
      e.id,
      { version: 1, attributes: { city: 'Paris', tier: null, phone: '+44', name: 'Ada' } },
      aContext(),
      deps,
    );

    expect(next.attributes).toEqual({ name: 'Ada', city: 'Paris', phone: '+44' });
    expect(next.version).toBe(2);
    const event = repo.mutations[1]!.events[0]!;
    expect(event.name).toBe('entity.updated');
    expect(event.payload).toMatchObject({ previousVersion: 1, changed: ['city', 'phone', 'tier'] });
    expect(repo.mutations[1]!.audit.beforeHash).toBe(hashOf(e));
  });

  it('refuses an update that carries a stale version with a conflict and writes nothing', async () => {
    const e = await createEntity({ type: 'person', attributes: { name: 'Ada' } }, aContext(), deps);
    await updateEntity(e.id, { version: 1, attributes: { name: 'Ada L.' } }, aContext(), deps);

    await expect(
      updateEntity(e.id, { version: 1, attributes: { name: 'Other' } }, aContext(), deps),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(repo.mutations).toHaveLength(2);
    expect((await repo.get('tenant-a', e.id))!.attributes.name).toBe('Ada L.');
  });

  it('applies a patch with an idempotency key once: a retry returns the first result, previous state included, and writes nothing', async () => {
    const e = await createEntity({ type: 'person', attributes: { n: 0 } }, aContext(), deps);
    const withMarkers = { ...deps, idempotency: repo };

    const first = await patchEntity(e.id, { version: 1, attributes: { n: 1 } }, aContext(), withMarkers, {
      idempotencyKey: 'run-1:step-1',
    });
    const retry = await patchEntity(e.id, { version: 2, attributes: { n: 1 } }, aContext(), withMarkers, {
      idempotencyKey: 'run-1:step-1',
    });

    expect(retry).toEqual(first);
    expect(retry.previous.attributes).toEqual({ n: 0 });
    expect(repo.mutations).toHaveLength(2);
    expect((await repo.get('tenant-a', e.id))!.version).toBe(2);
  });

  it('refuses a patch that would make the entity larger than the event limit allows', async () => {
    const e = await createEntity({ type: 'person', attributes: {} }, aContext(), deps);
    let version = 1;
    const big = 'x'.repeat(4000);
    await expect(
      (async () => {
        for (let i = 0; i < 40; i++) {
          const attributes = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`a${i}_${k}`, big]));
          version = (await updateEntity(e.id, { version, attributes }, aContext(), deps)).version;
        }
      })(),
    ).rejects.toThrow(/exceed/);
  });

  it('returns not found when updating an id that does not exist', async () => {
    await expect(updateEntity('missing', { version: 1, attributes: {} }, aContext(), deps)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
