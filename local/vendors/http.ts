/**
 * What a fake vendor sees of a request and what it answers, independent of node:http: the server turns an
 * IncomingMessage into a VendorRequest and writes a VendorAnswer, so faults can wrap any vendor's answer.
 */
import type { FaultKind } from './faults.js';

export interface VendorRequest {
  method: string;
  /** The path below the vendor's prefix (`/services/data/v62.0/query`). */
  path: string;
  /** Query parameters, without `fault`. */
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** The raw body ('' when none). */
  body: string;
  /** `<url>/<system>`: the vendor's base URL as the client reaches it. */
  baseUrl: string;
  /** The injected fault of this request, if any (vendors implement `loop` themselves). */
  fault: FaultKind | null;
}

export interface VendorAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `text` is given. */
  json?: unknown;
  text?: string;
  contentType?: string;
}

export const jsonAnswer = (status: number, json: unknown, headers?: Record<string, string>): VendorAnswer => ({
  status,
  json,
  ...(headers ? { headers } : {}),
});

/** The body as the wire carries it. */
export function serialise(answer: VendorAnswer): { body: string; contentType: string } {
  if (answer.text !== undefined) return { body: answer.text, contentType: answer.contentType ?? 'text/plain' };
  return {
    body: answer.json === undefined ? '' : JSON.stringify(answer.json),
    contentType: answer.contentType ?? 'application/json;charset=UTF-8',
  };
}

/** Form fields of an `application/x-www-form-urlencoded` body. */
export function formFields(body: string): URLSearchParams {
  return new URLSearchParams(body);
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Integer query parameter: undefined when absent, NaN when not an integer. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  return /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
}

export const isoInstant = (ms: number): string => new Date(ms).toISOString();

/** Salesforce writes datetimes as `2026-11-30T10:15:00.000+0000`. */
export const salesforceInstant = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');

export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
