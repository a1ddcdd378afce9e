import type { Attribute, InputRecord } from './types.js';

export type SurvivorshipRule = 'sourceTrust' | 'recency' | 'completeness' | 'frequency';

export interface SurvivorshipOptions {
  /** Rules applied in order; a later rule only breaks ties of the earlier ones. */
  rules?: readonly SurvivorshipRule[];
  /** Trust per source (higher wins); unknown sources get 0. */
  sourceTrust?: Readonly<Record<string, number>>;
}

export interface AttributeProvenance {
  value: string;
  recordId: string;
  source: string | undefined;
  updatedAt: string | undefined;
  /** The last rule that narrowed the candidates down to the winner ('only value' when uncontested). */
  decidedBy: SurvivorshipRule | 'only value' | 'record order';
  /** How many records in the cluster had a value for this attribute. */
  candidates: number;
}

export interface GoldenRecord {
  clusterId: string;
  recordIds: string[];
  attributes: Partial<Record<Attribute, string>>;
  provenance: Partial<Record<Attribute, AttributeProvenance>>;
}

const DEFAULT_RULES: readonly SurvivorshipRule[] = ['sourceTrust', 'recency', 'completeness', 'frequency'];

interface Candidate {
  value: string;
  record: InputRecord;
  order: number;
}

function time(value: string | undefined): number {
  if (!value) return Number.NEGATIVE_INFINITY;
  const t = Date.parse(value);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

const normalise = (v: string): string => v.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * Builds the golden record of one cluster: for every attribute, candidates are ranked by the survivorship rules
 * in order (source trust, then most recent update, then most complete value, then most frequent value), and
 * the winner is kept with its provenance.
 */
export function buildGoldenRecord(
  clusterId: string,
  records: readonly InputRecord[],
  options: SurvivorshipOptions = {},
): GoldenRecord {
  const rules = options.rules ?? DEFAULT_RULES;
  const trust = options.sourceTrust ?? {};
  const byAttribute = new Map<Attribute, Candidate[]>();
  records.forEach((record, order) => {
    for (const [attr, raw] of Object.entries(record.attributes) as [Attribute, string | null | undefined][]) {
      const value = raw?.trim();
      if (!value) continue;
      const list = byAttribute.get(attr) ?? [];
      list.push({ value, record, order });
      byAttribute.set(attr, list);
    }
  });
  const golden: GoldenRecord = { clusterId, recordIds: records.map((r) => r.id), attributes: {}, provenance: {} };
  for (const [attr, candidates] of byAttribute) {
    const frequency = new Map<string, number>();
    for (const c of candidates) frequency.set(normalise(c.value), (frequency.get(normalise(c.value)) ?? 0) + 1);
    const score = (rule: SurvivorshipRule, c: Candidate): number => {
      switch (rule) {
        case 'sourceTrust':
          return trust[c.record.source ?? ''] ?? 0;
        case 'recency':
          return time(c.record.updatedAt);
        case 'completeness':
          return c.value.replace(/[^\p{L}\p{N}]/gu, '').length;
        case 'frequency':
          return frequency.get(normalise(c.value)) ?? 0;
      }
    };
    let pool = candidates;
    let decidedBy: AttributeProvenance['decidedBy'] = candidates.length === 1 ? 'only value' : 'record order';
    for (const rule of rules) {
      if (pool.length === 1) break;
      const best = Math.max(...pool.map((c) => score(rule, c)));
      const next = pool.filter((c) => score(rule, c) === best);
      if (next.length < pool.length) decidedBy = rule;
      pool = next;
    }
    const winner = pool.sort((x, y) => x.order - y.order)[0]!;
    golden.attributes[attr] = winner.value;
    golden.provenance[attr] = {
      value: winner.value,
      recordId: winner.record.id,
      source: winner.record.source,
      updatedAt: winner.record.updatedAt,
      decidedBy: candidates.length === 1 ? 'only value' : decidedBy,
      candidates: candidates.length,
    };
  }
  return golden;
}
