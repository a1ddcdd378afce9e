import { PairIndex, distinctSorted } from './pair-index.js';
import type { PreparedRecord } from './prepare.js';
import type { EntityKind, ResolveMode } from './types.js';

/** A blocking rule: the keys under which a record is filed; records sharing a key become candidate pairs. */
export interface BlockingRule {
  name: string;
  /** Comparison fields the rule's keys depend on; EM sessions on this rule's pairs leave them out. */
  fields: readonly string[];
  keys(r: PreparedRecord): string[];
}

export interface BlockingOptions {
  /** Blocks larger than this are not expanded to all pairs; a sorted-neighbourhood window runs inside them. */
  maxBlockSize?: number;
  /** Window of the sorted-neighbourhood passes (global and inside oversized blocks). */
  window?: number;
}

export interface BlockingResult {
  /** Candidate pairs as [i, j] record indexes, i < j, each once. */
  pairs: Uint32Array;
  count: number;
  /** New (not yet seen) pairs contributed by each rule, in rule order. */
  perRule: Record<string, number>;
  /** For each rule (same order as the rules given): every candidate-pair number it produced, duplicates across rules included. */
  pairsByRule: Uint32Array[];
  oversizedBlocks: number;
}

function documentFrequencies(lists: Iterable<readonly string[]>): Map<string, number> {
  const df = new Map<string, number>();
  for (const list of lists) for (const t of new Set(list)) df.set(t, (df.get(t) ?? 0) + 1);
  return df;
}

/** The k rarest distinct tokens of a list (ties broken alphabetically so the choice is stable). */
export function rarestTokens(list: readonly string[], df: Map<string, number>, k: number): string[] {
  return [...new Set(list)]
    .sort((x, y) => (df.get(x) ?? 0) - (df.get(y) ?? 0) || (x < y ? -1 : x > y ? 1 : 0))
    .slice(0, k);
}

const join = (...parts: string[]): string => parts.join('|');

/** Blocking rules of an entity kind; token rules use document frequencies computed from these records. */
export function blockingRulesFor(kind: EntityKind, records: readonly PreparedRecord[]): BlockingRule[] {
  const textDf = documentFrequencies(records.map((r) => r.textTokens));
  const textRules: BlockingRule[] = [
    { name: 'text rare tokens', fields: ['text'], keys: (r) => rarestTokens(r.textTokens, textDf, 3) },
  ];
  if (kind === 'person') {
    return [
      { name: 'email', fields: ['email'], keys: (r) => (r.email ? [r.email] : []) },
      { name: 'phone', fields: ['phone'], keys: (r) => (r.phone ? [r.phone] : []) },
      { name: 'birth date', fields: ['birthDate'], keys: (r) => (r.dob ? [r.dob] : []) },
      {
        name: 'name metaphones (order-free)',
        fields: ['firstName', 'lastName'],
        keys: (r) =>
          r.firstDm && r.lastDm ? [r.firstDm < r.lastDm ? join(r.firstDm, r.lastDm) : join(r.lastDm, r.firstDm)] : [],
      },
      {
        name: 'last metaphone + birth year',
        fields: ['lastName', 'birthDate'],
        keys: (r) => (r.lastDm && r.year ? [join(r.lastDm, r.year)] : []),
      },
      {
        name: 'first metaphone + birth year',
        fields: ['firstName', 'birthDate'],
        keys: (r) => (r.firstDm && r.year ? [join(r.firstDm, r.year)] : []),
      },
      {
        name: 'postcode + last metaphone',
        fields: ['postcode', 'lastName'],
        keys: (r) => (r.postcode && r.lastDm ? [join(r.postcode, r.lastDm)] : []),
      },
      {
        name: 'postcode + first metaphone',
        fields: ['postcode', 'firstName'],
        keys: (r) => (r.postcode && r.firstDm ? [join(r.postcode, r.firstDm)] : []),
      },
      {
        name: 'city + last name',
        fields: ['city', 'lastName'],
        keys: (r) => (r.city && r.last ? [join(r.city, r.last)] : []),
      },
      { name: 'email local part', fields: ['email'], keys: (r) => (r.emailLocal.length >= 4 ? [r.emailLocal] : []) },
      ...textRules,
    ];
  }
  const nameDf = documentFrequencies(records.map((r) => r.orgNameTokens));
  return [
    { name: 'domain', fields: ['domain'], keys: (r) => (r.domain ? [r.domain] : []) },
    { name: 'email', fields: ['email'], keys: (r) => (r.email ? [r.email] : []) },
    { name: 'phone', fields: ['phone'], keys: (r) => (r.phone ? [r.phone] : []) },
    { name: 'name rare tokens', fields: ['name'], keys: (r) => rarestTokens(r.orgNameTokens, nameDf, 2) },
    {
      name: 'name token prefixes',
      fields: ['name'],
      keys: (r) => rarestTokens(r.orgNameTokens, nameDf, 2).map((t) => `dm:${t.length > 3 ? t.slice(0, 4) : t}`),
    },
    {
      name: 'postcode + name initial',
      fields: ['postcode', 'name'],
      keys: (r) => (r.postcode && r.orgName ? [join(r.postcode, r.orgName[0]!)] : []),
    },
    ...textRules,
  ];
}

function sortKeysFor(kind: EntityKind): ((r: PreparedRecord) => string)[] {
  if (kind === 'person') {
    return [
      (r) => (r.last || r.first ? `${r.last} ${r.first}` : ''),
      (r) => (r.last || r.first ? `${r.first} ${r.last}` : ''),
    ];
  }
  return [(r) => r.orgName, (r) => [...r.orgNameTokens].sort().join(' '), (r) => r.textTokens.join(' ')];
}

/**
 * Union of several blocking rules plus sorted-neighbourhood passes. In link mode only cross-table pairs are kept.
 * Oversized blocks (very common keys) are not expanded quadratically: a sorted window runs inside them instead,
 * which keeps the pair count near-linear while still pairing the closest records of a common key.
 */
export function generateCandidatePairs(
  kind: EntityKind,
  mode: ResolveMode,
  records: readonly PreparedRecord[],
  rules: readonly BlockingRule[],
  options: BlockingOptions = {},
): BlockingResult {
  // a key shared by more than 50 records discriminates little; expanding it grows pairs with the square of the data
  const maxBlock = options.maxBlockSize ?? 50;
  // person rules already cover names, dates and places phonetically; organisation names need wider windows
  const window = options.window ?? (kind === 'person' ? 3 : 6);
  const n = records.length;
  const seen = new PairIndex();
  // pair numbers each rule produced (with repeats), in a growable typed array: tens of millions at 10^6 records
  let ruleHits = new Uint32Array(1024);
  let hitCount = 0;
  const hit = (p: number): void => {
    if (hitCount === ruleHits.length) {
      const bigger = new Uint32Array(ruleHits.length * 2);
      bigger.set(ruleHits);
      ruleHits = bigger;
    }
    ruleHits[hitCount++] = p;
  };
  let out = new Uint32Array(Math.max(1024, n * 8));
  let count = 0;
  const perRule: Record<string, number> = {};
  let oversizedBlocks = 0;
  const primarySort = sortKeysFor(kind)[0]!;

  const add = (x: number, y: number): boolean => {
    if (x === y) return false;
    const a = x < y ? x : y;
    const b = x < y ? y : x;
    if (mode === 'link' && records[a]!.side === records[b]!.side) return false;
    const key = a * n + b;
    const known = seen.get(key);
    if (known !== undefined) {
      hit(known);
      return false;
    }
    seen.set(key, count);
    hit(count);
    if (count * 2 + 2 > out.length) {
      const bigger = new Uint32Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[count * 2] = a;
    out[count * 2 + 1] = b;
    count++;
    return true;
  };

  const windowPass = (members: number[], sortKey: (r: PreparedRecord) => string): number => {
    const keyed = members.map((i) => ({ i, k: sortKey(records[i]!) })).filter((x) => x.k !== '');
    keyed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : x.i - y.i));
    let added = 0;
    for (let p = 0; p < keyed.length; p++) {
      for (let q = p + 1; q < Math.min(keyed.length, p + 1 + window); q++) if (add(keyed[p]!.i, keyed[q]!.i)) added++;
    }
    return added;
  };

  const pairsByRule: Uint32Array[] = [];
  for (const rule of rules) {
    hitCount = 0;
    const blocks = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      for (const k of rule.keys(records[i]!)) {
        const list = blocks.get(k);
        if (list) list.push(i);
        else blocks.set(k, [i]);
      }
    }
    let added = 0;
    for (const members of blocks.values()) {
      if (members.length < 2) continue;
      if (members.length > maxBlock) {
        oversizedBlocks++;
        added += windowPass(members, primarySort);
        continue;
      }
      for (let p = 0; p < members.length; p++) {
        for (let q = p + 1; q < members.length; q++) if (add(members[p]!, members[q]!)) added++;
      }
    }
    perRule[rule.name] = added;
    pairsByRule.push(distinctSorted(ruleHits.subarray(0, hitCount)));
  }
  const all = records.map((r) => r.index);
  sortKeysFor(kind).forEach((key, k) => {
    perRule[`sorted neighbourhood ${k + 1}`] = windowPass(all, key);
  });
  return { pairs: out.subarray(0, count * 2), count, perRule, pairsByRule, oversizedBlocks };
}
