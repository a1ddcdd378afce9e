/**
 * A circuit breaker per key (a model id), held in memory by one Lambda instance: after `failureThreshold`
 * consecutive retryable failures the key's circuit opens and calls are refused at once for `coolDownMs`, so
 * a model that is down costs no more time budget; then one trial call is let through (half-open): its success
 * closes the circuit, its failure opens it for another cool-down. A trial that never reports (the instance
 * froze mid-call) is given up after one cool-down, so a lost trial cannot hold the circuit open for ever.
 * Instances do not share state: each learns on its own, which costs at most `failureThreshold` calls each.
 */
import type { Clock } from '../ports.js';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  coolDownMs: number;
  clock: Clock;
}

interface Circuit {
  failures: number;
  openedAt?: number;
  trialStartedAt?: number;
}

export class CircuitBreaker {
  readonly #circuits = new Map<string, Circuit>();
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #clock: Clock;

  constructor(options: CircuitBreakerOptions) {
    if (!(options.failureThreshold >= 1)) throw new RangeError('failureThreshold must be at least 1');
    if (!(options.coolDownMs >= 0)) throw new RangeError('coolDownMs must not be negative');
    this.#threshold = options.failureThreshold;
    this.#coolDownMs = options.coolDownMs;
    this.#clock = options.clock;
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #circuit(key: string): Circuit {
    let c = this.#circuits.get(key);
    if (!c) {
      c = { failures: 0 };
      this.#circuits.set(key, c);
    }
    return c;
  }

  /** Where the key's circuit stands now (for logs and tests; `allow` is what callers ask). */
  state(key: string): CircuitState {
    const c = this.#circuits.get(key);
    if (c?.openedAt === undefined) return 'closed';
    return this.#now() - c.openedAt < this.#coolDownMs ? 'open' : 'half_open';
  }

  /**
   * Whether a call for the key may go out now. In the half-open state this hands out the one trial: the
   * caller that gets `true` must report its outcome with `recordSuccess` or `recordFailure`.
   */
  allow(key: string): boolean {
    const c = this.#circuits.get(key);
    if (c?.openedAt === undefined) return true;
    const now = this.#now();
    if (now - c.openedAt < this.#coolDownMs) return false;
    if (c.trialStartedAt !== undefined && now - c.trialStartedAt < this.#coolDownMs) return false;
    c.trialStartedAt = now;
    return true;
  }

  /** The key answered (or refused in a way that shows it is up): its circuit closes and its count restarts. */
  recordSuccess(key: string): void {
    this.#circuits.delete(key);
  }

  /** A retryable failure for the key: counts towards opening, or reopens a circuit whose trial failed. */
  recordFailure(key: string): void {
    const c = this.#circuit(key);
    const now = this.#now();
    if (c.openedAt !== undefined) {
      // A failure while open or half-open (the trial, or a call that was let out before the circuit opened)
      // restarts the cool-down.
      c.openedAt = now;
      c.trialStartedAt = undefined;
      return;
    }
    c.failures += 1;
    if (c.failures >= this.#threshold) c.openedAt = now;
  }
}
