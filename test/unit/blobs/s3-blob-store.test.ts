/**
 * The S3 blob store's edges that the local S3 server cannot produce: throttled parts, AWS's 403 for a
 * missing key, S3's refusal of a corrupted upload, SSE-KMS requests. The S3 API is mocked with
 * aws-sdk-client-mock; the happy paths run against the emulator in test/integration/blob-store.test.ts.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MIB, S3BlobStore, type S3BlobStoreOptions } from '../../../functions/adapters/s3/blob-store.js';
import { BlobIntegrityError } from '../../../functions/domain/blobs/errors.js';
import { NotFoundError, TransientError } from '../../../functions/domain/errors.js';

const client = new S3Client({ region: 'us-east-1' });
const s3 = mockClient(client);

const aStore = (options: Partial<S3BlobStoreOptions> = {}) =>
  new S3BlobStore(client, {
    bucket: 'b',
    area: 'sync-pages/',
    encryption: { algorithm: 'AES256' },
    partSizeBytes: 5 * MIB,
    ...options,
  });

const anS3Error = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

/** A stream of `size` zero bytes in 1 MiB chunks that errors with `error` once `failAfter` bytes are out. */
function aBody(size: number, failAfter?: { bytes: number; error: Error }) {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter && sent >= failAfter.bytes) return controller.error(failAfter.error);
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(MIB, size - sent));
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

describe('S3 blob store (S3 API mocked)', () => {
  beforeEach(() => {
    s3.reset();
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3.on(UploadPartCommand).callsFake(async (input: { PartNumber: number }) => ({
      ETag: `"etag-${input.PartNumber}"`,
    }));
    s3.on(AbortMultipartUploadCommand).resolves({});
  });

  it('aborts the multipart upload and reports a transient failure when S3 throttles a part', async () => {
    s3.on(UploadPartCommand, { PartNumber: 2 }).rejects(anS3Error('SlowDown', 503));

    const put = aStore().put('acme', 'bulk.bin', aBody(12 * MIB), { contentType: 'application/octet-stream' });

    await expect(put).rejects.toBeInstanceOf(TransientError);
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'b', Key: 't/acme/sync-pages/bulk.bin', UploadId: 'upload-1' },
    ]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('aborts the multipart upload when the body stream fails midway, and passes the failure on', async () => {
    const failure = new Error('connector socket closed');

    const put = aStore().put('acme', 'bulk.bin', aBody(20 * MIB, { bytes: 11 * MIB, error: failure }), {
      contentType: 'application/octet-stream',
    });

    await expect(put).rejects.toBe(failure);
    expect(s3.commandCalls(UploadPartCommand).length).toBeGreaterThanOrEqual(1);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('names the failure when S3 refuses a body that does not match its checksum (corrupted in transit)', async () => {
    s3.on(PutObjectCommand).rejects(anS3Error('BadDigest', 400));

    await expect(aStore().put('acme', 'p.json', '{}', { contentType: 'application/json' })).rejects.toBeInstanceOf(
      BlobIntegrityError,
    );
  });

  it('asks for SSE-KMS with its key and the bucket key when configured for a KMS bucket', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    const kmsKeyId = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    await aStore({ encryption: { algorithm: 'aws:kms', kmsKeyId } }).put('acme', 'p.json', '{}', {
      contentType: 'application/json',
    });

    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: kmsKeyId,
      BucketKeyEnabled: true,
      ChecksumAlgorithm: 'SHA256',
    });
  });

  describe("AWS's 403 for a missing key (ListBucket is granted only with an s3:prefix condition)", () => {
    beforeEach(() => {
      s3.on(GetObjectCommand).rejects(anS3Error('AccessDenied', 403));
      s3.on(HeadObjectCommand).rejects(anS3Error('Forbidden', 403));
    });

    it('reports a missing object when a listing of the exact key finds nothing', async () => {
      s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 't/acme/sync-pages/p.json.bak' }] });

      await expect(aStore().get('acme', 'p.json')).rejects.toBeInstanceOf(NotFoundError);
      expect(await aStore().head('acme', 'p.json')).toBeUndefined();
      expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toEqual({
        Bucket: 'b',
        Prefix: 't/acme/sync-pages/p.json',
        MaxKeys: 1,
      });
    });

    it('passes a real refusal on when the object exists', async () => {
      s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 't/acme/sync-pages/p.json' }] });

      await expect(aStore().get('acme', 'p.json')).rejects.toMatchObject({ name: 'AccessDenied' });
    });

    it('passes the refusal on when listing is refused too (the function is not bound to the area)', async () => {
      s3.on(ListObjectsV2Command).rejects(anS3Error('AccessDenied', 403));

      await expect(aStore().head('acme', 'p.json')).rejects.toMatchObject({ name: 'Forbidden' });
    });
  });

  it('refuses, and stops downloading, a multipart object that does not record its part size', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new Uint8Array(1024)),
      cancel: () => void (cancelled = true),
    });
    s3.on(GetObjectCommand).resolves({
      Body: { transformToWebStream: () => body } as never,
      ChecksumSHA256: `${'A'.repeat(43)}=-2`,
      ContentLength: 10 * MIB,
      Metadata: {},
    });

    await expect(aStore().get('acme', 'bulk.bin')).rejects.toThrow(BlobIntegrityError);
    expect(cancelled).toBe(true);
  });

  it('refuses a part size below the 5 MiB S3 requires of every part but the last', () => {
    expect(() => aStore({ partSizeBytes: 5 * MIB - 1 })).toThrow(/partSizeBytes/);
  });
});
