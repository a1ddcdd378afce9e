/**
 * The circuit breaker per model: opens after N consecutive retryable failures, refuses during the cool-down,
 * then lets exactly one trial through; the trial's outcome closes or reopens it; a lost trial is given up.
 */
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../functions/domain/agents/circuit-breaker.js';
import type { Clock } from '../../functions/domain/ports.js';

const aClock = () => {
  let t = Date.parse('2026-12-01T10:00:00Z');
  const clock: Clock & { advance(ms: number): void } = {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
  };
  return clock;
};

const aBreaker = (threshold = 3, coolDownMs = 10_000) => {
  const clock = aClock();
  return { clock, breaker: new CircuitBreaker({ failureThreshold: threshold, coolDownMs, clock }) };
};

describe('CircuitBreaker', () => {
  it('stays closed below the threshold and opens at it', () => {
    const { breaker } = aBreaker(3);
    breaker.recordFailure('m');
    breaker.recordFailure('m');
    expect(breaker.allow('m')).toBe(true);
    expect(breaker.state('m')).toBe('closed');
    breaker.recordFailure('m');
    expect(breaker.state('m')).toBe('open');
    expect(breaker.allow('m')).toBe(false);
  });

  it('counts only consecutive failures: a success in between starts the count again', () => {
    const { breaker } = aBreaker(2);
    breaker.recordFailure('m');
    breaker.recordSuccess('m');
    breaker.recordFailure('m');
    expect(breaker.allow('m')).toBe(true);
  });

  it('keeps one circuit per key', () => {
    const { breaker } = aBreaker(1);
    breaker.recordFailure('a');
    expect(breaker.allow('a')).toBe(false);
    expect(breaker.allow('b')).toBe(true);
  });

  it('lets exactly one trial through once the cool-down has passed', () => {
    const { breaker, clock } = aBreaker(1, 10_000);
    breaker.recordFailure('m');
    clock.advance(9_999);
    expect(breaker.allow('m')).toBe(false);
    clock.advance(1);
    expect(breaker.state('m')).toBe('half_open');
    expect(breaker.allow('m')).toBe(true);
    expect(breaker.allow('m')).toBe(false);
  });

  it('closes when the trial succeeds', () => {
    const { breaker, clock } = aBreaker(1, 1_000);
    breaker.recordFailure('m');
    clock.advance(1_000);
    expect(breaker.allow('m')).toBe(true);
    breaker.recordSuccess('m');
    expect(breaker.state('m')).toBe('closed');
    expect(breaker.allow('m')).toBe(true);
    expect(breaker.allow('m')).toBe(true);
  });

  it('reopens for a whole cool-down when the trial fails', () => {
    const { breaker, clock } = aBreaker(1, 1_000);
    breaker.recordFailure('m');
    clock.advance(1_000);
    expect(breaker.allow('m')).toBe(true);
    clock.advance(300);
    breaker.recordFailure('m');
    expect(breaker.state('m')).toBe('open');
    clock.advance(999);
    expect(breaker.allow('m')).toBe(false);
    clock.advance(1);
    expect(breaker.allow('m')).toBe(true);
  });

  it('gives up a trial that never reported after one cool-down, and hands out another', () => {
    const { breaker, clock } = aBreaker(1, 1_000);
    breaker.recordFailure('m');
    clock.advance(1_000);
    expect(breaker.allow('m')).toBe(true);
    clock.advance(999);
    expect(breaker.allow('m')).toBe(false);
    clock.advance(1);
    expect(breaker.allow('m')).toBe(true);
  });

  it('refuses settings that cannot work', () => {
    const clock = aClock();
    expect(() => new CircuitBreaker({ failureThreshold: 0, coolDownMs: 1, clock })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureThreshold: 1, coolDownMs: -1, clock })).toThrow(RangeError);
  });
});
