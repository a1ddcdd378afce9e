/**
 * The inbound hook route through its handler (makeHandler over fakes): requests signed by the independent
 * `standardwebhooks` package start the hook's workflow once per webhook-id; everything else is refused with the
 * status the contract names, and no request, however malformed, gets a 5xx.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { createTrigger } from '../../../functions/domain/triggers/trigger-use-cases.js';
import type { ApiHandler } from '../../../functions/platform/http.js';
import { parseStrictJson } from '../../../functions/platform/strict-json.js';
import { generateWebhookSecret } from '../../../functions/domain/webhooks/signing.js';
import { aContext, stubHandlerSettings } from '../../support/builders.js';
import { InMemoryHookRateLimiter } from '../../fakes/in-memory-triggers.js';
import { triggerWorld } from './builders.js';

const NOW = new Date('2026-02-03T04:05:06.000Z');
const admin = aContext({ userId: 'ada', roles: ['admin'] });
let makeHandler: typeof import('../../../functions/handlers/receive-webhook.js').makeHandler;

beforeAll(async () => {
  stubHandlerSettings((name, value) => vi.stubEnv(name, value));
  ({ makeHandler } = await import('../../../functions/handlers/receive-webhook.js'));
});

async function aHook(options: { perMinute?: number; enabled?: boolean } = {}) {
  const world = await triggerWorld(NOW.toISOString());
  const created = await createTrigger(
    { kind: 'webhook', workflowId: 'wf-1', input: { channel: 'shop' }, enabled: options.enabled ?? true },
    admin,
    world.deps,
  );
  const handler: ApiHandler = makeHandler({
    ...world.startDeps,
    triggers: world.triggers,
    secrets: world.secrets,
    rateLimiter: new InMemoryHookRateLimiter(options.perMinute ?? 600),
    parseJson: (text) => parseStrictJson(text),
    clock: world.clock,
  });
  return { ...world, hookId: created.hookId!, secret: created.secret!, handler };
}

/** Headers of a delivery signed as a Standard Webhooks sender signs it. */
function signed(secret: string, id: string, body: string, at = NOW) {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

function request(hookId: string, body: string | null, headers: Record<string, string>): APIGatewayProxyEvent {
  return {
    resource: '/api/v1/hooks/{hookId}',
    path: `/api/v1/hooks/${hookId}`,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { hookId },
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: { requestId: 'req-hook', authorizer: null } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

const answer = async (h: ApiHandler, e: APIGatewayProxyEvent) => {
  const res = await h(e);
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers ?? {} };
};

describe('an inbound webhook', () => {
  it('with a valid signature starts the workflow with the body and the trigger input, as the trigger', async () => {
    const { handler, hookId, secret, runs } = await aHook();
    // Spacing and key order as the sender wrote them: the signature is over these bytes, not a re-serialisation.
    const body = '{ "order": {"id": 7,  "total": 12.5}, "b": [1,2] }';

    const res = await answer(handler, request(hookId, body, signed(secret, 'msg_first', body)));

    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'RUNNING', duplicate: false });
    const run = (await runs.get('tenant-a', res.body.executionId))!;
    expect(run.input).toEqual({ webhook: { order: { id: 7, total: 12.5 }, b: [1, 2] }, channel: 'shop' });
    expect(run.startedBy).toMatch(/^trigger:webhook:trg_/);
    expect(run.trigger).toMatchObject({ kind: 'webhook', webhookId: 'msg_first' });
  });

  it('processes a repeated webhook-id once, answering with the same run', async () => {
    const { handler, hookId, secret, runs, starter } = await aHook();
    const body = '{"n":1}';
    const first = await answer(handler, request(hookId, body, signed(secret, 'msg_again', body)));
    const retry = await answer(
      handler,
      request(hookId, body, signed(secret, 'msg_again', body, new Date(NOW.getTime() - 30_000))),
    );
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ executionId: first.body.executionId, status: 'RUNNING', duplicate: true });
    expect(runs.items.size).toBe(1);
    expect(starter.started).toHaveLength(1);
  });

  it.each([
    [
      'a tampered body',
      (s: string) => ({ body: '{"n":2}', headers: signed(s, 'msg_t', '{"n":1}') }),
      'webhook-signature',
    ],
    [
      'another secret',
      () => ({ body: '{"n":1}', headers: signed(generateWebhookSecret(), 'msg_w', '{"n":1}') }),
      'webhook-signature',
    ],
    [
      'a timestamp 6 minutes old',
      (s: string) => ({ body: '{}', headers: signed(s, 'msg_o', '{}', new Date(NOW.getTime() - 6 * 60_000)) }),
      'webhook-timestamp',
    ],
    [
      'a timestamp 6 minutes ahead',
      (s: string) => ({ body: '{}', headers: signed(s, 'msg_f', '{}', new Date(NOW.getTime() + 6 * 60_000)) }),
      'webhook-timestamp',
    ],
    [
      'no signature header',
      (s: string) => {
        const { 'webhook-signature': _drop, ...headers } = signed(s, 'msg_n', '{}');
        return { body: '{}', headers };
      },
      'webhook-signature',
    ],
  ])('refuses %s with 401 naming the header, and starts nothing', async (_label, make, field) => {
    const { handler, hookId, secret, runs } = await aHook();
    const { body, headers } = make(secret);
    const res = await answer(handler, request(hookId, body, headers));
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', details: [{ field }] });
    expect(runs.items.size).toBe(0);
  });

  it('answers 404 alike for an unknown hook, a hook of another tenant, a malformed id and a disabled hook', async () => {
    const { handler, hookId, secret } = await aHook();
    const disabled = await aHook({ enabled: false });
    const body = '{}';
    const ids = [
      hookId.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')),
      hookId.replace('hk.tenant-a.', 'hk.tenant-b.'),
      'not-a-hook',
    ];
    const answers = [
      ...(await Promise.all(ids.map((id) => answer(handler, request(id, body, signed(secret, 'msg_x', body)))))),
      await answer(disabled.handler, request(disabled.hookId, body, signed(disabled.secret, 'msg_x', body))),
    ];
    for (const a of answers) expect(a).toMatchObject({ status: 404, body: { error: { message: 'no such hook' } } });
  });

  it('refuses a signed body that is not JSON (400) and a body of another media type (415)', async () => {
    const { handler, hookId, secret } = await aHook();
    const text = 'order=7';
    expect((await answer(handler, request(hookId, text, signed(secret, 'msg_j', text)))).status).toBe(400);
    const dup = '{"a":1,"a":2}';
    const res = await answer(handler, request(hookId, dup, signed(secret, 'msg_d', dup)));
    expect(res.status).toBe(400);
    const form = { ...signed(secret, 'msg_m', text), 'content-type': 'application/x-www-form-urlencoded' };
    expect((await answer(handler, request(hookId, text, form))).status).toBe(415);
  });

  it('refuses a body over 64 KB with 400 before reading the hook', async () => {
    const { handler, hookId, secret } = await aHook();
    const big = JSON.stringify({ pad: 'x'.repeat(70_000) });
    const res = await answer(handler, request(hookId, big, signed(secret, 'msg_big', big)));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'body', message: 'too large' }]);
  });

  it('answers 429 with Retry-After once the hook took its requests of the minute', async () => {
    const { handler, hookId, secret, runs } = await aHook({ perMinute: 2 });
    const send = (id: string) => answer(handler, request(hookId, '{}', signed(secret, id, '{}')));
    expect((await send('msg_1')).status).toBe(202);
    expect((await send('msg_2')).status).toBe(202);
    const limited = await send('msg_3');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('54');
    expect(runs.items.size).toBe(2);
  });

  it('never answers 5xx, whatever the body, headers and hook id', async () => {
    const { handler, hookId, secret } = await aHook();
    const text = fc.oneof(fc.string(), fc.json(), fc.constant(''), fc.string({ unit: 'binary' }));
    const header = fc.oneof(fc.string(), fc.constant('v1,'), fc.stringMatching(/^v1,[A-Za-z0-9+/=]{0,60}$/));
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.record(
          {
            'content-type': fc.constantFrom('application/json', 'text/plain', ''),
            'webhook-id': fc.oneof(fc.string(), fc.constant('msg_ok')),
            'webhook-timestamp': fc.oneof(fc.string(), fc.nat().map(String), fc.constant(String(NOW.getTime() / 1000))),
            'webhook-signature': header,
          },
          { requiredKeys: [] },
        ),
        fc.oneof(fc.constant(hookId), fc.string()),
        fc.boolean(),
        async (body, headers, id, sign) => {
          const h = sign ? { ...headers, ...signed(secret, 'msg_fuzz', body) } : headers;
          const res = await handler(request(id, body, h as Record<string, string>));
          expect(res.statusCode, `${res.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300, seed: 20260203 },
    );
  });
});
