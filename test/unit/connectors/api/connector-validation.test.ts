import { describe, expect, it } from 'vitest';
import {
  createConnector,
  updateConnector,
  type ConnectorDeps,
} from '../../../../functions/domain/connectors/connector-use-cases.js';
import { ValidationError } from '../../../../functions/domain/errors.js';
import type { CreateConnectorRequest } from '../../../../schemas/connectors.js';
import { aContext } from '../../../support/builders.js';
import {
  aConnectorWorld,
  aSalesforceRequest,
  aWorkdayRequest,
  DEV_URL_POLICY,
  type ConnectorWorld,
} from './builders.js';

const hubspot = (overrides: Partial<CreateConnectorRequest> = {}): CreateConnectorRequest =>
  aSalesforceRequest({
    system: 'hubspot',
    baseUrl: 'https://api.hubapi.com',
    credentials: { kind: 'access_token', accessToken: 'pat-na1-0000' },
    settings: { objects: ['contacts'] },
    ...overrides,
  });

/** Creates and expects a refusal: returns the fields it names, after checking nothing was written or scheduled. */
async function refusedFields(world: ConnectorWorld, request: CreateConnectorRequest): Promise<string[]> {
  const error = await createConnector(request, aContext(), world.deps).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  expect(world.store.items.size).toBe(0);
  expect(world.store.mutations).toEqual([]);
  expect(world.scheduler.calls).toEqual([]);
  return ((error as ValidationError).details ?? []).map((d) => d.field!);
}

describe('connector config checks against the registry', () => {
  it.each<[string, CreateConnectorRequest, string]>([
    [
      'an object the system does not have',
      aSalesforceRequest({ settings: { objects: ['Account', 'Lead'] } }),
      'settings.objects.1',
    ],
    [
      'an object listed twice',
      aSalesforceRequest({ settings: { objects: ['Contact', 'Account', 'Contact'] } }),
      'settings.objects.2',
    ],
    ["another system's object", hubspot({ settings: { objects: ['contacts', 'Account'] } }), 'settings.objects.1'],
    [
      'an auth kind the system does not use (HubSpot has no client credentials grant)',
      hubspot({ credentials: { kind: 'client_credentials', clientId: 'a', clientSecret: 'b' } }),
      'credentials.kind',
    ],
    [
      'a static token for Salesforce',
      aSalesforceRequest({ credentials: { kind: 'access_token', accessToken: 'x' } }),
      'credentials.kind',
    ],
    ['a page larger than the vendor serves', hubspot({ settings: { pageSize: 101 } }), 'settings.pageSize'],
    [
      'a Salesforce page smaller than the 200 records it honours',
      aSalesforceRequest({ settings: { pageSize: 50 } }),
      'settings.pageSize',
    ],
    [
      'a report path with a .. segment',
      aWorkdayRequest({ settings: { tenant: 'acme', objects: ['workerReport'], reportPath: 'owner/..' } }),
      'settings.reportPath',
    ],
    ['a Workday connector without its tenant', aWorkdayRequest({ settings: {} }), 'settings.tenant'],
    [
      'the workerReport object without a report path',
      aWorkdayRequest({ settings: { tenant: 'acme', objects: ['workerReport'] } }),
      'settings.reportPath',
    ],
    ['an apiVersion for HubSpot', hubspot({ settings: { apiVersion: 'v62.0' } }), 'settings.apiVersion'],
    ['a Workday tenant for Salesforce', aSalesforceRequest({ settings: { tenant: 'acme' } }), 'settings.tenant'],
    ['a report path for HubSpot', hubspot({ settings: { reportPath: 'owner/report' } }), 'settings.reportPath'],
    ['plain http to a public host', aSalesforceRequest({ baseUrl: 'http://acme.my.salesforce.com' }), 'baseUrl'],
    ['a private address', aSalesforceRequest({ baseUrl: 'https://10.1.2.3/salesforce' }), 'baseUrl'],
    ['the metadata service', aSalesforceRequest({ baseUrl: 'https://169.254.169.254' }), 'baseUrl'],
    ['an internal host name', aSalesforceRequest({ baseUrl: 'https://vault.internal' }), 'baseUrl'],
    ['loopback outside development', aSalesforceRequest({ baseUrl: 'http://127.0.0.1:8900/salesforce' }), 'baseUrl'],
    ['a base URL with a query', aSalesforceRequest({ baseUrl: 'https://acme.my.salesforce.com/?x=1' }), 'baseUrl'],
    ['a schedule more often than every 5 minutes', aSalesforceRequest({ schedule: 'rate(1 minute)' }), 'schedule'],
    ['a cron naming both day fields', aSalesforceRequest({ schedule: 'cron(0 2 * * * *)' }), 'schedule'],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_name, request, field) => {
    expect(await refusedFields(aConnectorWorld(), request)).toContain(field);
  });

  it('names every problem of a request at once', async () => {
    const fields = await refusedFields(
      aConnectorWorld(),
      hubspot({
        baseUrl: 'http://api.hubapi.com',
        settings: { objects: ['deals', 'deals'], pageSize: 500, tenant: 'x' },
        schedule: 'rate(2 minutes)',
      }),
    );
    expect(fields.sort()).toEqual([
      'baseUrl',
      'schedule',
      'settings.objects.1',
      'settings.pageSize',
      'settings.tenant',
    ]);
  });

  it('accepts what each system supports', async () => {
    const world = aConnectorWorld();
    const ctx = aContext();
    await createConnector(aSalesforceRequest({ settings: { pageSize: 2000 } }), ctx, world.deps);
    await createConnector(hubspot({ settings: { pageSize: 100, objects: ['companies', 'deals'] } }), ctx, world.deps);
    await createConnector(
      aWorkdayRequest({
        settings: { tenant: 'acme', objects: ['workers', 'workerReport'], reportPath: 'lmcneil/Workers' },
      }),
      ctx,
      world.deps,
    );
    expect(world.store.items.size).toBe(3);
  });

  describe('on the local platform', () => {
    it('accepts the fake vendors on a development loopback port', async () => {
      const world = aConnectorWorld(DEV_URL_POLICY);
      const created = await createConnector(
        aSalesforceRequest({ baseUrl: 'http://127.0.0.1:8931/salesforce' }),
        aContext(),
        world.deps,
      );
      expect(created.baseUrl).toBe('http://127.0.0.1:8931/salesforce');
    });

    it.each([
      ['a port outside the development range', 'http://127.0.0.1:9000/salesforce'],
      ['a system service port', 'http://localhost:22/'],
      ['another private address over http', 'http://192.168.1.10:8931/salesforce'],
    ])('still refuses %s', async (_name, baseUrl) => {
      expect(await refusedFields(aConnectorWorld(DEV_URL_POLICY), aSalesforceRequest({ baseUrl }))).toEqual([
        'baseUrl',
      ]);
    });
  });
});

describe('changes are checked as the connector they make', () => {
  async function aStoredConnector(deps: ConnectorDeps) {
    return createConnector(aSalesforceRequest(), aContext(), deps);
  }

  it.each<[string, Parameters<typeof updateConnector>[1], string]>([
    ['a page size above the maximum', { version: 1, settings: { pageSize: 2001 } }, 'settings.pageSize'],
    ['an unknown object', { version: 1, settings: { objects: ['Case'] } }, 'settings.objects.0'],
    [
      'credentials of a kind the system does not use',
      { version: 1, credentials: { kind: 'access_token', accessToken: 'x' } },
      'credentials.kind',
    ],
    ['a refused base URL', { version: 1, baseUrl: 'https://localhost/x' }, 'baseUrl'],
    ['a too frequent schedule', { version: 1, schedule: 'cron(0/2 * * * ? *)' }, 'schedule'],
  ])('refuses %s and leaves the connector and its schedule as they were', async (_name, change, field) => {
    const world = aConnectorWorld();
    const created = await aStoredConnector(world.deps);
    const before = await world.store.get('tenant-a', created.id);
    const calls = world.scheduler.calls.length;
    const error = await updateConnector(created.id, change, aContext(), world.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details?.map((d) => d.field)).toContain(field);
    expect(await world.store.get('tenant-a', created.id)).toEqual(before);
    expect(world.store.mutations.map((m) => m.write)).toEqual(['create']);
    expect(world.scheduler.calls.length).toBe(calls);
  });

  it('checks the stored settings against a Workday tenant removed by replacing the settings', async () => {
    const world = aConnectorWorld();
    const created = await createConnector(aWorkdayRequest(), aContext(), world.deps);
    const error = await updateConnector(created.id, { version: 1, settings: { pageSize: 50 } }, aContext(), world.deps)
      .then(() => undefined)
      .catch((e: unknown) => e);
    // settings replace the stored ones whole: without `tenant` the Workday connector is incomplete
    expect((error as ValidationError).details?.map((d) => d.field)).toEqual(['settings.tenant']);
  });
});
