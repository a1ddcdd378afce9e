import { DomainError } from '../errors.js';

/**
 * A stored object's bytes do not match the checksum recorded when it was written (corruption at rest or in
 * transit, or an object written outside the blob store), or the object carries no checksum to check. Retrying
 * the read does not help when the stored bytes are bad; the object must be rewritten from its source.
 */
export class BlobIntegrityError extends DomainError {
  override readonly name = 'BlobIntegrityError';
  readonly code = 'INTERNAL_ERROR' as const;
  readonly status = 500;
}
