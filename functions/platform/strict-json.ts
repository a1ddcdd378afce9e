import {
  depthProblem,
  formatPath,
  keyProblem,
  MAX_JSON_DEPTH,
  numberProblem,
  stringProblem,
  type JsonIssue,
} from '../../schemas/json-rules.js';
import { ValidationError } from '../domain/errors.js';

/**
 * The JSON reader of the HTTP edge: RFC 8259 syntax, plus the rules of schemas/json-rules.ts checked
 * while reading, so that what is accepted is what gets stored. Refuses, naming each path:
 * - a key repeated in an object (JSON.parse keeps the last one; other readers keep the first, so the
 *   same text would mean two things);
 * - number text a double does not carry exactly (12345678901234567, 0.30000000000000001) or outside
 *   the stored range;
 * - empty, reserved or ill-formed keys, and strings with lone surrogates;
 * - nesting deeper than MAX_JSON_DEPTH, detected on the way down: the reader keeps its own stack of
 *   open containers and never recurses, so 10,000 levels cost one refusal, not a stack overflow.
 *
 * Written here rather than taken from npm: JSON.parse hides duplicates and number text, and the
 * maintained alternatives do not fit (lossless-json refuses only duplicates whose values differ,
 * reports offsets instead of paths and recurses per level; secure-json-parse guards prototype keys but
 * sits on JSON.parse). Bodies are at most 64 KB, so a plain character loop is fast enough.
 */
export function parseStrictJson(text: string, maxIssues = 20): unknown {
  const issues: JsonIssue[] = [];
  const report = (path: ReadonlyArray<string | number>, message: string) => {
    if (issues.length < maxIssues) issues.push({ path: [...path], message });
  };
  type Frame =
    | { kind: 'object'; value: Record<string, unknown>; keys: Set<string>; key: string }
    | { kind: 'array'; value: unknown[] };
  const stack: Frame[] = [];
  /** Path of the value being read: one segment per open container. */
  const path: Array<string | number> = [];
  let i = 0;

  const fail = (what: string): never => {
    throw new ValidationError('request body is not valid JSON', {
      details: [{ field: 'body', message: `malformed JSON: ${what} at position ${i}` }],
    });
  };
  const skipWhitespace = () => {
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    }
  };

  const readString = (): string => {
    i++; // the opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) return fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        const simple = e === undefined ? undefined : ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === 'u' && HEX4.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          return fail('invalid escape');
        }
        start = i;
        continue;
      }
      if (c < 0x20) return fail('control character in a string');
      i++;
    }
  };

  const readKey = (frame: Extract<Frame, { kind: 'object' }>) => {
    skipWhitespace();
    if (text.charCodeAt(i) !== 0x22) fail('expected a key');
    const key = readString();
    skipWhitespace();
    if (text.charCodeAt(i) !== 0x3a) fail("expected ':'");
    i++;
    if (frame.keys.has(key)) report([...path, key], 'duplicate key: JSON readers disagree on which of the values wins');
    else {
      const problem = keyProblem(key);
      if (problem) report([...path, key], problem);
    }
    frame.keys.add(key);
    frame.key = key;
    path.push(key);
  };

  for (;;) {
    skipWhitespace();
    const c = text.charCodeAt(i);
    let value: unknown;
    if (c === 0x7b || c === 0x5b) {
      if (stack.length + 1 > MAX_JSON_DEPTH) {
        report(path, depthProblem());
        throw refusal(issues);
      }
      i++;
      skipWhitespace();
      if (c === 0x7b) {
        const frame: Frame = { kind: 'object', value: {}, keys: new Set(), key: '' };
        if (text.charCodeAt(i) === 0x7d) {
          i++;
          value = frame.value;
        } else {
          stack.push(frame);
          readKey(frame);
          continue;
        }
      } else {
        const frame: Frame = { kind: 'array', value: [] };
        if (text.charCodeAt(i) === 0x5d) {
          i++;
          value = frame.value;
        } else {
          stack.push(frame);
          path.push(0);
          continue;
        }
      }
    } else if (c === 0x22) {
      value = readString();
      const problem = stringProblem(value as string);
      if (problem) report(path, problem);
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)?.[0];
      if (!literal) return fail('invalid number');
      i += literal.length;
      value = Number(literal);
      const problem = numberTextProblem(literal, value as number);
      if (problem) report(path, problem);
      // DynamoDB has no negative zero (the SDK writes -0 as 0): read it as the 0 it will be stored as, so
      // every store, in-memory fakes included, keeps what the table would.
      if (Object.is(value, -0)) value = 0;
    } else if (text.startsWith('true', i)) {
      value = true;
      i += 4;
    } else if (text.startsWith('false', i)) {
      value = false;
      i += 5;
    } else if (text.startsWith('null', i)) {
      value = null;
      i += 4;
    } else {
      return fail(i >= text.length ? 'unexpected end' : 'unexpected character');
    }

    // A value is complete: store it in the open container, then read a separator or close it.
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) {
        skipWhitespace();
        if (i !== text.length) fail('unexpected text after the value');
        if (issues.length > 0) throw refusal(issues);
        return value;
      }
      // defineProperty, not assignment: an own "__proto__" key must not set the prototype.
      if (top.kind === 'object')
        Object.defineProperty(top.value, top.key, { value, enumerable: true, writable: true, configurable: true });
      else top.value.push(value);
      skipWhitespace();
      const d = text.charCodeAt(i);
      if (d === 0x2c) {
        i++;
        path.pop();
        if (top.kind === 'object') readKey(top);
        else path.push(top.value.length);
        break;
      }
      if (d === (top.kind === 'object' ? 0x7d : 0x5d)) {
        i++;
        stack.pop();
        path.pop();
        value = top.value;
        continue;
      }
      return fail(top.kind === 'object' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const HEX4 = /^[0-9A-Fa-f]{4}$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const INTEGER_TEXT = /^-?[0-9]+$/;

function refusal(issues: JsonIssue[]): ValidationError {
  const details = issues.map((issue) => ({ field: formatPath(issue.path) || 'body', message: issue.message }));
  return new ValidationError(`invalid body: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, { details });
}

/**
 * Why number text cannot be stored as written, if it cannot: out of range, or not carried exactly by
 * the double it parses to (the SDK writes `String(n)` to DynamoDB, so that is what would be stored).
 */
export function numberTextProblem(literal: string, n: number): string | undefined {
  const mantissa = literal.split(/[eE]/)[0]!;
  if (INTEGER_TEXT.test(literal) && !Number.isSafeInteger(n))
    return 'integer outside the exactly representable range (magnitude at most 2^53 - 1); send it as a string';
  const range = numberProblem(n);
  if (range) return range;
  // Text like 1e-400 parses to 0: below the smallest magnitude, whatever it rounded to.
  if (n === 0 && /[1-9]/.test(mantissa)) return numberProblem(Number.MIN_VALUE);
  const stored = String(n);
  if (decimal(literal) !== decimal(stored))
    return `number has more significant digits than a 64-bit float keeps (it would be stored as ${stored}); send it as a string`;
  return undefined;
}

/** Canonical text of a decimal number: sign, significant digits without leading or trailing zeros, exponent. */
function decimal(text: string): string {
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!m) return text;
  const fraction = m[3] ?? '';
  const all = `${m[2]}${fraction}`.replace(/^0+/, '');
  if (all === '') return '0';
  const digits = all.replace(/0+$/, '');
  const exponent = Number(m[4] ?? '0') - fraction.length + (all.length - digits.length);
  return `${m[1]}${digits}e${exponent}`;
}
