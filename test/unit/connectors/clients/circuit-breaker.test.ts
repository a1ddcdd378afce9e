import { describe, expect, it } from 'vitest';
import { CircuitOpenError } from '../../../../functions/domain/connectors/errors.js';
import {
  admit,
  afterCall,
  closedBreaker,
  DEFAULT_BREAKER_OPTIONS,
  StoredCircuitBreaker,
} from '../../../../functions/adapters/connectors/shared/circuit-breaker.js';
import { InMemoryBreakerStore, ManualClock, sequence } from './support.js';

function twoProcesses() {
  const clock = new ManualClock();
  const store = new InMemoryBreakerStore();
  const make = (name: string) =>
    new StoredCircuitBreaker(store, { connectorId: 'c1', clock, ids: sequence(name), log: () => {} });
  return { clock, store, a: make('a'), b: make('b') };
}

async function failTimes(breaker: StoredCircuitBreaker, n: number) {
  for (let i = 0; i < n; i++) await breaker.release(await breaker.acquire(), 'failure', 'ConnectorError:X');
}

describe('the circuit breaker', () => {
  it('stays closed below 5 failures in a row and opens at the fifth', async () => {
    const { a, store } = twoProcesses();
    await failTimes(a, 4);
    expect(store.state).toMatchObject({ mode: 'closed', consecutiveFailures: 4 });
    await failTimes(a, 1);
    expect(store.state).toMatchObject({ mode: 'open', consecutiveFailures: 5, lastFailure: 'ConnectorError:X' });
  });

  it('resets the count on a success, and writes nothing for a healthy connector', async () => {
    const { a, store } = twoProcesses();
    await failTimes(a, 3);
    await a.release(await a.acquire(), 'success');
    expect(store.state?.consecutiveFailures).toBe(0);
    const writes = store.writes;
    await a.release(await a.acquire(), 'success');
    await a.release(await a.acquire(), 'neutral');
    expect(store.writes).toBe(writes);
  });

  it('refuses every process while open, with the seconds left', async () => {
    const { a, b, clock } = twoProcesses();
    await failTimes(a, 5);
    clock.advance(20_000);
    const error = (await b.acquire().catch((e: unknown) => e)) as CircuitOpenError;
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error.retryAfterSeconds).toBe(40);
  });

  it('half-opens after 60 s for exactly one trial call across processes', async () => {
    const { a, b, clock, store } = twoProcesses();
    await failTimes(a, 5);
    clock.advance(60_000);
    const results = await Promise.allSettled([a.acquire(), b.acquire()]);
    const trials = results.filter((r) => r.status === 'fulfilled');
    expect(trials).toHaveLength(1);
    expect((trials[0] as PromiseFulfilledResult<{ trial: boolean }>).value.trial).toBe(true);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      CircuitOpenError,
    );
    expect(store.state?.mode).toBe('half_open');
  });

  it('closes when the trial succeeds', async () => {
    const { a, b, clock, store } = twoProcesses();
    await failTimes(a, 5);
    clock.advance(60_000);
    await a.release(await a.acquire(), 'success');
    expect(store.state).toMatchObject({ mode: 'closed', consecutiveFailures: 0 });
    await expect(b.acquire()).resolves.toEqual({ trial: false });
  });

  it('opens again for 60 s when the trial fails', async () => {
    const { a, clock, store } = twoProcesses();
    await failTimes(a, 5);
    clock.advance(60_000);
    await a.release(await a.acquire(), 'failure');
    expect(store.state?.mode).toBe('open');
    expect(store.state?.openUntil).toBe(clock.ms + 60_000);
  });

  it('lets another process run a new trial when the first trial never reported back', async () => {
    const { a, b, clock } = twoProcesses();
    await failTimes(a, 5);
    clock.advance(60_000);
    await a.acquire();
    await expect(b.acquire()).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(DEFAULT_BREAKER_OPTIONS.trialMs);
    await expect(b.acquire()).resolves.toEqual({ trial: true });
  });

  it('re-reads and decides again when another process wrote first', async () => {
    const { a, store } = twoProcesses();
    await failTimes(a, 2);
    store.conflicts = 2;
    await failTimes(a, 1);
    expect(store.state?.consecutiveFailures).toBe(3);
  });

  it('decides from the stored state alone (pure transitions)', () => {
    const options = DEFAULT_BREAKER_OPTIONS;
    const open = { ...closedBreaker(), mode: 'open' as const, openUntil: 1_000, consecutiveFailures: 5 };
    expect(admit(open, 999, 'p', options)).toMatchObject({ allow: false, retryAfterMs: 1 });
    expect(admit(open, 1_000, 'p', options)).toMatchObject({ allow: true, trial: true });
    expect(afterCall(closedBreaker(), 'neutral', false, 0, options)).toBeNull();
    expect(afterCall({ ...open, mode: 'half_open' }, 'neutral', true, 0, options)?.mode).toBe('closed');
  });
});
