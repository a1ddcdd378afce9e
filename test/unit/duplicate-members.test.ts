import { describe, expect, it } from 'vitest';
import { hasDuplicateMember } from '../../functions/domain/shared/duplicate-members.js';

describe('hasDuplicateMember', () => {
  it.each([
    '{"a":1,"a":2}',
    '{"a":1,"b":{"c":1},"a":2}',
    '{"x":{"y":[1,{"z":true,"z":false}]}}',
    '[{"k":1},{"k":1,"k":1}]',
    '{"sub":"a","\\u0073ub":"b"}',
    '{ "a" : 1 , "a" : 1 }',
    '{"":1,"":2}',
  ])('finds the repeated member in %s', (json) => {
    expect(hasDuplicateMember(json)).toBe(true);
  });

  it.each([
    '{"a":1,"b":2}',
    '{"a":{"a":{"a":1}}}',
    '[{"k":1},{"k":2}]',
    '{"a":"a","b":"a"}',
    '{"a":["a","a"]}',
    '{"a":"{\\"a\\":1,\\"a\\":2}"}',
    '{"a\\"":1,"a":2}',
    '{"a":{},"b":[],"c":{"a":1}}',
    '"a"',
    '[1,2,2]',
  ])('finds none in %s', (json) => {
    expect(hasDuplicateMember(json)).toBe(false);
  });

  it('reads names the way JSON.parse does (the last one would win there)', () => {
    const json = '{"tenant_id":"acme","tenant_id":"globex"}';
    expect((JSON.parse(json) as { tenant_id: string }).tenant_id).toBe('globex');
    expect(hasDuplicateMember(json)).toBe(true);
  });
});
