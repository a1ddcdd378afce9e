import { S3BlobStore } from '../adapters/s3/blob-store.js';
import type { BlobArea } from './blob-areas.js';
import type { BlobStore } from '../domain/ports.js';
import { s3Client } from './aws-clients.js';
import { config } from './config.js';
import { FUNCTIONS, OBJECT_STORE, type FunctionName, type FunctionSpec } from './manifest.js';

const stores = new Map<string, S3BlobStore>();

/**
 * The blob store of one area for a function, as its manifest entry binds it: an area the entry does not
 * list is refused here, at init, in both runtimes (in AWS, IAM would refuse it at the first call), and a
 * `read` binding gives a store that refuses writes. BUCKET_NAME is read now, not at module load, so only
 * functions that use the bucket need the variable.
 */
export function blobStore(fn: FunctionName, area: BlobArea): BlobStore {
  return blobStoreFor(FUNCTIONS[fn] as FunctionSpec, area);
}

/** The same for a function spec (a manifest entry). */
export function blobStoreFor(spec: FunctionSpec, area: BlobArea): BlobStore {
  const binding = spec.bucket;
  if (!binding?.prefixes.includes(area)) {
    throw new Error(`${spec.name} has no bucket binding for ${area} (functions/platform/manifest.ts: bucket.prefixes)`);
  }
  const id = `${spec.name}:${area}`;
  let store = stores.get(id);
  if (!store) {
    store = new S3BlobStore(s3Client(), {
      bucket: config().BUCKET_NAME,
      area,
      encryption: { algorithm: OBJECT_STORE.encryption },
      access: binding.access,
    });
    stores.set(id, store);
  }
  return store;
}

/** Drops cached stores (local runtime restarts, tests). */
export function resetBlobStores(): void {
  stores.clear();
}
