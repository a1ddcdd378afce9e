import { beforeAll, describe, expect, it, vi } from 'vitest';
import { RELATION_KINDS } from '../../../../functions/domain/connectors/ports.js';
import { RelationKind } from '../../../../schemas/connectors.js';
import { anApiEvent, anEntity, aPrincipal, stubHandlerSettings } from '../../../support/builders.js';
import { InMemoryProvenance } from '../../../fakes/in-memory-connectors.js';
import { InMemoryResolutionStore } from '../../../fakes/in-memory-resolution-store.js';
import { aConnectorWorld, aSalesforceRequest, SECRET } from './builders.js';

type Handlers = {
  create: typeof import('../../../../functions/handlers/create-connector.js');
  del: typeof import('../../../../functions/handlers/delete-connector.js');
  get: typeof import('../../../../functions/handlers/get-connector.js');
  relations: typeof import('../../../../functions/handlers/get-entity-relations.js');
};
let h: Handlers;

beforeAll(async () => {
  // The modules build their production handler on import, which reads the bound settings (never reached here).
  stubHandlerSettings((name, value) => vi.stubEnv(name, value));
  h = {
    create: await import('../../../../functions/handlers/create-connector.js'),
    del: await import('../../../../functions/handlers/delete-connector.js'),
    get: await import('../../../../functions/handlers/get-connector.js'),
    relations: await import('../../../../functions/handlers/get-entity-relations.js'),
  };
});

const fieldsOf = (body: string) =>
  (JSON.parse(body) as { error: { details?: { field: string }[] } }).error.details?.map((d) => d.field);

describe('the connector handlers', () => {
  it('answer 201 with the connector and no trace of the credentials', async () => {
    const world = aConnectorWorld();
    const res = await h.create.makeHandler(world.deps)(anApiEvent({ body: JSON.stringify(aSalesforceRequest()) }));
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(SECRET);
    expect(JSON.parse(res.body)).toMatchObject({ credentialsKind: 'client_credentials', version: 1 });
  });

  it.each([
    [
      'a credential field missing',
      { credentials: { kind: 'client_credentials', clientId: 'x' } },
      'credentials.clientSecret',
    ],
    ['an unknown setting', { settings: { objects: ['Account'], batch: 5 } }, 'settings.batch'],
    ['an unknown system', { system: 'zendesk' }, 'system'],
    ['an object the system lacks', { settings: { objects: ['Lead'] } }, 'settings.objects.0'],
    ['a one-time schedule', { schedule: 'at(2026-12-01T00:00:00)' }, 'schedule'],
  ])('answer 400 VALIDATION_ERROR naming the field for %s, writing nothing', async (_name, change, field) => {
    const world = aConnectorWorld();
    const res = await h.create.makeHandler(world.deps)(
      anApiEvent({ body: JSON.stringify({ ...aSalesforceRequest(), ...change }) }),
    );
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('VALIDATION_ERROR');
    expect(fieldsOf(res.body)).toContain(field);
    expect(world.store.items.size).toBe(0);
    expect(world.scheduler.calls).toEqual([]);
  });

  it('answer a delete with 204 and no body, then 404', async () => {
    const world = aConnectorWorld();
    const created = JSON.parse(
      (await h.create.makeHandler(world.deps)(anApiEvent({ body: JSON.stringify(aSalesforceRequest()) }))).body,
    );
    const del = h.del.makeHandler(world.deps);
    const res = await del(anApiEvent({ path: { id: created.id } }));
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers).not.toHaveProperty('content-type');
    expect((await del(anApiEvent({ path: { id: created.id } }))).statusCode).toBe(404);
    expect((await h.get.makeHandler(world.deps)(anApiEvent({ path: { id: created.id } }))).statusCode).toBe(404);
  });

  it('answer 409 CONFLICT for a delete while a sync holds the connector', async () => {
    const world = aConnectorWorld();
    const created = JSON.parse(
      (await h.create.makeHandler(world.deps)(anApiEvent({ body: JSON.stringify(aSalesforceRequest()) }))).body,
    );
    world.store.lock('tenant-a', created.id, 'run-1');
    const res = await h.del.makeHandler(world.deps)(anApiEvent({ path: { id: created.id } }));
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body).error.code).toBe('CONFLICT');
  });

  it('refuse an operator (read only) a create with 403', async () => {
    const world = aConnectorWorld();
    const res = await h.create.makeHandler(world.deps)(
      anApiEvent({ body: JSON.stringify(aSalesforceRequest()), principal: aPrincipal({ roles: ['operator'] }) }),
    );
    expect(res.statusCode).toBe(403);
  });
});

describe('the relations handler', () => {
  it.each([
    [{ kind: 'likes' }, 'query.kind'],
    [{ direction: 'both' }, 'query.direction'],
    [{ limit: '0' }, 'query.limit'],
  ])('answers 400 for %o', async (query, field) => {
    const resolution = new InMemoryResolutionStore();
    resolution.addEntity('tenant-a', anEntity({ id: 'p1' }));
    const res = await h.relations.makeHandler({ resolution, provenance: new InMemoryProvenance() })(
      anApiEvent({ path: { id: 'p1' }, query }),
    );
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.body)).toContain(field);
  });
});

it('the API offers exactly the relation kinds connectors state', () => {
  expect(RelationKind.options).toEqual([...RELATION_KINDS]);
});
