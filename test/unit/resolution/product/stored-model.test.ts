import { describe, expect, it } from 'vitest';
import { type InputRecord, resolve } from '../../../../functions/domain/resolution/engine/index.js';
import { scoreAgainst, storedModelFrom } from '../../../../functions/domain/resolution/stored-model.js';

/** Sites of one group sharing its phone, and ordinary companies with one duplicate each. */
function organisations(): InputRecord[] {
  const records: InputRecord[] = [];
  for (let s = 0; s < 5; s++)
    records.push({
      id: `site${s}`,
      attributes: {
        name: `Harbour Clinic ${['North', 'South', 'East', 'West', 'Central'][s]}`,
        phone: '020 7946 0000',
      },
    });
  for (let i = 0; i < 30; i++) {
    const a = { name: `Firm ${String.fromCharCode(65 + (i % 26))}${i}`, phone: `0113 496 ${1000 + i}` };
    records.push({ id: `c${i}`, attributes: a }, { id: `d${i}`, attributes: { ...a, name: `${a.name} Ltd` } });
  }
  return records;
}

describe('stored model', () => {
  it('keeps how many names hold a shared phone (hashed) and the calibration for incremental scoring', () => {
    const records = organisations();
    const result = resolve({
      kind: 'organization',
      records,
      constraints: { cannotLink: [['site0', 'site1']], mustLink: [['c0', 'd0']] },
    });
    const model = storedModelFrom('organization', records, result, { trainedAt: '2026-12-01T00:00:00Z', runId: 'r1' });
    expect(Object.values(model.holders?.phone ?? {})).toEqual([5]);
    expect(JSON.stringify(model.holders)).not.toContain('7946');
    expect(model.calibrationOffset).toBe(result.model.calibration!.offset);
    const [sibling, duplicate] = scoreAgainst(model, records[0]!, [records[1]!, records[0]!]);
    expect(sibling!.explanation.rules).not.toContain('same phone and similar name');
    expect(sibling!.probability).toBeLessThan(0.5);
    expect(duplicate!.probability).toBeGreaterThan(0.5);
  });
});
