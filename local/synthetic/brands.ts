/** Invented brand names ("Veltra", "Norcomix"), unique within one data set unless a trap shares one on purpose. */
import { BRAND_CODAS, BRAND_MIDDLES, BRAND_ONSETS, SURNAMES } from './pools.js';
import type { Rng } from './random.js';

export class BrandNames {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Rng) {}

  /** A new brand: an invented word (most), a founder's surname, or two founders ("Hartley & Munro"). */
  next(): { brand: string; partners?: [string, string] } {
    for (let attempt = 0; ; attempt++) {
      const r = this.rng.next();
      if (r < 0.12) {
        const a = this.rng.pick(SURNAMES);
        const b = this.rng.pick(SURNAMES);
        if (a !== b && this.claim(`${a}|${b}`)) return { brand: a, partners: [a, b] };
        continue;
      }
      let word = r < 0.22 ? this.rng.pick(SURNAMES) : this.invented();
      // A second syllable pair once the short words run out (large sets), then a numeral rather than a loop.
      if (attempt > 5) word += this.invented().toLowerCase();
      const brand = attempt > 20 ? `${word} ${this.rng.int(2, 999)}` : word;
      if (this.claim(brand)) return { brand };
    }
  }

  private invented(): string {
    const middle = this.rng.chance(0.5) ? this.rng.pick(BRAND_MIDDLES) : '';
    return this.rng.pick(BRAND_ONSETS) + middle + this.rng.pick(BRAND_CODAS);
  }

  private claim(key: string): boolean {
    if (this.used.has(key)) return false;
    this.used.add(key);
    return true;
  }
}
