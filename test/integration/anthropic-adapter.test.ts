/**
 * The real `@anthropic-ai/sdk` (retries off) against the local fake of the Messages API on loopback, through the
 * routed client and the composition: tool use both ways, streaming (text deltas, tool input rebuilt from
 * input_json_delta), 429 then fallback, the spend-limit 429 never retried, 529, timeouts, malformed answers,
 * streams cut off, prompt-cache accounting, and the circuit breaker skipping a failing model.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AnthropicMessagesTransport,
  makeAnthropicMessages,
} from '../../functions/adapters/anthropic/messages-transport.js';
import { CircuitBreaker } from '../../functions/domain/agents/circuit-breaker.js';
import {
  type LlmClient,
  type LlmMessage,
  type LlmRequest,
  LlmSpendLimitError,
  LlmUnavailableError,
} from '../../functions/domain/agents/llm.js';
import { RoutedLlmClient } from '../../functions/domain/agents/routed-llm.js';
import { costOf, routeModels } from '../../functions/domain/agents/routing.js';
import { makeLlmClient } from '../../functions/platform/llm-composition.js';
import { modelRoutingTable } from '../../functions/platform/model-routing.js';
import { type FakeMessagesApi, startFakeMessagesApi } from '../../local/anthropic-fake.js';

const table = modelRoutingTable();
const TASK = { type: 'chat', complexity: 'medium' } as const;
const [PRIMARY, FALLBACK] = routeModels(TASK, table).map((m) => m.id) as [string, string];

const DRAFT_EMAIL = {
  name: 'draft_email',
  description: 'Drafts an e-mail for the user to review and send.',
  inputSchema: {
    type: 'object',
    properties: { to: { type: 'string', format: 'email' }, subject: { type: 'string' }, body: { type: 'string' } },
    required: ['to', 'subject', 'body'],
    additionalProperties: false,
  },
};

const ASK = 'Draft an email to ann@example.com about the renewal. Keep it short.';
const userTurn = (text: string): LlmMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const aRequest = (over: Partial<LlmRequest> = {}): LlmRequest => ({
  task: TASK,
  system: 'You write for the account team.',
  messages: [userTurn(ASK)],
  tools: [DRAFT_EMAIL],
  maxTokens: 512,
  trace: { tenantId: 'tenant-a' },
  ...over,
});

let api: FakeMessagesApi;
beforeAll(async () => {
  api = await startFakeMessagesApi({ apiKey: 'test-key' });
});
afterAll(() => api.close());
beforeEach(() => {
  api.script([]);
  api.requests.length = 0;
});

const clock = { now: () => new Date() };
const quiet = () => {};

/** The routed client over the real SDK, with small timeouts and a breaker of its own per test. */
function aRoutedClient(
  opts: { attemptTimeoutMs?: number; budgetMs?: number; threshold?: number; sleeps?: number[] } = {},
) {
  const sdk = makeAnthropicMessages({
    apiKey: 'test-key',
    baseUrl: api.url,
    timeoutMs: opts.attemptTimeoutMs ?? 2_000,
  });
  return new RoutedLlmClient({
    table,
    transport: new AnthropicMessagesTransport(sdk),
    breaker: new CircuitBreaker({ failureThreshold: opts.threshold ?? 3, coolDownMs: 60_000, clock }),
    clock,
    log: quiet,
    attemptTimeoutMs: opts.attemptTimeoutMs ?? 2_000,
    budgetMs: opts.budgetMs ?? 6_000,
    minAttemptMs: 200,
    sleep: async (ms) => {
      opts.sleeps?.push(ms);
    },
  });
}

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

describe('the Messages API adapter against the fake', () => {
  it('makes a tool-use round trip: a tool call, then a final answer from its result', async () => {
    const client: LlmClient = makeLlmClient({
      apiKey: 'test-key',
      baseUrl: api.url,
      timeoutMs: 2_000,
      clock,
      log: quiet,
    });
    const first = await client.complete(aRequest());
    expect(first.offline).toBe(false);
    expect(first.model).toBe(PRIMARY);
    expect(first.stopReason).toBe('tool_use');
    const call = first.content.find((b) => b.type === 'tool_use');
    expect(call).toMatchObject({ name: 'draft_email', input: { to: 'ann@example.com', body: ASK } });
    if (call?.type !== 'tool_use') return;

    const second = await client.complete(
      aRequest({
        messages: [
          userTurn(ASK),
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: call.id, content: '{"draftId":"d-1","status":"pending"}' }],
          },
        ],
      }),
    );
    expect(second.stopReason).toBe('end_turn');
    expect(second.content.some((b) => b.type === 'tool_use')).toBe(false);
    expect(second.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('draftId: "d-1"') });
    // The second request carried the tool_use and its tool_result on the wire, the key as a bearer token.
    const wire = api.requests[1]!.body.messages as Array<{ content: Array<{ type: string; tool_use_id?: string }> }>;
    expect(wire[1]!.content.map((b) => b.type)).toEqual(['text', 'tool_use']);
    expect(wire[2]!.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: call.id });
    expect(api.requests[1]!.headers.authorization).toBe('Bearer test-key');
    expect(first.costUsd).toBe(costOf(first.usage, table.models.find((m) => m.id === PRIMARY)!));
    expect(first.costUsd).toBeGreaterThan(0);
  });

  it('streams the answer text as deltas and rebuilds the tool input from input_json_delta', async () => {
    const deltas: string[] = [];
    const res = await aRoutedClient().complete(aRequest({ onText: (d) => deltas.push(d) }));
    expect(api.requests[0]!.stream).toBe(true);
    const text = res.content.find((b) => b.type === 'text');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(text?.type === 'text' ? text.text : undefined);
    expect(res.content.find((b) => b.type === 'tool_use')).toMatchObject({
      input: { to: 'ann@example.com', subject: 'Draft an email to ann@example.com about the renewal.', body: ASK },
    });
  });

  it('falls back to the other model after a 429, and waits once for a short retry-after when both fail', async () => {
    api.script([{ kind: 'rate_limited', retryAfterSeconds: 1, model: PRIMARY }]);
    const res = await aRoutedClient().complete(aRequest());
    expect(res.model).toBe(FALLBACK);
    expect(res.fallbacks).toEqual([{ model: PRIMARY, error: 'rate_limited' }]);
    expect(api.requests.map((r) => r.model)).toEqual([PRIMARY, FALLBACK]);

    api.requests.length = 0;
    api.script([
      { kind: 'rate_limited', retryAfterSeconds: 1, model: PRIMARY },
      { kind: 'overloaded', model: FALLBACK },
    ]);
    const sleeps: number[] = [];
    const retried = await aRoutedClient({ sleeps }).complete(aRequest());
    expect(sleeps).toEqual([1000]);
    expect(retried.model).toBe(PRIMARY);
    expect(api.requests.map((r) => r.fault ?? 'answered')).toEqual(['rate_limited', 'overloaded', 'answered']);
  });

  it('never retries the spend-limit 429: one request, LlmSpendLimitError', async () => {
    api.script([{ kind: 'spend_limit' }]);
    const err = await rejection(aRoutedClient().complete(aRequest()));
    expect(err).toBeInstanceOf(LlmSpendLimitError);
    expect(api.requests).toHaveLength(1);
  });

  it('falls back after a 529 overloaded_error', async () => {
    api.script([{ kind: 'overloaded', model: PRIMARY }]);
    const res = await aRoutedClient().complete(aRequest());
    expect(res.model).toBe(FALLBACK);
    expect(res.fallbacks).toEqual([{ model: PRIMARY, error: 'overloaded' }]);
  });

  it('classifies a call slower than its timeout and falls back in time', async () => {
    api.script([{ kind: 'delay', ms: 3_000, model: PRIMARY }]);
    const started = Date.now();
    const res = await aRoutedClient({ attemptTimeoutMs: 300 }).complete(aRequest());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.model).toBe(FALLBACK);
    expect(res.fallbacks).toEqual([{ model: PRIMARY, error: 'timeout' }]);
  });

  it('times out a stream whose headers and first events came but whose answer stalls', async () => {
    api.script([{ kind: 'stall_stream', afterEvents: 1, model: PRIMARY }]);
    const res = await aRoutedClient({ attemptTimeoutMs: 300 }).complete(aRequest({ onText: () => {} }));
    expect(res.fallbacks).toEqual([{ model: PRIMARY, error: 'timeout' }]);
  });

  it('classifies a malformed answer and does not retry it', async () => {
    api.script([{ kind: 'malformed' }]);
    const err = await rejection(aRoutedClient().complete(aRequest()));
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect((err as LlmUnavailableError).kind).toBe('malformed_response');
    api.script([
      { kind: 'answer', content: [{ type: 'tool_use', name: 'draft_email', input: {} }], stopReason: 'tool_use' },
    ]);
    const shape = await rejection(aRoutedClient().complete(aRequest()));
    expect((shape as LlmUnavailableError).kind).toBe('malformed_response');
    expect(api.requests).toHaveLength(2);
  });

  it('falls back when a stream is cut before any text, and not once text was shown', async () => {
    api.script([{ kind: 'cut_stream', afterEvents: 1, model: PRIMARY }]);
    const early = await aRoutedClient().complete(aRequest({ onText: () => {} }));
    expect(early.model).toBe(FALLBACK);
    expect(early.fallbacks).toEqual([{ model: PRIMARY, error: 'connection' }]);

    api.requests.length = 0;
    api.script([{ kind: 'cut_stream', afterEvents: 4, model: PRIMARY }]);
    const deltas: string[] = [];
    const err = await rejection(aRoutedClient().complete(aRequest({ onText: (d) => deltas.push(d) })));
    expect(deltas.length).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(api.requests.map((r) => r.model)).toEqual([PRIMARY]);
  });

  it('refuses a stream that ends without finishing its message', async () => {
    api.script([{ kind: 'answer', content: [{ type: 'text', text: 'half an answer' }], stopReason: null }]);
    const err = await rejection(aRoutedClient().complete(aRequest({ onText: () => {} })));
    expect(err).toBeInstanceOf(LlmUnavailableError);
  });

  it('counts prompt-cache writes then reads for a long system prompt, priced at the cache rates', async () => {
    const system = `You write for the account team. ${'Keep every promise the brief makes. '.repeat(160)}`;
    const client = aRoutedClient();
    const first = await client.complete(aRequest({ system }));
    const second = await client.complete(aRequest({ system }));
    expect(first.usage.cacheCreationInputTokens).toBeGreaterThan(1024);
    expect(second.usage.cacheReadInputTokens).toBe(first.usage.cacheCreationInputTokens);
    expect(second.costUsd).toBeLessThan(first.costUsd);
    const model = table.models.find((m) => m.id === PRIMARY)!;
    expect(second.costUsd).toBe(costOf(second.usage, model));
  });

  it('opens the circuit of a failing model and skips it without a request', async () => {
    api.script([{ kind: 'server_error', status: 503, model: PRIMARY, times: 10 }]);
    const client = aRoutedClient({ threshold: 2 });
    await client.complete(aRequest());
    await client.complete(aRequest());
    api.requests.length = 0;
    const res = await client.complete(aRequest());
    expect(api.requests.map((r) => r.model)).toEqual([FALLBACK]);
    expect(res.fallbacks).toEqual([{ model: PRIMARY, error: 'circuit_open' }]);
  });

  it('fails as authentication with a wrong key, without a fallback', async () => {
    const sdk = makeAnthropicMessages({ apiKey: 'wrong', baseUrl: api.url, timeoutMs: 2_000 });
    const transport = new AnthropicMessagesTransport(sdk);
    const err = await rejection(transport.send({ model: PRIMARY, request: aRequest(), timeoutMs: 2_000 }));
    expect(err).toMatchObject({ name: 'LlmCallError', kind: 'authentication', httpStatus: 401 });
  });

  it('answers with the offline model when no key is configured', async () => {
    const client = makeLlmClient({ timeoutMs: 2_000, clock, log: quiet });
    const res = await client.complete(aRequest({ messages: [userTurn('Hello')] }));
    expect(res).toMatchObject({ offline: true, model: 'offline', costUsd: 0 });
    expect(api.requests).toHaveLength(0);
  });
});
