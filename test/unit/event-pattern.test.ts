import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
  type EventPattern,
} from '../../functions/domain/events/event-pattern.js';
import { isDomainError } from '../../functions/domain/errors.js';

// Conformance cases shared with the rest of the team; read in place, never copied into the project.
// The path is `../shared/...` relative to the project root (this file lives in <root>/test/unit).
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CASES_FILE = resolve(PROJECT_ROOT, '../shared/datasets/eventbridge-patterns/cases.json');

interface ConformanceCase {
  name: string;
  pattern: EventPattern;
  matches: boolean;
}

function loadCases(): { event: Record<string, unknown>; cases: ConformanceCase[] } {
  try {
    return JSON.parse(readFileSync(CASES_FILE, 'utf8')) as { event: Record<string, unknown>; cases: ConformanceCase[] };
  } catch {
    // No per-case tests are generated then; the size guard below fails loudly instead.
    return { event: {}, cases: [] };
  }
}

const dataset = loadCases();

describe('EventBridge conformance dataset (shared/datasets/eventbridge-patterns/cases.json)', () => {
  it('has at least 40 cases, so a missing or truncated file cannot pass silently', () => {
    expect(dataset.cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of dataset.cases) {
    it(`${c.matches ? 'matches' : 'does not match'}: ${c.name}`, () => {
      expect(matchesEventPattern(c.pattern, dataset.event)).toBe(c.matches);
      expect(compileEventPattern(c.pattern)(dataset.event)).toBe(c.matches);
    });
  }
});

const m = (pattern: EventPattern, event: Record<string, unknown>) => matchesEventPattern(pattern, event);

function expectInvalid(pattern: unknown, reason: RegExp | string) {
  let caught: unknown;
  try {
    validateEventPattern(pattern);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidEventPatternError);
  const err = caught as InvalidEventPatternError;
  expect(err.name).toBe('InvalidEventPatternError');
  expect(err.code).toBe('VALIDATION_ERROR');
  expect(err.message).toMatch(/^Event pattern is not valid\. Reason: /);
  if (typeof reason === 'string') expect(err.reason).toBe(reason);
  else expect(err.reason).toMatch(reason);
}

describe('exact values', () => {
  it('matches a number numerically (5 matches 5.0 and 5e0) but never the string "5"', () => {
    expect(m({ n: [5] }, { n: 5.0 })).toBe(true);
    expect(m({ n: [500] }, { n: 5e2 })).toBe(true);
    expect(m({ n: [5] }, { n: '5' })).toBe(false);
    expect(m({ n: ['5'] }, { n: 5 })).toBe(false);
  });

  it('matches booleans and null only by the same literal', () => {
    expect(m({ b: [true] }, { b: true })).toBe(true);
    expect(m({ b: [true] }, { b: 'true' })).toBe(false);
    expect(m({ b: [false] }, { b: null })).toBe(false);
    expect(m({ n: [null] }, { n: null })).toBe(true);
    expect(m({ n: [null] }, { n: '' })).toBe(false);
  });

  it('does not treat null, empty string and a missing field as interchangeable', () => {
    expect(m({ e: [''] }, { e: '' })).toBe(true);
    expect(m({ e: [''] }, { e: null })).toBe(false);
    expect(m({ e: [''] }, {})).toBe(false);
    expect(m({ n: [null] }, {})).toBe(false);
  });

  it('is case sensitive', () => {
    expect(m({ s: ['abc'] }, { s: 'ABC' })).toBe(false);
  });

  it('does not match a leaf pattern against an object, nor a nested pattern against a leaf', () => {
    expect(m({ d: ['x'] }, { d: { x: 1 } })).toBe(false);
    expect(m({ d: { x: ['a'] } }, { d: 'a' })).toBe(false);
  });

  it('matches an IP literal against other spellings of the same address', () => {
    expect(m({ ip: ['2001:db8::1'] }, { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' })).toBe(true);
    expect(m({ ip: ['10.0.0.1'] }, { ip: '10.0.0.2' })).toBe(false);
  });
});

describe('arrays in the event', () => {
  it('matches when any element matches', () => {
    expect(m({ tags: ['b', 'z'] }, { tags: ['a', 'b'] })).toBe(true);
    expect(m({ tags: ['z'] }, { tags: ['a', 'b'] })).toBe(false);
    expect(m({ tags: ['a'] }, { tags: [['x'], ['a']] })).toBe(true);
  });

  it('matches nested fields through arrays of objects', () => {
    const event = {
      employees: [
        { first: 'John', last: 'Doe' },
        { first: 'Anna', last: 'Smith' },
      ],
    };
    expect(m({ employees: { first: ['Anna'] } }, event)).toBe(true);
  });

  it('requires all fields of one object to come from the same array element (array consistency)', () => {
    const event = {
      employees: [
        { first: 'John', last: 'Doe' },
        { first: 'Anna', last: 'Smith' },
      ],
    };
    expect(m({ employees: { first: ['Anna'], last: ['Smith'] } }, event)).toBe(true);
    expect(m({ employees: { first: ['Anna'], last: ['Doe'] } }, event)).toBe(false);
  });

  it('never matches an empty array with a value', () => {
    expect(m({ tags: [''] }, { tags: [] })).toBe(false);
  });
});

describe('nested objects', () => {
  it('ANDs every field and ignores fields the pattern does not name', () => {
    const event = { detail: { a: 1, b: 'x', c: true } };
    expect(m({ detail: { a: [1], b: ['x'] } }, event)).toBe(true);
    expect(m({ detail: { a: [1], b: ['y'] } }, event)).toBe(false);
  });

  it('treats a dotted key like the nested path, as event-ruler does', () => {
    expect(m({ 'detail.a': [1] }, { detail: { a: 1 } })).toBe(true);
  });
});

describe('prefix and suffix', () => {
  it('match only strings, case-sensitively by default', () => {
    expect(m({ s: [{ prefix: 'ab' }] }, { s: 'abc' })).toBe(true);
    expect(m({ s: [{ prefix: 'AB' }] }, { s: 'abc' })).toBe(false);
    expect(m({ s: [{ prefix: '12' }] }, { s: 123 })).toBe(false);
    expect(m({ s: [{ suffix: 'bc' }] }, { s: 'abc' })).toBe(true);
    expect(m({ s: [{ suffix: '23' }] }, { s: 123 })).toBe(false);
  });

  it('an empty prefix matches every string, including the empty one, but not null', () => {
    expect(m({ s: [{ prefix: '' }] }, { s: '' })).toBe(true);
    expect(m({ s: [{ prefix: '' }] }, { s: null })).toBe(false);
  });

  it('ignore case when wrapped in equals-ignore-case', () => {
    expect(m({ s: [{ prefix: { 'equals-ignore-case': 'EVENTB' } }] }, { s: 'EventBridge' })).toBe(true);
    expect(m({ s: [{ suffix: { 'equals-ignore-case': 'TBRIDGE' } }] }, { s: 'EventBridge' })).toBe(true);
    expect(m({ s: [{ suffix: { 'equals-ignore-case': 'xx' } }] }, { s: 'EventBridge' })).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  it('matches strings regardless of case and nothing else', () => {
    expect(m({ s: [{ 'equals-ignore-case': 'alice' }] }, { s: 'ALICE' })).toBe(true);
    expect(m({ s: [{ 'equals-ignore-case': 'alice' }] }, { s: 'alic' })).toBe(false);
    expect(m({ s: [{ 'equals-ignore-case': 'true' }] }, { s: true })).toBe(false);
  });
});

describe('anything-but', () => {
  it('excludes a single string or number', () => {
    expect(m({ s: [{ 'anything-but': 'x' }] }, { s: 'y' })).toBe(true);
    expect(m({ s: [{ 'anything-but': 'x' }] }, { s: 'x' })).toBe(false);
    expect(m({ n: [{ 'anything-but': 123 }] }, { n: 123 })).toBe(false);
    expect(m({ n: [{ 'anything-but': 123 }] }, { n: 124 })).toBe(true);
  });

  it('compares by type: a string exclusion does not exclude the number, and vice versa', () => {
    expect(m({ n: [{ 'anything-but': '5' }] }, { n: 5 })).toBe(true);
    expect(m({ n: [{ 'anything-but': [5] }] }, { n: '5' })).toBe(true);
  });

  it('matches non-string leaves such as null and booleans', () => {
    expect(m({ s: [{ 'anything-but': 'x' }] }, { s: null })).toBe(true);
    expect(m({ s: [{ 'anything-but': { prefix: 'x' } }] }, { s: false })).toBe(true);
  });

  it('never matches a missing field', () => {
    expect(m({ s: [{ 'anything-but': 'x' }] }, {})).toBe(false);
    expect(m({ s: [{ 'anything-but': 'x' }] }, { s: [] })).toBe(false);
  });

  it('matches an array when at least one element is not excluded', () => {
    expect(m({ n: [{ 'anything-but': [100, 500] }] }, { n: [100, 50] })).toBe(true);
    expect(m({ n: [{ 'anything-but': [100, 500] }] }, { n: [100, 500] })).toBe(false);
  });

  it('supports prefix, suffix, equals-ignore-case and wildcard exclusions (single value or list)', () => {
    expect(m({ r: [{ 'anything-but': { prefix: 'us-' } }] }, { r: 'us-east-1' })).toBe(false);
    expect(m({ r: [{ 'anything-but': { prefix: 'us-' } }] }, { r: 'eu-west-1' })).toBe(true);
    expect(m({ f: [{ 'anything-but': { suffix: '.png' } }] }, { f: 'a.png' })).toBe(false);
    expect(m({ f: [{ 'anything-but': { suffix: '.png' } }] }, { f: 'a.jpg' })).toBe(true);
    expect(m({ s: [{ 'anything-but': { 'equals-ignore-case': 'INIT' } }] }, { s: 'init' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }] }, { s: 'B' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }] }, { s: 'c' })).toBe(true);
    expect(m({ p: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { p: '/usr/lib/x' })).toBe(false);
    expect(m({ p: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, { p: '/usr/bin/x' })).toBe(false);
    expect(m({ p: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, { p: '/usr/share/x' })).toBe(true);
  });
});

describe('numeric', () => {
  const n = (expr: unknown[], value: unknown) => m({ v: [{ numeric: expr }] }, { v: value });

  it('applies each comparison operator at its boundary', () => {
    expect(n(['<', 3], 2.999)).toBe(true);
    expect(n(['<', 3], 3)).toBe(false);
    expect(n(['<=', 3], 3)).toBe(true);
    expect(n(['>', 3], 3)).toBe(false);
    expect(n(['>', 3], 3.001)).toBe(true);
    expect(n(['>=', 3], 3)).toBe(true);
    expect(n(['=', 3], 3.0)).toBe(true);
    expect(n(['=', 3.018e2], 301.8)).toBe(true);
    expect(n(['=', 3], 4)).toBe(false);
  });

  it('combines a lower and an upper bound', () => {
    expect(n(['>', 0, '<=', 5], 5)).toBe(true);
    expect(n(['>', 0, '<=', 5], 0)).toBe(false);
    expect(n(['>=', 0, '<', 5], 0)).toBe(true);
    expect(n(['>=', 0, '<', 5], 5)).toBe(false);
    expect(n(['>=', -10, '<', -1], -5)).toBe(true);
  });

  it('matches only JSON numbers, never numeric strings, booleans or null', () => {
    expect(n(['>', 0], '5')).toBe(false);
    expect(n(['>', 0], true)).toBe(false);
    expect(n(['<', 1], null)).toBe(false);
  });

  it('matches an array when any element is in range', () => {
    expect(n(['>', 10], [1, 2, 30])).toBe(true);
    expect(n(['>', 10], [1, 2, 3])).toBe(false);
  });
});

describe('exists', () => {
  it('true matches any present leaf value, including null and the empty string', () => {
    expect(m({ f: [{ exists: true }] }, { f: null })).toBe(true);
    expect(m({ f: [{ exists: true }] }, { f: '' })).toBe(true);
    expect(m({ f: [{ exists: true }] }, { f: ['a'] })).toBe(true);
    expect(m({ f: [{ exists: true }] }, {})).toBe(false);
  });

  it('only considers leaf nodes: an object or an empty array counts as absent', () => {
    expect(m({ f: [{ exists: true }] }, { f: { c1: 100 } })).toBe(false);
    expect(m({ f: [{ exists: false }] }, { f: { c1: 100 } })).toBe(true);
    expect(m({ f: [{ exists: true }] }, { f: [] })).toBe(false);
    expect(m({ f: [{ exists: false }] }, { f: [] })).toBe(true);
  });

  it('false fails when the leaf is present in any element of an array', () => {
    expect(m({ items: { discount: [{ exists: false }] } }, { items: [{ discount: 1 }, { sku: 'a' }] })).toBe(false);
    expect(m({ items: { discount: [{ exists: false }] } }, { items: [{ sku: 'b' }, { sku: 'a' }] })).toBe(true);
  });

  it('false can be ORed with a value in the same list', () => {
    const p = { f: ['x', { exists: false }] };
    expect(m(p, {})).toBe(true);
    expect(m(p, { f: 'x' })).toBe(true);
    expect(m(p, { f: 'y' })).toBe(false);
  });
});

describe('cidr', () => {
  it('matches IPv4 addresses inside the block and rejects the ones outside', () => {
    const p = { ip: [{ cidr: '10.0.0.0/24' }] };
    expect(m(p, { ip: '10.0.0.0' })).toBe(true);
    expect(m(p, { ip: '10.0.0.255' })).toBe(true);
    expect(m(p, { ip: '10.0.1.0' })).toBe(false);
    expect(m(p, { ip: 'not-an-ip' })).toBe(false);
    expect(m(p, { ip: 167772161 })).toBe(false);
  });

  it('masks host bits of the block address (10.0.0.77/24 covers 10.0.0.1)', () => {
    expect(m({ ip: [{ cidr: '10.0.0.77/24' }] }, { ip: '10.0.0.1' })).toBe(true);
  });

  it('handles /0 and odd mask lengths', () => {
    expect(m({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '203.0.113.9' })).toBe(true);
    expect(m({ ip: [{ cidr: '10.0.0.0/31' }] }, { ip: '10.0.0.1' })).toBe(true);
    expect(m({ ip: [{ cidr: '10.0.0.0/31' }] }, { ip: '10.0.0.2' })).toBe(false);
    expect(m({ ip: [{ cidr: '192.0.0.0/9' }] }, { ip: '192.128.0.1' })).toBe(false);
    expect(m({ ip: [{ cidr: '192.0.0.0/9' }] }, { ip: '192.127.255.255' })).toBe(true);
    expect(m({ ip: [{ cidr: '192.128.0.0/9' }] }, { ip: '192.255.0.1' })).toBe(true);
  });

  it('matches IPv6 addresses, compressed or not, and never mixes families', () => {
    const p = { ip: [{ cidr: '2001:db8::/32' }] };
    expect(m(p, { ip: '2001:db8::1' })).toBe(true);
    expect(m(p, { ip: '2001:0DB8:ffff:0:0:0:0:1' })).toBe(true);
    expect(m(p, { ip: '2001:db9::1' })).toBe(false);
    expect(m(p, { ip: '10.0.0.1' })).toBe(false);
    expect(m({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '2001:db8::1' })).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 address as IPv4', () => {
    expect(m({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '::ffff:10.0.0.9' })).toBe(true);
  });
});

describe('wildcard', () => {
  const w = (pattern: string, value: unknown) => m({ s: [{ wildcard: pattern }] }, { s: value });

  it('* matches zero, one or many characters anywhere', () => {
    expect(w('*.png', '.png')).toBe(true);
    expect(w('*.png', 'a.png')).toBe(true);
    expect(w('dir/*/file', 'dir//file')).toBe(true);
    expect(w('dir/*/file', 'dir/a/b/file')).toBe(true);
    expect(w('*Title*', 'The Title Here')).toBe(true);
    expect(w('a*b*c', 'abc')).toBe(true);
    expect(w('a*b*c', 'acb')).toBe(false);
    expect(w('*', '')).toBe(true);
  });

  it('without * is an exact, case-sensitive match', () => {
    expect(w('abc', 'abc')).toBe(true);
    expect(w('abc', 'ABC')).toBe(false);
    expect(w('abc', 'abcd')).toBe(false);
  });

  it('does not let overlapping literals around * double-count characters', () => {
    expect(w('ab*ba', 'aba')).toBe(false);
    expect(w('ab*ba', 'abba')).toBe(true);
  });

  it('treats \\* as a literal asterisk and \\\\ as a literal backslash', () => {
    expect(w('a\\*b', 'a*b')).toBe(true);
    expect(w('a\\*b', 'axb')).toBe(false);
    expect(w('c:\\\\*', 'c:\\dir')).toBe(true);
  });

  it('matches only strings', () => {
    expect(w('*', 5)).toBe(false);
    expect(w('*', null)).toBe(false);
  });
});

describe('$or', () => {
  it('works at the top level and combines with sibling fields as AND', () => {
    const p = { source: ['a'], $or: [{ x: [1] }, { y: [2] }] };
    expect(m(p, { source: 'a', y: 2 })).toBe(true);
    expect(m(p, { source: 'b', y: 2 })).toBe(false);
    expect(m(p, { source: 'a', x: 2, y: 3 })).toBe(false);
  });

  it('works nested, and nested $or inside an $or branch', () => {
    const p = {
      detail: {
        $or: [{ a: ['1'] }, { b: ['2'], $or: [{ c: ['3'] }, { d: ['4'] }] }],
      },
    };
    expect(m(p, { detail: { a: '1' } })).toBe(true);
    expect(m(p, { detail: { b: '2', d: '4' } })).toBe(true);
    expect(m(p, { detail: { b: '2' } })).toBe(false);
  });

  it('allows branches with operators and exists', () => {
    const p = { $or: [{ n: [{ numeric: ['>', 10] }] }, { flag: [{ exists: false }] }] };
    expect(m(p, { n: 11, flag: 1 })).toBe(true);
    expect(m(p, { n: 1 })).toBe(true);
    expect(m(p, { n: 1, flag: 1 })).toBe(false);
  });
});

describe('compileEventPattern', () => {
  it('validates once and returns a reusable matcher', () => {
    const match = compileEventPattern({ source: ['aws.ec2'] });
    expect(match({ source: 'aws.ec2' })).toBe(true);
    expect(match({ source: 'aws.s3' })).toBe(false);
  });

  it('accepts the pattern as JSON text', () => {
    expect(compileEventPattern('{"source":["aws.ec2"]}')({ source: 'aws.ec2' })).toBe(true);
    expect(validateEventPattern('{"source":["aws.ec2"]}')).toEqual({ source: ['aws.ec2'] });
  });

  it('throws InvalidEventPatternError for a malformed pattern before any event is seen', () => {
    expect(() => compileEventPattern({ source: 'aws.ec2' })).toThrow(InvalidEventPatternError);
  });
});

describe('validation (as PutRule would reject)', () => {
  it('returns a valid pattern unchanged', () => {
    const p = { source: ['a'], detail: { n: [{ numeric: ['>', 0, '<', 1] }] } };
    expect(validateEventPattern(p)).toBe(p);
  });

  it('rejects a pattern that is not an object, or not valid JSON text', () => {
    expectInvalid(null, 'Filter is not an object');
    expectInvalid([], 'Filter is not an object');
    expectInvalid(42, 'Filter is not an object');
    expectInvalid('{nope', 'Filter is not valid JSON');
  });

  it('rejects empty objects and empty value lists', () => {
    expectInvalid({}, 'Empty objects are not allowed');
    expectInvalid({ detail: {} }, 'Empty objects are not allowed');
    expectInvalid({ source: [] }, 'Empty arrays are not allowed');
  });

  it('rejects a leaf that is not an array', () => {
    expectInvalid({ source: 'aws.ec2' }, '"source" must be an object or an array');
    expectInvalid({ detail: { n: 5 } }, '"n" must be an object or an array');
    expectInvalid({ detail: { n: null } }, '"n" must be an object or an array');
  });

  it('reports the path of the offending field', () => {
    try {
      validateEventPattern({ detail: { state: 'x' } });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidEventPatternError).path).toBe('detail.state');
    }
  });

  it('rejects nested arrays as match values', () => {
    expectInvalid({ s: [['a']] }, 'Match value must be String, number, true, false, or null');
  });

  it('rejects unknown operators and operator objects with zero or several keys', () => {
    expectInvalid({ s: [{ contains: 'a' }] }, 'Unrecognized match type contains');
    expectInvalid({ s: [{}] }, 'Match expression name not found');
    expectInvalid({ s: [{ prefix: 'a', suffix: 'b' }] }, 'Only one key allowed in match expression');
  });

  it('rejects non-string prefix, suffix, equals-ignore-case and wildcard values', () => {
    expectInvalid({ s: [{ prefix: 1 }] }, 'prefix match pattern must be a string');
    expectInvalid({ s: [{ suffix: ['a'] }] }, 'suffix match pattern must be a string');
    expectInvalid({ s: [{ prefix: { 'equals-ignore-case': 1 } }] }, 'prefix match pattern must be a string');
    expectInvalid({ s: [{ prefix: { wildcard: 'a*' } }] }, 'Unsupported prefix pattern: wildcard');
    expectInvalid({ s: [{ 'equals-ignore-case': null }] }, 'equals-ignore-case match pattern must be a string');
    expectInvalid({ s: [{ wildcard: 5 }] }, 'wildcard match pattern must be a string');
  });

  it('rejects consecutive wildcards and bad escapes', () => {
    expectInvalid({ s: [{ wildcard: 'a**b' }] }, /^Consecutive wildcard characters/);
    expectInvalid({ s: [{ wildcard: 'a\\b' }] }, /^Invalid escape character/);
    expectInvalid({ s: [{ wildcard: 'a\\' }] }, /^Invalid escape character/);
  });

  it('rejects malformed anything-but values', () => {
    expectInvalid(
      { s: [{ 'anything-but': true }] },
      'Value of anything-but must be an array or single string/number value.',
    );
    expectInvalid(
      { s: [{ 'anything-but': null }] },
      'Value of anything-but must be an array or single string/number value.',
    );
    expectInvalid(
      { s: [{ 'anything-but': ['a', 1] }] },
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
    expectInvalid(
      { s: [{ 'anything-but': [] }] },
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
    expectInvalid(
      { s: [{ 'anything-but': [null] }] },
      'Inside anything but list, start|null|boolean is not supported.',
    );
    expectInvalid({ s: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'Unsupported anything-but pattern: numeric');
    expectInvalid({ s: [{ 'anything-but': { prefix: '' } }] }, 'Null prefix/suffix not allowed');
    expectInvalid({ s: [{ 'anything-but': { prefix: 5 } }] }, 'prefix/suffix match pattern must be a string');
    expectInvalid({ s: [{ 'anything-but': { wildcard: 'a**' } }] }, /^Consecutive wildcard characters/);
  });

  it('rejects bad numeric expressions', () => {
    const bad = (expr: unknown) => ({ n: [{ numeric: expr }] });
    expectInvalid(bad('>'), 'Value of numeric must be an array.');
    expectInvalid(bad([]), 'Invalid member in numeric match: ]');
    expectInvalid(bad([5, '>']), 'Invalid member in numeric match: 5');
    expectInvalid(bad(['!=', 5]), 'Unrecognized numeric range operator: !=');
    expectInvalid(bad(['>', '5']), 'Value of > must be numeric');
    expectInvalid(bad(['=']), 'Value of equals must be numeric');
    expectInvalid(bad(['=', 5, '<', 6]), 'Too many elements in numeric expression');
    expectInvalid(bad(['<', 5, '>', 1]), 'Too many elements in numeric expression');
    expectInvalid(bad(['>', 0, 5]), 'Bad value in numeric range: 5');
    expectInvalid(bad(['>', 0, '>', 5]), 'Bad numeric range operator: >');
    expectInvalid(bad(['>', 0, '<', 'x']), 'Value of < must be numeric');
    expectInvalid(bad(['>', 0, '<', 5, '<', 6]), 'Too many terms in numeric range expression');
    expectInvalid(bad(['>', 5, '<', 5]), 'Bottom must be less than top');
    expectInvalid(bad(['>=', 6, '<=', 5]), 'Bottom must be less than top');
    expectInvalid(bad(['>', Number.NaN]), 'Value of > must be numeric');
  });

  it('rejects bad exists values', () => {
    expectInvalid({ f: [{ exists: 'true' }] }, 'exists match pattern must be either true or false.');
  });

  it('rejects bad CIDR blocks', () => {
    const bad = (cidr: unknown) => ({ ip: [{ cidr }] });
    expectInvalid(bad(10), 'cidr match pattern must be a string');
    expectInvalid(bad('10.0.0.0'), "Malformed CIDR, one '/' required");
    expectInvalid(bad('10.0.0.0/8/8'), "Malformed CIDR, one '/' required");
    expectInvalid(bad('10.0.0.0/x'), 'Malformed CIDR, mask bits must be an integer');
    expectInvalid(bad('10.0.0.0/-1'), 'Malformed CIDR, mask bits must not be negative');
    expectInvalid(bad('10.0.0.256/8'), 'Nonstandard IP address: 10.0.0.256');
    expectInvalid(bad('example.com/8'), 'Nonstandard IP address: example.com');
    expectInvalid(bad('1:2:3:4:5:6:7:8:9/64'), 'Nonstandard IP address: 1:2:3:4:5:6:7:8:9');
    expectInvalid(bad('10.0.0.1/32'), 'IPv4 mask bits must be < 32');
    expectInvalid(bad('::1/128'), 'IPv6 mask bits must be < 128');
  });

  it('rejects malformed $or', () => {
    expectInvalid({ $or: { a: ['x'] } }, 'It must be an Array followed with $or.');
    expectInvalid({ $or: [{ a: ['x'] }] }, 'There must have at least 2 Objects in $or relationship.');
    expectInvalid({ $or: [{ a: ['x'] }, 'b'] }, 'Only JSON object is allowed in array of $or relationship.');
    expectInvalid({ $or: [{ a: ['x'] }, {}] }, 'Empty objects are not allowed');
    expectInvalid(
      { $or: [{ a: ['x'] }, { prefix: ['b'] }] },
      'prefix is a reserved field name which cannot be used inside $or.',
    );
  });

  it('is a DomainError with status 400 and the field path in its details', () => {
    try {
      validateEventPattern({ detail: { n: [{ numeric: ['>', 'x'] }] } });
      expect.unreachable();
    } catch (error) {
      expect(isDomainError(error)).toBe(true);
      const err = error as InvalidEventPatternError;
      expect(err.status).toBe(400);
      expect(err.details).toEqual([{ field: 'detail.n', message: 'Value of > must be numeric' }]);
    }
  });

  it('matchesEventPattern also throws for a malformed pattern', () => {
    expect(() => matchesEventPattern({ s: [{ nope: 1 }] }, { s: 'a' })).toThrow(InvalidEventPatternError);
  });
});
