/**
 * No input produces a 500: bodies that break the JSON rules (schemas/json-rules.ts), bodies that are not
 * JSON, and forged page cursors get a 4xx naming the field, and write nothing. Against the real local
 * platform (DynamoDB Local, the local Step Functions runtime), so a limit the table or the SDK enforces
 * shows up here as the 500 it would be in AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LocalPlatform } from '../../local/platform.js';
import { MAX_JSON_DEPTH } from '../../schemas/json-rules.js';
import { fuzzRequest, type FuzzRoute, FUZZ_SEED } from '../support/fuzz-bodies.js';
import { eventually, startTestPlatform } from '../support/local-platform.js';

let platform: LocalPlatform;
let token: string;
let entityId: string;
let workflowId: string;
let gatedWorkflowId: string;

interface Sent {
  status: number;
  body: any;
  requestId: string;
}

/** Sends `body` as bytes, so fetch adds no Content-Type of its own: the test chooses it, or sends none (null). */
async function send(
  method: string,
  path: string,
  body?: string,
  contentType: string | null = 'application/json',
): Promise<Sent> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (contentType !== null && body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${platform.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : Buffer.from(body, 'utf8'),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text for the assertion message
  }
  return { status: res.status, body: parsed, requestId: res.headers.get('x-request-id') ?? '' };
}

const json = (method: string, path: string, value: unknown) => send(method, path, JSON.stringify(value));

/** `levels` nested objects around 1, as text (JSON.stringify itself overflows the stack at 10,000). */
const nest = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
/**
 * The field named for a value nested too deep: the path of its first container beyond the limit, for a
 * value at `path` whose own container is at depth `depth` of the body.
 */
const tooDeepAt = (path: string, depth: number) => [path, ...Array(MAX_JSON_DEPTH + 1 - depth).fill('a')].join('.');

/** No audit record carries the request's id: every mutation writes its audit record in the same transaction. */
async function expectNothingWritten(sent: Sent) {
  expect(sent.requestId).toBeTruthy();
  const audit = await send('GET', '/api/v1/audit?limit=100');
  expect(audit.status).toBe(200);
  expect(audit.body.items.map((a: { requestId: string }) => a.requestId)).not.toContain(sent.requestId);
}

function expectRefused(sent: Sent, field: string, message?: RegExp) {
  expect(sent.status, JSON.stringify(sent.body)).toBe(400);
  expect(sent.body.error.code).toBe('VALIDATION_ERROR');
  const detail = sent.body.error.details?.find((d: { field: string }) => d.field === field);
  expect(detail, `no detail for ${field} in ${JSON.stringify(sent.body.error.details)}`).toBeDefined();
  if (message) expect(detail.message).toMatch(message);
}

const runStatus = (id: string, statuses: string[]) =>
  eventually(async () => {
    const res = await send('GET', `/api/v1/workflows/executions/${id}`);
    return statuses.includes(res.body?.status) ? res.body : undefined;
  }, 30_000);

beforeAll(async () => {
  platform = await startTestPlatform();
  token = await platform.token({ tenantId: 'limits-a', roles: ['admin'], userId: 'lim' });
  const e = await json('POST', '/api/v1/entities', { type: 'account', attributes: { name: 'Target' } });
  expect(e.status).toBe(201);
  entityId = e.body.id;
  const wf = await json('POST', '/api/v1/workflows', {
    name: 'patch',
    steps: [
      { id: 'patch', tool: 'entity.update', input: { entityId: '$.input.entityId', attributes: '$.input.attributes' } },
    ],
  });
  expect(wf.status, JSON.stringify(wf.body)).toBe(201);
  workflowId = wf.body.id;
  const gated = await json('POST', '/api/v1/workflows', {
    name: 'gated',
    steps: [
      {
        id: 'wait',
        tool: 'entity.update',
        input: { entityId: '$.input.entityId', attributes: {} },
        approval: { required: true, timeoutSeconds: 3600 },
      },
    ],
  });
  expect(gated.status, JSON.stringify(gated.body)).toBe(201);
  gatedWorkflowId = gated.body.id;
});

afterAll(async () => {
  await platform?.stop();
});

const INTEGER = /^integer outside the exactly representable range.*send it as a string/;
const RANGE = /^number outside the exactly representable range/;
const TINY = /below 1E-130/;
const DEEP = /^nested deeper than 20 levels/;
const RESERVED = /is reserved/;
const SURROGATE = /lone surrogate/;
const DUPLICATE = /^duplicate key/;

describe('entity bodies the table could not store as sent', () => {
  const attrs = (a: string) => `{"type":"account","attributes":${a}}`;
  it.each([
    ['a 17-digit account number', attrs('{"acct":12345678901234567}'), 'attributes.acct', INTEGER],
    ['2^53 + 1', attrs('{"acct":9007199254740993}'), 'attributes.acct', INTEGER],
    ['1e300', attrs('{"v":1e300}'), 'attributes.v', RANGE],
    ['-1e300', attrs('{"v":[1,-1e300]}'), 'attributes.v.1', RANGE],
    ['1e-200', attrs('{"v":1e-200}'), 'attributes.v', TINY],
    ['a decimal a double rounds', attrs('{"v":0.30000000000000001}'), 'attributes.v', /would be stored as 0.3/],
    ['31 levels of nesting', attrs(`{"x":${nest(31)}}`), tooDeepAt('attributes.x', 3), DEEP],
    ['10,000 levels of nesting', attrs(`{"x":${nest(10_000)}}`), tooDeepAt('attributes.x', 3), DEEP],
    [
      '10,000 levels of arrays',
      attrs(`{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
      ['attributes.x', ...Array(18).fill('0')].join('.'),
      DEEP,
    ],
    ['an empty nested key', attrs('{"x":{"":1}}'), 'attributes.x.""', /empty keys/],
    ['a nested key with a lone surrogate', attrs('{"x":{"\\ud800":1}}'), 'attributes.x."\\ud800"', SURROGATE],
    ['a nested key named constructor', attrs('{"x":{"constructor":1}}'), 'attributes.x.constructor', RESERVED],
    ['a nested key named __proto__', attrs('{"x":{"__proto__":{"admin":true}}}'), 'attributes.x.__proto__', RESERVED],
    ['an attribute named constructor', attrs('{"constructor":1}'), 'attributes.constructor', RESERVED],
    ['an attribute named toString', attrs('{"toString":"x"}'), 'attributes.toString', RESERVED],
    ['a lone surrogate in a value', attrs('{"name":"Ada \\udc00"}'), 'attributes.name', SURROGATE],
    ['a repeated type', '{"type":"account","type":"person","attributes":{}}', 'type', DUPLICATE],
    [
      'a key repeated deep inside',
      attrs('{"name":{"first":"Ada","last":"L","first":"Eve"}}'),
      'attributes.name.first',
      DUPLICATE,
    ],
    ['a key repeated with the same value', attrs('{"a":[{"b":1,"b":1}]}'), 'attributes.a.0.b', DUPLICATE],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_name, raw, field, message) => {
    const sent = await send('POST', '/api/v1/entities', raw);
    expectRefused(sent, field, message);
    await expectNothingWritten(sent);
  });

  it.each([
    ['a repeated version', '{"version":1,"version":2,"attributes":{}}', 'version', DUPLICATE],
    ['a 17-digit number', '{"version":1,"attributes":{"acct":12345678901234567}}', 'attributes.acct', INTEGER],
    [
      'an attribute named constructor',
      '{"version":1,"attributes":{"constructor":null}}',
      'attributes.constructor',
      RESERVED,
    ],
    ['31 levels of nesting', `{"version":1,"attributes":{"x":${nest(31)}}}`, tooDeepAt('attributes.x', 3), DEEP],
  ])('refuses a patch with %s, leaving the entity as it was', async (_name, raw, field, message) => {
    const sent = await send('PATCH', `/api/v1/entities/${entityId}`, raw);
    expectRefused(sent, field, message);
    await expectNothingWritten(sent);
    expect((await send('GET', `/api/v1/entities/${entityId}`)).body).toMatchObject({
      version: 1,
      attributes: { name: 'Target' },
    });
  });

  it('names every problem of a body at once', async () => {
    const sent = await send('POST', '/api/v1/entities', attrs('{"a":1e300,"b":{"":1},"a":2}'));
    expect(sent.status).toBe(400);
    expect(sent.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'attributes.a',
      'attributes.a',
      'attributes.b.""',
    ]);
  });
});

describe('entity values at the limits are stored faithfully', () => {
  it('stores and returns the extreme numbers, the deepest nesting and unusual keys exactly as sent', async () => {
    const raw = attrsText();
    const created = await send('POST', '/api/v1/entities', raw);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const expected = JSON.parse(raw).attributes;
    const read = await send('GET', `/api/v1/entities/${created.body.id}`);
    expect(read.body.attributes).toEqual(expected);
    expect(created.body.attributes).toEqual(expected);
  });

  function attrsText() {
    return JSON.stringify({
      type: 'account',
      attributes: {
        max: 9007199254740991,
        min: -9007199254740991,
        tiny: 1e-130,
        tinyNegative: -1e-130,
        tenth: 0.1,
        small: 1.5e-7,
        third: 1 / 3,
        zero: 0,
        emoji: '😀 Zoë 中文',
        nested: { 'first name': 1, '😀': 2, 'a.b': 3, prototype: 4, $: 5, '\u0000': 6 },
        empty: '',
        // x is at depth 3 of the body (body, attributes, x): 18 levels reach the limit exactly.
        deep: JSON.parse(nest(MAX_JSON_DEPTH - 2)),
      },
    });
  }

  it(`accepts exactly ${MAX_JSON_DEPTH} levels in a body and refuses ${MAX_JSON_DEPTH + 1}`, async () => {
    const at = await send('POST', '/api/v1/entities', `{"type":"deal","attributes":{"x":${nest(MAX_JSON_DEPTH - 2)}}}`);
    expect(at.status, JSON.stringify(at.body)).toBe(201);
    const beyond = await send(
      'POST',
      '/api/v1/entities',
      `{"type":"deal","attributes":{"x":${nest(MAX_JSON_DEPTH - 1)}}}`,
    );
    expectRefused(beyond, tooDeepAt('attributes.x', 3), DEEP);
  });
});

describe('workflow bodies', () => {
  const def = (input: string, extra = '') =>
    `{"name":"w","steps":[{"id":"a","tool":"entity.update","input":${input}}]${extra}}`;
  it.each([
    [
      'a repeated step member',
      '{"name":"w","steps":[{"id":"a","id":"b","tool":"entity.update","input":{}}]}',
      'steps.0.id',
      DUPLICATE,
    ],
    [
      'a repeated name',
      '{"name":"w","name":"v","steps":[{"id":"a","tool":"entity.update","input":{}}]}',
      'name',
      DUPLICATE,
    ],
    ['a 17-digit number in a step input', def('{"limit":12345678901234567}'), 'steps.0.input.limit', INTEGER],
    ['1e-200 in a step input', def('{"limit":1e-200}'), 'steps.0.input.limit', TINY],
    ['31 levels in a step input', def(`{"x":${nest(31)}}`), tooDeepAt('steps.0.input.x', 5), DEEP],
    ['10,000 levels in a step input', def(`{"x":${nest(10_000)}}`), tooDeepAt('steps.0.input.x', 5), DEEP],
    ['an empty key in a step input', def('{"x":{"":1}}'), 'steps.0.input.x.""', /empty keys/],
    ['__proto__ in a step input', def('{"__proto__":{}}'), 'steps.0.input.__proto__', RESERVED],
    [
      'a lone surrogate in the name',
      '{"name":"w\\ud800","steps":[{"id":"a","tool":"entity.update","input":{}}]}',
      'name',
      SURROGATE,
    ],
  ])('refuses a definition with %s (POST), writing nothing', async (_name, raw, field, message) => {
    const sent = await send('POST', '/api/v1/workflows', raw);
    expectRefused(sent, field, message);
    await expectNothingWritten(sent);
  });

  it.each([
    ['a repeated version', def('{}', ',"version":1,"version":1'), 'version', DUPLICATE],
    ['a 17-digit version', def('{}', ',"version":12345678901234567'), 'version', INTEGER],
    ['31 levels in a step input', def(`{"x":${nest(31)}}`, ',"version":1'), tooDeepAt('steps.0.input.x', 5), DEEP],
    [
      'a constructor key in a step input',
      def('{"constructor":1}', ',"version":1'),
      'steps.0.input.constructor',
      RESERVED,
    ],
  ])('refuses a changed definition with %s (PUT), keeping the version', async (_name, raw, field, message) => {
    const sent = await send('PUT', `/api/v1/workflows/${workflowId}`, raw);
    expectRefused(sent, field, message);
    await expectNothingWritten(sent);
    expect((await send('GET', `/api/v1/workflows/${workflowId}`)).body.version).toBe(1);
  });

  it.each([
    [
      'a repeated workflowId',
      () => `{"workflowId":"${workflowId}","workflowId":"${gatedWorkflowId}","input":{}}`,
      'workflowId',
      DUPLICATE,
    ],
    [
      'a 17-digit number in the input',
      () => `{"workflowId":"${workflowId}","input":{"acct":12345678901234567}}`,
      'input.acct',
      INTEGER,
    ],
    ['1e300 in the input', () => `{"workflowId":"${workflowId}","input":{"v":1e300}}`, 'input.v', RANGE],
    [
      '31 levels in the input',
      () => `{"workflowId":"${workflowId}","input":{"x":${nest(31)}}}`,
      tooDeepAt('input.x', 3),
      DEEP,
    ],
    [
      '10,000 levels in the input',
      () => `{"workflowId":"${workflowId}","input":{"x":${nest(10_000)}}}`,
      tooDeepAt('input.x', 3),
      DEEP,
    ],
    ['an empty key in the input', () => `{"workflowId":"${workflowId}","input":{"":1}}`, 'input.""', /empty keys/],
    [
      'a constructor key in the input',
      () => `{"workflowId":"${workflowId}","input":{"constructor":{}}}`,
      'input.constructor',
      RESERVED,
    ],
    [
      'a lone surrogate in the input',
      () => `{"workflowId":"${workflowId}","input":{"note":"\\ud83d"}}`,
      'input.note',
      SURROGATE,
    ],
  ])('refuses an execution with %s, starting nothing', async (_name, raw, field, message) => {
    const sent = await send('POST', '/api/v1/workflows/execute', raw());
    expectRefused(sent, field, message);
    await expectNothingWritten(sent);
  });

  it('stores a definition whose step input reaches the nesting limit as sent', async () => {
    // input is at depth 4 (body, steps, step, input); x at 5: 16 levels reach the limit.
    const input = { x: JSON.parse(nest(MAX_JSON_DEPTH - 4)), n: 9007199254740991, keys: { 'a b': 1, '😀': [] } };
    const created = await send(
      'POST',
      '/api/v1/workflows',
      JSON.stringify({ name: 'deep', steps: [{ id: 'a', tool: 'entity.update', input }] }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await send('GET', `/api/v1/workflows/${created.body.id}`)).body.steps[0].input).toEqual(
      JSON.parse(JSON.stringify(input)),
    );
  });

  it('runs a workflow whose input and step output reach the nesting limit', async () => {
    // Before: the entity holds a value at the limit, which the step records as its `before` output.
    const deepValue = JSON.parse(nest(MAX_JSON_DEPTH - 2));
    const entity = await json('POST', '/api/v1/entities', { type: 'account', attributes: { deep: deepValue } });
    expect(entity.status, JSON.stringify(entity.body)).toBe(201);
    // attributes at depth 3 of the execute body (body, input, attributes), deep at 4: 17 levels.
    const input = {
      entityId: entity.body.id,
      attributes: { deep: JSON.parse(nest(MAX_JSON_DEPTH - 3)), n: -9007199254740991 },
    };
    const started = await json('POST', '/api/v1/workflows/execute', { workflowId, input });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const run = await runStatus(started.body.executionId, ['SUCCEEDED', 'FAILED']);
    expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
    expect(run.input).toEqual(input);
    expect((await send('GET', `/api/v1/entities/${entity.body.id}`)).body.attributes).toEqual(input.attributes);
  });
});

describe('content types', () => {
  const bodies: Array<[string, string, () => string, () => string]> = [
    ['POST', '/api/v1/entities', () => '/api/v1/entities', () => '{"type":"deal","attributes":{}}'],
    ['PATCH', '/api/v1/entities/{id}', () => `/api/v1/entities/${entityId}`, () => '{"version":1,"attributes":{}}'],
    [
      'POST',
      '/api/v1/workflows',
      () => '/api/v1/workflows',
      () => '{"name":"w","steps":[{"id":"a","tool":"entity.update","input":{}}]}',
    ],
    [
      'PUT',
      '/api/v1/workflows/{id}',
      () => `/api/v1/workflows/${workflowId}`,
      () => '{"name":"w","steps":[{"id":"a","tool":"entity.update","input":{}}],"version":1}',
    ],
    [
      'POST',
      '/api/v1/workflows/execute',
      () => '/api/v1/workflows/execute',
      () => `{"workflowId":"${gatedWorkflowId}","input":{}}`,
    ],
  ];
  for (const [method, route, path, body] of bodies) {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=iso-8859-1',
      null,
    ]) {
      it(`answers 415 UNSUPPORTED_MEDIA_TYPE to ${method} ${route} sent as ${contentType ?? 'no Content-Type'}`, async () => {
        const sent = await send(method, path(), body(), contentType);
        expect(sent.status, JSON.stringify(sent.body)).toBe(415);
        expect(sent.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: [{ field: 'content-type' }] });
        await expectNothingWritten(sent);
      });
    }
  }

  it('accepts JSON with a UTF-8 charset and a +json type', async () => {
    expect(
      (
        await send(
          'POST',
          '/api/v1/entities',
          '{"type":"deal","attributes":{"n":1}}',
          'application/json; charset=UTF-8',
        )
      ).status,
    ).toBe(201);
    const patched = await send(
      'PATCH',
      `/api/v1/entities/${entityId}`,
      '{"version":1,"attributes":{"note":"x"}}',
      'application/merge-patch+json',
    );
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const back = await send('PATCH', `/api/v1/entities/${entityId}`, '{"version":2,"attributes":{"note":null}}');
    expect(back.status).toBe(200);
  });
});

describe('forged page cursors', () => {
  const forge = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
  const gsi1 = (pk: string) => ({ GSI1PK: pk, GSI1SK: '2026#x', PK: 'T#limits-a#X', SK: 'X' });
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['entities', '/api/v1/entities', gsi1('T#limits-a#ENTITIES')],
    [
      'entities of a type',
      '/api/v1/entities?type=deal',
      { GSI2PK: 'T#limits-a#ENTITIES#deal', GSI2SK: '2026#x', PK: 'T#limits-a#X', SK: 'X' },
    ],
    ['audit', '/api/v1/audit', { PK: 'T#limits-a#AUDIT', SK: '2026#x' }],
    ['workflows', '/api/v1/workflows', gsi1('T#limits-a#WORKFLOWS')],
    ['approvals', '/api/v1/approvals?status=pending', gsi1('T#limits-a#APPROVALS#pending')],
  ];
  for (const [name, path, valid] of cases) {
    const [partitionAttr, sortAttr] = Object.keys(valid) as [string, string];
    const forged: Array<[string, Record<string, unknown>]> = [
      ['a missing key attribute', Object.fromEntries(Object.entries(valid).filter(([k]) => k !== sortAttr))],
      ['an extra attribute', { ...valid, extra: 'x' }],
      ['a number where a string goes', { ...valid, [sortAttr]: 2026 }],
      ['an attribute-value map', { ...valid, [sortAttr]: { S: '2026#x' } }],
      ['an empty string', { ...valid, [sortAttr]: '' }],
      ['only the partition', { [partitionAttr]: valid[partitionAttr] }],
    ];
    it.each(forged)(`refuses a ${name} cursor with %s as 400 naming the cursor`, async (_kind, key) => {
      const sep = path.includes('?') ? '&' : '?';
      const res = await send('GET', `${path}${sep}cursor=${forge(key)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'cursor' }] });
    });

    it(`accepts a well-formed ${name} cursor of its own partition`, async () => {
      const sep = path.includes('?') ? '&' : '?';
      expect((await send('GET', `${path}${sep}cursor=${forge(valid)}`)).status).toBe(200);
    });
  }
});

describe('the contract', () => {
  it('documents 415 on the routes that take a body and still builds the OpenAPI document', async () => {
    const res = await fetch(`${platform.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.components.schemas.Attributes).toBeDefined();
    expect(doc.paths['/api/v1/entities'].post.responses['415']).toBeDefined();
    expect(doc.paths['/api/v1/workflows/execute'].post.responses['415']).toBeDefined();
    expect(doc.paths['/api/v1/entities'].get.responses['415']).toBeUndefined();
  });
});

describe('fuzz: raw bodies against the running platform', () => {
  const paths: Record<FuzzRoute, () => [string, string]> = {
    createEntity: () => ['POST', '/api/v1/entities'],
    patchEntity: () => ['PATCH', `/api/v1/entities/${entityId}`],
    createWorkflow: () => ['POST', '/api/v1/workflows'],
    updateWorkflow: () => ['PUT', `/api/v1/workflows/${workflowId}`],
    execute: () => ['POST', '/api/v1/workflows/execute'],
  };

  it('never answers 5xx; a refusal writes nothing; an accepted entity or definition reads back as sent', async () => {
    // Types identity resolution skips, so no asynchronous work follows an accepted entity.
    const requests = fuzzRequest({ workflowId: gatedWorkflowId, entityTypes: ['deal', 'ticket', 'account'] });
    await fc.assert(
      fc.asyncProperty(requests, async ({ route, body, contentType }) => {
        const [method, path] = paths[route]();
        const sent = await send(method, path, body, contentType ?? null);
        expect(
          sent.status,
          `${method} ${path} ${contentType}: ${body.slice(0, 300)} → ${JSON.stringify(sent.body).slice(0, 300)}`,
        ).toBeLessThan(500);
        if (sent.status >= 400) {
          expect(sent.body.error.code).toMatch(/^[A-Z_]+$/);
          await expectNothingWritten(sent);
        } else if (route === 'createEntity') {
          const read = await send('GET', `/api/v1/entities/${sent.body.id}`);
          expect(read.body.attributes).toEqual(JSON.parse(JSON.stringify(JSON.parse(body).attributes)));
        } else if (route === 'createWorkflow') {
          const read = await send('GET', `/api/v1/workflows/${sent.body.id}`);
          const inputs = (steps: Array<{ input: unknown }>) => steps.map((s) => s.input);
          expect(inputs(read.body.steps)).toEqual(JSON.parse(JSON.stringify(inputs(JSON.parse(body).steps))));
        }
      }),
      { numRuns: 150, seed: FUZZ_SEED },
    );
  }, 300_000);
});
