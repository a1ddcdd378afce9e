import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../functions/adapters/dynamodb/cursor.js';
import { ValidationError } from '../../functions/domain/errors.js';

const forge = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error('expected a refusal');
};

describe('page cursors', () => {
  const key = { PK: 'T#a#AUDIT', SK: '2026#x' };
  const gsiKey = { GSI1PK: 'T#a#ENTITIES', GSI1SK: '2026#e1', PK: 'T#a#ENTITY#e1', SK: 'ENTITY' };

  it('round-trips a last evaluated key for its own partition', () => {
    expect(decodeCursor(encodeCursor(key)!, { partition: 'T#a#AUDIT' })).toEqual(key);
  });

  it('round-trips an index page key, which carries the table key too', () => {
    expect(decodeCursor(encodeCursor(gsiKey)!, { index: 'GSI1', partition: 'T#a#ENTITIES' })).toEqual(gsiKey);
  });

  it("refuses a cursor issued for another tenant's partition", () => {
    expect(() => decodeCursor(encodeCursor(key)!, { partition: 'T#b#AUDIT' })).toThrow(ValidationError);
  });

  it.each([
    'not base64!',
    'e30',
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('{"PK":1}').toString('base64url'),
  ])('refuses the malformed cursor %s', (c) => {
    expect(() => decodeCursor(c, { partition: 'T#a#AUDIT' })).toThrow(ValidationError);
  });

  it.each([
    ['a missing sort key', { GSI1PK: 'T#a#ENTITIES', PK: 'T#a#ENTITY#e1', SK: 'ENTITY' }],
    ['a missing table key', { GSI1PK: 'T#a#ENTITIES', GSI1SK: '2026#e1' }],
    ['an extra attribute', { ...gsiKey, extra: 'x' }],
    [
      "another index's attribute in place of one",
      { GSI1PK: 'T#a#ENTITIES', GSI2SK: '2026#e1', PK: 'T#a#ENTITY#e1', SK: 'ENTITY' },
    ],
    ['a number', { ...gsiKey, GSI1SK: 2026 }],
    ['an object', { ...gsiKey, SK: { S: 'ENTITY' } }],
    ['null', { ...gsiKey, PK: null }],
    ['an empty string', { ...gsiKey, GSI1SK: '' }],
    ['a lone surrogate', { ...gsiKey, GSI1SK: '2026#\ud800' }],
    ['an oversized value', { ...gsiKey, GSI1SK: 'x'.repeat(1025) }],
  ])('refuses a forged index cursor with %s, naming the cursor', (_name, forged) => {
    const error = refusal(() => decodeCursor(forge(forged), { index: 'GSI1', partition: 'T#a#ENTITIES' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details).toEqual([{ field: 'cursor', message: 'invalid cursor' }]);
  });

  it('refuses a table cursor presented to an index query and the reverse', () => {
    expect(() =>
      decodeCursor(forge({ PK: 'T#a#ENTITIES', SK: 'x' }), { index: 'GSI1', partition: 'T#a#ENTITIES' }),
    ).toThrow(ValidationError);
    expect(() => decodeCursor(forge(gsiKey), { partition: 'T#a#ENTITY#e1' })).toThrow(ValidationError);
  });

  it('refuses a cursor whose bytes are not UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"PK":"T#a#AUDIT","SK":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    expect(() => decodeCursor(bytes.toString('base64url'), { partition: 'T#a#AUDIT' })).toThrow(ValidationError);
  });

  it('encodes no cursor at the end of the results', () => {
    expect(encodeCursor(undefined)).toBeNull();
  });
});
