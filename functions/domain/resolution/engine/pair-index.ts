/**
 * A map from a pair key (a number) to a number, sharded over several Maps: one V8 Map holds at most 2^24 entries
 * (about 16.7 M), which a tenant of a few hundred thousand records exceeds in candidate pairs.
 */
export class PairIndex {
  private readonly shards: Map<number, number>[];
  private count = 0;

  constructor(shardCount = 64) {
    this.shards = Array.from({ length: shardCount }, () => new Map<number, number>());
  }

  private shard(key: number): Map<number, number> {
    return this.shards[key % this.shards.length]!;
  }

  get(key: number): number | undefined {
    return this.shard(key).get(key);
  }

  set(key: number, value: number): void {
    const shard = this.shard(key);
    if (!shard.has(key)) this.count++;
    shard.set(key, value);
  }

  get size(): number {
    return this.count;
  }
}

/** Distinct values of a list of pair numbers, ascending (a Set would hit the same 2^24 limit). */
export function distinctSorted(values: readonly number[] | Uint32Array): Uint32Array {
  const sorted = Uint32Array.from(values).sort();
  let w = 0;
  for (let r = 0; r < sorted.length; r++) if (r === 0 || sorted[r] !== sorted[r - 1]) sorted[w++] = sorted[r]!;
  return sorted.slice(0, w);
}
