/**
 * What a JSON value the API accepts may contain: every request body, and the free JSON it carries
 * (entity attributes, workflow step inputs, a run's input), must be storable in DynamoDB exactly as
 * sent and read back the same. Anything else is refused with the path of the offending value, never
 * changed silently and never left to fail as a 500 in the SDK or the table.
 *
 * - Numbers: finite, of magnitude at most 2^53 - 1 (`Number.MAX_SAFE_INTEGER`) and, if not zero, at
 *   least 1E-130. Above 2^53 a double cannot hold every integer, and the DynamoDB document client refuses
 *   such numbers; DynamoDB itself stores nothing of smaller magnitude than 1E-130. (The parser at the HTTP
 *   edge also refuses number text a double cannot carry exactly, such as 12345678901234567.)
 * - Nesting: at most MAX_JSON_DEPTH levels of objects and arrays. DynamoDB allows 32 levels in an item;
 *   the rest is room for the maps the platform puts around a body (an entity's `attributes`, a run's
 *   step records).
 * - Keys: not empty (DynamoDB has no empty attribute name), valid Unicode, and not the name of a member
 *   every JavaScript object inherits (`__proto__`, `constructor`, `toString`…): such an own key is read
 *   back as the inherited member by code (the SDK's marshaller included) that looks a key up with `obj[key]`.
 * - Strings: valid Unicode. A lone surrogate (`"\ud800"`) has no UTF-8 encoding, which DynamoDB requires.
 */

/** Deepest nesting of objects and arrays in a body or a free JSON value (the outermost counts as 1). */
export const MAX_JSON_DEPTH = 20;
/** Largest magnitude of a number: beyond it doubles skip integers. */
export const MAX_JSON_NUMBER = Number.MAX_SAFE_INTEGER;
/** Smallest magnitude of a non-zero number DynamoDB stores. */
export const MIN_JSON_NUMBER = 1e-130;

/**
 * Object.prototype's own property names (ECMAScript 2024, §20.1.3 and Annex B), refused as keys.
 * A unit test checks the list against the running engine.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'constructor',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
]);

export interface JsonIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

export function keyProblem(key: string): string | undefined {
  if (key === '') return 'empty keys cannot be stored';
  if (hasLoneSurrogate(key)) return 'key is not valid Unicode (a lone surrogate has no UTF-8 encoding)';
  if (RESERVED_KEYS.has(key)) return `"${key}" is reserved: every JavaScript object inherits a member of that name`;
  return undefined;
}

export function stringProblem(s: string): string | undefined {
  return hasLoneSurrogate(s) ? 'text is not valid Unicode (a lone surrogate has no UTF-8 encoding)' : undefined;
}

export function numberProblem(n: number): string | undefined {
  if (!Number.isFinite(n) || Math.abs(n) > MAX_JSON_NUMBER)
    return `number outside the exactly representable range (magnitude at most ${MAX_JSON_NUMBER}); send it as a string`;
  if (n !== 0 && Math.abs(n) < MIN_JSON_NUMBER)
    return 'number of magnitude below 1E-130, the smallest DynamoDB stores; send it as a string';
  return undefined;
}

export const depthProblem = (): string => `nested deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`;

const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * A path as the `field` of an error detail: segments joined by dots (array indexes as numbers, as zod
 * names them); a key that is empty or holds other characters is quoted as a JSON string, so an empty key
 * or a lone surrogate stays visible (JSON.stringify escapes lone surrogates).
 */
export function formatPath(path: ReadonlyArray<string | number>): string {
  return path.map((s) => (typeof s === 'number' || PLAIN_SEGMENT.test(s) ? String(s) : JSON.stringify(s))).join('.');
}

/**
 * Every breach of the rules above in an already parsed value, walked iteratively (a deep value cannot
 * exhaust the stack), at most `maxIssues`. A container beyond the depth limit is reported once and
 * not entered. Values of other types (undefined, functions, class instances) are left to the schema.
 */
export function jsonValueIssues(value: unknown, maxIssues = 20): JsonIssue[] {
  const issues: JsonIssue[] = [];
  const stack: Array<{ value: unknown; path: Array<string | number>; depth: number }> = [{ value, path: [], depth: 0 }];
  while (stack.length > 0 && issues.length < maxIssues) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = stringProblem(v);
      if (problem) issues.push({ path, message: problem });
    } else if (typeof v === 'number') {
      const problem = numberProblem(v);
      if (problem) issues.push({ path, message: problem });
    } else if (Array.isArray(v) || isPlainObject(v)) {
      if (depth + 1 > MAX_JSON_DEPTH) {
        issues.push({ path, message: depthProblem() });
        continue;
      }
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i], depth: depth + 1 });
      } else {
        const keys = Object.keys(v);
        for (const key of keys) {
          const problem = keyProblem(key);
          if (problem) issues.push({ path: [...path, key], message: problem });
        }
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i]!;
          if (!keyProblem(key))
            stack.push({ value: (v as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
        }
      }
    }
  }
  return issues.slice(0, maxIssues);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
