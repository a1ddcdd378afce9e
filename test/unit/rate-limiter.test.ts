import { describe, expect, it } from 'vitest';
import { localTenantLimits, TenantRateLimiter } from '../../local/rate-limiter.js';

describe('per-tenant rate limiter (the local usage plan)', () => {
  it('lets a burst through, then throttles with the seconds until the next token', () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const limiter = new TenantRateLimiter({ ratePerSecond: 2, burst: 3, quotaPerDay: 1000 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('acme').allowed)).toEqual([true, true, true]);
    expect(limiter.take('acme')).toEqual({ allowed: false, reason: 'throttled', retryAfterSeconds: 1 });
    now += 500; // one token at 2/s
    expect(limiter.take('acme').allowed).toBe(true);
    expect(limiter.take('acme').allowed).toBe(false);
  });

  it('keeps tenants apart: one exhausted tenant does not throttle another', () => {
    const limiter = new TenantRateLimiter({ ratePerSecond: 1, burst: 1, quotaPerDay: 1000 }, () => 0);
    expect(limiter.take('acme').allowed).toBe(true);
    expect(limiter.take('acme').allowed).toBe(false);
    expect(limiter.take('globex').allowed).toBe(true);
  });

  it('enforces the daily quota until the next UTC day', () => {
    let now = Date.parse('2026-12-01T23:59:00Z');
    const limiter = new TenantRateLimiter({ ratePerSecond: 100, burst: 100, quotaPerDay: 2 }, () => now);
    limiter.take('acme');
    limiter.take('acme');
    expect(limiter.take('acme')).toEqual({ allowed: false, reason: 'quota', retryAfterSeconds: 60 });
    now = Date.parse('2026-12-02T00:00:01Z');
    expect(limiter.take('acme').allowed).toBe(true);
  });

  it('takes MODOS_TENANT_RATE and MODOS_TENANT_BURST over the stage configuration, and refuses nonsense', () => {
    const stage = { ratePerSecond: 25, burst: 50, quotaPerDay: 10 };
    expect(localTenantLimits(stage, {})).toEqual(stage);
    expect(localTenantLimits(stage, { MODOS_TENANT_RATE: '5', MODOS_TENANT_BURST: '7' })).toEqual({
      ratePerSecond: 5,
      burst: 7,
      quotaPerDay: 10,
    });
    expect(() => localTenantLimits(stage, { MODOS_TENANT_RATE: 'fast' })).toThrow(
      /MODOS_TENANT_RATE must be a positive number/,
    );
  });
});
