import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type * as z from 'zod';
import { EVENT_CATALOGUE, type EventName } from '../../schemas/events.js';
import { logger } from './logger.js';

/**
 * Wraps a Step Functions task or EventBridge target handler: Lambda context in the logs, one line
 * per failure (error name only, never content), and the error rethrown unchanged so its `name`
 * reaches the state machine's Retry/Catch or the event target's retry policy.
 */
export function taskHandler<E, R>(
  name: string,
  run: (event: E) => Promise<R>,
): (event: E, context?: unknown) => Promise<R> {
  const core = async (event: E): Promise<R> => {
    try {
      return await run(event);
    } catch (error) {
      logger.warn(`${name} failed`, { errorName: (error as Error)?.name });
      throw error;
    }
  };
  return middy(core).use(injectLambdaContext(logger, { resetKeys: true })) as unknown as (
    event: E,
    context?: unknown,
  ) => Promise<R>;
}

/** An event that does not match the catalogue schema of the event its rule names. Not retried usefully: it dead-letters. */
export class EventSchemaError extends Error {
  override readonly name = 'EventSchemaError';
}

/** The detail of a catalogue event, as its zod schema parses it. */
export type EventDetail<N extends EventName> = z.infer<(typeof EVENT_CATALOGUE)[N]['detail']>;

/**
 * An EventBridge rule target for one event of the catalogue (the manifest rule's `event`): checks source
 * and detail-type and parses `detail` with the event's zod schema before `run` sees it, so a target works
 * on a typed, validated detail instead of casting what arrived.
 */
export function eventTarget<N extends EventName, R>(
  name: string,
  event: N,
  run: (detail: EventDetail<N>, envelope: { id?: string; time?: string }) => Promise<R>,
): (event: unknown, context?: unknown) => Promise<R> {
  const schema = EVENT_CATALOGUE[event];
  return taskHandler(name, async (raw: unknown) => {
    const e = raw as { source?: unknown; 'detail-type'?: unknown; detail?: unknown; id?: string; time?: string };
    if (e?.source !== schema.source || e?.['detail-type'] !== event) {
      throw new EventSchemaError(
        `${name} takes ${event} from ${schema.source}, got ${String(e?.['detail-type'])} from ${String(e?.source)}`,
      );
    }
    const parsed = schema.detail.safeParse(e.detail);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => ['detail', ...i.path.map(String)].join('.')).join(', ');
      throw new EventSchemaError(`${event} detail does not match its schema at ${fields}`);
    }
    return run(parsed.data as EventDetail<N>, { id: e.id, time: e.time });
  });
}

/** The envelope of a modos event as a rule target receives it. */
export interface BusEventOf<P> {
  'detail-type': string;
  source: string;
  detail: { tenantId: string; eventId: string; payload: P };
}
