import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ConflictError, TransientError } from '../../domain/errors.js';

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
]);

/** Translates SDK errors into domain errors; anything unknown is rethrown as is. */
export function translateDynamoError(error: unknown, what: string): never {
  if (error instanceof Error) {
    if (error.name === 'ConditionalCheckFailedException')
      throw new ConflictError(`${what}: condition failed`, { cause: error });
    if (RETRYABLE.has(error.name)) throw new TransientError(`${what}: ${error.name}`, { cause: error });
  }
  throw error;
}

/** Cancellation reason codes of a cancelled transaction, one per item (`None` where it was fine). */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (
    error instanceof TransactionCanceledException ||
    (error instanceof Error && error.name === 'TransactionCanceledException')
  ) {
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    return reasons.map((r) => r.Code ?? 'None');
  }
  return undefined;
}
