/**
 * Domain errors. Each has an explicit `name` (used by Step Functions Retry/Catch and by tests),
 * a stable API `code` and an HTTP status the edge maps it to.
 */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TENANT_NOT_FOUND'
  | 'RATE_LIMITED'
  | 'DAILY_LIMIT_EXCEEDED'
  | 'CONNECTOR_ERROR'
  | 'WORKFLOW_FAILED'
  | 'APPROVAL_TIMEOUT'
  | 'INTERNAL_ERROR';

export interface ErrorDetail {
  field?: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly status: number;
  readonly details?: ErrorDetail[];
  constructor(message: string, options?: { cause?: unknown; details?: ErrorDetail[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.details) this.details = options.details;
  }
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly code = 'VALIDATION_ERROR' as const;
  readonly status = 400;
}

/**
 * Why a request was refused (401/403), as a short stable code: the `reason` of the security log line
 * and the dimension of the RequestsRefused metric, so it must stay a small, closed set (never ids).
 * The error's message says more, and never quotes the credential.
 */
export type RefusalReason =
  | 'unauthorized'
  | 'token_missing'
  | 'token_invalid'
  | 'token_expired'
  | 'signature_invalid'
  | 'algorithm_not_allowed'
  | 'claim_invalid'
  | 'duplicate_member'
  | 'reserved_subject'
  | 'duplicate_authorization'
  | 'no_principal'
  | 'callback_credential_invalid'
  | 'callback_credential_expired'
  | 'callback_credential_used'
  | 'forbidden'
  | 'missing_permission'
  | 'missing_role';

type RefusalOptions = { cause?: unknown; details?: ErrorDetail[]; reason?: RefusalReason };

export class UnauthorizedError extends DomainError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'UNAUTHORIZED' as const;
  readonly status = 401;
  readonly reason: RefusalReason;
  constructor(message: string, options?: RefusalOptions) {
    super(message, options);
    this.reason = options?.reason ?? 'unauthorized';
  }
}

export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly code = 'FORBIDDEN' as const;
  readonly status = 403;
  readonly reason: RefusalReason;
  constructor(message: string, options?: RefusalOptions) {
    super(message, options);
    this.reason = options?.reason ?? 'forbidden';
  }
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly code = 'NOT_FOUND' as const;
  readonly status = 404;
}

export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly code = 'CONFLICT' as const;
  readonly status = 409;
}

export class RateLimitedError extends DomainError {
  override readonly name = 'RateLimitedError';
  readonly code = 'RATE_LIMITED' as const;
  readonly status = 429;
}

/** A request body that is not JSON (its Content-Type is missing or another media type). */
export class UnsupportedMediaTypeError extends DomainError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly code = 'UNSUPPORTED_MEDIA_TYPE' as const;
  readonly status = 415;
}

/** A dependency (table, bus, bucket) failed in a way that may succeed on retry. */
export class TransientError extends DomainError {
  override readonly name = 'TransientError';
  readonly code = 'INTERNAL_ERROR' as const;
  readonly status = 503;
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** An idempotent mutation already happened; callers read its stored result instead. */
export class EffectAlreadyAppliedError extends DomainError {
  override readonly name = 'EffectAlreadyAppliedError';
  readonly code = 'CONFLICT' as const;
  readonly status = 409;
}
