/**
 * Checking a vendor record against its zod schema. A record that does not match fails the whole page
 * (MalformedPageError): a vendor that sends one broken record may have sent others wrong in ways no schema sees, and
 * nothing of the page is committed. The message names the object, the record's id when it has a well-formed one, the
 * field path and what was expected, with the JSON type found: never the value, which may be personal data.
 */
import type * as z from 'zod';
import { MalformedPageError } from '../errors.js';

/** The JSON type of a value, for messages: never the value itself. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let at = raw;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

function problem(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'invalid_type') {
    const found = kindOf(valueAt(raw, issue.path));
    return found === 'nothing' ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${found}`;
  }
  // the schemas below phrase their own checks ("expected a Salesforce id …"); zod's own messages for the other
  // codes name the expectation (`expected "Contact"`), not the input
  return issue.message;
}

export interface RecordContext {
  /** The vendor's object name, as messages name it (`Contact`, `deals`, `workers`). */
  object: string;
  /** The record's id if the raw record has a well-formed one (checked: a malformed id is not echoed). */
  idOf(raw: unknown): string | undefined;
}

/** The record parsed by `schema`, or MalformedPageError naming the first field that does not match. */
export function parseRecord<S extends z.ZodType>(schema: S, raw: unknown, context: RecordContext): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const id = context.idOf(raw);
  const subject = `${context.object} ${id ?? 'record'}`;
  const path = first!.path.map(String).join('.');
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  const where = path === '' ? subject : `${subject} field ${path}`;
  throw new MalformedPageError(`${where}: ${problem(first!, raw)}${more}`);
}

/** The field of a raw record if it is a string matching `pattern` (for `idOf`). */
export function stringField(raw: unknown, field: string, pattern: RegExp): string | undefined {
  const value = valueAt(raw, [field]);
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}
