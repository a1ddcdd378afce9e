import { ValidationError } from '../../domain/errors.js';
import { BLOB_AREAS, TENANT_ROOT, type BlobArea } from '../../platform/blob-areas.js';

/**
 * Every object key of the platform bucket is built here and nowhere else. The areas, and the IAM patterns that
 * grant a function its areas (lib/constructs/modos-function.ts bindBucket), are platform data in
 * functions/platform/blob-areas.ts; the rules below are what makes those patterns exact.
 *
 * Layout: `t/<tenantId>/<area><key>`, for example `t/acme/sync-pages/salesforce/Account/run-42/page-0001.json`.
 *
 * | area             | holds                                    |
 * |------------------|------------------------------------------|
 * | `sync-pages/`    | raw pages fetched by connector syncs     |
 * | `agent-outputs/` | agent outputs (metadata in the table)    |
 *
 * Rules:
 * - Every key starts with the tenant id, so a per-tenant session policy on `t/<tenantId>/*` can confine a
 *   principal to its tenant, as `dynamodb:LeadingKeys` does for the table.
 * - A function is granted its own areas of every tenant: the pattern `t/`, `*`, `/<area>`, `*`. IAM's `*` also
 *   matches `/`, so the pattern for `sync-pages/` would match `t/acme/agent-outputs/x/sync-pages/y` too: no key
 *   segment may therefore be an area's name, which makes the pattern match exactly the area's objects. Tenant
 *   ids never contain `/` for the same reason.
 * - Keys are relative paths of safe segments (A-Z, a-z, 0-9, `.`, `_`, `-`): no empty segment, no leading or
 *   trailing `/`, no `.` or `..`, at most 200 characters a segment and 512 a key. They never need URL or
 *   file-system escaping, in S3 or on the local emulator's disk.
 */
export const MAX_KEY_LENGTH = 512;
export const MAX_SEGMENT_LENGTH = 200;

/** The tenant claim's rule (functions/adapters/jose/token-verifier.ts): never a `/`. */
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;
const AREA_NAMES = new Set<string>(BLOB_AREAS.map((a) => a.slice(0, -1)));

const invalid = (field: string, message: string) =>
  new ValidationError(`${field}: ${message}`, { details: [{ field, message }] });
const shown = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

export function assertTenantId(tenantId: unknown): asserts tenantId is string {
  if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId)) {
    throw invalid('tenantId', 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -');
  }
}

export function assertArea(area: unknown): asserts area is BlobArea {
  if (!(BLOB_AREAS as readonly unknown[]).includes(area))
    throw invalid('area', `must be one of ${BLOB_AREAS.join(', ')}`);
}

function assertSegments(value: string, field: string): void {
  for (const segment of value.split('/')) {
    if (segment === '') throw invalid(field, `${shown(value)} has an empty segment (leading, trailing or double /)`);
    if (/^\.+$/.test(segment)) throw invalid(field, `${shown(value)} has a "${segment}" segment`);
    if (segment.length > MAX_SEGMENT_LENGTH) {
      throw invalid(field, `a segment of ${shown(value)} is longer than ${MAX_SEGMENT_LENGTH} characters`);
    }
    if (!SEGMENT.test(segment))
      throw invalid(field, `${shown(value)} has characters other than A-Z, a-z, 0-9, ".", "_", "-" and "/"`);
    if (AREA_NAMES.has(segment))
      throw invalid(field, `${shown(value)} has a segment named like the area "${segment}/"`);
  }
}

/** Checks an object key relative to its tenant and area. */
export function assertKey(key: unknown, field = 'key'): asserts key is string {
  if (typeof key !== 'string' || key === '') throw invalid(field, 'must be a non-empty string');
  if (key.length > MAX_KEY_LENGTH) throw invalid(field, `is longer than ${MAX_KEY_LENGTH} characters`);
  assertSegments(key, field);
}

/** Checks a listing prefix: empty, a folder (`a/b/`) or a partial key (`a/b/page-00`). */
export function assertKeyPrefix(prefix: unknown, field = 'prefix'): asserts prefix is string {
  if (typeof prefix !== 'string') throw invalid(field, 'must be a string');
  if (prefix === '') return;
  if (prefix.length > MAX_KEY_LENGTH) throw invalid(field, `is longer than ${MAX_KEY_LENGTH} characters`);
  assertSegments(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix, field);
}

/** `t/<tenantId>/<area>`: where all of a tenant's objects of one area live. */
export function areaRoot(tenantId: string, area: BlobArea): string {
  assertTenantId(tenantId);
  assertArea(area);
  return `${TENANT_ROOT}${tenantId}/${area}`;
}

export const blobKeys = {
  /** The bucket key of a tenant's object. */
  object(tenantId: string, area: BlobArea, key: string): string {
    const root = areaRoot(tenantId, area);
    assertKey(key);
    return `${root}${key}`;
  },
  /** The bucket key prefix of a tenant's listing. */
  listPrefix(tenantId: string, area: BlobArea, prefix: string): string {
    const root = areaRoot(tenantId, area);
    assertKeyPrefix(prefix);
    return `${root}${prefix}`;
  },
  /** The relative key of a bucket key under the tenant's area (the inverse of `object`). */
  relative(tenantId: string, area: BlobArea, objectKey: string): string {
    const root = areaRoot(tenantId, area);
    if (!objectKey.startsWith(root)) throw new Error(`object key outside ${root}`);
    return objectKey.slice(root.length);
  },
} as const;
