/**
 * The check of every page a vendor sends with a success status: it must be the JSON envelope its API documents.
 * What is wrong is named (MalformedPageError): an empty answer, an HTML page, truncated JSON, an error body, a
 * missing or mistyped envelope field, a record that is not an object or lacks its id. Records themselves are the
 * normalisers' to validate, field by field. Messages name paths, sizes and codes, never values.
 */
import type * as z from 'zod';
import { MalformedPageError } from '../../../domain/connectors/errors.js';
import type { RawResponse } from './ports.js';

export interface EnvelopeSpec<T> {
  /** `Salesforce`, `HubSpot`, `Workday`. */
  vendor: string;
  /** What was asked for, for the message (`Contact query page`). */
  what: string;
  schema: z.ZodType<T>;
  /** The vendor's error code when `json` is one of its error bodies (sent with a success status by a broken proxy). */
  errorBody?: (json: unknown) => string | undefined;
}

/** Parses and checks the envelope; throws MalformedPageError naming the first problem. */
export function parseEnvelope<T>(response: RawResponse, spec: EnvelopeSpec<T>): T {
  const where = `${spec.vendor} ${spec.what} (status ${response.status}, ${Buffer.byteLength(response.body)} bytes)`;
  const text = response.body;
  if (text.trim() === '') throw malformed(`${where}: empty body`);
  const contentType = (response.headers['content-type'] ?? '').toLowerCase();
  if (contentType.includes('text/html') || /^\s*</.test(text)) {
    throw malformed(`${where}: an HTML page instead of JSON`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed(`${where}: truncated or invalid JSON`);
  }
  const code = spec.errorBody?.(json);
  if (code !== undefined) throw malformed(`${where}: an error body (${code}) with a success status`, code);
  const parsed = spec.schema.safeParse(json);
  if (!parsed.success) throw malformed(`${where}: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** `records[3].Id: expected string, received undefined; done: …` for the first three issues. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : formatPath(issue.path);
    return `${path}: ${issue.message}`;
  });
  return issues.length > 3 ? `${shown.join('; ')}; and ${issues.length - 3} more` : shown.join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/**
 * Each record must be an object with a non-empty string id at `idField` (the engine keys everything by it). The
 * rest of the record is the normaliser's.
 */
export function checkRecordIds(records: readonly unknown[], idField: string, vendor: string, what: string): string[] {
  return records.map((record, i) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw malformed(`${vendor} ${what}: records[${i}] is not an object`);
    }
    const id = (record as Record<string, unknown>)[idField];
    if (typeof id !== 'string' || id.trim() === '') {
      throw malformed(`${vendor} ${what}: records[${i}] has no ${idField}`);
    }
    return id;
  });
}

export function malformed(message: string, vendorCode?: string): MalformedPageError {
  return new MalformedPageError(message, { retryable: true, ...(vendorCode ? { vendorCode } : {}) });
}
