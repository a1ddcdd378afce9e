/**
 * A token bucket per connector: `ratePerSecond` requests a second on average, bursts of `burst`. Written here
 * rather than taken from a library (bottleneck): the clients send one request at a time, so a bucket is a dozen
 * lines, with the clock and sleep injectable for tests, and no queue or cluster mode to configure.
 * In-process only: one sync of a connector runs at a time (the connector's sync lock), so one process sends.
 */
import type { Clock } from '../../../domain/ports.js';
import { CONNECTOR_REGISTRY, type ConnectorSystem } from '../../../domain/connectors/registry.js';
import type { RateLimiter, Sleep } from './ports.js';
import { realSleep } from './ports.js';

export class TokenBucketLimiter implements RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number = Math.max(1, Math.floor(ratePerSecond)),
    private readonly clock: Clock = { now: () => new Date() },
    private readonly sleep: Sleep = realSleep,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('a rate limiter needs a positive rate and burst');
    this.tokens = burst;
    this.last = clock.now().getTime();
  }

  take(): Promise<number> {
    // Serialised, so concurrent callers wait their turn instead of all seeing the same refill.
    const turn = this.queue.then(() => this.takeNow());
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async takeNow(): Promise<number> {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    const waitMs = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
    await this.sleep(waitMs);
    this.refill();
    this.tokens = Math.max(0, this.tokens - 1);
    return waitMs;
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }
}

/** The registry's rate for the system. */
export function registryLimiter(system: ConnectorSystem, clock?: Clock, sleep?: Sleep): TokenBucketLimiter {
  const rps = CONNECTOR_REGISTRY[system].rateLimits.requestsPerSecond;
  return new TokenBucketLimiter(rps, Math.max(1, Math.floor(rps)), clock, sleep);
}
