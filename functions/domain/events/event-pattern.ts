/**
 * Amazon EventBridge event-pattern validation and matching, with AWS's semantics.
 *
 * Semantics follow the EventBridge user guide ("Event patterns", "Comparison operators",
 * "Arrays in event patterns", "Null values and empty strings") and, where the guide is
 * silent, aws/event-ruler (the matching library behind EventBridge):
 *
 * - A pattern is compiled into one or more branches (a `$or` forks branches). A branch maps a
 *   flattened field path ("detail.state") to a list of alternatives (OR); all fields must match (AND).
 * - The event is flattened to its leaf values (string, number, boolean, null). Objects are not leaves,
 *   arrays are "crushed out": every element is a candidate value for the same path. Matching is
 *   array-consistent: two fields of one branch can't be satisfied by different elements of the same array.
 * - A missing field (or an object, or an empty array) has no leaf values, so only `{"exists": false}` matches it.
 * - Type-strict: the string "5" never equals the number 5; numeric and cidr only match numbers / IP strings;
 *   prefix, suffix, equals-ignore-case and wildcard only match strings. Anything-but matches every leaf
 *   value except the excluded ones (so a number satisfies `{"anything-but": "x"}`).
 *
 * Pure TypeScript: no AWS SDK, no environment access.
 */

import type { EventPattern } from '../../../schemas/event-pattern.js';
import { DomainError } from '../errors.js';

export type { EventPattern };

/**
 * A malformed pattern, rejected as EventBridge's PutRule would. A DomainError with code
 * VALIDATION_ERROR and status 400, so the HTTP edge maps it like any other validation failure.
 */
export class InvalidEventPatternError extends DomainError {
  override readonly name = 'InvalidEventPatternError';
  readonly code = 'VALIDATION_ERROR' as const;
  readonly status = 400;
  /** Dotted path of the pattern field at fault, when known. */
  readonly path: string | undefined;
  /** The reason alone, as EventBridge words it after "Event pattern is not valid. Reason: ". */
  readonly reason: string;

  constructor(reason: string, path?: string) {
    super(`Event pattern is not valid. Reason: ${reason}${path ? ` (at "${path}")` : ''}`, {
      details: [{ ...(path ? { field: path } : {}), message: reason }],
    });
    this.reason = reason;
    this.path = path;
  }
}

type Leaf = string | number | boolean | null;
type LeafTest = (value: Leaf) => boolean;

interface FieldSpec {
  path: string;
  /** Alternatives that test a present leaf value (exists:true is a test that always passes). */
  tests: LeafTest[];
  /** True when one alternative is `{"exists": false}`. */
  absent: boolean;
}

type Branch = Map<string, FieldSpec>;

interface CompiledPattern {
  branches: FieldSpec[][];
}

const OR = '$or';
const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;
const RESERVED_IN_OR = new Set<string>(OPERATORS);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function joinPath(parent: string, key: string): string {
  // event-ruler joins with '.', so {"a": {"b": ...}} and {"a.b": ...} address the same field.
  return parent ? `${parent}.${key}` : key;
}

// ---------------------------------------------------------------------------------------------
// Pattern compilation (validation happens here)
// ---------------------------------------------------------------------------------------------

function compile(pattern: unknown): CompiledPattern {
  let root = pattern;
  if (typeof root === 'string') {
    try {
      root = JSON.parse(root);
    } catch {
      throw new InvalidEventPatternError('Filter is not valid JSON');
    }
  }
  if (!isPlainObject(root)) throw new InvalidEventPatternError('Filter is not an object');
  const branches = compileObject(root, '', [new Map()], false);
  return {
    // Ruler visits a rule's fields in lexical order of their names; `exists: false` is evaluated
    // against the array elements pinned by the fields before it, so keep that order.
    branches: branches.map((b) => [...b.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))),
  };
}

function compileObject(obj: Record<string, unknown>, path: string, branches: Branch[], insideOr: boolean): Branch[] {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new InvalidEventPatternError('Empty objects are not allowed', path || undefined);
  let current = branches;
  for (const key of keys) {
    const value = obj[key];
    if (key === OR) {
      current = compileOr(value, path, current);
      continue;
    }
    const fieldPath = joinPath(path, key);
    if (insideOr && RESERVED_IN_OR.has(key)) {
      throw new InvalidEventPatternError(
        `${key} is a reserved field name which cannot be used inside ${OR}.`,
        fieldPath,
      );
    }
    if (Array.isArray(value)) {
      const spec = compileLeaf(value, fieldPath);
      // Ruler stores one value list per field name and branch; a later list for the same name replaces it.
      for (const branch of current) branch.set(fieldPath, spec);
    } else if (isPlainObject(value)) {
      current = compileObject(value, fieldPath, current, insideOr);
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`, fieldPath);
    }
  }
  return current;
}

function compileOr(value: unknown, path: string, branches: Branch[]): Branch[] {
  const at = joinPath(path, OR);
  if (!Array.isArray(value)) throw new InvalidEventPatternError(`It must be an Array followed with ${OR}.`, at);
  if (value.length < 2) {
    throw new InvalidEventPatternError(`There must have at least 2 Objects in ${OR} relationship.`, at);
  }
  const result: Branch[] = [];
  for (const option of value) {
    if (!isPlainObject(option)) {
      throw new InvalidEventPatternError(`Only JSON object is allowed in array of ${OR} relationship.`, at);
    }
    const forked = branches.map((b) => new Map(b));
    result.push(...compileObject(option, path, forked, true));
  }
  return result;
}

function compileLeaf(values: unknown[], path: string): FieldSpec {
  if (values.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed', path);
  const spec: FieldSpec = { path, tests: [], absent: false };
  for (const value of values) {
    if (value === null || typeof value === 'boolean') {
      spec.tests.push((v) => v === value);
    } else if (typeof value === 'string') {
      spec.tests.push(exactStringTest(value));
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        throw new InvalidEventPatternError('Match value must be String, number, true, false, or null', path);
      }
      spec.tests.push((v) => typeof v === 'number' && v === value);
    } else if (isPlainObject(value)) {
      const op = compileOperator(value, path);
      if (op === 'absent') spec.absent = true;
      else spec.tests.push(op);
    } else {
      throw new InvalidEventPatternError('Match value must be String, number, true, false, or null', path);
    }
  }
  return spec;
}

function exactStringTest(expected: string): LeafTest {
  const ip = parseIp(expected);
  if (!ip) return (v) => v === expected;
  // Ruler turns an IP literal into an address match, so equivalent spellings of the address match too.
  return (v) => {
    if (typeof v !== 'string') return false;
    if (v === expected) return true;
    const other = parseIp(v);
    return other !== null && bytesEqual(ip, other);
  };
}

function singleOperator(expr: Record<string, unknown>, path: string): [string, unknown] {
  const entries = Object.entries(expr);
  if (entries.length === 0) throw new InvalidEventPatternError('Match expression name not found', path);
  if (entries.length > 1) throw new InvalidEventPatternError('Only one key allowed in match expression', path);
  return entries[0] as [string, unknown];
}

function compileOperator(expr: Record<string, unknown>, path: string): LeafTest | 'absent' {
  const [op, arg] = singleOperator(expr, path);
  switch (op) {
    case 'prefix':
    case 'suffix': {
      const ignoreCase = isPlainObject(arg);
      let text: unknown = arg;
      if (isPlainObject(arg)) {
        const [inner, innerArg] = singleOperator(arg, path);
        if (inner !== 'equals-ignore-case') {
          throw new InvalidEventPatternError(`Unsupported ${op} pattern: ${inner}`, path);
        }
        text = innerArg;
      }
      if (typeof text !== 'string') throw new InvalidEventPatternError(`${op} match pattern must be a string`, path);
      const needle = ignoreCase ? text.toLowerCase() : text;
      const has = op === 'prefix' ? (s: string) => s.startsWith(needle) : (s: string) => s.endsWith(needle);
      return (v) => typeof v === 'string' && has(ignoreCase ? v.toLowerCase() : v);
    }
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') {
        throw new InvalidEventPatternError('equals-ignore-case match pattern must be a string', path);
      }
      return (v) => typeof v === 'string' && equalsIgnoreCase(v, arg);
    }
    case 'wildcard': {
      if (typeof arg !== 'string') throw new InvalidEventPatternError('wildcard match pattern must be a string', path);
      const glob = compileWildcard(arg, path);
      return (v) => typeof v === 'string' && glob(v);
    }
    case 'anything-but':
      return compileAnythingBut(arg, path);
    case 'numeric': {
      const inRange = compileNumeric(arg, path);
      return (v) => typeof v === 'number' && inRange(v);
    }
    case 'exists':
      if (arg === true) return () => true;
      if (arg === false) return 'absent';
      throw new InvalidEventPatternError('exists match pattern must be either true or false.', path);
    case 'cidr': {
      if (typeof arg !== 'string') throw new InvalidEventPatternError('cidr match pattern must be a string', path);
      const inCidr = compileCidr(arg, path);
      return (v) => {
        if (typeof v !== 'string') return false;
        const ip = parseIp(v);
        return ip !== null && inCidr(ip);
      };
    }
    default:
      throw new InvalidEventPatternError(`Unrecognized match type ${op}`, path);
  }
}

function equalsIgnoreCase(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

function compileAnythingBut(arg: unknown, path: string): LeafTest {
  if (isPlainObject(arg)) {
    const [inner, innerArg] = singleOperator(arg, path);
    const texts = Array.isArray(innerArg) ? innerArg : [innerArg];
    if (texts.length === 0 || !texts.every((t): t is string => typeof t === 'string')) {
      if (inner === 'prefix' || inner === 'suffix') {
        throw new InvalidEventPatternError('prefix/suffix match pattern must be a string', path);
      }
      if (inner === 'equals-ignore-case' || inner === 'wildcard') {
        throw new InvalidEventPatternError(
          `Inside anything-but/${inner} list, number|start|null|boolean is not supported.`,
          path,
        );
      }
      throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${inner}`, path);
    }
    let excluded: (s: string) => boolean;
    switch (inner) {
      case 'prefix':
      case 'suffix':
        if (texts.some((t) => t === '')) throw new InvalidEventPatternError('Null prefix/suffix not allowed', path);
        excluded =
          inner === 'prefix' ? (s) => texts.some((t) => s.startsWith(t)) : (s) => texts.some((t) => s.endsWith(t));
        break;
      case 'equals-ignore-case':
        excluded = (s) => texts.some((t) => equalsIgnoreCase(s, t));
        break;
      case 'wildcard': {
        const globs = texts.map((t) => compileWildcard(t, path));
        excluded = (s) => globs.some((g) => g(s));
        break;
      }
      default:
        throw new InvalidEventPatternError(`Unsupported anything-but pattern: ${inner}`, path);
    }
    // Only strings can be excluded by a string predicate; every other leaf value matches.
    return (v) => typeof v !== 'string' || !excluded(v);
  }

  const list = Array.isArray(arg) ? arg : [arg];
  if (!Array.isArray(arg) && typeof arg !== 'string' && !(typeof arg === 'number' && Number.isFinite(arg))) {
    throw new InvalidEventPatternError('Value of anything-but must be an array or single string/number value.', path);
  }
  const strings = new Set<string>();
  const numbers: number[] = [];
  for (const item of list) {
    if (typeof item === 'string') strings.add(item);
    else if (typeof item === 'number' && Number.isFinite(item)) numbers.push(item);
    else throw new InvalidEventPatternError('Inside anything but list, start|null|boolean is not supported.', path);
  }
  if (strings.size > 0 === numbers.length > 0) {
    throw new InvalidEventPatternError(
      'Inside anything but list, either all values are number or string, mixed type is not supported',
      path,
    );
  }
  return (v) => {
    if (typeof v === 'string') return !strings.has(v);
    if (typeof v === 'number') return !numbers.includes(v);
    return true;
  };
}

function compileNumeric(arg: unknown, path: string): (n: number) => boolean {
  if (!Array.isArray(arg)) throw new InvalidEventPatternError('Value of numeric must be an array.', path);
  const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  const [op1, val1, op2, val2, ...rest] = arg as unknown[];
  if (typeof op1 !== 'string') {
    throw new InvalidEventPatternError(`Invalid member in numeric match: ${arg.length ? describe(op1) : ']'}`, path);
  }
  if (!['=', '<', '<=', '>', '>='].includes(op1)) {
    throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${op1}`, path);
  }
  if (!isNum(val1))
    throw new InvalidEventPatternError(`Value of ${op1 === '=' ? 'equals' : op1} must be numeric`, path);
  if (arg.length === 2) {
    switch (op1) {
      case '=':
        return (n) => n === val1;
      case '<':
        return (n) => n < val1;
      case '<=':
        return (n) => n <= val1;
      case '>':
        return (n) => n > val1;
      default:
        return (n) => n >= val1;
    }
  }
  // Only a lower bound may be followed by an upper bound.
  if (op1 !== '>' && op1 !== '>=') throw new InvalidEventPatternError('Too many elements in numeric expression', path);
  if (typeof op2 !== 'string') throw new InvalidEventPatternError(`Bad value in numeric range: ${describe(op2)}`, path);
  if (op2 !== '<' && op2 !== '<=') throw new InvalidEventPatternError(`Bad numeric range operator: ${op2}`, path);
  if (!isNum(val2)) throw new InvalidEventPatternError(`Value of ${op2} must be numeric`, path);
  if (rest.length > 0) throw new InvalidEventPatternError('Too many terms in numeric range expression', path);
  if (!(val1 < val2)) throw new InvalidEventPatternError('Bottom must be less than top', path);
  const lowOk = op1 === '>' ? (n: number) => n > val1 : (n: number) => n >= val1;
  const highOk = op2 === '<' ? (n: number) => n < val2 : (n: number) => n <= val2;
  return (n) => lowOk(n) && highOk(n);
}

/**
 * `*` matches any run of characters (including none); `\*` is a literal asterisk and `\\` a literal
 * backslash. Any other escape, a dangling backslash, or two consecutive wildcards is invalid.
 */
function compileWildcard(pattern: string, path: string): (s: string) => boolean {
  const segments: string[] = [''];
  let previousWasWildcard = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') {
      if (previousWasWildcard) {
        throw new InvalidEventPatternError(`Consecutive wildcard characters at pos ${i}`, path);
      }
      segments.push('');
      previousWasWildcard = true;
      continue;
    }
    previousWasWildcard = false;
    let literal = ch;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError(`Invalid escape character at pos ${i}`, path);
      }
      literal = next;
      i++;
    }
    segments[segments.length - 1] += literal;
  }
  if (segments.length === 1) {
    const only = segments[0] as string;
    return (s) => s === only;
  }
  const first = segments[0] as string;
  const last = segments[segments.length - 1] as string;
  const middle = segments.slice(1, -1);
  // Greedy glob match: anchor the first and last literal runs, then find the middle runs left to right.
  return (s) => {
    if (s.length < first.length + last.length) return false;
    if (!s.startsWith(first) || !s.endsWith(last)) return false;
    let pos = first.length;
    const end = s.length - last.length;
    for (const seg of middle) {
      const at = s.indexOf(seg, pos);
      if (at < 0 || at + seg.length > end) return false;
      pos = at + seg.length;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDR blocks
// ---------------------------------------------------------------------------------------------

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): number[] | null {
  const m = IPV4.exec(text);
  if (!m) return null;
  const bytes = m.slice(1, 5).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

function parseIpv6(text: string): number[] | null {
  if (!text.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] as string;
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (!v4) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (!head || !tail) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** 4 bytes for IPv4 (including IPv4-mapped IPv6, as Java's InetAddress does), 16 for IPv6, else null. */
function parseIp(text: string): number[] | null {
  const v4 = parseIpv4(text);
  if (v4) return v4;
  const v6 = parseIpv6(text);
  if (!v6) return null;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

function bytesEqual(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function compileCidr(cidr: string, path: string): (ip: number[]) => boolean {
  const parts = cidr.split('/');
  if (parts.length !== 2) throw new InvalidEventPatternError("Malformed CIDR, one '/' required", path);
  const [address, maskText] = parts as [string, string];
  if (!/^-?\d+$/.test(maskText)) {
    throw new InvalidEventPatternError('Malformed CIDR, mask bits must be an integer', path);
  }
  const maskBits = Number(maskText);
  if (maskBits < 0) throw new InvalidEventPatternError('Malformed CIDR, mask bits must not be negative', path);
  const base = parseIp(address);
  if (!base) throw new InvalidEventPatternError(`Nonstandard IP address: ${address}`, path);
  // event-ruler rejects /32 and /128 (use an exact IP value instead).
  if (base.length === 4 && maskBits > 31) throw new InvalidEventPatternError('IPv4 mask bits must be < 32', path);
  if (base.length === 16 && maskBits > 127) throw new InvalidEventPatternError('IPv6 mask bits must be < 128', path);
  return (ip) => {
    if (ip.length !== base.length) return false;
    let bits = maskBits;
    for (let i = 0; i < base.length && bits > 0; i++, bits -= 8) {
      const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if (((ip[i] as number) & mask) !== ((base[i] as number) & mask)) return false;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Event flattening and array-consistent matching
// ---------------------------------------------------------------------------------------------

/** Which element of which array (arrays are numbered per event) a leaf value sits in. */
type Membership = ReadonlyMap<number, number>;

interface FlatLeaf {
  value: Leaf;
  membership: Membership;
}

const NO_MEMBERSHIP: Membership = new Map();

function flattenEvent(event: Record<string, unknown>): Map<string, FlatLeaf[]> {
  const leaves = new Map<string, FlatLeaf[]>();
  let nextArrayId = 0;
  const visit = (value: unknown, path: string, membership: Membership): void => {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return;
    if (Array.isArray(value)) {
      const id = nextArrayId++;
      value.forEach((element, index) => {
        const inner = new Map(membership);
        inner.set(id, index);
        visit(element, path, inner);
      });
      return;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) visit(child, joinPath(path, key), membership);
      return;
    }
    if (path === '') return;
    const leaf: Leaf = typeof value === 'bigint' ? Number(value) : (value as Leaf);
    let list = leaves.get(path);
    if (!list) leaves.set(path, (list = []));
    list.push({ value: leaf, membership });
  };
  visit(event, '', NO_MEMBERSHIP);
  return leaves;
}

function consistent(a: Membership, b: Membership): boolean {
  if (a.size === 0 || b.size === 0) return true;
  for (const [id, index] of b) {
    const other = a.get(id);
    if (other !== undefined && other !== index) return false;
  }
  return true;
}

function merge(a: Membership, b: Membership): Membership {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const out = new Map(a);
  for (const [id, index] of b) out.set(id, index);
  return out;
}

function matchFields(
  fields: FieldSpec[],
  index: number,
  membership: Membership,
  leaves: Map<string, FlatLeaf[]>,
): boolean {
  const field = fields[index];
  if (!field) return true;
  const candidates = (leaves.get(field.path) ?? []).filter((leaf) => consistent(membership, leaf.membership));
  if (field.absent && candidates.length === 0 && matchFields(fields, index + 1, membership, leaves)) return true;
  for (const leaf of candidates) {
    if (field.tests.some((test) => test(leaf.value))) {
      if (matchFields(fields, index + 1, merge(membership, leaf.membership), leaves)) return true;
    }
  }
  return false;
}

function run(compiled: CompiledPattern, event: Record<string, unknown>): boolean {
  const leaves = flattenEvent(event);
  return compiled.branches.some((fields) => matchFields(fields, 0, NO_MEMBERSHIP, leaves));
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Checks a pattern the way EventBridge's PutRule would and returns it as an object.
 * Accepts the pattern as an object or as its JSON text. Throws InvalidEventPatternError.
 */
export function validateEventPattern(pattern: unknown): EventPattern {
  compile(pattern);
  return (typeof pattern === 'string' ? JSON.parse(pattern) : pattern) as EventPattern;
}

/** True when the event matches the pattern. Throws InvalidEventPatternError for a malformed pattern. */
export function matchesEventPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  return run(compile(pattern), event);
}

/** Validates once and returns a matcher to apply to many events. Throws InvalidEventPatternError. */
export function compileEventPattern(pattern: unknown): (event: Record<string, unknown>) => boolean {
  const compiled = compile(pattern);
  return (event) => run(compiled, event);
}
