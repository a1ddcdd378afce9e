import { describe, expect, it } from 'vitest';
import {
  createConnector,
  deleteConnector,
  getConnector,
  listConnectors,
  ScheduleNotAppliedError,
  updateConnector,
} from '../../../../functions/domain/connectors/connector-use-cases.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from '../../../../functions/domain/errors.js';
import { hashOf, sha256Hex } from '../../../../functions/domain/shared/hash.js';
import { aContext } from '../../../support/builders.js';
import { aConnectorWorld, aSalesforceRequest, SECRET } from './builders.js';

const ctxA = aContext({ tenantId: 'tenant-a', userId: 'alice' });
const ctxB = aContext({ tenantId: 'tenant-b', userId: 'bob' });

describe('creating a connector', () => {
  it('stores it at version 1 with its credentials sealed, and answers without them', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    expect(created).toEqual({
      id: 'con-1',
      system: 'salesforce',
      name: 'Salesforce production',
      baseUrl: 'https://acme.my.salesforce.com',
      credentialsKind: 'client_credentials',
      settings: { objects: ['Account', 'Contact'], pageSize: 500, apiVersion: 'v62.0' },
      schedule: 'rate(1 hour)',
      enabled: true,
      activeRunId: null,
      lastRun: null,
      version: 1,
      createdAt: '2026-02-03T04:05:06.000Z',
      updatedAt: '2026-02-03T04:05:06.000Z',
    });
    expect(JSON.stringify(created)).not.toContain(SECRET);
    const stored = await world.store.get('tenant-a', 'con-1');
    expect(JSON.stringify(stored)).not.toContain(SECRET);
    expect(JSON.stringify(stored)).not.toContain('client-1');
    expect(stored?.sealedCredentials).toMatch(/^enc1\./);
  });

  it('seals credentials so that the tenant opens them and another tenant cannot', async () => {
    const world = aConnectorWorld();
    await createConnector(aSalesforceRequest(), ctxA, world.deps);
    const sealed = (await world.store.get('tenant-a', 'con-1'))!.sealedCredentials;
    expect(JSON.parse(await world.secrets.open('tenant-a', sealed))).toEqual({
      kind: 'client_credentials',
      clientId: 'client-1',
      clientSecret: SECRET,
    });
    await expect(world.secrets.open('tenant-b', sealed)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('audits connector.create with a hash of the sealed record, never of the secret in clear', async () => {
    const world = aConnectorWorld();
    await createConnector(aSalesforceRequest(), ctxA, world.deps);
    const [m] = world.store.mutations;
    const stored = (await world.store.get('tenant-a', 'con-1'))!;
    expect(m?.audit).toMatchObject({
      action: 'connector.create',
      actor: 'alice',
      resourceType: 'connector',
      resourceId: 'con-1',
      beforeHash: null,
      afterHash: hashOf(stored),
    });
    const plain = aSalesforceRequest().credentials;
    expect([hashOf(plain), sha256Hex(SECRET), hashOf({ ...stored, credentials: plain })]).not.toContain(
      m?.audit.afterHash,
    );
    expect(JSON.stringify(m)).not.toContain(SECRET);
    expect(m?.events).toEqual([]);
  });

  it('creates the schedule after the connector, and none for a disabled or unscheduled one', async () => {
    const world = aConnectorWorld();
    await createConnector(aSalesforceRequest(), ctxA, world.deps);
    await createConnector(aSalesforceRequest({ enabled: false }), ctxA, world.deps);
    await createConnector(aSalesforceRequest({ schedule: null }), ctxA, world.deps);
    expect(world.scheduler.calls).toEqual([{ tenantId: 'tenant-a', connectorId: 'con-1', expression: 'rate(1 hour)' }]);
  });

  it('keeps no connector when its schedule cannot be created, and says so', async () => {
    const world = aConnectorWorld();
    world.scheduler.failNext();
    const error = await createConnector(aSalesforceRequest(), ctxA, world.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleNotAppliedError);
    expect((error as ScheduleNotAppliedError).status).toBe(503);
    expect((error as Error).message).toMatch(/nothing was kept/);
    expect(world.store.items.size).toBe(0);
    // both the create and its undo are in the audit trail
    expect(world.store.mutations.map((m) => m.audit.action)).toEqual(['connector.create', 'connector.delete']);
  });

  it('says the connector exists without its schedule when neither the schedule nor the undo succeeds', async () => {
    const world = aConnectorWorld();
    world.scheduler.failNext();
    world.store.failNext('delete');
    const error = await createConnector(aSalesforceRequest(), ctxA, world.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleNotAppliedError);
    expect((error as Error).message).toMatch(/con-1 was created, but its schedule could not be created/);
    expect(world.store.items.size).toBe(1);
  });

  it('needs connectors:manage', async () => {
    const world = aConnectorWorld();
    await expect(
      createConnector(aSalesforceRequest(), aContext({ roles: ['operator'] }), world.deps),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(world.store.items.size).toBe(0);
  });
});

describe('reading connectors', () => {
  it("answers 404 for an unknown id and for another tenant's", async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    await expect(getConnector('nope', ctxA, world.deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getConnector(created.id, ctxB, world.deps)).rejects.toBeInstanceOf(NotFoundError);
    expect(await getConnector(created.id, ctxA, world.deps)).toEqual(created);
  });

  it("lists only the tenant's connectors, without credentials, for roles that may read them", async () => {
    const world = aConnectorWorld();
    await createConnector(aSalesforceRequest({ name: 'one' }), ctxA, world.deps);
    await createConnector(aSalesforceRequest({ name: 'two' }), ctxB, world.deps);
    const operator = aContext({ tenantId: 'tenant-a', roles: ['operator'] });
    const page = await listConnectors({ limit: 10 }, operator, world.deps);
    expect(page.items.map((c) => c.name)).toEqual(['one']);
    expect(page.items[0]).not.toHaveProperty('sealedCredentials');
    await expect(listConnectors({ limit: 10 }, aContext({ roles: ['analyst'] }), world.deps)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});

describe('changing a connector', () => {
  it('applies the change at the next version, re-sealing new credentials', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    const sealedBefore = (await world.store.get('tenant-a', created.id))!.sealedCredentials;
    const updated = await updateConnector(
      created.id,
      {
        version: 1,
        name: 'Renamed',
        credentials: { kind: 'refresh_token', clientId: 'c', clientSecret: 's', refreshToken: 'rotated-token-77' },
      },
      ctxA,
      world.deps,
    );
    expect(updated).toMatchObject({ name: 'Renamed', version: 2, credentialsKind: 'refresh_token' });
    const stored = (await world.store.get('tenant-a', created.id))!;
    expect(stored.sealedCredentials).not.toBe(sealedBefore);
    expect(JSON.stringify(stored)).not.toContain('rotated-token-77');
    expect(JSON.parse(await world.secrets.open('tenant-a', stored.sealedCredentials)).refreshToken).toBe(
      'rotated-token-77',
    );
    const audit = world.store.mutations[1]!.audit;
    expect(audit).toMatchObject({ action: 'connector.update', afterHash: hashOf(stored) });
    expect(audit.beforeHash).not.toBe(audit.afterHash);
  });

  it('drops the stored token and breaker when the connection changes (credentials, base URL, settings), not on a rename', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    await updateConnector(created.id, { version: 1, name: 'Renamed' }, ctxA, world.deps);
    expect(world.store.sessionResets).toEqual([]);
    await updateConnector(created.id, { version: 2, baseUrl: 'https://other.my.salesforce.com' }, ctxA, world.deps);
    await updateConnector(
      created.id,
      { version: 3, credentials: { kind: 'client_credentials', clientId: 'c2', clientSecret: 's2' } },
      ctxA,
      world.deps,
    );
    expect(world.store.sessionResets).toEqual([created.id, created.id]);
  });

  it('answers 409 for a stale version and writes nothing', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    await updateConnector(created.id, { version: 1, name: 'first' }, ctxA, world.deps);
    await expect(updateConnector(created.id, { version: 1, name: 'second' }, ctxA, world.deps)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await getConnector(created.id, ctxA, world.deps)).name).toBe('first');
    expect(world.store.mutations).toHaveLength(2);
  });

  it("answers 404 for another tenant's connector", async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    await expect(updateConnector(created.id, { version: 1, name: 'x' }, ctxB, world.deps)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await getConnector(created.id, ctxA, world.deps)).name).toBe('Salesforce production');
  });

  it('writes nothing for a change that names nothing', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    expect(await updateConnector(created.id, { version: 1 }, ctxA, world.deps)).toEqual(created);
    expect(world.store.mutations).toHaveLength(1);
  });

  it('keeps the lock a sync took meanwhile', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    world.store.lock('tenant-a', created.id, 'run-9');
    const updated = await updateConnector(created.id, { version: 1, name: 'x' }, ctxA, world.deps);
    expect(updated.activeRunId).toBe('run-9');
  });

  it.each([
    ['a new schedule', { schedule: 'cron(0 2 * * ? *)' }, 'cron(0 2 * * ? *)'],
    ['no schedule', { schedule: null }, null],
    ['disabling', { enabled: false }, null],
  ])('gives the scheduler the schedule after %s', async (_name, change, expected) => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    await updateConnector(created.id, { version: 1, ...change }, ctxA, world.deps);
    expect(world.scheduler.calls.at(-1)).toEqual({
      tenantId: 'tenant-a',
      connectorId: created.id,
      expression: expected,
    });
    expect(world.scheduler.scheduleOf('tenant-a', created.id) ?? null).toBe(expected);
  });

  it('restores the schedule when a disabled connector is enabled again, and leaves it alone for other changes', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest({ enabled: false }), ctxA, world.deps);
    await updateConnector(created.id, { version: 1, name: 'x', schedule: 'rate(1 hour)' }, ctxA, world.deps);
    expect(world.scheduler.calls).toEqual([]);
    await updateConnector(created.id, { version: 2, enabled: true }, ctxA, world.deps);
    expect(world.scheduler.scheduleOf('tenant-a', created.id)).toBe('rate(1 hour)');
  });

  it('puts the connector back when its schedule cannot follow the change', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    world.scheduler.failNext();
    const error = await updateConnector(
      created.id,
      { version: 1, schedule: 'rate(6 hours)', name: 'changed' },
      ctxA,
      world.deps,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleNotAppliedError);
    expect((error as Error).message).toMatch(/left as it was \(now version 3\)/);
    const now = await getConnector(created.id, ctxA, world.deps);
    expect(now).toMatchObject({ schedule: 'rate(1 hour)', name: 'Salesforce production', version: 3 });
    expect(world.scheduler.scheduleOf('tenant-a', created.id)).toBe('rate(1 hour)');
    expect(world.store.mutations.map((m) => m.audit.action)).toEqual([
      'connector.create',
      'connector.update',
      'connector.update',
    ]);
  });

  it('says what is stored when neither the schedule nor the undo succeeds', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    world.scheduler.failNext();
    // the change itself goes through; the undo fails
    const store = world.store;
    const realUpdate = store.update.bind(store);
    let calls = 0;
    store.update = async (...args) => {
      if (++calls === 2) store.failNext('update');
      return realUpdate(...args);
    };
    const error = await updateConnector(created.id, { version: 1, schedule: 'rate(6 hours)' }, ctxA, world.deps).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/was changed \(version 2\), but its schedule could not be changed/);
    expect((await getConnector(created.id, ctxA, world.deps)).schedule).toBe('rate(6 hours)');
  });
});

describe('deleting a connector', () => {
  it('removes it, then its schedule', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    await deleteConnector(created.id, ctxA, world.deps);
    expect(world.store.items.size).toBe(0);
    expect(world.scheduler.scheduleOf('tenant-a', created.id)).toBeUndefined();
    expect(world.scheduler.calls.at(-1)?.expression).toBeNull();
    const audit = world.store.mutations.at(-1)!.audit;
    expect(audit).toMatchObject({ action: 'connector.delete', afterHash: null });
    expect(audit.beforeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 409 while a sync holds it, and keeps it and its schedule', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    world.store.lock('tenant-a', created.id, 'run-1');
    const error = await deleteConnector(created.id, ctxA, world.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/run-1/);
    expect(world.store.items.size).toBe(1);
    expect(world.scheduler.scheduleOf('tenant-a', created.id)).toBe('rate(1 hour)');
  });

  it("answers 404 for another tenant's connector and leaves it and its schedule", async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    await expect(deleteConnector(created.id, ctxB, world.deps)).rejects.toBeInstanceOf(NotFoundError);
    expect(world.store.items.size).toBe(1);
    expect(world.scheduler.scheduleOf('tenant-a', created.id)).toBe('rate(1 hour)');
  });

  it('reports a schedule left behind, and removes it when the DELETE is sent again', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aSalesforceRequest(), ctxA, world.deps);
    world.scheduler.failNext();
    await expect(deleteConnector(created.id, ctxA, world.deps)).rejects.toBeInstanceOf(ScheduleNotAppliedError);
    expect(world.store.items.size).toBe(0);
    expect(world.scheduler.scheduleOf('tenant-a', created.id)).toBe('rate(1 hour)');
    await expect(deleteConnector(created.id, ctxA, world.deps)).rejects.toBeInstanceOf(NotFoundError);
    expect(world.scheduler.scheduleOf('tenant-a', created.id)).toBeUndefined();
  });

  it('answers 404 for an unknown id even when the scheduler cannot be reached', async () => {
    const world = aConnectorWorld();
    world.scheduler.failNext();
    await expect(deleteConnector('no-such-connector', ctxA, world.deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});
