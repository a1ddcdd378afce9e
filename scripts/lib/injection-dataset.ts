/**
 * The shared prompt-injection development file (`../shared/datasets/prompt-injection/dev.jsonl`, read at training and
 * bench time, never copied), its source families, its near-duplicate groups and the held-out split.
 */
import { readFileSync } from 'node:fs';
import { tokenise } from '../../functions/domain/security/injection/text-structure.js';

export const DEV_FILE = '../shared/datasets/prompt-injection/dev.jsonl';

export interface DevRow {
  text: string;
  label: 0 | 1;
  source: string;
  /** bipia, tensor-trust, notinject, wildguard, giskard or pint. */
  family: string;
  /** Rows in one group are near-duplicates (a BIPIA document clean and injected, one attack padded two ways). */
  group: string;
}

export const familyOf = (source: string): string => {
  const head = source.split('/')[0]!;
  return head === 'pint-example' ? 'pint' : head;
};

/** Reads and checks the development file. */
export function readDevRows(path = DEV_FILE): DevRow[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const rows: Omit<DevRow, 'group'>[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const r = JSON.parse(line) as { text?: unknown; label?: unknown; source?: unknown };
    if (typeof r.text !== 'string' || (r.label !== 0 && r.label !== 1) || typeof r.source !== 'string') {
      throw new Error(`${path}:${i + 1}: expected text, label 0|1 and source`);
    }
    rows.push({ text: r.text, label: r.label, source: r.source, family: familyOf(r.source) });
  });
  const groups = nearDuplicateGroups(rows.map((r) => r.text));
  return rows.map((r, i) => ({ ...r, group: `dev-${groups[i]}` }));
}

/** Word 4-shingles (the whole token list for shorter texts), hashed to numbers. */
function shingles(text: string): Set<string> {
  const t = tokenise(text);
  const out = new Set<string>();
  if (t.length < 4) out.add(t.join(' '));
  for (let i = 0; i + 4 <= t.length; i++) out.add(`${t[i]} ${t[i + 1]} ${t[i + 2]} ${t[i + 3]}`);
  return out;
}

/**
 * Group ids (union-find roots) of texts that share most of their shingles: the smaller text's shingles are at
 * least 60 % in the larger one. A clean document and its injected copy share all of the clean one's.
 */
export function nearDuplicateGroups(texts: readonly string[]): number[] {
  const sets = texts.map(shingles);
  const parent = texts.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const posting = new Map<string, number[]>();
  sets.forEach((s, i) => {
    for (const sh of s) {
      const list = posting.get(sh);
      if (list) list.push(i);
      else posting.set(sh, [i]);
    }
  });
  for (let i = 0; i < texts.length; i++) {
    const shared = new Map<number, number>();
    for (const sh of sets[i]!) for (const j of posting.get(sh)!) if (j > i) shared.set(j, (shared.get(j) ?? 0) + 1);
    for (const [j, n] of shared) {
      if (n / Math.min(sets[i]!.size, sets[j]!.size) >= 0.6) parent[find(i)] = find(j);
    }
  }
  return texts.map((_, i) => find(i));
}

/** A deterministic hash of a string to [0, 1), for seeded assignments that do not depend on row order. */
export function unitHash(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

/** The seed of the held-out split: fixed, so that every run holds out the same rows. */
export const HOLDOUT_SEED = 20240611;
export const HOLDOUT_SHARE = 0.3;

/**
 * The held-out split: within each family, whole groups in hash order until about 30 % of the family's rows are
 * out. Returns the rows to train on and the rows held out.
 */
export function holdoutSplit(rows: readonly DevRow[]): { train: DevRow[]; holdout: DevRow[] } {
  const out = new Set<string>();
  const byFamily = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const groups = byFamily.get(r.family) ?? new Map<string, number>();
    groups.set(r.group, (groups.get(r.group) ?? 0) + 1);
    byFamily.set(r.family, groups);
  }
  for (const groups of byFamily.values()) {
    const total = [...groups.values()].reduce((a, b) => a + b, 0);
    let taken = 0;
    const ordered = [...groups.keys()].sort((a, b) => unitHash(a, HOLDOUT_SEED) - unitHash(b, HOLDOUT_SEED));
    for (const g of ordered) {
      if (taken >= total * HOLDOUT_SHARE) break;
      out.add(g);
      taken += groups.get(g)!;
    }
  }
  return { train: rows.filter((r) => !out.has(r.group)), holdout: rows.filter((r) => out.has(r.group)) };
}
