import { DomainError, type ErrorDetail } from '../errors.js';
import type { WebhookVerificationFailure } from '../webhooks/errors.js';

/**
 * An inbound webhook was refused: headers missing or malformed, a timestamp more than the tolerance (5 minutes)
 * old or ahead, or no signature made with the hook's secret. 401 UNAUTHORIZED; `details` names the header at fault,
 * so a sender can tell a clock problem from a secret problem (neither says anything about the secret).
 */
export class InboundWebhookRefusedError extends DomainError {
  override readonly name = 'InboundWebhookRefusedError';
  readonly code = 'UNAUTHORIZED' as const;
  readonly status = 401;
  readonly reason: WebhookVerificationFailure;
  constructor(reason: WebhookVerificationFailure, message: string, details: ErrorDetail[], cause?: unknown) {
    super(message, { details, cause });
    this.reason = reason;
  }
}

/** A hook received more requests than it takes in its current window. 429 RATE_LIMITED, with the wait. */
export class HookRateLimitedError extends DomainError {
  override readonly name = 'HookRateLimitedError';
  readonly code = 'RATE_LIMITED' as const;
  readonly status = 429;
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
