import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValidationError } from '../../functions/domain/errors.js';
import { parseStrictJson } from '../../functions/platform/strict-json.js';
import { jsonValueIssues, MAX_JSON_DEPTH, RESERVED_KEYS } from '../../schemas/json-rules.js';

const refusal = (text: string) => {
  try {
    parseStrictJson(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details ?? [];
  }
  throw new Error(`expected ${text.slice(0, 60)} to be refused`);
};
const fields = (text: string) => refusal(text).map((d) => d.field);
const nested = (levels: number, leaf = '1') => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);

describe('strict JSON reader', () => {
  it('reads what JSON.parse reads: escapes, surrogate pairs, whitespace, all value types', () => {
    const text =
      ' {"s":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00","n":[0,-1,1.5,2e3,1E-2,-0.25],"t":true,"f":false,"z":null,"o":{},"e":[]}\n';
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ['a trailing comma', '{"a":1,}'],
    ['a leading zero', '{"a":01}'],
    ['single quotes', "{'a':1}"],
    ['NaN', '{"a":NaN}'],
    ['a raw control character', '{"a":"x\ny"}'],
    ['a byte order mark', '\ufeff{}'],
    ['text after the value', '{} {}'],
    ['nothing', ''],
    ['a lone minus', '-'],
    ['a bare fraction', '.5'],
    ['a dangling point', '1.'],
    ['an unknown escape', '"\\x41"'],
    ['a short unicode escape', '"\\u12"'],
    ['an unterminated string', '{"a":"b'],
    ['an unclosed object', '{"a":1'],
    ['a missing colon', '{"a" 1}'],
    ['a non-string key', '{1:2}'],
  ])('refuses %s as malformed JSON naming the body', (_name, text) => {
    expect(() => JSON.parse(text)).toThrow();
    const details = refusal(text);
    expect(details).toHaveLength(1);
    expect(details[0]).toMatchObject({ field: 'body', message: expect.stringMatching(/^malformed JSON/) });
  });

  describe('duplicate keys', () => {
    it('refuses a repeated top-level key, naming it', () => {
      expect(fields('{"type":"person","type":"deal","attributes":{}}')).toEqual(['type']);
    });

    it('refuses a repeated key at any depth, even with the same value, naming its path', () => {
      expect(fields('{"attributes":{"x":{"y":1,"y":1}}}')).toEqual(['attributes.x.y']);
      expect(fields('{"steps":[{"id":"a"},{"id":"b","tool":"t","id":"c"}]}')).toEqual(['steps.1.id']);
    });

    it('counts keys that differ only by escaping as the same key', () => {
      expect(fields('{"ab":1,"a\\u0062":2}')).toEqual(['ab']);
    });

    it('names every duplicate of a body', () => {
      expect(fields('{"a":1,"a":2,"b":{"c":1,"c":2}}')).toEqual(['a', 'b.c']);
    });
  });

  describe('numbers', () => {
    it.each([
      '12345678901234567',
      '-12345678901234567',
      '9007199254740992',
      '9007199254740993',
      '123456789012345678901234567890',
    ])('refuses the integer %s, which a double does not hold exactly', (n) => {
      const [detail] = refusal(`{"attributes":{"acct":${n}}}`);
      expect(detail).toEqual({
        field: 'attributes.acct',
        message: expect.stringMatching(/^integer outside the exactly representable range.*send it as a string/),
      });
    });

    it.each(['1e300', '-1e300', '1e400', '9.9e125', '1.5e16'])(
      'refuses %s, beyond the largest exact magnitude',
      (n) => {
        expect(refusal(`{"v":${n}}`)).toEqual([
          { field: 'v', message: expect.stringMatching(/^number outside the exactly representable range/) },
        ]);
      },
    );

    it.each(['1e-200', '-1e-131', '1e-400', '5e-324'])('refuses %s, below DynamoDB’s smallest magnitude', (n) => {
      expect(refusal(`{"v":${n}}`)).toEqual([{ field: 'v', message: expect.stringMatching(/below 1E-130/) }]);
    });

    it('refuses decimal text with more digits than a double keeps, saying what would be stored', () => {
      expect(refusal('{"v":0.30000000000000001}')).toEqual([
        { field: 'v', message: expect.stringContaining('would be stored as 0.3') },
      ]);
    });

    it.each([
      ['9007199254740991', 9007199254740991],
      ['-9007199254740991', -9007199254740991],
      ['0.1', 0.1],
      ['1.50', 1.5],
      ['1E2', 100],
      ['1e-130', 1e-130],
      ['-0', 0], // DynamoDB has no negative zero: read as the 0 it is stored as
      ['0e999999', 0],
      ['123.456e-5', 0.00123456],
    ])('accepts %s, stored as written', (text, value) => {
      expect(parseStrictJson(`{"v":${text}}`)).toEqual({ v: value });
    });
  });

  describe('nesting', () => {
    it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more, naming where`, () => {
      expect(parseStrictJson(nested(MAX_JSON_DEPTH))).toEqual(JSON.parse(nested(MAX_JSON_DEPTH)));
      expect(refusal(nested(MAX_JSON_DEPTH + 1))).toEqual([
        {
          field: Array(MAX_JSON_DEPTH).fill('a').join('.'),
          message: `nested deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`,
        },
      ]);
    });

    it('counts arrays and empty containers as levels', () => {
      expect(fields('['.repeat(MAX_JSON_DEPTH) + '[]' + ']'.repeat(MAX_JSON_DEPTH))).toEqual([
        Array(MAX_JSON_DEPTH).fill('0').join('.'),
      ]);
    });

    it('refuses 10,000 levels without exhausting the stack', () => {
      expect(fields(nested(10_000))).toHaveLength(1);
      expect(fields('['.repeat(10_000))).toHaveLength(1);
    });
  });

  describe('keys and strings', () => {
    it('refuses an empty key, quoting it in the path', () => {
      expect(refusal('{"attributes":{"x":{"":1}}}')).toEqual([
        { field: 'attributes.x.""', message: 'empty keys cannot be stored' },
      ]);
    });

    it('refuses a key with a lone surrogate, escaping it in the path', () => {
      expect(fields('{"attributes":{"x":{"\\ud800":1}}}')).toEqual(['attributes.x."\\ud800"']);
    });

    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
      'refuses the inherited member name %s as a key at any depth',
      (key) => {
        expect(fields(`{"attributes":{"${key}":1}}`)).toEqual([`attributes.${key}`]);
        expect(fields(`{"a":[{"b":{"${key}":{}}}]}`)).toEqual([`a.0.b.${key}`]);
      },
    );

    it('never lets a __proto__ key reach the prototype of what it reads', () => {
      let value: unknown;
      try {
        value = parseStrictJson('{"__proto__":{"polluted":true}}');
      } catch {
        // refused, as it must be
      }
      expect(value).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('reserves exactly the members of Object.prototype', () => {
      expect([...RESERVED_KEYS].sort()).toEqual(Object.getOwnPropertyNames(Object.prototype).sort());
    });

    it.each(['"\\ud800"', '"\\udc00"', '"x\\udc00\\ud800y"', '"\\ud83d"'])(
      'refuses the string %s, which has no UTF-8 encoding',
      (s) => {
        expect(refusal(`{"name":${s}}`)).toEqual([{ field: 'name', message: expect.stringMatching(/lone surrogate/) }]);
      },
    );

    it('accepts a surrogate pair, raw or escaped', () => {
      expect(parseStrictJson('{"a":"😀","b":"\\ud83d\\ude00"}')).toEqual({ a: '😀', b: '😀' });
    });
  });

  describe('against JSON.parse', () => {
    it('reads every text JSON.parse reads to the same value, or refuses it by a rule; refuses what JSON.parse refuses', () => {
      const texts = fc.oneof(
        fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
        fc.json(),
        fc.string({
          unit: fc.constantFrom(
            '{',
            '}',
            '[',
            ']',
            ',',
            ':',
            '"',
            '\\',
            'u',
            '0',
            '1',
            '-',
            '.',
            'e',
            ' ',
            'n',
            't',
            'a',
          ),
        }),
      );
      fc.assert(
        fc.property(texts, (text) => {
          let expected: unknown;
          let parses = true;
          try {
            // The strict reader reads -0 as 0, the number DynamoDB stores.
            expected = JSON.parse(text, (_key, value) => (Object.is(value, -0) ? 0 : value));
          } catch {
            parses = false;
          }
          let actual: unknown;
          let details: Array<{ field?: string; message: string }> | undefined;
          try {
            actual = parseStrictJson(text);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            details = (error as ValidationError).details;
          }
          if (!parses) {
            expect(details?.[0]?.message).toMatch(/^malformed JSON/);
          } else if (details) {
            // Only a rule refuses valid JSON: a duplicate key, or what jsonValueIssues also reports.
            expect(details.every((d) => !d.message.startsWith('malformed JSON'))).toBe(true);
            const duplicate = details.some((d) => d.message.startsWith('duplicate key'));
            const precision = details.some((d) => /integer outside|significant digits/.test(d.message));
            expect(duplicate || precision || jsonValueIssues(expected).length > 0).toBe(true);
          } else {
            expect(actual).toEqual(expected);
            expect(jsonValueIssues(actual)).toEqual([]);
          }
        }),
        { numRuns: 3000 },
      );
    });
  });
});
