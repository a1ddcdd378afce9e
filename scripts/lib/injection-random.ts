/** A seeded random source for the injection generators: the same seed gives the same texts on every machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** mulberry32: a uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** `k` distinct items in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = [...items];
    this.shuffle(copy);
    return copy.slice(0, Math.min(k, copy.length));
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
  /** Picks a template and fills `{slot}`s from `slots` (each a list or a function). */
  fill(template: string, slots: Record<string, readonly string[] | (() => string)>): string {
    return template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const slot = slots[name];
      if (slot === undefined) throw new Error(`no slot ${name} for "${template}"`);
      return typeof slot === 'function' ? slot() : this.pick(slot);
    });
  }
}

/** Upper-cases the first letter. */
export const capitalise = (s: string): string => (s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1));

/** Items of a `|`-separated list (line breaks are only layout). */
export const list = (items: string): readonly string[] =>
  items.split('|').map((item) => item.trim().replace(/\s+/g, ' '));

/** Multi-line items separated by lines of four dashes, whitespace kept (code snippets). */
export const blocks = (items: string): readonly string[] =>
  items
    .split(/\n----\n/)
    .map((item) => item.replace(/^\n+|\s+$/g, ''))
    .filter((item) => item !== '');
