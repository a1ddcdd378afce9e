import { createHash, type Hash } from 'node:crypto';
import { BlobIntegrityError } from '../../domain/blobs/errors.js';

/**
 * SHA-256 checksums as S3 keeps them. An object written in one request carries the SHA-256 of its bytes
 * (FULL_OBJECT). An object written in parts carries, for SHA-256, only a COMPOSITE checksum: the SHA-256 of
 * the concatenated binary SHA-256 digests of its parts, suffixed `-<part count>`. To verify that one, a reader
 * must know where the parts begin: the blob store writes every part but the last at the same size and records
 * that size in the object's metadata.
 */
export type StoredChecksum =
  | { type: 'FULL_OBJECT'; value: string }
  | { type: 'COMPOSITE'; value: string; parts: number; partSize: number };

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
const COMPOSITE = /^([A-Za-z0-9+/]{43}=)-([1-9][0-9]{0,4})$/;

export const sha256Base64 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64');
export const base64ToHex = (base64: string): string => Buffer.from(base64, 'base64').toString('hex');

/** The composite checksum S3 computes from the parts' base64 SHA-256 checksums. */
export function compositeChecksum(partChecksums: readonly string[]): string {
  const digest = createHash('sha256');
  for (const part of partChecksums) digest.update(Buffer.from(part, 'base64'));
  return `${digest.digest('base64')}-${partChecksums.length}`;
}

/**
 * Reads the checksum an object carries (`x-amz-checksum-sha256`) and, for a composite one, the part size it was
 * written with. An object without a SHA-256 checksum was not written by the blob store: it cannot be verified,
 * so it is refused rather than served unchecked.
 */
export function storedChecksum(value: string | undefined, partSize: string | undefined, what: string): StoredChecksum {
  if (!value)
    throw new BlobIntegrityError(`${what}: the object carries no SHA-256 checksum, so its bytes cannot be verified`);
  if (BASE64_SHA256.test(value)) return { type: 'FULL_OBJECT', value };
  const composite = COMPOSITE.exec(value);
  if (!composite) throw new BlobIntegrityError(`${what}: unreadable SHA-256 checksum`);
  const size = Number(partSize);
  if (!partSize || !Number.isSafeInteger(size) || size <= 0) {
    throw new BlobIntegrityError(
      `${what}: the object was written in parts without recording their size, so its composite checksum cannot be verified`,
    );
  }
  return { type: 'COMPOSITE', value, parts: Number(composite[2]), partSize: size };
}

/** Hashes bytes as they stream by and, at the end, compares them with the stored checksum and size. */
export class ChecksumVerifier {
  private readonly whole: Hash | undefined;
  private part: Hash | undefined;
  private partFilled = 0;
  private readonly partChecksums: string[] = [];
  private bytes = 0;

  constructor(
    private readonly expected: StoredChecksum,
    private readonly expectedSize: number | undefined,
    private readonly what: string,
  ) {
    if (expected.type === 'FULL_OBJECT') this.whole = createHash('sha256');
    else this.part = createHash('sha256');
  }

  update(chunk: Uint8Array): void {
    this.bytes += chunk.byteLength;
    if (this.whole) {
      this.whole.update(chunk);
      return;
    }
    const { partSize } = this.expected as Extract<StoredChecksum, { type: 'COMPOSITE' }>;
    let offset = 0;
    while (offset < chunk.byteLength) {
      const take = Math.min(partSize - this.partFilled, chunk.byteLength - offset);
      this.part!.update(chunk.subarray(offset, offset + take));
      this.partFilled += take;
      offset += take;
      if (this.partFilled === partSize) {
        this.partChecksums.push(this.part!.digest('base64'));
        this.part = createHash('sha256');
        this.partFilled = 0;
      }
    }
  }

  /** Throws BlobIntegrityError unless every byte arrived and they hash to the stored checksum. */
  finish(): void {
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      throw new BlobIntegrityError(`${this.what}: read ${this.bytes} bytes of an object of ${this.expectedSize}`);
    }
    const parts = this.partFilled > 0 ? [...this.partChecksums, this.part!.digest('base64')] : this.partChecksums;
    const actual = this.whole ? this.whole.digest('base64') : compositeChecksum(parts);
    if (actual !== this.expected.value) {
      throw new BlobIntegrityError(`${this.what}: SHA-256 mismatch (stored ${this.expected.value}, read ${actual})`);
    }
  }
}

/**
 * A stream of `source` that feeds every chunk to the verifier and ends only if the verification passes;
 * otherwise it errors with BlobIntegrityError. Read errors of the source go through `translate`.
 */
export function verifiedStream(
  source: ReadableStream<Uint8Array>,
  verifier: ChecksumVerifier,
  translate: (error: unknown) => unknown,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: Awaited<ReturnType<typeof reader.read>>;
        try {
          result = await reader.read();
        } catch (error) {
          controller.error(translate(error));
          return;
        }
        if (result.done) {
          try {
            verifier.finish();
            controller.close();
          } catch (error) {
            controller.error(error);
          }
          return;
        }
        verifier.update(result.value);
        controller.enqueue(result.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
