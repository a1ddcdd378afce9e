import { describe, expect, it } from 'vitest';
import {
  getEntityRelations,
  getEntitySources,
  membersToRead,
  type ProvenanceDeps,
  type SourceRecordView,
} from '../../../../functions/domain/connectors/provenance.js';
import { ForbiddenError, NotFoundError } from '../../../../functions/domain/errors.js';
import { MAX_SOURCE_MEMBERS, MAX_SOURCES_PER_ENTITY } from '../../../../schemas/connectors.js';
import type { Entity } from '../../../../schemas/entity.js';
import { aContext, anEntity } from '../../../support/builders.js';
import { InMemoryProvenance } from '../../../fakes/in-memory-connectors.js';
import { InMemoryResolutionStore } from '../../../fakes/in-memory-resolution-store.js';

const T = 'tenant-a';

function aWorld() {
  const resolution = new InMemoryResolutionStore();
  const provenance = new InMemoryProvenance();
  const deps: ProvenanceDeps = { resolution, provenance };
  return { resolution, provenance, deps };
}

const aSource = (overrides: Partial<SourceRecordView> & Pick<SourceRecordView, 'entityId'>): SourceRecordView => ({
  connectorId: 'con-sf',
  system: 'salesforce',
  object: 'Contact',
  sourceId: `003${overrides.entityId}`,
  syncedAt: '2026-11-30T09:00:00.000Z',
  modifiedAt: '2026-11-29T09:00:00.000Z',
  deletedAt: null,
  attributes: {},
  ...overrides,
});

/** An entity as a sync builds it from its source record: the record's attributes, with `source`. */
function synced(
  world: ReturnType<typeof aWorld>,
  id: string,
  source: Omit<SourceRecordView, 'entityId'>,
  tenantId = T,
): Entity {
  const entity = anEntity({ id, attributes: { ...source.attributes, source: source.system } });
  world.resolution.addEntity(tenantId, entity);
  world.provenance.addSource(tenantId, { ...source, entityId: id, attributes: entity.attributes });
  return entity;
}

function cluster(world: ReturnType<typeof aWorld>, clusterId: string, members: string[]): void {
  world.resolution.clusters.set(`${T}#${clusterId}`, { clusterId, type: 'person', members, version: 1 });
  for (const m of members) world.resolution.pointers.set(`${T}#${m}`, clusterId);
}

describe('the sources of an entity', () => {
  it('of an entity in no cluster: its own records, and its attributes as the golden record', async () => {
    const world = aWorld();
    const { attributes } = synced(
      world,
      'p1',
      aSource({ entityId: 'p1', attributes: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' } }),
    );
    const out = await getEntitySources('p1', aContext(), world.deps);
    expect(out.items).toEqual([
      expect.objectContaining({
        entityId: 'p1',
        system: 'salesforce',
        object: 'Contact',
        sourceId: '003p1',
        attributes,
      }),
    ]);
    expect(out.golden).toEqual({
      clusterId: null,
      entityIds: ['p1'],
      attributes: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
      provenance: Object.fromEntries(
        ['firstName', 'lastName', 'email'].map((a) => [
          a,
          {
            entityId: 'p1',
            system: 'salesforce',
            sourceId: '003p1',
            syncedAt: '2026-11-30T09:00:00.000Z',
            decidedBy: 'only value',
          },
        ]),
      ),
    });
    expect(out.members).toEqual({ total: 1, read: 1 });
    expect(out.truncated).toBe(false);
  });

  it('of an entity created through the API: no records, its attributes with no system', async () => {
    const world = aWorld();
    world.resolution.addEntity(T, anEntity({ id: 'api-1', attributes: { name: 'Ada', score: 7, tags: ['vip'] } }));
    const out = await getEntitySources('api-1', aContext(), world.deps);
    expect(out.items).toEqual([]);
    expect(out.golden.attributes).toEqual({ name: 'Ada', score: 7, tags: ['vip'] });
    expect(out.golden.provenance.score).toEqual({
      entityId: 'api-1',
      system: null,
      sourceId: null,
      syncedAt: null,
      decidedBy: 'only value',
    });
  });

  it('names no record for a value set through the API after the sync', async () => {
    const world = aWorld();
    synced(world, 'p1', aSource({ entityId: 'p1', attributes: { firstName: 'Ada', title: 'Analyst' } }));
    const patched = world.resolution.entities.get(`${T}#p1`)!;
    patched.attributes.title = 'Countess';
    const out = await getEntitySources('p1', aContext(), world.deps);
    expect(out.golden.attributes.title).toBe('Countess');
    expect(out.golden.provenance.title).toMatchObject({ entityId: 'p1', system: null, sourceId: null });
    expect(out.golden.provenance.firstName).toMatchObject({ system: 'salesforce', sourceId: '003p1' });
  });

  it('of a cluster: every member record, and the golden record by source trust, then recency', async () => {
    const world = aWorld();
    synced(
      world,
      'sf',
      aSource({
        entityId: 'sf',
        attributes: { firstName: 'Ada', lastName: 'Lovelace', phone: '+442079460001' },
        modifiedAt: '2026-10-01T00:00:00.000Z',
      }),
    );
    synced(
      world,
      'hs1',
      aSource({
        entityId: 'hs1',
        system: 'hubspot',
        connectorId: 'con-hs',
        object: 'contacts',
        sourceId: '51',
        syncedAt: '2026-11-30T10:00:00.000Z',
        attributes: { firstName: 'Augusta', email: 'ada@old.example', city: 'London' },
        modifiedAt: '2026-11-01T00:00:00.000Z',
      }),
    );
    synced(
      world,
      'hs2',
      aSource({
        entityId: 'hs2',
        system: 'hubspot',
        connectorId: 'con-hs',
        object: 'contacts',
        sourceId: '52',
        syncedAt: '2026-11-30T10:00:01.000Z',
        attributes: { email: 'ada@new.example' },
        modifiedAt: '2026-11-20T00:00:00.000Z',
      }),
    );
    cluster(world, 'cl-1', ['sf', 'hs1', 'hs2']);
    const out = await getEntitySources('hs1', aContext(), world.deps);
    expect(out.items.map((s) => s.entityId).sort()).toEqual(['hs1', 'hs2', 'sf']);
    expect(out.golden.clusterId).toBe('cl-1');
    expect(out.golden.entityIds[0]).toBe('hs1');
    expect(out.golden.attributes).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '+442079460001',
      email: 'ada@new.example',
      city: 'London',
    });
    // Salesforce is trusted over HubSpot; between the two HubSpot records the newer one wins.
    expect(out.golden.provenance.firstName).toMatchObject({
      entityId: 'sf',
      system: 'salesforce',
      decidedBy: 'sourceTrust',
    });
    expect(out.golden.provenance.email).toMatchObject({
      entityId: 'hs2',
      system: 'hubspot',
      sourceId: '52',
      syncedAt: '2026-11-30T10:00:01.000Z',
      decidedBy: 'recency',
    });
    expect(out.golden.provenance.city).toMatchObject({ entityId: 'hs1', decidedBy: 'only value' });
    expect(out.golden.attributes).not.toHaveProperty('source');
    expect(out.members).toEqual({ total: 3, read: 3 });
  });

  it('lets a configured trust decide instead of the default', async () => {
    const world = aWorld();
    synced(world, 'sf', aSource({ entityId: 'sf', attributes: { firstName: 'Ada' } }));
    synced(
      world,
      'hs',
      aSource({ entityId: 'hs', system: 'hubspot', sourceId: '9', attributes: { firstName: 'Augusta' } }),
    );
    cluster(world, 'cl-1', ['sf', 'hs']);
    const out = await getEntitySources('sf', aContext(), { ...world.deps, sourceTrust: { hubspot: 5, salesforce: 1 } });
    expect(out.golden.attributes.firstName).toBe('Augusta');
  });

  it('lists deleted records but keeps their values out of the attribution', async () => {
    const world = aWorld();
    synced(
      world,
      'p1',
      aSource({ entityId: 'p1', attributes: { firstName: 'Ada' }, deletedAt: '2026-11-30T12:00:00.000Z' }),
    );
    const out = await getEntitySources('p1', aContext(), world.deps);
    expect(out.items[0]?.deletedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(out.golden.provenance.firstName).toMatchObject({ system: null, sourceId: null });
  });

  it('reads at most the cap of a large cluster, the asked entity first, and says it did not read all', async () => {
    const world = aWorld();
    const members = Array.from({ length: MAX_SOURCE_MEMBERS + 50 }, (_, i) => `m${i}`);
    for (const id of members) synced(world, id, aSource({ entityId: id, attributes: { firstName: `N${id}` } }));
    cluster(world, 'big', members);
    let sourceReads = 0;
    const counting = {
      ...world.deps,
      provenance: {
        ...world.provenance,
        relationsOf: world.provenance.relationsOf.bind(world.provenance),
        sourcesOf: (...args: Parameters<InMemoryProvenance['sourcesOf']>) => {
          sourceReads++;
          return world.provenance.sourcesOf(...args);
        },
      },
    };
    const out = await getEntitySources('m7', aContext(), counting);
    expect(sourceReads).toBe(MAX_SOURCE_MEMBERS);
    expect(out.members).toEqual({ total: MAX_SOURCE_MEMBERS + 50, read: MAX_SOURCE_MEMBERS });
    expect(out.truncated).toBe(true);
    expect(out.golden.entityIds[0]).toBe('m7');
    // the members linked last come next
    expect(out.golden.entityIds[1]).toBe(`m${MAX_SOURCE_MEMBERS + 49}`);
  });

  it('says it did not read all when an entity has more records than the cap', async () => {
    const world = aWorld();
    world.resolution.addEntity(T, anEntity({ id: 'p1' }));
    for (let i = 0; i <= MAX_SOURCES_PER_ENTITY; i++)
      world.provenance.addSource(T, aSource({ entityId: 'p1', sourceId: `s${i}` }));
    const out = await getEntitySources('p1', aContext(), world.deps);
    expect(out.items).toHaveLength(MAX_SOURCES_PER_ENTITY);
    expect(out.truncated).toBe(true);
  });

  it("answers 404 for an unknown id and another tenant's", async () => {
    const world = aWorld();
    synced(world, 'p1', aSource({ entityId: 'p1', attributes: { firstName: 'Ada' } }), 'tenant-b');
    await expect(getEntitySources('p1', aContext(), world.deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getEntitySources('nope', aContext(), world.deps)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('needs entities:read', async () => {
    const world = aWorld();
    world.resolution.addEntity(T, anEntity({ id: 'p1' }));
    await expect(getEntitySources('p1', aContext({ roles: ['approver'] }), world.deps)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});

describe('membersToRead', () => {
  it('puts the entity first and the last-linked members after it, up to the cap', () => {
    expect(membersToRead('b', ['a', 'b', 'c', 'd'], 3)).toEqual(['b', 'd', 'c']);
    expect(membersToRead('x', ['x'], 3)).toEqual(['x']);
  });
});

describe('the relations of an entity', () => {
  function related() {
    const world = aWorld();
    for (const id of ['person', 'org', 'deal', 'emp', 'boss'])
      world.resolution.addEntity(T, anEntity({ id, type: 'person' }));
    const at = '2026-11-30T09:00:00.000Z';
    world.provenance.addRelation(T, {
      kind: 'works-at',
      from: 'person',
      to: 'org',
      connectorId: 'con-sf',
      syncedAt: at,
    });
    world.provenance.addRelation(T, {
      kind: 'deal-with',
      from: 'deal',
      to: 'person',
      connectorId: 'con-sf',
      syncedAt: at,
    });
    world.provenance.addRelation(T, {
      kind: 'employed-as',
      from: 'person',
      to: 'emp',
      connectorId: 'con-wd',
      syncedAt: at,
    });
    return world;
  }

  it('lists both directions, naming the entity at the other end', async () => {
    const out = await getEntityRelations('person', { limit: 25 }, aContext(), related().deps);
    expect(out.items).toEqual([
      {
        kind: 'deal-with',
        direction: 'in',
        entityId: 'deal',
        connectorId: 'con-sf',
        syncedAt: '2026-11-30T09:00:00.000Z',
      },
      {
        kind: 'employed-as',
        direction: 'out',
        entityId: 'emp',
        connectorId: 'con-wd',
        syncedAt: '2026-11-30T09:00:00.000Z',
      },
      {
        kind: 'works-at',
        direction: 'out',
        entityId: 'org',
        connectorId: 'con-sf',
        syncedAt: '2026-11-30T09:00:00.000Z',
      },
    ]);
    expect(out.nextCursor).toBeNull();
  });

  it('filters by kind and direction', async () => {
    const world = related();
    const out = await getEntityRelations('person', { limit: 25, direction: 'out' }, aContext(), world.deps);
    expect(out.items.map((r) => r.kind)).toEqual(['employed-as', 'works-at']);
    const kind = await getEntityRelations('org', { limit: 25, kind: 'works-at' }, aContext(), world.deps);
    expect(kind.items).toEqual([expect.objectContaining({ direction: 'in', entityId: 'person' })]);
  });

  it("answers 404 for an unknown entity and another tenant's", async () => {
    const world = related();
    await expect(getEntityRelations('nope', { limit: 25 }, aContext(), world.deps)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      getEntityRelations('person', { limit: 25 }, aContext({ tenantId: 'tenant-b' }), world.deps),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
