/**
 * The S3 blob store against the local S3 server (fauxqs, started as the local platform starts it, objects
 * kept as files), through the real composition: the client factory with MODOS_S3_ENDPOINT (path-style
 * addressing) and BUCKET_NAME from the config module. Requests are recorded on the wire (headers as sent),
 * and objects are tampered with both through the S3 API and on the emulator's disk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIB } from '../../functions/adapters/s3/blob-store.js';
import { BlobIntegrityError } from '../../functions/domain/blobs/errors.js';
import { NotFoundError, ValidationError } from '../../functions/domain/errors.js';
import type { BlobStore } from '../../functions/domain/ports.js';
import { resetClients, s3Client } from '../../functions/platform/aws-clients.js';
import { blobStoreFor, resetBlobStores } from '../../functions/platform/blob-composition.js';
import { resetConfig } from '../../functions/platform/config.js';
import type { FunctionSpec } from '../../functions/platform/manifest.js';
import { startObjectStore } from '../../local/object-store.js';

const BUCKET = 'modos-blob-test';
let dir: string;
let server: FauxqsServer;
let raw: S3Client;
let pages: BlobStore;
let outputs: BlobStore;
let sent: Array<{ command: string; headers: Record<string, string> }> = [];

/** Manifest entries as the next functions will declare them (no function of the manifest binds the bucket yet). */
const aSyncWriter = (): FunctionSpec => ({
  name: 'SyncPagesWriter',
  entry: 'functions/handlers/health.ts',
  description: 'test: writes raw sync pages',
  bucket: { access: 'write', prefixes: ['sync-pages/'] },
});
const anOutputsReader = (): FunctionSpec => ({
  name: 'OutputsReader',
  entry: 'functions/handlers/health.ts',
  description: 'test: reads agent outputs',
  bucket: { access: 'read', prefixes: ['agent-outputs/'] },
});
const anOutputsWriter = (): FunctionSpec => ({
  ...anOutputsReader(),
  name: 'OutputsWriter',
  bucket: { access: 'write', prefixes: ['agent-outputs/'] },
});

const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const sha256B64 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('base64');
/** Where the emulator keeps an object's bytes. */
const dataFile = (objectKey: string) => join(dir, 's3', 'buckets', BUCKET, 'objects', `${objectKey}.data`);
const rawHead = (objectKey: string) =>
  raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: objectKey, ChecksumMode: 'ENABLED' }));
const allKeys = async () =>
  ((await raw.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!);

/** A body of `size` random bytes in 64 KiB chunks, with the SHA-256 of what it produced. */
function aStreamedBody(size: number) {
  const hash = createHash('sha256');
  const digest = { hex: '' };
  let left = size;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left === 0) {
        digest.hex = hash.digest('hex');
        controller.close();
        return;
      }
      const chunk = randomBytes(Math.min(64 * 1024, left));
      left -= chunk.byteLength;
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
  return { stream, digest };
}

/** Reads a stream to its end, hashing it; resolves with the hash and size, or rejects with the stream's error. */
async function drain(stream: ReadableStream<Uint8Array>) {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modos-blobs-'));
  server = await startObjectStore({ bucketName: BUCKET, dir: join(dir, 's3') });
  Object.assign(process.env, {
    STAGE: 'test',
    AWS_REGION: 'us-east-1',
    BUCKET_NAME: BUCKET,
    MODOS_S3_ENDPOINT: server.address,
  });
  resetConfig();
  resetClients();
  resetBlobStores();
  s3Client().middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      sent.push({ command: context.commandName ?? '', headers: { ...request.headers } });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'testRequestRecorder' },
  );
  raw = new S3Client({
    region: 'us-east-1',
    endpoint: server.address,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  pages = blobStoreFor(aSyncWriter(), 'sync-pages/');
  outputs = blobStoreFor(anOutputsWriter(), 'agent-outputs/');
});

afterAll(async () => {
  raw?.destroy();
  resetClients();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sent = [];
});

describe('S3 blob store on the local S3 server', () => {
  it('stores a page under t/<tenant>/sync-pages/ with SSE and a SHA-256 checksum S3 keeps, and reads it back verified', async () => {
    const page = JSON.stringify({ records: [{ Id: '001' }], done: true });

    const stored = await pages.put('acme', 'salesforce/Account/run-1/page-0001.json', page, {
      contentType: 'application/json',
      metadata: { 'record-count': '1' },
    });

    expect(stored).toMatchObject({
      key: 'salesforce/Account/run-1/page-0001.json',
      size: Buffer.byteLength(page),
      sha256: sha256Hex(page),
    });
    const put = sent.filter((r) => r.command === 'PutObjectCommand');
    expect(put).toHaveLength(1);
    expect(put[0]!.headers).toMatchObject({
      'x-amz-server-side-encryption': 'AES256',
      'x-amz-checksum-sha256': sha256B64(page),
    });
    const head = await rawHead('t/acme/sync-pages/salesforce/Account/run-1/page-0001.json');
    expect(head.ChecksumSHA256).toBe(sha256B64(page));
    const read = await pages.get('acme', 'salesforce/Account/run-1/page-0001.json');
    expect(read).toMatchObject({
      size: Buffer.byteLength(page),
      contentType: 'application/json',
      metadata: { 'record-count': '1' },
      sha256: sha256Hex(page),
    });
    expect(await read.text()).toBe(page);
    expect(sent.find((r) => r.command === 'GetObjectCommand')!.headers['x-amz-checksum-mode']).toBe('ENABLED');
  });

  it('heads an object without reading it, and answers undefined (head) or NotFoundError (get) for a missing one', async () => {
    await pages.put('acme', 'hubspot/contacts/p1.json', '{"results":[]}', { contentType: 'application/json' });

    expect(await pages.head('acme', 'hubspot/contacts/p1.json')).toMatchObject({
      size: 14,
      contentType: 'application/json',
      metadata: {},
      sha256: sha256Hex('{"results":[]}'),
    });
    expect(await pages.head('acme', 'hubspot/contacts/missing.json')).toBeUndefined();
    await expect(pages.get('acme', 'hubspot/contacts/missing.json')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists a prefix in key order, page by page, with keys relative to the tenant and area', async () => {
    for (const n of [3, 1, 5, 2, 4])
      await pages.put('acme', `workday/run-7/page-000${n}.json`, `{"n":${n}}`, { contentType: 'application/json' });
    await pages.put('acme', 'workday/run-8/page-0001.json', '{}', { contentType: 'application/json' });

    const seen: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await pages.list('acme', { prefix: 'workday/run-7/', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(page.items.map((i) => i.key));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(seen).toEqual([
      ['workday/run-7/page-0001.json', 'workday/run-7/page-0002.json'],
      ['workday/run-7/page-0003.json', 'workday/run-7/page-0004.json'],
      ['workday/run-7/page-0005.json'],
    ]);
    const first = await pages.list('acme', { prefix: 'workday/run-7/', limit: 2 });
    expect(first.items[0]).toMatchObject({ size: 7 });
    await expect(pages.list('acme', { prefix: 'workday/run-8/', cursor: first.nextCursor! })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(pages.list('beta', { prefix: 'workday/run-7/', cursor: first.nextCursor! })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('deletes an object, and deleting it again is not an error', async () => {
    await pages.put('acme', 'deleted/p.json', '{}', { contentType: 'application/json' });

    await pages.delete('acme', 'deleted/p.json');
    await pages.delete('acme', 'deleted/p.json');

    expect(await pages.head('acme', 'deleted/p.json')).toBeUndefined();
    expect(await allKeys()).not.toContain('t/acme/sync-pages/deleted/p.json');
  });

  it('uploads a 21 MiB web stream in 8 MiB parts with per-part checksums and streams it back verified', async () => {
    const body = aStreamedBody(21 * MIB);

    const stored = await pages.put('acme', 'bulk/export-1.ndjson', body.stream, {
      contentType: 'application/x-ndjson',
    });

    expect(stored).toMatchObject({ size: 21 * MIB, sha256: body.digest.hex });
    const parts = sent.filter((r) => r.command === 'UploadPartCommand');
    expect(parts).toHaveLength(3);
    for (const p of parts) expect(p.headers['x-amz-checksum-sha256']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(sent.find((r) => r.command === 'CreateMultipartUploadCommand')!.headers).toMatchObject({
      'x-amz-server-side-encryption': 'AES256',
      'x-amz-checksum-algorithm': 'SHA256',
    });
    expect(sent.map((r) => r.command)).not.toContain('PutObjectCommand');
    expect((await rawHead('t/acme/sync-pages/bulk/export-1.ndjson')).ChecksumSHA256).toMatch(/-3$/);

    const read = await pages.get('acme', 'bulk/export-1.ndjson');
    expect(read.sha256).toBeUndefined();
    expect(await drain(read.body)).toEqual({ sha256: body.digest.hex, size: 21 * MIB });
  });

  it('uploads a Node stream (an async iterable) whose size is an exact multiple of the part size', async () => {
    const bytes = randomBytes(16 * MIB);
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < bytes.byteLength; i += 1024 * 1024) yield bytes.subarray(i, i + 1024 * 1024);
      })(),
    );

    const stored = await pages.put('acme', 'bulk/export-2.bin', body, { contentType: 'application/octet-stream' });

    expect(stored).toMatchObject({ size: 16 * MIB, sha256: sha256Hex(bytes) });
    expect(sent.filter((r) => r.command === 'UploadPartCommand')).toHaveLength(2);
    expect(Buffer.from(await (await pages.get('acme', 'bulk/export-2.bin')).bytes()).equals(bytes)).toBe(true);
  });

  describe('detects corrupted objects', () => {
    it('refuses an object whose stored checksum is not that of its bytes (written around the store)', async () => {
      // A real S3 refuses this PutObject (BadDigest); the emulator keeps the stale checksum (docs/local-object-store.md).
      await raw.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 't/acme/sync-pages/tampered/api.json',
          Body: '{"total":999}',
          ChecksumSHA256: sha256B64('{"total":1}'),
          ContentType: 'application/json',
        }),
      );

      const read = await pages.get('acme', 'tampered/api.json');

      await expect(read.text()).rejects.toBeInstanceOf(BlobIntegrityError);
    });

    it('refuses a page whose bytes changed on disk, after streaming them, instead of ending the stream', async () => {
      const page = JSON.stringify({ records: [{ Id: '001', Amount: 100 }] });
      await pages.put('acme', 'tampered/disk.json', page, { contentType: 'application/json' });
      writeFileSync(dataFile('t/acme/sync-pages/tampered/disk.json'), page.replace('100', '900'));

      const read = await pages.get('acme', 'tampered/disk.json');

      const error = await drain(read.body).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlobIntegrityError);
      expect((error as Error).name).toBe('BlobIntegrityError');
    });

    it('refuses a multipart object with one flipped byte in its second part (composite checksum)', async () => {
      const body = aStreamedBody(12 * MIB);
      await pages.put('acme', 'tampered/bulk.bin', body.stream, { contentType: 'application/octet-stream' });
      const file = dataFile('t/acme/sync-pages/tampered/bulk.bin');
      const bytes = readFileSync(file);
      bytes[10 * MIB] = bytes[10 * MIB]! ^ 0xff;
      writeFileSync(file, bytes);

      const read = await pages.get('acme', 'tampered/bulk.bin');

      // Settled into a small value: a failing assertion must not print 12 MiB.
      const outcome = await read.bytes().then(
        (b) => `read ${b.byteLength} bytes`,
        (e: unknown) => e,
      );
      expect(outcome).toBeInstanceOf(BlobIntegrityError);
    });

    it('refuses an object that carries no SHA-256 checksum at all', async () => {
      await raw.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 't/acme/sync-pages/tampered/unchecked.json',
          Body: '{}',
          ContentType: 'application/json',
        }),
      );

      await expect(pages.get('acme', 'tampered/unchecked.json')).rejects.toBeInstanceOf(BlobIntegrityError);
    });
  });

  describe('tenant isolation', () => {
    it("never reads, lists or deletes another tenant's object: every key is built from the caller's tenant id", async () => {
      await pages.put('beta', 'salesforce/secret.json', '{"beta":true}', { contentType: 'application/json' });

      await expect(pages.get('acme', 'salesforce/secret.json')).rejects.toBeInstanceOf(NotFoundError);
      expect(await pages.head('acme', 'salesforce/secret.json')).toBeUndefined();
      expect((await pages.list('acme', { prefix: 'salesforce/' })).items.map((i) => i.key)).not.toContain(
        'salesforce/secret.json',
      );
      await pages.delete('acme', 'salesforce/secret.json');

      expect(await allKeys()).toContain('t/beta/sync-pages/salesforce/secret.json');
      expect(await (await pages.get('beta', 'salesforce/secret.json')).text()).toBe('{"beta":true}');
    });

    it.each([
      ['a key climbing out of the tenant', 'acme', '../beta/sync-pages/salesforce/secret.json'],
      ['a key naming another area', 'acme', 'x/sync-pages/salesforce/secret.json'],
      ['a tenant id with a path', 'acme/../beta', 'salesforce/secret.json'],
    ])('refuses %s', async (_label, tenantId, key) => {
      await expect(pages.get(tenantId, key)).rejects.toBeInstanceOf(ValidationError);
      await expect(pages.list(tenantId, { prefix: key })).rejects.toBeInstanceOf(ValidationError);
    });

    it("keeps one area's objects out of another area's store", async () => {
      await outputs.put('acme', 'agent-1/output-1.json', '{"draft":"..."}', { contentType: 'application/json' });

      expect(await allKeys()).toContain('t/acme/agent-outputs/agent-1/output-1.json');
      expect(await pages.head('acme', 'agent-1/output-1.json')).toBeUndefined();
      expect((await pages.list('acme')).items.map((i) => i.key)).not.toContain('agent-1/output-1.json');
    });
  });

  describe('bad input', () => {
    it.each([
      '',
      '/page.json',
      'page/',
      'a//b.json',
      '../x.json',
      'a/./b.json',
      'a/../b.json',
      'a b.json',
      'é.json',
      'a\\b.json',
      'a?b=1',
      'a/agent-outputs/b.json',
      'x'.repeat(513),
      `${'x'.repeat(201)}/y`,
    ])('refuses the key %j before any request', async (key) => {
      await expect(pages.put('acme', key, '{}', { contentType: 'application/json' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(pages.head('acme', key)).rejects.toBeInstanceOf(ValidationError);
      expect(sent).toEqual([]);
    });

    it.each(['', 'a/b', 'a'.repeat(65), 'a b', 'acme.corp'])('refuses the tenant id %j', async (tenantId) => {
      await expect(pages.put(tenantId, 'p.json', '{}', { contentType: 'application/json' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(sent).toEqual([]);
    });

    it.each([
      ['an upper-case metadata key', { contentType: 'application/json', metadata: { RecordCount: '1' } }],
      ["the store's own metadata key", { contentType: 'application/json', metadata: { 'modos-part-size': '5' } }],
      ['a non-ASCII metadata value', { contentType: 'application/json', metadata: { name: 'Zoë' } }],
      ['oversized metadata', { contentType: 'application/json', metadata: { big: 'x'.repeat(2000) } }],
      ['a content type that is not a media type', { contentType: 'json' }],
    ])('refuses %s', async (_label, options) => {
      await expect(pages.put('acme', 'p.json', '{}', options)).rejects.toBeInstanceOf(ValidationError);
      expect(sent).toEqual([]);
    });

    it('refuses a stream that yields strings instead of bytes, and leaves no object', async () => {
      const body = Readable.from(['{"a":', '1}']);

      await expect(pages.put('acme', 'strings.json', body, { contentType: 'application/json' })).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect(await allKeys()).not.toContain('t/acme/sync-pages/strings.json');
    });
  });

  describe('bindings', () => {
    it('refuses an area the function is not bound to, at init', () => {
      expect(() => blobStoreFor(aSyncWriter(), 'agent-outputs/')).toThrow(
        /SyncPagesWriter has no bucket binding for agent-outputs\//,
      );
    });

    it('gives a read binding a store that reads but refuses to write or delete', async () => {
      const reader = blobStoreFor(anOutputsReader(), 'agent-outputs/');
      await outputs.put('acme', 'agent-2/o.json', '{}', { contentType: 'application/json' });
      sent = [];

      expect(await (await reader.get('acme', 'agent-2/o.json')).text()).toBe('{}');
      await expect(
        reader.put('acme', 'agent-2/o.json', '{"x":1}', { contentType: 'application/json' }),
      ).rejects.toThrow(/read-only/);
      await expect(reader.delete('acme', 'agent-2/o.json')).rejects.toThrow(/read-only/);
      expect(sent.map((r) => r.command)).toEqual(['GetObjectCommand']);
    });
  });

  // Last: it replaces the server the other tests share.
  it('keeps objects, checksums and metadata across a restart of the local S3 server (files under the data folder)', async () => {
    const stored = await pages.put('acme', 'restart/p.json', '{"kept":true}', {
      contentType: 'application/json',
      metadata: { run: 'r-1' },
    });
    await server.stop();
    server = await startObjectStore({ bucketName: BUCKET, dir: join(dir, 's3') });
    process.env.MODOS_S3_ENDPOINT = server.address;
    resetConfig();
    resetClients();
    resetBlobStores();

    const read = await blobStoreFor(aSyncWriter(), 'sync-pages/').get('acme', 'restart/p.json');

    expect(read).toMatchObject({ sha256: stored.sha256, metadata: { run: 'r-1' } });
    expect(await read.text()).toBe('{"kept":true}');
  });
});
