import { describe, expect, it } from 'vitest';
import { buildGoldenRecord, type InputRecord } from '../../../functions/domain/resolution/engine/index.js';

const crm = (id: string, source: string, updatedAt: string, attributes: InputRecord['attributes']): InputRecord => ({
  id,
  source,
  updatedAt,
  attributes,
});

describe('buildGoldenRecord', () => {
  it('takes each attribute from the most trusted source that has it', () => {
    const golden = buildGoldenRecord(
      'c1',
      [
        crm('1', 'hubspot', '2024-05-01', { email: 'j@x.com', phone: '+441' }),
        crm('2', 'salesforce', '2023-01-01', { email: 'john@x.com' }),
      ],
      { sourceTrust: { salesforce: 2, hubspot: 1 } },
    );
    expect(golden.attributes.email).toBe('john@x.com');
    expect(golden.provenance.email).toMatchObject({
      recordId: '2',
      source: 'salesforce',
      decidedBy: 'sourceTrust',
      candidates: 2,
    });
    // only hubspot has a phone: it survives whatever the trust
    expect(golden.attributes.phone).toBe('+441');
    expect(golden.provenance.phone?.decidedBy).toBe('only value');
  });

  it('breaks a trust tie with the most recent update', () => {
    const golden = buildGoldenRecord('c1', [
      crm('1', 'workday', '2022-01-01', { city: 'Leeds' }),
      crm('2', 'workday', '2024-01-01', { city: 'York' }),
    ]);
    expect(golden.attributes.city).toBe('York');
    expect(golden.provenance.city?.decidedBy).toBe('recency');
  });

  it('prefers the more complete value when trust and recency tie', () => {
    const golden = buildGoldenRecord('c1', [
      crm('1', 'a', '2024-01-01', { firstName: 'J' }),
      crm('2', 'a', '2024-01-01', { firstName: 'Jonathan' }),
    ]);
    expect(golden.attributes.firstName).toBe('Jonathan');
    expect(golden.provenance.firstName?.decidedBy).toBe('completeness');
  });

  it('ignores blank values and lists the cluster members', () => {
    const golden = buildGoldenRecord('c9', [
      crm('1', 'a', '2024-01-01', { lastName: '  ' }),
      crm('2', 'a', '2023-01-01', { lastName: 'Smith' }),
    ]);
    expect(golden.attributes.lastName).toBe('Smith');
    expect(golden.recordIds).toEqual(['1', '2']);
  });
});
