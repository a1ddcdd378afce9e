/**
 * An EventBridge event pattern as JSON: what an event rule of the manifest matches on. Its grammar is
 * checked, and events are matched against it, by functions/domain/events/event-pattern.ts.
 */
export type EventPattern = Record<string, unknown>;
