import { ValidationError } from '../errors.js';

/** Spec recommendation: full-stop delimited, hierarchical identifiers of `[a-zA-Z0-9_]`. */
const EVENT_TYPE = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;

export function assertValidEventType(type: string): void {
  if (typeof type !== 'string' || type.length > 128 || !EVENT_TYPE.test(type)) {
    throw new ValidationError('webhook event type must be dot-separated identifiers of A-Z, a-z, 0-9 or _', {
      details: [{ field: 'eventType', message: 'invalid event type' }],
    });
  }
}

/**
 * The body the spec recommends: `{"type":…,"timestamp":<ISO time of the event>,"data":…}`,
 * minified. Serialized once per message: every attempt sends (and signs) these exact bytes.
 */
export function buildWebhookBody(input: { type: string; occurredAt: Date; data: unknown }): string {
  assertValidEventType(input.type);
  const body = JSON.stringify({
    type: input.type,
    timestamp: input.occurredAt.toISOString(),
    data: input.data ?? null,
  });
  return body;
}
