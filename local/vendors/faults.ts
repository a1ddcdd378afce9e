/**
 * Injected faults: the `fault` query parameter of one request, or faults armed for the next requests of a path
 * prefix (`POST /_control/faults`) for clients that add no query parameters. docs/fake-vendors.md describes each.
 */
import type { VendorSystem } from './options.js';

export const FAULT_KINDS = [
  '429',
  '500',
  'timeout',
  'malformed',
  'expired-token',
  'html-200',
  'error-200',
  'missing-fields',
  'wrong-types',
  'loop',
  'empty',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const isFaultKind = (s: unknown): s is FaultKind =>
  typeof s === 'string' && (FAULT_KINDS as readonly string[]).includes(s);

/** Faults answered instead of the vendor's own handling (no side effects, nothing counted against quotas). */
export const ANSWER_FAULTS: ReadonlySet<FaultKind> = new Set(['429', '500', 'expired-token', 'html-200', 'error-200']);
/** Faults that change a successful answer's records after the vendor handled the request. */
export const DATA_FAULTS: ReadonlySet<FaultKind> = new Set(['missing-fields', 'wrong-types', 'empty']);

export interface ArmedFault {
  system: VendorSystem;
  /** Matched against the path below the vendor prefix (a leading `/<system>` is accepted too). '' matches all. */
  pathPrefix: string;
  fault: FaultKind;
  /** Requests still to fail. */
  remaining: number;
}

export class FaultBook {
  private armed: ArmedFault[] = [];
  readonly injected: Record<VendorSystem, Partial<Record<FaultKind, number>>> = {
    salesforce: {},
    hubspot: {},
    workday: {},
  };

  arm(system: VendorSystem, pathPrefix: string, fault: FaultKind, count: number): ArmedFault {
    const prefix = pathPrefix.startsWith(`/${system}/`) ? pathPrefix.slice(system.length + 1) : pathPrefix;
    const entry = { system, pathPrefix: prefix, fault, remaining: count };
    this.armed.push(entry);
    return { ...entry };
  }

  /** The first armed fault matching the request, consumed; null when none. */
  take(system: VendorSystem, path: string): FaultKind | null {
    const i = this.armed.findIndex((a) => a.system === system && path.startsWith(a.pathPrefix));
    if (i < 0) return null;
    const a = this.armed[i]!;
    a.remaining--;
    if (a.remaining <= 0) this.armed.splice(i, 1);
    return a.fault;
  }

  count(system: VendorSystem, fault: FaultKind): void {
    this.injected[system][fault] = (this.injected[system][fault] ?? 0) + 1;
  }

  list(): ArmedFault[] {
    return this.armed.map((a) => ({ ...a }));
  }

  clear(): void {
    this.armed = [];
  }

  resetCounts(): void {
    for (const s of Object.keys(this.injected) as VendorSystem[]) this.injected[s] = {};
  }
}

/** A JSON text cut in the middle of a record, as a dropped connection behind a proxy leaves it. */
export function truncate(body: string): string {
  if (body.length < 4) return '{"';
  return body.slice(0, Math.max(2, Math.floor(body.length / 2)));
}

/** The HTML error page a load balancer or maintenance proxy serves with status 200. */
export const HTML_ERROR_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1>' +
  '<p>The server is temporarily unable to service your request due to maintenance downtime or capacity problems. ' +
  'Please try again later.</p></body></html>\n';

/** Numbers where strings belong and strings where numbers or booleans belong, in a copy of `value`. */
export function wrongTypes(value: unknown): unknown {
  if (typeof value === 'string') return /^\d+(\.\d+)?$/.test(value) ? Number(value) : value.length;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.map(wrongTypes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrongTypes(v)]));
  }
  return value;
}
