import { BlobIntegrityError } from '../../domain/blobs/errors.js';
import { isDomainError, NotFoundError, TransientError } from '../../domain/errors.js';

const RETRYABLE = new Set(['SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'TimeoutError']);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** S3 refused a body whose bytes do not match the checksum sent with it (corrupted in transit). */
const DIGEST_MISMATCH = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch']);

const statusOf = (error: Error): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** Error name the SDK gives a missing object: `NoSuchKey` (GetObject) or `NotFound` (HeadObject, no body). */
export const isNoSuchKey = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');

/** `AccessDenied`: in AWS also the answer for a missing key when ListBucket is not granted for it. */
export const isAccessDenied = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'AccessDenied' || statusOf(error) === 403);

/**
 * Translates SDK errors into domain errors; anything unknown (AccessDenied of a function not bound to the
 * area, NoSuchBucket of a wrong BUCKET_NAME) is rethrown as is: those are wiring defects, not outcomes.
 */
export function translateS3Error(error: unknown, what: string): never {
  if (isDomainError(error)) throw error;
  if (error instanceof Error) {
    if (isNoSuchKey(error)) throw new NotFoundError(`${what}: no such object`, { cause: error });
    if (DIGEST_MISMATCH.has(error.name))
      throw new BlobIntegrityError(`${what}: S3 rejected the body (${error.name})`, { cause: error });
    const status = statusOf(error);
    const code = (error as { code?: string }).code;
    if (
      RETRYABLE.has(error.name) ||
      (code !== undefined && RETRYABLE_CODES.has(code)) ||
      (status !== undefined && status >= 500)
    ) {
      throw new TransientError(`${what}: ${error.name}`, { cause: error });
    }
  }
  throw error;
}
