import type { TenantLimits } from '../functions/platform/tenant-limits.js';

export type RateDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; reason: 'throttled' | 'quota' };

interface Bucket {
  tokens: number;
  refilledAt: number;
  day: string;
  used: number;
}

/**
 * The local gateway's per-tenant limits, as an API Gateway usage plan applies them: a token bucket per
 * tenant (refilled at `ratePerSecond`, holding at most `burst`) and a quota per UTC day. Keyed on the
 * verified tenant, never on the client's address, so one tenant's load cannot throttle another.
 */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limits: TenantLimits,
    private readonly now: () => number = Date.now,
  ) {}

  take(tenantId: string): RateDecision {
    const now = this.now();
    const day = new Date(now).toISOString().slice(0, 10);
    let b = this.buckets.get(tenantId);
    if (!b) {
      b = { tokens: this.limits.burst, refilledAt: now, day, used: 0 };
      this.buckets.set(tenantId, b);
    }
    b.tokens = Math.min(this.limits.burst, b.tokens + ((now - b.refilledAt) / 1000) * this.limits.ratePerSecond);
    b.refilledAt = now;
    if (b.day !== day) {
      b.day = day;
      b.used = 0;
    }
    if (b.used >= this.limits.quotaPerDay) {
      const nextDay = Date.parse(`${day}T00:00:00.000Z`) + 86_400_000;
      return { allowed: false, reason: 'quota', retryAfterSeconds: Math.max(1, Math.ceil((nextDay - now) / 1000)) };
    }
    if (b.tokens < 1) {
      return {
        allowed: false,
        reason: 'throttled',
        retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.limits.ratePerSecond)),
      };
    }
    b.tokens -= 1;
    b.used += 1;
    return { allowed: true };
  }
}

/**
 * The local platform's limits: the stage configuration's (cdk.json context, the same reader the CDK
 * stack uses), overridden by `MODOS_TENANT_RATE=<requests/s>` and `MODOS_TENANT_BURST=<n>`.
 */
export function localTenantLimits(
  fromStage: TenantLimits,
  env: Record<string, string | undefined> = process.env,
): TenantLimits {
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    ...fromStage,
    ratePerSecond: read('MODOS_TENANT_RATE', fromStage.ratePerSecond),
    burst: read('MODOS_TENANT_BURST', fromStage.burst),
  };
}
