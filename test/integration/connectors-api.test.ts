import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesSecretBox } from '../../functions/adapters/crypto/aes-secret-box.js';
import { ITEM_TYPES, keys } from '../../functions/adapters/dynamodb/keys.js';
import { RelationItem, SourceRecordItem } from '../../functions/adapters/dynamodb/sync-items.js';
import { scheduleNameOf } from '../../functions/adapters/scheduler/sync-scheduler.js';
import { SCHEDULE_GROUPS } from '../../functions/platform/manifest.js';
import type { BusEvent } from '../../local/event-bus.js';
import type { LocalPlatform } from '../../local/platform.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

/*
 * The connector admin API and the provenance reads on the local platform: the real handlers, DynamoDB Local,
 * the local scheduler. Source records and relations are written into the table as a sync writes them (their
 * item schemas validate them first), so these reads are tested apart from the sync engine.
 */

let platform: LocalPlatform;
let doc: DynamoDBDocumentClient;
let adminA: ReturnType<typeof apiClient>;
let adminB: ReturnType<typeof apiClient>;
let operatorA: ReturnType<typeof apiClient>;
let analystA: ReturnType<typeof apiClient>;
const events: BusEvent[] = [];
const SECRET = 'integration-client-secret-19af';

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.onEvent((e) => events.push(e));
  doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: platform.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
  );
  adminA = apiClient(platform.url, await platform.token({ tenantId: 'con-a', roles: ['admin'], userId: 'alice' }));
  adminB = apiClient(platform.url, await platform.token({ tenantId: 'con-b', roles: ['admin'], userId: 'bob' }));
  operatorA = apiClient(platform.url, await platform.token({ tenantId: 'con-a', roles: ['operator'], userId: 'otto' }));
  analystA = apiClient(platform.url, await platform.token({ tenantId: 'con-a', roles: ['analyst'], userId: 'ann' }));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

const del = (client: ReturnType<typeof apiClient>, path: string) => client.raw('DELETE', path, '');

const aRequest = (overrides: Record<string, unknown> = {}) => ({
  system: 'salesforce',
  name: 'Salesforce (fake vendor)',
  baseUrl: 'http://127.0.0.1:8950/salesforce',
  credentials: { kind: 'client_credentials', clientId: 'fake-client', clientSecret: SECRET },
  settings: { objects: ['Account', 'Contact'] },
  schedule: null,
  ...overrides,
});

/** The expression of the connector's schedule in the local EventBridge Scheduler, or null when it has none. */
async function scheduleOf(tenantId: string, connectorId: string): Promise<string | null> {
  const client = new SchedulerClient({
    endpoint: platform.schedulerEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  try {
    const out = await client.send(
      new GetScheduleCommand({
        Name: scheduleNameOf(tenantId, connectorId),
        GroupName: SCHEDULE_GROUPS.connectorSyncs.groupName('local'),
      }),
    );
    return out.ScheduleExpression ?? null;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return null;
    throw error;
  }
}

const storedItem = async (tenantId: string, id: string) =>
  (await doc.send(new GetCommand({ TableName: platform.tableName, Key: keys.connector(tenantId, id) }))).Item;

describe('the connector admin API', () => {
  it('creates a connector with its credentials sealed for the tenant, and never returns them', async () => {
    const res = await adminA.post('/api/v1/connectors', aRequest());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ system: 'salesforce', credentialsKind: 'client_credentials', version: 1 });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    const item = (await storedItem('con-a', res.body.id))!;
    expect(JSON.stringify(item)).not.toContain(SECRET);
    const box = new AesSecretBox(async () => Buffer.from(process.env.CALLBACK_KEY!, 'utf8'));
    expect(JSON.parse(await box.open('con-a', item.sealedCredentials)).clientSecret).toBe(SECRET);
    await expect(box.open('con-b', item.sealedCredentials)).rejects.toThrow();
    for (const path of [`/api/v1/connectors/${res.body.id}`, '/api/v1/connectors'])
      expect(JSON.stringify((await adminA.get(path)).body)).not.toContain(SECRET);
  });

  it.each([
    ['an object Salesforce lacks', { settings: { objects: ['Lead'] } }, 'settings.objects.0'],
    ['a loopback port that is no development port', { baseUrl: `${'http://127.0.0.1'}:9999/salesforce` }, 'baseUrl'],
    [
      'an auth kind Salesforce does not use',
      { credentials: { kind: 'access_token', accessToken: 't' } },
      'credentials.kind',
    ],
    ['a schedule more often than every 5 minutes', { schedule: 'rate(1 minute)' }, 'schedule'],
  ])('answers 400 VALIDATION_ERROR naming the field for %s, and stores nothing', async (_name, change, field) => {
    const before = (await adminB.get('/api/v1/connectors?limit=100')).body.items.length;
    const res = await adminB.post('/api/v1/connectors', aRequest(change));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect((await adminB.get('/api/v1/connectors?limit=100')).body.items).toHaveLength(before);
  });

  it("keeps tenants apart: another tenant's id is 404 for reads, changes and deletes", async () => {
    const { body: c } = await adminA.post('/api/v1/connectors', aRequest({ name: 'mine' }));
    expect((await adminB.get(`/api/v1/connectors/${c.id}`)).status).toBe(404);
    expect((await adminB.patch(`/api/v1/connectors/${c.id}`, { version: 1, name: 'stolen' })).status).toBe(404);
    expect((await del(adminB, `/api/v1/connectors/${c.id}`)).status).toBe(404);
    const listed = (await adminB.get('/api/v1/connectors?limit=100')).body.items.map((x: { id: string }) => x.id);
    expect(listed).not.toContain(c.id);
    expect((await adminA.get(`/api/v1/connectors/${c.id}`)).body.name).toBe('mine');
  });

  it('lets readers list and read, and only admins change', async () => {
    const { body: c } = await adminA.post('/api/v1/connectors', aRequest());
    expect((await operatorA.get(`/api/v1/connectors/${c.id}`)).status).toBe(200);
    expect((await operatorA.patch(`/api/v1/connectors/${c.id}`, { version: 1, name: 'x' })).status).toBe(403);
    expect((await analystA.get('/api/v1/connectors')).status).toBe(403);
  });

  it('pages through connectors newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await adminB.post('/api/v1/connectors', aRequest({ name: `p${i}` }))).body.id);
    const got: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await adminB.get(`/api/v1/connectors?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      got.push(...res.body.items.map((x: { id: string }) => x.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(got.slice(0, 3)).toEqual([...ids].reverse());
  });

  // Schedules here are crons that do not fire during the test: a rate schedule fires at once when created (as in
  // AWS), and the sync it starts would take the connector's lock these tests set and check themselves.
  it('changes a connector with the version read, 409 for a stale one, and keeps the lock of a sync', async () => {
    const { body: c } = await adminA.post('/api/v1/connectors', aRequest({ schedule: 'cron(0 4 1 1 ? *)' }));
    await doc.send(
      new UpdateCommand({
        TableName: platform.tableName,
        Key: keys.connector('con-a', c.id),
        UpdateExpression: 'SET activeRunId = :r',
        ExpressionAttributeValues: { ':r': 'run-held' },
      }),
    );
    const patched = await adminA.patch(`/api/v1/connectors/${c.id}`, {
      version: 1,
      schedule: 'cron(0 2 * * ? *)',
      settings: { objects: ['Contact'], pageSize: 2000 },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, schedule: 'cron(0 2 * * ? *)', activeRunId: 'run-held' });
    expect((await storedItem('con-a', c.id))?.activeRunId).toBe('run-held');
    const stale = await adminA.patch(`/api/v1/connectors/${c.id}`, { version: 1, name: 'late' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');
  });

  it('keeps the scheduler in step: created with the connector, changed, removed while disabled, back, gone with it', async () => {
    const { body: c } = await adminA.post('/api/v1/connectors', aRequest({ schedule: 'cron(0 4 1 1 ? *)' }));
    expect(await scheduleOf('con-a', c.id)).toBe('cron(0 4 1 1 ? *)');
    await adminA.patch(`/api/v1/connectors/${c.id}`, { version: 1, schedule: 'cron(30 3 * * ? *)' });
    expect(await scheduleOf('con-a', c.id)).toBe('cron(30 3 * * ? *)');
    await adminA.patch(`/api/v1/connectors/${c.id}`, { version: 2, enabled: false });
    expect(await scheduleOf('con-a', c.id)).toBeNull();
    await adminA.patch(`/api/v1/connectors/${c.id}`, { version: 3, enabled: true });
    expect(await scheduleOf('con-a', c.id)).toBe('cron(30 3 * * ? *)');
    expect((await del(adminA, `/api/v1/connectors/${c.id}`)).status).toBe(204);
    expect(await scheduleOf('con-a', c.id)).toBeNull();
    const unscheduled = await adminA.post('/api/v1/connectors', aRequest());
    expect(await scheduleOf('con-a', unscheduled.body.id)).toBeNull();
  });

  it('refuses to delete a connector a sync holds (409), then deletes it with its token and cursors (204)', async () => {
    const { body: c } = await adminA.post('/api/v1/connectors', aRequest({ schedule: 'cron(0 5 1 1 ? *)' }));
    const partitionItem = (SK: string, entityType: string) =>
      doc.send(
        new PutCommand({
          TableName: platform.tableName,
          Item: { PK: keys.connectorPartition('con-a', c.id), SK, entityType, schemaVersion: 1 },
        }),
      );
    await partitionItem('TOKEN', ITEM_TYPES.connectorToken);
    await partitionItem('BREAKER', ITEM_TYPES.connectorBreaker);
    await partitionItem('CURSOR#Account', ITEM_TYPES.connectorCursor);
    const lock = (value: string | null) =>
      doc.send(
        new UpdateCommand({
          TableName: platform.tableName,
          Key: keys.connector('con-a', c.id),
          UpdateExpression: 'SET activeRunId = :r',
          ExpressionAttributeValues: { ':r': value },
        }),
      );
    await lock('run-1');
    const refused = await del(adminA, `/api/v1/connectors/${c.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('run-1');
    await lock(null);
    const deleted = await del(adminA, `/api/v1/connectors/${c.id}`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    expect(deleted.body).toBeUndefined();
    const left = await doc.send(
      new QueryCommand({
        TableName: platform.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.connectorPartition('con-a', c.id) },
      }),
    );
    expect(left.Items).toEqual([]);
    expect((await adminA.get(`/api/v1/connectors/${c.id}`)).status).toBe(404);
    expect((await del(adminA, `/api/v1/connectors/${c.id}`)).status).toBe(404);
  });

  it('audits every change as connector.create / update / delete, without the secret', async () => {
    const { body: c } = await adminB.post('/api/v1/connectors', aRequest({ name: 'audited' }));
    await adminB.patch(`/api/v1/connectors/${c.id}`, { version: 1, name: 'audited 2' });
    await del(adminB, `/api/v1/connectors/${c.id}`);
    const audit = (await adminB.get('/api/v1/audit?limit=100')).body.items.filter(
      (i: { resourceId: string }) => i.resourceId === c.id,
    );
    expect(audit.map((i: { action: string }) => i.action)).toEqual([
      'connector.delete',
      'connector.update',
      'connector.create',
    ]);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  });
});

// --- provenance -------------------------------------------------------------------------------------------

const T = 'con-a';
const payloadOf = (e: BusEvent) => (e.detail as { payload: Record<string, any> }).payload;

async function createdPerson(attributes: Record<string, unknown>): Promise<string> {
  const res = await adminA.post('/api/v1/entities', { type: 'person', attributes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as string;
  await eventually(() => events.some((e) => e['detail-type'] === 'entity.created' && payloadOf(e).entity.id === id));
  await platform.bus.drain();
  return id;
}

async function putSource(entityId: string, s: { system: 'salesforce' | 'hubspot'; object: string; sourceId: string }) {
  const entity = (await adminA.get(`/api/v1/entities/${entityId}`)).body;
  const item = SourceRecordItem.parse({
    entityType: ITEM_TYPES.sourceRecord,
    schemaVersion: 1,
    entityId,
    connectorId: `con-${s.system}`,
    system: s.system,
    object: s.object,
    namespace: s.object,
    sourceId: s.sourceId,
    role: 'person',
    syncedAt: '2026-11-30T09:00:00.000Z',
    modifiedAt: '2026-11-29T09:00:00.000Z',
    deletedAt: null,
    attributes: entity.attributes,
    relations: [],
    contentHash: 'h',
    runId: 'run-1',
    runSeq: 1,
    outcome: 'created',
  });
  await doc.send(
    new PutCommand({
      TableName: platform.tableName,
      Item: { ...keys.sourceRecord(T, entityId, item.connectorId, item.namespace, item.sourceId), ...item },
    }),
  );
}

describe('the sources of an entity', () => {
  it('of an entity created through the API: no records, its attributes with no system', async () => {
    const id = await createdPerson({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.example' });
    const res = await adminA.get(`/api/v1/entities/${id}/sources`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.golden).toMatchObject({
      clusterId: null,
      entityIds: [id],
      attributes: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.example' },
    });
    expect(res.body.golden.provenance.email).toMatchObject({ entityId: id, system: null, sourceId: null });
    expect(res.body).toMatchObject({ members: { total: 1, read: 1 }, truncated: false });
  });

  it('of a resolved cluster: the records of every member and the golden record naming each giver', async () => {
    const sf = await createdPerson({
      firstName: 'Katherine',
      lastName: 'Johnson',
      email: 'katherine.johnson@nasa.example',
      source: 'salesforce',
    });
    const hs = await createdPerson({
      firstName: 'Kathy',
      lastName: 'Johnson',
      email: 'Katherine.Johnson@nasa.example',
      phone: '+1 757 555 0100',
      source: 'hubspot',
    });
    await putSource(sf, { system: 'salesforce', object: 'Contact', sourceId: '003000000000000AAA' });
    await putSource(hs, { system: 'hubspot', object: 'contacts', sourceId: '51' });
    const merged = await eventually(() =>
      events.find((e) => e['detail-type'] === 'entity.merged' && payloadOf(e).entityIds?.includes(hs)),
    );
    const res = await adminA.get(`/api/v1/entities/${hs}/sources`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.golden.clusterId).toBe(payloadOf(merged).clusterId);
    expect(res.body.golden.entityIds).toEqual([hs, sf]);
    expect(res.body.items.map((i: { sourceId: string }) => i.sourceId).sort()).toEqual(['003000000000000AAA', '51']);
    // Salesforce is trusted over HubSpot for the name; only the HubSpot record has a phone
    expect(res.body.golden.attributes.firstName).toBe('Katherine');
    expect(res.body.golden.provenance.firstName).toMatchObject({
      entityId: sf,
      system: 'salesforce',
      sourceId: '003000000000000AAA',
      decidedBy: 'sourceTrust',
    });
    expect(res.body.golden.provenance.phone).toMatchObject({ entityId: hs, system: 'hubspot', sourceId: '51' });
    expect(res.body.members).toEqual({ total: 2, read: 2 });
  });

  it("answers 404 for an unknown id and another tenant's", async () => {
    const id = await createdPerson({ firstName: 'Only', lastName: 'Mine' });
    expect((await adminB.get(`/api/v1/entities/${id}/sources`)).status).toBe(404);
    expect((await adminA.get('/api/v1/entities/unknown-id/sources')).status).toBe(404);
  });
});

describe('the relations of an entity', () => {
  async function putRelation(kind: string, from: string, to: string) {
    for (const [entityId, otherId, direction, key] of [
      [from, to, 'out', keys.relationOut(T, from, kind, to)],
      [to, from, 'in', keys.relationIn(T, to, kind, from)],
    ] as const) {
      const item = RelationItem.parse({
        entityType: ITEM_TYPES.relation,
        schemaVersion: 1,
        kind,
        direction,
        entityId,
        otherId,
        connectorId: 'con-salesforce',
        syncedAt: '2026-11-30T09:00:00.000Z',
      });
      await doc.send(new PutCommand({ TableName: platform.tableName, Item: { ...key, ...item } }));
    }
  }

  it('pages through both directions and filters by kind and direction', async () => {
    const person = (await adminA.post('/api/v1/entities', { type: 'person', attributes: { n: 'p' } })).body.id;
    const orgs: string[] = [];
    for (let i = 0; i < 3; i++)
      orgs.push((await adminA.post('/api/v1/entities', { type: 'organization', attributes: { n: i } })).body.id);
    const deal = (await adminA.post('/api/v1/entities', { type: 'deal', attributes: { n: 'd' } })).body.id;
    for (const org of orgs) await putRelation('works-at', person, org);
    await putRelation('deal-with', deal, person);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await adminA.get(
        `/api/v1/entities/${person}/relations?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((r: { direction: string; entityId: string }) => `${r.direction}:${r.entityId}`));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([`in:${deal}`, ...orgs.map((o) => `out:${o}`)].sort());

    const out = await adminA.get(`/api/v1/entities/${person}/relations?direction=out&kind=works-at`);
    expect(out.body.items.map((r: { entityId: string }) => r.entityId).sort()).toEqual([...orgs].sort());
    const dealWith = await adminA.get(`/api/v1/entities/${person}/relations?kind=deal-with&limit=1`);
    expect(dealWith.body.items).toEqual([
      {
        kind: 'deal-with',
        direction: 'in',
        entityId: deal,
        connectorId: 'con-salesforce',
        syncedAt: '2026-11-30T09:00:00.000Z',
      },
    ]);
    const incoming = await adminA.get(`/api/v1/entities/${orgs[0]}/relations`);
    expect(incoming.body.items).toEqual([
      expect.objectContaining({ kind: 'works-at', direction: 'in', entityId: person }),
    ]);
  });

  it('refuses a cursor of another entity, an unknown kind, and another tenant', async () => {
    const a = (await adminA.post('/api/v1/entities', { type: 'person', attributes: {} })).body.id;
    const b = (await adminA.post('/api/v1/entities', { type: 'organization', attributes: {} })).body.id;
    const c = (await adminA.post('/api/v1/entities', { type: 'organization', attributes: {} })).body.id;
    await putRelation('works-at', a, b);
    await putRelation('works-at', a, c);
    const first = await adminA.get(`/api/v1/entities/${a}/relations?limit=1`);
    expect(first.body.nextCursor).toBeTruthy();
    const replayed = await adminA.get(`/api/v1/entities/${b}/relations?cursor=${first.body.nextCursor}`);
    expect(replayed.status).toBe(400);
    expect(replayed.body.error.details.map((d: { field: string }) => d.field)).toContain('cursor');
    const kind = await adminA.get(`/api/v1/entities/${a}/relations?kind=likes`);
    expect(kind.status).toBe(400);
    expect((await adminB.get(`/api/v1/entities/${a}/relations`)).status).toBe(404);
  });
});
