/**
 * In-memory stand-ins for the clients' seams (the table-backed breaker and token stores, the secret box, the clock
 * and sleep), with the same conditional-write semantics as the DynamoDB adapter.
 */
import type { Clock, SecretBox } from '../../../../functions/domain/ports.js';
import type {
  BreakerState,
  BreakerStore,
  ObtainedToken,
  TokenState,
  TokenStore,
} from '../../../../functions/adapters/connectors/shared/ports.js';

/** A clock that only moves when told to, or when the recorded sleep is awaited. */
export class ManualClock implements Clock {
  constructor(public ms = Date.parse('2026-03-01T12:00:00.000Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A sleep that records each wait and advances the manual clock instead of waiting. */
export function recordingSleep(clock?: ManualClock) {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
    clock?.advance(ms);
    await Promise.resolve();
  };
  return { waits, sleep };
}

export class InMemoryBreakerStore implements BreakerStore {
  state: BreakerState | undefined;
  writes = 0;
  /** Writes to refuse as if another process had written first (conflict injection). */
  conflicts = 0;
  async read() {
    return this.state ? { ...this.state } : undefined;
  }
  async write(next: BreakerState, expectedVersion: number | null) {
    if (this.conflicts > 0) {
      this.conflicts--;
      return false;
    }
    if ((this.state?.version ?? null) !== expectedVersion) return false;
    this.state = { ...next };
    this.writes++;
    return true;
  }
}

export class InMemoryTokenStore implements TokenStore {
  state: TokenState | undefined;
  private blank(): TokenState {
    return {
      sealedAccessToken: null,
      expiresAt: null,
      instanceUrl: null,
      sealedRefreshToken: null,
      credentialsHash: null,
      obtainedAt: null,
      leaseHolder: null,
      leaseUntil: null,
      refreshFailures: 0,
      refreshBlockedUntil: null,
      lastRefreshError: null,
      version: 0,
    };
  }
  async read() {
    return this.state ? structuredClone(this.state) : undefined;
  }
  async acquireLease(holder: string, nowMs: number, untilMs: number, expectedVersion: number | null) {
    if ((this.state?.version ?? null) !== expectedVersion) return false;
    const s = this.state ?? this.blank();
    if (s.leaseHolder !== null && (s.leaseUntil ?? 0) >= nowMs) return false;
    this.state = { ...s, leaseHolder: holder, leaseUntil: untilMs, version: s.version + 1 };
    return true;
  }
  async storeToken(holder: string, token: ObtainedToken) {
    if (this.state?.leaseHolder !== holder) return false;
    this.state = {
      ...this.state,
      ...token,
      refreshFailures: 0,
      refreshBlockedUntil: null,
      lastRefreshError: null,
      leaseHolder: null,
      leaseUntil: null,
      version: this.state.version + 1,
    };
    return true;
  }
  async recordFailure(
    holder: string,
    failure: { failures: number; blockedUntil: number; error: NonNullable<TokenState['lastRefreshError']> },
  ) {
    if (this.state?.leaseHolder !== holder) return;
    this.state = {
      ...this.state,
      refreshFailures: failure.failures,
      refreshBlockedUntil: failure.blockedUntil,
      lastRefreshError: failure.error,
      leaseHolder: null,
      leaseUntil: null,
      version: this.state.version + 1,
    };
  }
}

/** Reversible but visibly different "sealing", bound to the tenant. */
export const fakeSecretBox: SecretBox = {
  seal: async (tenantId, plaintext) => `enc1.${Buffer.from(`${tenantId}:${plaintext}`).toString('base64url')}`,
  open: async (tenantId, sealed) => {
    const text = Buffer.from(sealed.slice(5), 'base64url').toString();
    if (!text.startsWith(`${tenantId}:`)) throw new Error('sealed for another tenant');
    return text.slice(tenantId.length + 1);
  },
};

export const sequence = (prefix: string) => {
  let n = 0;
  return { newId: () => `${prefix}-${++n}` };
};
