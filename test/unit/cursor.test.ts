import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../functions/adapters/dynamodb/cursor.js';
import { ValidationError } from '../../functions/domain/errors.js';

describe('page cursors', () => {
  const key = { PK: 'T#a#AUDIT', SK: '2026#x' };

  it('round-trips a last evaluated key for its own partition', () => {
    expect(decodeCursor(encodeCursor(key)!, 'PK', 'T#a#AUDIT')).toEqual(key);
  });

  it("refuses a cursor issued for another tenant's partition", () => {
    expect(() => decodeCursor(encodeCursor(key)!, 'PK', 'T#b#AUDIT')).toThrow(ValidationError);
  });

  it.each(['not base64!', 'e30', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"PK":1}').toString('base64url')])(
    'refuses the malformed cursor %s',
    (c) => {
      expect(() => decodeCursor(c, 'PK', 'T#a#AUDIT')).toThrow(ValidationError);
    },
  );

  it('encodes no cursor at the end of the results', () => {
    expect(encodeCursor(undefined)).toBeNull();
  });
});
