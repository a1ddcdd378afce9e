import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import createClient, { type Client } from 'openapi-fetch';
import type { OpenAPI3 } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import { CLIENT_TYPES_FILE, clientTypesOf } from '../../scripts/lib/openapi.js';
import type { components, paths } from '../support/generated/api.js';
import { eventually, startTestPlatform } from '../support/local-platform.js';

// An integrator's view: a client generated from the served OpenAPI document (openapi-typescript types,
// openapi-fetch calls), every request and response typed by the document alone.

type Entity = components['schemas']['Entity'];
type Execution = components['schemas']['Execution'];

let platform: LocalPlatform;
let api: Client<paths>;

beforeAll(async () => {
  platform = await startTestPlatform();
  const token = await platform.token({ tenantId: 'typed-client', roles: ['admin'], userId: 'integrator' });
  api = createClient<paths>({ baseUrl: platform.url, headers: { authorization: `Bearer ${token}` } });
});

afterAll(async () => {
  await platform?.stop();
});

describe('the generated client', () => {
  it('is what the document the API serves generates (npm run -s gen:client)', async () => {
    const { data, response } = await createClient<paths>({ baseUrl: platform.url }).GET('/api/v1/openapi.json', {
      parseAs: 'text',
    });
    expect(response.status).toBe(200);
    const checkedIn = readFileSync(resolve(import.meta.dirname, '../..', CLIENT_TYPES_FILE), 'utf8');
    expect(
      await clientTypesOf(JSON.parse(data!) as OpenAPI3),
      `${CLIENT_TYPES_FILE} is stale: run npm run -s gen:client`,
    ).toBe(checkedIn);
  });

  it('creates, reads, patches and lists an entity', async () => {
    const created = await api.POST('/api/v1/entities', {
      body: { type: 'person', attributes: { firstName: 'Ada', lastName: 'Lovelace', tags: ['vip'] } },
    });
    expect(created.response.status).toBe(201);
    const entity: Entity | undefined = created.data;
    expect(entity).toMatchObject({ type: 'person', version: 1, attributes: { firstName: 'Ada', tags: ['vip'] } });
    const id = entity!.id;

    const read = await api.GET('/api/v1/entities/{id}', { params: { path: { id } } });
    expect(read.response.status).toBe(200);
    expect(read.data).toEqual(entity);

    const patched = await api.PATCH('/api/v1/entities/{id}', {
      params: { path: { id } },
      body: { version: 1, attributes: { email: 'ada@example.com', tags: null } },
    });
    expect(patched.response.status).toBe(200);
    expect(patched.data?.version).toBe(2);
    expect(patched.data?.attributes).toEqual({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });

    const listed = await api.GET('/api/v1/entities', { params: { query: { type: 'person', limit: 10 } } });
    expect(listed.response.status).toBe(200);
    expect(listed.data?.items.find((e) => e.id === id)).toEqual(patched.data);
    expect(listed.data?.nextCursor).toBeNull();
  });

  it('reads a refusal as the typed error body', async () => {
    const created = await api.POST('/api/v1/entities', { body: { type: 'ticket', attributes: { n: 1 } } });
    const id = created.data!.id;
    await api.PATCH('/api/v1/entities/{id}', { params: { path: { id } }, body: { version: 1, attributes: { n: 2 } } });

    const stale = await api.PATCH('/api/v1/entities/{id}', {
      params: { path: { id } },
      body: { version: 1, attributes: { n: 3 } },
    });
    expect(stale.response.status).toBe(409);
    expect(stale.data).toBeUndefined();
    expect(stale.error?.error.code).toBe('CONFLICT');
    expect(stale.error?.error.requestId).toBe(stale.response.headers.get('x-request-id'));
  });

  it('creates a workflow and executes it to completion', async () => {
    const target = (await api.POST('/api/v1/entities', { body: { type: 'ticket', attributes: { status: 'open' } } }))
      .data!;
    const workflow = await api.POST('/api/v1/workflows', {
      body: {
        name: 'close a ticket',
        steps: [
          {
            id: 'close',
            tool: 'entity.update',
            input: { entityId: '$.input.entityId', attributes: { status: 'closed' } },
          },
        ],
      },
    });
    expect(workflow.response.status).toBe(201);
    expect(workflow.data).toMatchObject({ version: 1, name: 'close a ticket', createdBy: 'integrator' });
    expect(workflow.data?.steps.map((s) => s.tool)).toEqual(['entity.update']);

    const started = await api.POST('/api/v1/workflows/execute', {
      body: { workflowId: workflow.data!.id, input: { entityId: target.id } },
    });
    expect(started.response.status).toBe(202);
    expect(started.data?.status).toBe('RUNNING');

    const executionId = started.data!.executionId;
    const finished: Execution = await eventually(async () => {
      const { data } = await api.GET('/api/v1/workflows/executions/{id}', { params: { path: { id: executionId } } });
      return data && data.status !== 'RUNNING' ? data : undefined;
    }, 20_000);
    expect(finished).toMatchObject({
      status: 'SUCCEEDED',
      workflowId: workflow.data!.id,
      workflowVersion: 1,
      startedBy: 'integrator',
    });
    expect(finished.steps.map((s) => [s.id, s.status])).toEqual([['close', 'SUCCEEDED']]);

    const after = await api.GET('/api/v1/entities/{id}', { params: { path: { id: target.id } } });
    expect(after.data).toMatchObject({ version: 2, attributes: { status: 'closed' } });
  });
});
