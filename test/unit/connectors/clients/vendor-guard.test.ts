import { describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  ConnectorError,
  CursorExpiredError,
  MalformedPageError,
  SourceRateLimitedError,
} from '../../../../functions/domain/connectors/errors.js';
import type { AccessToken, TokenProvider } from '../../../../functions/domain/connectors/ports.js';
import { hubspotClassifier } from '../../../../functions/adapters/connectors/hubspot/classify.js';
import { salesforceClassifier } from '../../../../functions/adapters/connectors/salesforce/classify.js';
import { workdayClassifier } from '../../../../functions/adapters/connectors/workday/classify.js';
import { noBreaker, StoredCircuitBreaker } from '../../../../functions/adapters/connectors/shared/circuit-breaker.js';
import {
  AttemptTimeoutError,
  VendorNetworkError,
} from '../../../../functions/adapters/connectors/shared/http-exchange.js';
import type { CircuitBreaker, RawResponse } from '../../../../functions/adapters/connectors/shared/ports.js';
import {
  DEFAULT_RETRY_OPTIONS,
  type RetryOptions,
} from '../../../../functions/adapters/connectors/shared/retry-policy.js';
import {
  type Attempt,
  type Classifier,
  VendorGuard,
} from '../../../../functions/adapters/connectors/shared/vendor-guard.js';
import { InMemoryBreakerStore, ManualClock, recordingSleep, sequence } from './support.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const ok = json(200, { records: [] });
const sfError = (status: number, errorCode: string, message = 'x') => json(status, [{ message, errorCode }]);

class CountingTokens implements TokenProvider {
  gets = 0;
  refreshes: string[] = [];
  private n = 1;
  async get(): Promise<AccessToken> {
    this.gets++;
    return { accessToken: `token-${this.n}`, expiresAt: null };
  }
  async refresh(rejected: string): Promise<AccessToken> {
    this.refreshes.push(rejected);
    this.n++;
    return { accessToken: `token-${this.n}`, expiresAt: null };
  }
}

function aGuard(
  options: {
    classify?: Classifier;
    retry?: Partial<RetryOptions>;
    random?: () => number;
    breaker?: CircuitBreaker;
    clock?: ManualClock;
  } = {},
) {
  const clock = options.clock ?? new ManualClock();
  const { waits, sleep } = recordingSleep(clock);
  const tokens = new CountingTokens();
  const logs: Array<{ message: string; fields: Record<string, unknown> }> = [];
  let limiterTakes = 0;
  const guard = new VendorGuard({
    connectorId: 'c1',
    system: 'salesforce',
    tokens,
    breaker: options.breaker ?? noBreaker,
    limiter: { take: async () => (limiterTakes++, 0) },
    classify: options.classify ?? salesforceClassifier(DEFAULT_RETRY_OPTIONS),
    retry: { ...DEFAULT_RETRY_OPTIONS, ...options.retry },
    clock,
    sleep,
    random: options.random ?? (() => 0.5),
    log: (_level, message, fields) => logs.push({ message, fields }),
  });
  return { guard, tokens, waits, logs, clock, limiterTakes: () => limiterTakes };
}

/** An attempt answering the scripted responses in order (the last repeats); records the tokens it was sent with. */
function scripted(...answers: Array<RawResponse | Error>) {
  const sentWith: string[] = [];
  const attempt: Attempt = async (token) => {
    const answer = answers[Math.min(sentWith.length, answers.length - 1)]!;
    sentWith.push(token.accessToken);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { attempt, sentWith };
}

const send = (guard: VendorGuard, attempt: Attempt) =>
  guard.run(async (ctx) => ({ ...(await ctx.send('test request', attempt)), stats: ctx.stats }));

describe('the vendor guard', () => {
  it('gives up after 5 retries of a failing vendor: 6 requests, a retryable ConnectorError', async () => {
    const { guard, waits, limiterTakes } = aGuard();
    const { attempt, sentWith } = scripted(sfError(503, 'SERVER_UNAVAILABLE'));
    const error = await send(guard, attempt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).not.toBeInstanceOf(SourceRateLimitedError);
    expect((error as ConnectorError).retryable).toBe(true);
    expect((error as ConnectorError).httpStatus).toBe(503);
    expect((error as ConnectorError).vendorCode).toBe('SERVER_UNAVAILABLE');
    expect(sentWith).toHaveLength(6);
    expect(waits).toHaveLength(5);
    expect(limiterTakes()).toBe(6);
  });

  it('waits a full-jitter backoff: uniform below min(cap, base·2^(n-1))', async () => {
    for (const r of [0, 0.5, 0.999]) {
      const { guard, waits } = aGuard({ random: () => r, retry: { baseDelayMs: 100, maxDelayMs: 1000 } });
      await send(guard, scripted(sfError(500, 'X')).attempt).catch(() => {});
      const ceilings = [100, 200, 400, 800, 1000];
      expect(waits).toEqual(ceilings.map((c) => Math.floor(r * c)));
      waits.forEach((w, i) => {
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThan(ceilings[i]!);
      });
    }
  });

  it('counts retries and waits of a call that recovers, and returns the accepted answer', async () => {
    const { guard } = aGuard({ random: () => 0.5 });
    const { attempt, sentWith } = scripted(
      new VendorNetworkError('network error ECONNRESET', 'ECONNRESET'),
      sfError(502, 'X'),
      ok,
    );
    const result = await send(guard, attempt);
    expect(result.response).toBe(ok);
    expect(sentWith).toHaveLength(3);
    expect(result.stats).toEqual({ rateLimitWaits: 0, retries: 2, waitedMs: 250 + 500, tokenRefreshes: 0 });
  });

  it('never waits less than Retry-After, and counts the wait as a rate-limit wait', async () => {
    const { guard, waits } = aGuard({ classify: hubspotClassifier(DEFAULT_RETRY_OPTIONS), random: () => 0 });
    const limited = json(
      429,
      { status: 'error', errorType: 'RATE_LIMIT', message: 'ten_secondly' },
      { 'retry-after': '3' },
    );
    const result = await send(guard, scripted(limited, ok).attempt);
    expect(waits).toEqual([3000]);
    expect(result.stats).toMatchObject({ rateLimitWaits: 1, retries: 0, waitedMs: 3000 });
  });

  it('hands a Retry-After longer than 20 s to the state machine instead of sleeping', async () => {
    const { guard, waits } = aGuard({ classify: hubspotClassifier(DEFAULT_RETRY_OPTIONS) });
    const { attempt, sentWith } = scripted(
      json(429, { status: 'error', errorType: 'RATE_LIMIT', message: 'slow down' }, { 'retry-after': '45' }),
    );
    const error = (await send(guard, attempt).catch((e: unknown) => e)) as SourceRateLimitedError;
    expect(error).toBeInstanceOf(SourceRateLimitedError);
    expect(error.retryAfterSeconds).toBe(45);
    expect(error.vendorCode).toBe('RATE_LIMIT');
    expect(sentWith).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('does not retry a spent Salesforce daily quota: SourceRateLimitedError with the quota wait', async () => {
    const { guard, waits } = aGuard({ retry: { quotaRetryAfterSeconds: 300 } });
    const { attempt, sentWith } = scripted(sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
    const error = (await send(guard, attempt).catch((e: unknown) => e)) as SourceRateLimitedError;
    expect(error).toBeInstanceOf(SourceRateLimitedError);
    expect(error.retryAfterSeconds).toBe(300);
    expect(error.message).toContain('TotalRequests Limit exceeded.');
    expect(sentWith).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('retries the concurrent-request limit, which clears in seconds', async () => {
    const { guard } = aGuard();
    const concurrent = sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded');
    const result = await send(guard, scripted(concurrent, ok).attempt);
    expect(result.stats.rateLimitWaits).toBe(1);
  });

  it('ends a throttled call whose retries are spent with SourceRateLimitedError, not a failure', async () => {
    const { guard } = aGuard({ classify: workdayClassifier });
    const { attempt, sentWith } = scripted(json(429, { error: 'throttled' }));
    const error = await send(guard, attempt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceRateLimitedError);
    expect(sentWith).toHaveLength(6);
  });

  it('refreshes a refused token once and sends the same request again with the new one', async () => {
    const { guard, tokens } = aGuard();
    const { attempt, sentWith } = scripted(sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid'), ok);
    const result = await send(guard, attempt);
    expect(sentWith).toEqual(['token-1', 'token-2']);
    expect(tokens.refreshes).toEqual(['token-1']);
    expect(result.token.accessToken).toBe('token-2');
    expect(result.stats.tokenRefreshes).toBe(1);
  });

  it('does not refresh twice in one request: a token refused again is a final ConnectorError', async () => {
    const { guard, tokens } = aGuard();
    const { attempt, sentWith } = scripted(sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid'));
    const error = (await send(guard, attempt).catch((e: unknown) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.retryable).toBe(false);
    expect(error.vendorCode).toBe('INVALID_SESSION_ID');
    expect(tokens.refreshes).toHaveLength(1);
    expect(sentWith).toHaveLength(2);
  });

  it('counts a token refresh against the 5 retries', async () => {
    const { guard } = aGuard({ classify: workdayClassifier });
    const { attempt, sentWith } = scripted(
      json(401, { error: 'invalid_token' }),
      json(500, { error: 'x' }),
      json(500, { error: 'x' }),
      json(500, { error: 'x' }),
      json(500, { error: 'x' }),
      json(500, { error: 'x' }),
      ok,
    );
    await expect(send(guard, attempt)).rejects.toBeInstanceOf(ConnectorError);
    expect(sentWith).toHaveLength(6);
  });

  it('does not retry a 4xx other than 429 and an expired token', async () => {
    for (const [status, code] of [
      [400, 'MALFORMED_QUERY'],
      [404, 'NOT_FOUND'],
      [403, 'INSUFFICIENT_ACCESS'],
    ] as const) {
      const { guard } = aGuard();
      const { attempt, sentWith } = scripted(sfError(status, code, 'no'));
      const error = (await send(guard, attempt).catch((e: unknown) => e)) as ConnectorError;
      expect(error.retryable).toBe(false);
      expect(error.vendorCode).toBe(code);
      expect(error.httpStatus).toBe(status);
      expect(sentWith).toHaveLength(1);
    }
  });

  it('turns an expired query locator into CursorExpiredError', async () => {
    const { guard } = aGuard();
    await expect(
      send(guard, scripted(sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator')).attempt),
    ).rejects.toBeInstanceOf(CursorExpiredError);
  });

  it('times out a request that does not answer, and retries it', async () => {
    const { guard } = aGuard({ retry: { timeoutMs: 20 } });
    let calls = 0;
    const attempt: Attempt = (_token, signal) => {
      calls++;
      if (calls === 1) return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      return Promise.resolve(ok);
    };
    const result = await send(guard, attempt);
    expect(calls).toBe(2);
    expect(result.stats.retries).toBe(1);
  });

  it('stops retrying when the next wait and timeout would overrun the call budget', async () => {
    const { guard, waits } = aGuard({
      retry: { timeoutMs: 1000, callBudgetMs: 2500, baseDelayMs: 1000 },
      random: () => 0.99,
    });
    const error = (await send(guard, scripted(sfError(500, 'X')).attempt).catch((e: unknown) => e)) as ConnectorError;
    expect(error.retryable).toBe(true);
    expect(waits).toEqual([990]);
  });

  it('shares the call budget between the requests of one call', async () => {
    const { guard, waits } = aGuard({
      retry: { timeoutMs: 1000, callBudgetMs: 2500, baseDelayMs: 1000 },
      random: () => 0.99,
    });
    const first = scripted(sfError(500, 'X'), ok);
    const second = scripted(sfError(500, 'X'), ok);
    const error = await guard
      .run(async (ctx) => {
        await ctx.send('first', first.attempt);
        await ctx.send('second', second.attempt);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(waits).toEqual([990]);
    expect(second.sentWith).toHaveLength(1);
  });

  it('passes errors that are not the vendor answering straight through', async () => {
    const { guard } = aGuard();
    const boom = new ConnectorError('URL refused', { vendorCode: 'URL_ADDRESS_NOT_ALLOWED' });
    await expect(send(guard, scripted(boom).attempt)).rejects.toBe(boom);
    expect(new AttemptTimeoutError('t').name).toBe('AttemptTimeoutError');
  });

  it('never puts the access token in an error message, even when the vendor echoes it', async () => {
    const { guard } = aGuard();
    const echo: Attempt = async (token) =>
      sfError(400, 'MALFORMED_QUERY', `bad request with Bearer ${token.accessToken}`);
    const error = (await send(guard, echo).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain('token-1');
    expect(error.message).toContain('[redacted]');
  });
});

describe('the guard and the circuit breaker', () => {
  it('opens after 5 failed calls and then refuses without calling the vendor', async () => {
    const clock = new ManualClock();
    const store = new InMemoryBreakerStore();
    const breaker = new StoredCircuitBreaker(store, { connectorId: 'c1', clock, ids: sequence('p'), log: () => {} });
    const { guard } = aGuard({ breaker, clock, retry: { maxRetries: 0 } });
    const failing = scripted(sfError(503, 'X'));
    for (let i = 0; i < 5; i++) await expect(send(guard, failing.attempt)).rejects.toBeInstanceOf(ConnectorError);
    expect(store.state?.mode).toBe('open');
    const error = (await send(guard, failing.attempt).catch((e: unknown) => e)) as CircuitOpenError;
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error.retryAfterSeconds).toBe(60);
    expect(failing.sentWith).toHaveLength(5);
  });

  it('counts a malformed page as a failure and a refusal as no failure', async () => {
    const clock = new ManualClock();
    const store = new InMemoryBreakerStore();
    const breaker = new StoredCircuitBreaker(store, { connectorId: 'c1', clock, ids: sequence('p'), log: () => {} });
    const { guard } = aGuard({ breaker, clock });
    await guard
      .run(async () => {
        throw new MalformedPageError('bad page');
      })
      .catch(() => {});
    expect(store.state?.consecutiveFailures).toBe(1);
    await send(guard, scripted(sfError(400, 'MALFORMED_QUERY')).attempt).catch(() => {});
    await send(guard, scripted(sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests')).attempt).catch(() => {});
    expect(store.state?.consecutiveFailures).toBe(1);
    await send(guard, scripted(ok).attempt);
    expect(store.state?.consecutiveFailures).toBe(0);
  });
});
