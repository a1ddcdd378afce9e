/**
 * A rolling-window request limiter: at most `max` requests in any `intervalMs`, as HubSpot's ten-secondly rolling
 * limit counts them. Refused requests are not counted.
 */
export class RollingWindow {
  private readonly times: number[] = [];
  private head = 0;

  constructor(
    private max: number,
    private intervalMs: number,
  ) {}

  configure(max: number, intervalMs: number): void {
    this.max = max;
    this.intervalMs = intervalMs;
  }

  private prune(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.intervalMs) this.head++;
    // Compact now and then so the array does not grow with the whole history.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Counts the request if there is room; otherwise returns the milliseconds until there is. */
  take(now: number): { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number } {
    this.prune(now);
    const used = this.times.length - this.head;
    if (used >= this.max) {
      return { allowed: false, retryAfterMs: Math.max(1, this.times[this.head]! + this.intervalMs - now) };
    }
    this.times.push(now);
    return { allowed: true, remaining: this.max - used - 1 };
  }

  remaining(now: number): number {
    this.prune(now);
    return Math.max(0, this.max - (this.times.length - this.head));
  }

  get limit(): number {
    return this.max;
  }

  get interval(): number {
    return this.intervalMs;
  }

  clear(): void {
    this.times.length = 0;
    this.head = 0;
  }
}
