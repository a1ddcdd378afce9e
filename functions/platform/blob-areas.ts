/**
 * The areas of the platform bucket, as data: the manifest binds functions to them, the CDK stack grants
 * them (lib/constructs/modos-function.ts bindBucket) and the blob store builds keys in them
 * (functions/adapters/s3/keys.ts, which states the layout rules these patterns rely on).
 *
 * Layout: `t/<tenantId>/<area><key>`.
 *
 * | area             | holds                                    |
 * |------------------|------------------------------------------|
 * | `sync-pages/`    | raw pages fetched by connector syncs     |
 * | `agent-outputs/` | agent outputs (metadata in the table)    |
 * | `agent-knowledge/`| knowledge documents and their BM25 index |
 * | `mining-logs/`   | event logs uploaded to mine (XES, CSV)   |
 * | `mining-results/`| models mined from them (JSON, DOT, SVG)  |
 */
export const BLOB_AREAS = [
  'sync-pages/',
  'agent-outputs/',
  'agent-knowledge/',
  'mining-logs/',
  'mining-results/',
] as const;
export type BlobArea = (typeof BLOB_AREAS)[number];

export const TENANT_ROOT = 't/';

/**
 * IAM patterns of an area across tenants: the object ARN suffix and the `s3:prefix` value ListBucket is
 * allowed with (the same pattern: every listing prefix the store builds matches it). They match exactly
 * the area's objects because no key segment may be an area's name and tenant ids never contain `/`.
 */
export const iamPatterns = (area: BlobArea) => ({
  objects: `${TENANT_ROOT}*/${area}*`,
  listPrefix: `${TENANT_ROOT}*/${area}*`,
});

/**
 * How long objects of an area are kept, in days (absent: kept until deleted). S3 lifecycle filters cannot match the
 * tenant segment in the middle of the key, so the blob store tags every object of such an area with RETENTION_TAG
 * and the bucket's lifecycle rule expires objects by that tag (lib/constructs/object-store.ts).
 */
export const AREA_RETENTION_DAYS: Partial<Record<BlobArea, number>> = {
  'sync-pages/': 90,
  // An uploaded log is kept long enough to mine it again or download it; its results as long as the job record.
  'mining-logs/': 30,
  'mining-results/': 90,
};

export const RETENTION_TAG = 'modos-retention';

/** The tag value of an area's objects (its name without the slash). */
export const retentionTagValue = (area: BlobArea): string => area.replace(/\/$/, '');
