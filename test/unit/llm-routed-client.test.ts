/**
 * The routed client's own retry and fallback policy over an in-memory transport: fallback on retryable
 * failures, one wait-and-retry for a short retry-after within the time budget, no retry of a spend limit or of
 * a refused or garbled answer, circuits that skip a failing model, no second answer after streamed text, cost
 * from the table, and logs without prompt text.
 */
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../functions/domain/agents/circuit-breaker.js';
import { type LlmRequest, LlmSpendLimitError, LlmUnavailableError } from '../../functions/domain/agents/llm.js';
import { type LlmLog, RoutedLlmClient } from '../../functions/domain/agents/routed-llm.js';
import type { RoutingTable } from '../../functions/domain/agents/routing.js';
import type { Clock } from '../../functions/domain/ports.js';
import { InMemoryLlmTransport, type ScriptedOutcome } from '../fakes/in-memory-llm-transport.js';

const TABLE: RoutingTable = {
  models: [
    {
      id: 'primary-m',
      provider: 'anthropic',
      contextWindow: 200_000,
      prices: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
      checkedOn: '2026-11-30',
      source: 'https://example.test/pricing',
    },
    {
      id: 'fallback-m',
      provider: 'anthropic',
      contextWindow: 200_000,
      prices: { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
      checkedOn: '2026-11-30',
      source: 'https://example.test/pricing',
    },
  ],
  routes: [{ when: {}, primary: 'primary-m', fallback: 'fallback-m' }],
};

const SECRET = 'the-confidential-prompt-words';

const aRequest = (over: Partial<LlmRequest> = {}): LlmRequest => ({
  task: { type: 'chat', complexity: 'medium' },
  system: `You are helpful. ${SECRET}`,
  messages: [{ role: 'user', content: [{ type: 'text', text: `Hello ${SECRET}` }] }],
  tools: [],
  maxTokens: 256,
  trace: { tenantId: 't-1', agentId: 'a-1', sessionId: 's-1' },
  ...over,
});

function aClient(
  script: Record<string, ScriptedOutcome[]>,
  opts: { budgetMs?: number; attemptTimeoutMs?: number; threshold?: number; callMs?: number } = {},
) {
  let t = Date.parse('2026-12-01T10:00:00Z');
  const clock: Clock = { now: () => new Date(t) };
  const transport = new InMemoryLlmTransport(script);
  transport.onAttempt = () => {
    t += opts.callMs ?? 10;
  };
  const sleeps: number[] = [];
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const log: LlmLog = (level, message, fields) => logs.push({ level, message, fields });
  const breaker = new CircuitBreaker({ failureThreshold: opts.threshold ?? 3, coolDownMs: 30_000, clock });
  const client = new RoutedLlmClient({
    table: TABLE,
    transport,
    breaker,
    clock,
    log,
    attemptTimeoutMs: opts.attemptTimeoutMs ?? 10_000,
    budgetMs: opts.budgetMs ?? 25_000,
    maxRetryAfterMs: 2_000,
    minAttemptMs: 1_000,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  });
  return { client, transport, sleeps, logs, breaker, advance: (ms: number) => (t += ms) };
}

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

describe('RoutedLlmClient', () => {
  it('answers from the primary model with its cost from the table and no fallbacks', async () => {
    const { client, transport } = aClient({
      'primary-m': [
        {
          answer: {
            usage: { inputTokens: 1000, outputTokens: 200, cacheCreationInputTokens: 0, cacheReadInputTokens: 5000 },
          },
        },
      ],
    });
    const res = await client.complete(aRequest());
    expect(res).toMatchObject({ model: 'primary-m', offline: false, fallbacks: [], stopReason: 'end_turn' });
    expect(res.costUsd).toBe((1000 * 3 + 200 * 15 + 5000 * 0.3) / 1e6);
    expect(transport.calls.map((c) => c.model)).toEqual(['primary-m']);
  });

  it.each(['overloaded', 'server_error', 'timeout', 'connection', 'rate_limited'] as const)(
    'tries the fallback model at once after a %s failure',
    async (kind) => {
      const { client, transport, sleeps } = aClient({ 'primary-m': [{ fail: kind }] });
      const res = await client.complete(aRequest());
      expect(res.model).toBe('fallback-m');
      expect(res.fallbacks).toEqual([{ model: 'primary-m', error: kind }]);
      expect(res.costUsd).toBe((100 * 1 + 20 * 5) / 1e6);
      expect(transport.calls.map((c) => c.model)).toEqual(['primary-m', 'fallback-m']);
      expect(sleeps).toEqual([]);
    },
  );

  it('waits once for a short retry-after when both models failed, and tries that model again', async () => {
    const { client, transport, sleeps } = aClient({
      'primary-m': [{ fail: 'rate_limited', retryAfterMs: 1500 }, { answer: {} }],
      'fallback-m': [{ fail: 'overloaded' }],
    });
    const res = await client.complete(aRequest());
    expect(sleeps).toEqual([1500]);
    expect(transport.calls.map((c) => c.model)).toEqual(['primary-m', 'fallback-m', 'primary-m']);
    expect(res.model).toBe('primary-m');
    expect(res.fallbacks).toEqual([
      { model: 'primary-m', error: 'rate_limited' },
      { model: 'fallback-m', error: 'overloaded' },
    ]);
  });

  it('waits at most once', async () => {
    const { client, transport, sleeps } = aClient({
      'primary-m': [{ fail: 'rate_limited', retryAfterMs: 500 }],
      'fallback-m': [{ fail: 'rate_limited', retryAfterMs: 500 }],
    });
    const err = await rejection(client.complete(aRequest()));
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(sleeps).toEqual([500]);
    expect(transport.calls).toHaveLength(3);
  });

  it('leaves a long retry-after to the caller, saying how long to wait', async () => {
    const { client, transport, sleeps } = aClient({
      'primary-m': [{ fail: 'rate_limited', retryAfterMs: 30_000 }],
      'fallback-m': [{ fail: 'overloaded' }],
    });
    const err = (await rejection(client.complete(aRequest()))) as LlmUnavailableError;
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err).toMatchObject({ name: 'LlmUnavailableError', status: 503, kind: 'overloaded', retryAfterSeconds: 30 });
    expect(sleeps).toEqual([]);
    expect(transport.calls).toHaveLength(2);
  });

  it('does not wait when the time left after the wait would not hold an attempt', async () => {
    const { client, transport, sleeps } = aClient(
      {
        'primary-m': [{ fail: 'rate_limited', retryAfterMs: 1_500 }],
        'fallback-m': [{ fail: 'overloaded' }],
      },
      { budgetMs: 3_000, callMs: 400 },
    );
    await rejection(client.complete(aRequest()));
    // 3 000 ms budget - 800 ms spent - 1 500 ms wait leaves 700 ms, under the 1 000 ms an attempt needs.
    expect(sleeps).toEqual([]);
    expect(transport.calls).toHaveLength(2);
  });

  it('never retries a reached spend limit, on any model', async () => {
    const { client, transport } = aClient({ 'primary-m': [{ fail: 'spend_limit', httpStatus: 429 }] });
    const err = await rejection(client.complete(aRequest()));
    expect(err).toBeInstanceOf(LlmSpendLimitError);
    expect(err).toMatchObject({ name: 'LlmSpendLimitError', status: 429, code: 'RATE_LIMITED' });
    expect(transport.calls.map((c) => c.model)).toEqual(['primary-m']);
  });

  it.each(['invalid_request', 'authentication', 'malformed_response'] as const)(
    'does not retry or fall back after a %s failure',
    async (kind) => {
      const { client, transport } = aClient({ 'primary-m': [{ fail: kind }] });
      const err = await rejection(client.complete(aRequest()));
      expect(err).toBeInstanceOf(LlmUnavailableError);
      expect((err as LlmUnavailableError).kind).toBe(kind);
      expect(transport.calls).toHaveLength(1);
    },
  );

  it('throws LlmUnavailableError naming every model tried when none answered', async () => {
    const { client } = aClient({ 'primary-m': [{ fail: 'overloaded' }], 'fallback-m': [{ fail: 'server_error' }] });
    const err = (await rejection(client.complete(aRequest()))) as LlmUnavailableError;
    expect(err.kind).toBe('server_error');
    expect(err.message).toContain('primary-m overloaded');
    expect(err.message).toContain('fallback-m server_error');
    expect(err.retryAfterSeconds).toBeUndefined();
  });

  it('skips a model whose circuit is open, without calling it', async () => {
    const { client, transport } = aClient({ 'primary-m': [{ fail: 'overloaded' }] }, { threshold: 2 });
    await client.complete(aRequest());
    await client.complete(aRequest());
    transport.calls.length = 0;
    const res = await client.complete(aRequest());
    expect(transport.calls.map((c) => c.model)).toEqual(['fallback-m']);
    expect(res.fallbacks).toEqual([{ model: 'primary-m', error: 'circuit_open' }]);
  });

  it('does not count refusals against a circuit: the model is up', async () => {
    const { client, breaker } = aClient({ 'primary-m': [{ fail: 'invalid_request' }] }, { threshold: 1 });
    await rejection(client.complete(aRequest()));
    expect(breaker.state('primary-m')).toBe('closed');
  });

  it('reports circuit_open when every circuit is open', async () => {
    const { client, transport } = aClient(
      { 'primary-m': [{ fail: 'overloaded' }], 'fallback-m': [{ fail: 'overloaded' }] },
      { threshold: 1 },
    );
    await rejection(client.complete(aRequest()));
    transport.calls.length = 0;
    const err = (await rejection(client.complete(aRequest()))) as LlmUnavailableError;
    expect(err.kind).toBe('circuit_open');
    expect(transport.calls).toEqual([]);
  });

  it('does not start a second answer once text of the first was streamed to the caller', async () => {
    const { client, transport } = aClient({ 'primary-m': [{ fail: 'connection', streamText: ['Hel', 'lo'] }] });
    const deltas: string[] = [];
    const err = await rejection(client.complete(aRequest({ onText: (d) => deltas.push(d) })));
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(transport.calls.map((c) => c.model)).toEqual(['primary-m']);
  });

  it('falls back on a stream that failed before any text, and streams the fallback', async () => {
    const { client, transport } = aClient({
      'primary-m': [{ fail: 'overloaded' }],
      'fallback-m': [{ answer: {}, streamText: ['ok'] }],
    });
    const deltas: string[] = [];
    const res = await client.complete(aRequest({ onText: (d) => deltas.push(d) }));
    expect(res.model).toBe('fallback-m');
    expect(deltas).toEqual(['ok']);
    expect(transport.calls.every((c) => c.streaming)).toBe(true);
  });

  it('gives each attempt the smaller of its timeout and the time left in the budget', async () => {
    const { client, transport } = aClient(
      { 'primary-m': [{ fail: 'timeout' }] },
      { budgetMs: 12_000, attemptTimeoutMs: 8_000, callMs: 8_000 },
    );
    await client.complete(aRequest());
    expect(transport.calls.map((c) => c.timeoutMs)).toEqual([8_000, 4_000]);
  });

  it('skips the fallback when the budget is spent', async () => {
    const { client, transport } = aClient(
      { 'primary-m': [{ fail: 'timeout' }] },
      { budgetMs: 8_500, attemptTimeoutMs: 8_000, callMs: 8_000 },
    );
    const err = (await rejection(client.complete(aRequest()))) as LlmUnavailableError;
    expect(err.kind).toBe('timeout');
    expect(transport.calls.map((c) => c.model)).toEqual(['primary-m']);
  });

  it('lets a defect that is not a classified failure through unchanged', async () => {
    const defect = new TypeError('a bug');
    const { client } = aClient({ 'primary-m': [{ throws: defect }] });
    expect(await rejection(client.complete(aRequest()))).toBe(defect);
  });

  it('logs ids, models, tokens, cost and failure kinds, never the prompt', async () => {
    const { client, logs } = aClient({ 'primary-m': [{ fail: 'overloaded', httpStatus: 529 }] });
    await client.complete(aRequest());
    expect(JSON.stringify(logs)).not.toContain(SECRET);
    expect(logs.map((l) => l.message)).toEqual(['llm call failed', 'llm call answered']);
    expect(logs[0]!.fields).toMatchObject({
      tenantId: 't-1',
      agentId: 'a-1',
      sessionId: 's-1',
      model: 'primary-m',
      kind: 'overloaded',
      httpStatus: 529,
    });
    expect(logs[1]!.fields).toMatchObject({
      model: 'fallback-m',
      inputTokens: 100,
      outputTokens: 20,
      costUsd: 0.0002,
      fallbacks: ['primary-m:overloaded'],
    });
  });
});
