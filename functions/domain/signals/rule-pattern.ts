/**
 * Event patterns for the signal engine: the platform's EventBridge matcher (functions/domain/events/event-pattern.ts),
 * with an exact shortcut for the patterns signal rules mostly use.
 *
 * The matcher flattens the whole event into leaf values on every call, which costs microseconds; the engine tests
 * every event of a log against every pattern of every rule, so that cost dominates a replay. A pattern made only of
 * nested objects ending in lists of plain values (strings, numbers, booleans, null; no operator, no `$or`, no dotted
 * key) needs no flattening: each field is one walk down the event. The walk gives the matcher's answer whenever the
 * event is as simple as the pattern (no array on the walked path, no object or array where a value is expected), and
 * a "no" is only final when no key of the event contains a dot (EventBridge reads `{"a.b": 1}` as the path `a.b`).
 * In every other case the shortcut asks the matcher. The unit tests check both against each other on generated
 * patterns and events.
 */

import { compileEventPattern } from '../events/event-pattern.js';

export type EventMatcher = (event: Record<string, unknown>) => boolean;

type Plain = string | number | boolean | null;

interface SimpleField {
  path: string[];
  values: Set<Plain>;
}

// Strings the matcher may read as IP addresses (equivalent spellings match each other), left to the matcher: an
// IPv4 address has dots, an IPv6 one colons, both only hex digits besides.
const MAYBE_IP = /^[0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]*$/;

/** The fields of a pattern that the shortcut handles exactly, or null when the matcher must decide. */
export function simplePatternFields(pattern: Record<string, unknown>): SimpleField[] | null {
  const fields: SimpleField[] = [];
  const visit = (node: Record<string, unknown>, path: string[]): boolean => {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$or' || key.includes('.')) return false;
      if (Array.isArray(value)) {
        const values = new Set<Plain>();
        for (const item of value) {
          if (item === null || typeof item === 'boolean') values.add(item);
          else if (typeof item === 'number' && Number.isFinite(item)) values.add(item);
          else if (typeof item === 'string' && !MAYBE_IP.test(item)) values.add(item);
          else return false;
        }
        fields.push({ path: [...path, key], values });
      } else if (typeof value === 'object' && value !== null) {
        if (!visit(value as Record<string, unknown>, [...path, key])) return false;
      } else {
        return false;
      }
    }
    return true;
  };
  return visit(pattern, []) && fields.length > 0 ? fields : null;
}

function hasDottedKey(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false;
  if (Array.isArray(node)) return node.some(hasDottedKey);
  for (const key in node) {
    if (!Object.hasOwn(node, key)) continue;
    if (key.includes('.') || hasDottedKey((node as Record<string, unknown>)[key])) return true;
  }
  return false;
}

const UNDECIDED = Symbol('undecided');

/**
 * Validates the pattern with the platform's matcher (throws InvalidEventPatternError) and returns a matcher with
 * the matcher's answers.
 */
export function compileRulePattern(pattern: Record<string, unknown>): EventMatcher {
  const full = compileEventPattern(pattern);
  const fields = simplePatternFields(pattern);
  if (fields === null) return full;
  const one = (event: Record<string, unknown>, field: SimpleField): boolean | typeof UNDECIDED => {
    let node: unknown = event;
    for (const segment of field.path) {
      if (typeof node !== 'object' || node === null) return false;
      if (Array.isArray(node)) return UNDECIDED;
      if (!Object.hasOwn(node, segment)) return false;
      node = (node as Record<string, unknown>)[segment];
    }
    if (node === undefined || typeof node === 'function' || typeof node === 'symbol') return false;
    if (typeof node === 'object' && node !== null) return UNDECIDED;
    if (typeof node === 'bigint') return UNDECIDED;
    return field.values.has(node as Plain);
  };
  return (event) => {
    for (const field of fields) {
      const found = one(event, field);
      if (found === UNDECIDED) return full(event);
      if (!found) return hasDottedKey(event) ? full(event) : false;
    }
    return true;
  };
}
