/**
 * The configuration handlers (makeHandler over fakes): routeTable picks the route by method and resource path; every
 * 400 names the field at fault; creations answer 201, deletions 204; fuzzed bodies never make a 5xx.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { anApiEvent, aPrincipal, stubHandlerSettings } from '../../../support/builders.js';
import { numberText, render, weirdKey, weirdString, type Doc } from '../../../support/fuzz-bodies.js';
import { configWorld, CHANGES_SKILL } from './builders.js';

let configApi: typeof import('../../../../functions/handlers/agent-config-api.js');
let knowledgeApi: typeof import('../../../../functions/handlers/knowledge-api.js');

beforeAll(async () => {
  stubHandlerSettings((name, value) => vi.stubEnv(name, value));
  [configApi, knowledgeApi] = await Promise.all([
    import('../../../../functions/handlers/agent-config-api.js'),
    import('../../../../functions/handlers/knowledge-api.js'),
  ]);
});

function handlers() {
  const w = configWorld();
  const config = configApi.makeHandler(w.agentDeps);
  const knowledge = knowledgeApi.makeHandler(w.knowledgeDeps);
  const call = async (
    method: string,
    resource: string,
    opts: {
      body?: unknown;
      raw?: string;
      path?: Record<string, string>;
      query?: Record<string, string>;
      roles?: string[];
    } = {},
  ) => {
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const event = {
      ...anApiEvent({
        ...(body === undefined ? {} : { body }),
        ...(opts.path ? { path: opts.path } : {}),
        ...(opts.query ? { query: opts.query } : {}),
        principal: aPrincipal({ roles: opts.roles ?? ['admin'] }),
      }),
      httpMethod: method,
      resource,
      path: resource,
    };
    const fn = resource.startsWith('/api/v1/knowledge-bases') ? knowledge : config;
    const res = await fn(event);
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  return { w, call };
}

const persona = {
  name: 'Rep',
  role: 'AE',
  communication_style: 'direct',
  tone: 'warm',
  target_audience: 'CFOs',
};
const fields = (res: { body?: { error?: { details?: { field?: string }[] } } }) =>
  (res.body?.error?.details ?? []).map((d) => d.field);

describe('the configuration routes', () => {
  it('create, read, change and delete a persona with 201, 200 and 204', async () => {
    const { call } = handlers();
    const created = await call('POST', '/api/v1/personas', { body: persona });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call('GET', '/api/v1/personas/{id}', { path: { id } })).body).toEqual(created.body);
    const patched = await call('PATCH', '/api/v1/personas/{id}', { path: { id }, body: { version: 1, tone: 'dry' } });
    expect(patched).toMatchObject({ status: 200, body: { tone: 'dry', version: 2 } });
    expect((await call('DELETE', '/api/v1/personas/{id}', { path: { id }, query: { version: '1' } })).status).toBe(409);
    expect((await call('DELETE', '/api/v1/personas/{id}', { path: { id }, query: { version: '2' } })).status).toBe(204);
    expect((await call('GET', '/api/v1/personas/{id}', { path: { id } })).status).toBe(404);
  });

  it.each([
    ['POST', '/api/v1/personas', { ...persona, name: '' }, 'name'],
    ['POST', '/api/v1/personas', { ...persona, signature_elements: Array(11).fill('x') }, 'signature_elements'],
    ['POST', '/api/v1/personas', { ...persona, example_messages: ['x'.repeat(1001)] }, 'example_messages.0'],
    ['POST', '/api/v1/personas', { ...persona, mood: 'x' }, 'mood'],
    ['POST', '/api/v1/skills', { name: 'Open-Ticket' }, 'name'],
    [
      'POST',
      '/api/v1/skills',
      {
        name: 'open_ticket',
        display_name: 'x',
        description: 'y',
        input_schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['b'] },
      },
      'input_schema.required.0',
    ],
    [
      'POST',
      '/api/v1/skills',
      {
        name: 'open_ticket',
        display_name: 'x',
        description: 'y',
        input_schema: { type: 'object', properties: { a: { type: 'object', properties: {} } } },
      },
      'input_schema.properties.a',
    ],
    [
      'POST',
      '/api/v1/skills',
      { name: 'x', display_name: 'x', description: 'y', input_schema: {}, category: 'contact' },
      'category',
    ],
    [
      'POST',
      '/api/v1/agents',
      { name: 'a', persona_id: 'p', system_prompt: 's', skill_ids: [CHANGES_SKILL] },
      'persona_id',
    ],
    [
      'POST',
      '/api/v1/agents',
      { name: 'a!', persona_id: CHANGES_SKILL, system_prompt: 's', skill_ids: [CHANGES_SKILL] },
      'name',
    ],
    [
      'POST',
      '/api/v1/agents',
      { name: 'a', persona_id: CHANGES_SKILL, system_prompt: 's', skill_ids: [] },
      'skill_ids',
    ],
    [
      'POST',
      '/api/v1/agents',
      { name: 'a', persona_id: CHANGES_SKILL, system_prompt: '', skill_ids: [CHANGES_SKILL] },
      'system_prompt',
    ],
    [
      'POST',
      '/api/v1/agents',
      {
        name: 'a',
        persona_id: CHANGES_SKILL,
        system_prompt: 's',
        skill_ids: [CHANGES_SKILL],
        daily_output_limit: 1001,
      },
      'daily_output_limit',
    ],
    [
      'POST',
      '/api/v1/agents',
      { name: 'a', persona_id: CHANGES_SKILL, system_prompt: 's', skill_ids: [CHANGES_SKILL], webhook_secret: 'short' },
      'webhook_secret',
    ],
    [
      'POST',
      '/api/v1/agents',
      {
        name: 'a',
        persona_id: CHANGES_SKILL,
        system_prompt: 's',
        skill_ids: [CHANGES_SKILL],
        webhook_url: 'not a url',
      },
      'webhook_url',
    ],
    [
      'POST',
      '/api/v1/agents',
      {
        name: 'a',
        persona_id: CHANGES_SKILL,
        system_prompt: 's',
        skill_ids: [CHANGES_SKILL],
        memory_config: { provider: 'in-memory', scope: 'team' },
      },
      'memory_config.scope',
    ],
    ['POST', '/api/v1/knowledge-bases', { name: 'k', provider: 'faiss' }, 'provider'],
    ['POST', '/api/v1/knowledge-bases', { name: 'k', provider: 'qdrant' }, 'provider'],
  ])('%s %s refuses %j with 400 naming %s', async (method, resource, body, field) => {
    const { call } = handlers();
    const res = await call(method, resource, { body });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(fields(res)).toContain(field);
  });

  it('refuses a document of more than 1 MiB naming content, and a malformed id naming the path', async () => {
    const { call } = handlers();
    const kb = await call('POST', '/api/v1/knowledge-bases', { body: { name: 'k' } });
    const big = await call('POST', '/api/v1/knowledge-bases/{id}/documents', {
      path: { id: kb.body.id },
      body: { title: 't', content: 'é'.repeat(600_000) },
    });
    expect(big.status).toBe(400);
    expect(fields(big)).toEqual(['content']);
    const bad = await call('GET', '/api/v1/knowledge-bases/{id}', { path: { id: 'nope' } });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['path.id']);
  });

  it('answers 403 without the permission and 404 for a route the function does not serve', async () => {
    const { call } = handlers();
    expect((await call('GET', '/api/v1/personas', { roles: ['analyst'] })).status).toBe(403);
    expect((await call('POST', '/api/v1/agents', { body: {}, roles: ['operator'] })).status).toBe(403);
    expect((await call('GET', '/api/v1/personas', { roles: ['operator'] })).status).toBe(200);
    expect((await call('PUT', '/api/v1/personas/{id}', { path: { id: CHANGES_SKILL }, body: {} })).status).toBe(404);
  });
});

/** Members of each create route, with fuzzed values: mostly a rule broken, sometimes a valid body. */
const str = (s: string): Doc => ({ t: 'str', s });
const value = fc.oneof(
  weirdString.map(str),
  numberText.map((text): Doc => ({ t: 'num', text })),
  fc.constantFrom<Doc>(
    { t: 'lit', text: 'null' },
    { t: 'lit', text: 'true' },
    { t: 'arr', items: [str(CHANGES_SKILL)] },
  ),
  fc.constant<Doc>(str(CHANGES_SKILL)),
  fc.constant<Doc>({
    t: 'obj',
    entries: [
      ['type', str('object')],
      ['properties', { t: 'obj', entries: [['a', { t: 'obj', entries: [['type', str('string')]] }]] }],
    ],
  }),
);
const ROUTE_FIELDS: Record<string, string[]> = {
  '/api/v1/personas': Object.keys(persona).concat('signature_elements', 'example_messages'),
  '/api/v1/skills': ['name', 'display_name', 'description', 'category', 'input_schema', 'required_config'],
  '/api/v1/agents': [
    'name',
    'persona_id',
    'system_prompt',
    'skill_ids',
    'knowledge_base_id',
    'memory_config',
    'daily_output_limit',
    'webhook_url',
    'webhook_secret',
    'is_active',
  ],
  '/api/v1/knowledge-bases': ['name', 'provider', 'connection_config', 'namespace', 'embedding_model'],
};
const fuzzBody = (resource: string) =>
  fc
    .array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ROUTE_FIELDS[resource]!) }, weirdKey), value), {
      maxLength: 8,
    })
    .map((entries) => render({ t: 'obj', entries }, true));

describe('fuzzed bodies', () => {
  it.each(Object.keys(ROUTE_FIELDS))(
    'never make POST %s answer a 5xx, and every 400 names a field',
    async (resource) => {
      const { call } = handlers();
      await fc.assert(
        fc.asyncProperty(fuzzBody(resource), async (raw) => {
          const res = await call('POST', resource, { raw });
          expect(res.status, raw).toBeLessThan(500);
          if (res.status === 400) expect(fields(res).every((f) => typeof f === 'string' && f.length > 0)).toBe(true);
        }),
        { seed: 4004, numRuns: 150 },
      );
    },
  );
});
