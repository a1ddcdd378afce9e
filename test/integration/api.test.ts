import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateKeyPair, SignJWT } from 'jose';
import { DynamoAuditReader } from '../../functions/adapters/dynamodb/audit-reader.js';
import { verifyLane } from '../../functions/domain/audit/audit-chain.js';
import { ROUTES } from '../../functions/platform/api-routes.js';
import { STREAM_CONSUMERS } from '../../functions/platform/manifest.js';
import type { LocalPlatform } from '../../local/platform.js';
import type { BusEvent } from '../../local/event-bus.js';
import { apiClient, eventually, startTestPlatform } from '../support/local-platform.js';

let platform: LocalPlatform;
let admin: ReturnType<typeof apiClient>;
let tokens: Record<string, string>;
const seen: BusEvent[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  platform.bus.onEvent((e) => seen.push(e));
  tokens = {
    adminA: await platform.token({ tenantId: 'tenant-a', roles: ['admin'], userId: 'alice' }),
    adminB: await platform.token({ tenantId: 'tenant-b', roles: ['admin'], userId: 'bob' }),
    analystA: await platform.token({ tenantId: 'tenant-a', roles: ['analyst'] }),
    approverA: await platform.token({ tenantId: 'tenant-a', roles: ['approver'] }),
    operatorA: await platform.token({ tenantId: 'tenant-a', roles: ['operator'] }),
  };
  admin = apiClient(platform.url, tokens.adminA);
});

afterAll(async () => {
  await platform?.stop();
});

const as = (name: string) => apiClient(platform.url, tokens[name]);
const samplePath = (path: string) => path.replace('{id}', '00000000-0000-0000-0000-000000000000');

describe('health and contract', () => {
  it('answers /health without a token', async () => {
    const res = await apiClient(platform.url).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', stage: 'local' });
  });

  it('serves an OpenAPI document listing every route of the manifest', async () => {
    const res = await apiClient(platform.url).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    for (const r of ROUTES)
      expect(res.body.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    expect(res.body.components.schemas.CreateEntityRequest).toBeDefined();
  });

  it('feeds every stream consumer of the manifest from the table stream, each with its own position', () => {
    expect([...platform.pollers.keys()]).toEqual(STREAM_CONSUMERS.map((c) => c.function));
  });

  it('answers 404 for an unknown path', async () => {
    expect((await admin.get('/api/v1/nothing')).status).toBe(404);
  });
});

describe('authentication on every protected route', () => {
  const protectedRoutes = ROUTES.filter((r) => r.auth === 'jwt');
  const badTokens: Record<string, () => Promise<string | undefined>> = {
    missing: async () => undefined,
    expired: () => platform.token({ tenantId: 'tenant-a', roles: ['admin'], expiresInSeconds: -120 }),
    'wrongly signed': async () => {
      const { privateKey } = await generateKeyPair('ES256');
      return new SignJWT({ tenant_id: 'tenant-a', roles: ['admin'] })
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject('x')
        .setIssuer(platform.issuer)
        .setAudience(platform.audience)
        .setExpirationTime('5m')
        .sign(privateKey);
    },
    'alg=none': async () => {
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'x', tenant_id: 'tenant-a', roles: ['admin'], iss: platform.issuer, aud: platform.audience, exp: Math.floor(Date.now() / 1000) + 300 })}.`;
    },
    'wrong audience': () => platform.token({ tenantId: 'tenant-a', roles: ['admin'], audience: 'other-api' }),
  };

  for (const route of protectedRoutes) {
    for (const [kind, make] of Object.entries(badTokens)) {
      it(`refuses ${route.method} ${route.path} with a ${kind} token`, async () => {
        const res = await apiClient(platform.url, await make()).raw(
          route.method,
          samplePath(route.path),
          route.method === 'GET' ? '' : '{}',
        );
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHORIZED');
        expect(res.body.error.requestId).toBeTruthy();
      });
    }
  }
});

describe('authorisation by role', () => {
  it('forbids an analyst to create an entity but lets it read', async () => {
    const res = await as('analystA').post('/api/v1/entities', { type: 'person', attributes: {} });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect((await as('analystA').get('/api/v1/entities')).status).toBe(200);
  });

  it('forbids an approver to read entities and an analyst to read the audit trail', async () => {
    expect((await as('approverA').get('/api/v1/entities')).status).toBe(403);
    expect((await as('analystA').get('/api/v1/audit')).status).toBe(403);
    expect((await as('operatorA').get('/api/v1/audit')).status).toBe(200);
  });
});

describe('entities', () => {
  it('creates, reads and patches an entity, refusing a stale version with 409', async () => {
    const created = await admin.post('/api/v1/entities', {
      type: 'person',
      attributes: { firstName: 'Ada', lastName: 'Lovelace' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'person', version: 1, attributes: { firstName: 'Ada' } });
    expect(created.body.createdAt).toBe(created.body.updatedAt);
    const id = created.body.id as string;

    const read = await admin.get(`/api/v1/entities/${id}`);
    expect(read.body).toEqual(created.body);

    const patched = await admin.patch(`/api/v1/entities/${id}`, {
      version: 1,
      attributes: { lastName: 'King', firstName: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, attributes: { lastName: 'King' } });
    expect(patched.body.attributes.firstName).toBeUndefined();

    const stale = await admin.patch(`/api/v1/entities/${id}`, { version: 1, attributes: { lastName: 'X' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');
    expect((await admin.get(`/api/v1/entities/${id}`)).body.attributes.lastName).toBe('King');
  });

  it('lets exactly one of two concurrent patches of the same version win', async () => {
    const { body: e } = await admin.post('/api/v1/entities', { type: 'organization', attributes: { name: 'Acme' } });
    const results = await Promise.all([
      admin.patch(`/api/v1/entities/${e.id}`, { version: 1, attributes: { name: 'Acme One' } }),
      admin.patch(`/api/v1/entities/${e.id}`, { version: 1, attributes: { name: 'Acme Two' } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('pages through entities of one type with cursors, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await admin.post('/api/v1/entities', { type: 'deal', attributes: { n: i } })).body.id);
    const got: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await admin.get(`/api/v1/entities?type=deal&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      got.push(...res.body.items.map((e: { id: string }) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(got).toEqual([...ids].reverse());
  });

  it.each([
    ['malformed JSON', '{"type": "person",', 'body'],
    ['a wrong type', JSON.stringify({ type: 'person', attributes: 'x' }), 'attributes'],
    ['an unknown entity type', JSON.stringify({ type: 'spaceship', attributes: {} }), 'type'],
    ['an unknown field', JSON.stringify({ type: 'person', attributes: {}, tenantId: 'tenant-b' }), 'tenantId'],
    [
      'an oversized body',
      JSON.stringify({
        type: 'person',
        attributes: {
          blob: 'x'.repeat(4000),
          ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'y'.repeat(4000)])),
        },
      }),
      'body',
    ],
  ])('answers 400 VALIDATION_ERROR naming the field for %s', async (_name, raw, field) => {
    const res = await admin.raw('POST', '/api/v1/entities', raw);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it.each([
    ['a bad cursor', '/api/v1/entities?cursor=not-a-cursor', 'cursor'],
    ['a bad limit', '/api/v1/entities?limit=1000', 'query.limit'],
    ['an unknown query parameter', '/api/v1/entities?tenant=tenant-b', 'query.tenant'],
  ])('answers 400 for %s', async (_name, path, field) => {
    const res = await admin.get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});

describe('tenant isolation', () => {
  it("returns nothing of tenant A to tenant B and refuses B's writes to A's entity", async () => {
    const { body: e } = await admin.post('/api/v1/entities', { type: 'person', attributes: { secret: 'a-only' } });
    const b = as('adminB');

    expect((await b.get(`/api/v1/entities/${e.id}`)).status).toBe(404);
    const list = await b.get('/api/v1/entities?limit=100');
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(e.id);
    expect((await b.patch(`/api/v1/entities/${e.id}`, { version: 1, attributes: { secret: 'stolen' } })).status).toBe(
      404,
    );
    expect((await admin.get(`/api/v1/entities/${e.id}`)).body.attributes.secret).toBe('a-only');
    expect(
      (await b.get('/api/v1/audit?limit=100')).body.items.map((x: { resourceId: string }) => x.resourceId),
    ).not.toContain(e.id);
  });

  it('refuses a cursor issued to tenant A when tenant B presents it', async () => {
    await admin.post('/api/v1/entities', { type: 'ticket', attributes: {} });
    await admin.post('/api/v1/entities', { type: 'ticket', attributes: {} });
    const page = await admin.get('/api/v1/entities?type=ticket&limit=1');
    expect(page.body.nextCursor).toBeTruthy();
    const res = await as('adminB').get(`/api/v1/entities?type=ticket&limit=1&cursor=${page.body.nextCursor}`);
    expect(res.status).toBe(400);
  });
});

describe('audit and outbox', () => {
  it('audits each mutation with actor, action, resource and time, newest first', async () => {
    const { body: e } = await admin.post('/api/v1/entities', { type: 'person', attributes: { a: 1 } });
    await admin.patch(`/api/v1/entities/${e.id}`, { version: 1, attributes: { a: 2 } });
    const res = await admin.get('/api/v1/audit?limit=2');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { action: string }) => i.action)).toEqual(['entity.update', 'entity.create']);
    expect(res.body.items[0]).toMatchObject({ actor: 'alice', resourceId: e.id });
    expect(Date.parse(res.body.items[0].at)).not.toBeNaN();
  });

  it('publishes entity.created through the outbox to the bus and the event log rule', async () => {
    const { body: e } = await admin.post('/api/v1/entities', { type: 'organization', attributes: { name: 'Globex' } });
    const event = await eventually(() =>
      seen.find((x) => x['detail-type'] === 'entity.created' && (x.detail as any).payload.entity.id === e.id),
    );
    expect(event.source).toBe('modos.entities');
    expect(event.detail).toMatchObject({
      tenantId: 'tenant-a',
      schemaVersion: 1,
      payload: { entity: { id: e.id, version: 1 }, actor: 'alice' },
    });
    const { readFileSync } = await import('node:fs');
    const eventId = (event.detail as { eventId: string }).eventId;
    const line = await eventually(() =>
      readFileSync(`${platform.dataDir}/events.jsonl`, 'utf8')
        .split('\n')
        .find((l) => l.includes(eventId)),
    );
    // The event log keeps ids and names, never the payload (entity attributes are PII).
    expect(JSON.parse(line)).toMatchObject({
      rule: 'PlatformEventLog',
      source: 'modos.entities',
      detailType: 'entity.created',
      tenantId: 'tenant-a',
      eventId,
    });
    expect(line).not.toContain('Globex');
    expect(line).not.toContain(e.id);
  });

  it('keeps a hash chain that verifies, and detects a record altered in the table', async () => {
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: platform.dynamoEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      }),
    );
    const reader = new DynamoAuditReader(doc, platform.tableName);
    for (let i = 0; i < 3; i++) await admin.post('/api/v1/entities', { type: 'person', attributes: { i } });
    let tampered = false;
    for (let lane = 0; lane < 16; lane++) {
      const records = await reader.lane('tenant-a', lane);
      expect(verifyLane('tenant-a', lane, records)).toBeUndefined();
      if (!tampered && records.length > 0) {
        const victim = records[0]!;
        const { keys } = await import('../../functions/adapters/dynamodb/keys.js');
        await doc.send(
          new UpdateItemCommand({
            TableName: platform.tableName,
            Key: { PK: { S: keys.auditPartition('tenant-a') }, SK: { S: `${victim.at}#${victim.id}` } },
            UpdateExpression: 'SET actor = :m',
            ExpressionAttributeValues: { ':m': { S: 'mallory' } },
          }),
        );
        expect(verifyLane('tenant-a', lane, await reader.lane('tenant-a', lane))).toMatchObject({
          seq: victim.seq,
          reason: 'hash-mismatch',
        });
        tampered = true;
      }
    }
    expect(tampered).toBe(true);
    doc.destroy();
  });
});
