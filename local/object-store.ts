import { startFauxqs, type FauxqsServer } from 'fauxqs';

export interface ObjectStoreOptions {
  bucketName: string;
  /** Keep objects as plain files under this folder (survive restarts, can be inspected); in memory without it. */
  dir?: string;
}

/**
 * The local S3 server (fauxqs) as the platform runs it: on a free loopback port, with the platform bucket.
 * Objects persist as files (`<dir>/buckets/<bucket>/objects/<key>.data` beside `.meta.json`), not as blobs in
 * a SQLite file, so large sync pages do not bloat a database. How it differs from S3: docs/local-object-store.md.
 */
export function startObjectStore(options: ObjectStoreOptions): Promise<FauxqsServer> {
  return startFauxqs({
    port: 0,
    logger: false,
    host: '127.0.0.1',
    ...(options.dir ? { s3StorageDir: options.dir } : {}),
    init: { buckets: [options.bucketName] },
  });
}
