/**
 * The fakes' clock: the wall clock (or a test's) plus an offset that `POST /_control/clock` moves, so token
 * lifetimes, query-locator expiry and the 15-day deletion window can be reached without waiting.
 */
export class VendorClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Moves the clock to `instant` (epoch ms). */
  set(instant: number): void {
    this.offsetMs = instant - this.base();
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
