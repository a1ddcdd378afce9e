import { DomainError } from '../errors.js';

/** A webhook signing secret is not `whsec_` + base64 of 24–64 bytes. A configuration defect: never retried. */
export class InvalidWebhookSecretError extends DomainError {
  override readonly name = 'InvalidWebhookSecretError';
  readonly code = 'VALIDATION_ERROR' as const;
  readonly status = 400;
}

export type WebhookVerificationFailure =
  | 'missing_headers'
  | 'malformed_headers'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature';

/**
 * An inbound webhook failed verification. `reason` is for logs and tests; the HTTP answer should
 * not say which check failed.
 */
export class WebhookVerificationError extends DomainError {
  override readonly name = 'WebhookVerificationError';
  readonly code = 'UNAUTHORIZED' as const;
  readonly status = 401;
  readonly reason: WebhookVerificationFailure;
  constructor(reason: WebhookVerificationFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}
