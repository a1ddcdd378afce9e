import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from './logger.js';

/**
 * Wraps a Step Functions task or EventBridge target handler: Lambda context in the logs, one line
 * per failure (error name only, never content), and the error rethrown unchanged so its `name`
 * reaches the state machine's Retry/Catch or the event target's retry policy.
 */
export function taskHandler<E, R>(name: string, run: (event: E) => Promise<R>): (event: E, context?: unknown) => Promise<R> {
  const core = async (event: E): Promise<R> => {
    try {
      return await run(event);
    } catch (error) {
      logger.warn(`${name} failed`, { errorName: (error as Error)?.name });
      throw error;
    }
  };
  return middy(core).use(injectLambdaContext(logger, { resetKeys: true })) as unknown as (event: E, context?: unknown) => Promise<R>;
}

/** The envelope of a modos event as a rule target receives it. */
export interface BusEventOf<P> {
  'detail-type': string;
  source: string;
  detail: { tenantId: string; eventId: string; payload: P };
}
