/**
 * A small seeded PRNG (mulberry32) and the draws the generators need. Every draw goes through one `Rng`, so a
 * data set is a pure function of its seed and options: no Math.random, no clock.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). mulberry32: 32-bit state, passes the usual small-crush style checks, fast in V8. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Index drawn from cumulative weights (ascending, last = total). */
  pickCumulative(cumulative: Float64Array): number {
    const total = cumulative[cumulative.length - 1]!;
    const x = this.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** An independent stream derived from this one (so adding draws in one part does not shift another). */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }
}

/**
 * A frequency-skewed pool: item i (0-based, most common first) is drawn with weight 1 / (i + 1 + offset)^s, the
 * Zipf–Mandelbrot shape of name and place frequencies: a long tail of rare values, and with an offset a head that
 * is not one dominant value (the commonest US given name is about 3 % of people, not the 15 % plain Zipf gives
 * over a few hundred names).
 */
export class ZipfPool<T> {
  private readonly cumulative: Float64Array;

  constructor(
    readonly items: readonly T[],
    exponent = 1,
    offset = 0,
  ) {
    if (items.length === 0) throw new Error('a pool needs at least one item');
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    for (let i = 0; i < items.length; i++) {
      sum += 1 / (i + 1 + offset) ** exponent;
      this.cumulative[i] = sum;
    }
  }

  /** Probability of drawing item i. */
  share(i: number): number {
    const total = this.cumulative[this.cumulative.length - 1]!;
    return (this.cumulative[i]! - (i > 0 ? this.cumulative[i - 1]! : 0)) / total;
  }

  draw(rng: Rng): T {
    return this.items[rng.pickCumulative(this.cumulative)]!;
  }

  /** Drawn from the `share` most common items only (e.g. the names everybody in a small town shares). */
  drawHead(rng: Rng, share: number): T {
    const n = Math.max(1, Math.floor(this.items.length * share));
    return this.items[Math.floor(rng.next() ** 2 * n)]!;
  }
}
