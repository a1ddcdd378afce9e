import { TransientError, ValidationError } from '../../domain/errors.js';

/** Errors of EventBridge Scheduler (and of the way there) that can succeed when tried again later. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  // A concurrent change of the same schedule (Scheduler answers 409 ConflictException to it).
  'ConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/**
 * Translates SDK errors into domain errors: throttling, 5xx, conflicts of concurrent changes and network
 * failures become TransientError (503, retried by callers); a ValidationException becomes ValidationError (the
 * schedule was refused, with Scheduler's message). Anything else is rethrown as is.
 */
export function translateSchedulerError(error: unknown, what: string): never {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const code = (error as { code?: string }).code;
    if (RETRYABLE.has(error.name) || (status !== undefined && status >= 500) || (code && NETWORK_CODES.has(code)))
      throw new TransientError(`${what}: ${error.name}`, { cause: error });
    if (error.name === 'ValidationException')
      throw new ValidationError(`${what}: EventBridge Scheduler refused it: ${error.message}`, {
        cause: error,
        details: [{ field: 'schedule', message: error.message }],
      });
  }
  throw error;
}
