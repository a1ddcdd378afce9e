import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { OBJECT_STORE } from '../../functions/platform/manifest.js';
import {
  AREA_RETENTION_DAYS,
  type BlobArea,
  RETENTION_TAG,
  retentionTagValue,
} from '../../functions/platform/blob-areas.js';

/** The manifest's encryption as the bucket's default: what the blob store asks for on every write. */
const BUCKET_ENCRYPTION = { AES256: s3.BucketEncryption.S3_MANAGED } as const satisfies Record<
  typeof OBJECT_STORE.encryption,
  s3.BucketEncryption
>;

export interface ObjectStoreProps {
  /** Buckets are always RETAINed (see below); this only decides how long access logs are kept. */
  accessLogRetentionDays: number;
}

/**
 * The platform bucket (raw sync pages, agent outputs, audit archive) and the bucket receiving its
 * server access logs. Both: SSE-S3 encryption (the platform bucket's from the manifest's OBJECT_STORE),
 * TLS-only bucket policy, all public access blocked, bucket-owner-enforced object ownership.
 * Object keys: `t/<tenantId>/<area>/...` (functions/adapters/s3/keys.ts); functions are granted their
 * own areas only (ModosFunction.bindBucket).
 *
 * Buckets are RETAINed on every stage: CloudFormation cannot delete a non-empty bucket, and emptying
 * it automatically needs a custom-resource Lambda that can wipe tenant data on a mistaken destroy.
 * docs/deploy.md says how to remove a dev stage's buckets by hand.
 */
export class ObjectStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ObjectStoreProps) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging can only deliver to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // cdk-nag's S1 recognises a bucket that receives server access logs, so this one needs no suppression.

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: BUCKET_ENCRYPTION[OBJECT_STORE.encryption],
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'platform-bucket/',
      lifecycleRules: [
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Areas that expire: their objects carry the retention tag (the tenant segment of the key defeats prefixes).
        ...(Object.entries(AREA_RETENTION_DAYS) as [BlobArea, number][]).map(([area, days]) => ({
          id: `expire-${retentionTagValue(area)}`,
          tagFilters: { [RETENTION_TAG]: retentionTagValue(area) },
          expiration: Duration.days(days),
        })),
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
