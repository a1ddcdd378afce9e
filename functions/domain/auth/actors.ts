/**
 * Actors the platform records in audit records and events besides users. Each lives in a reserved
 * namespace that no token subject may use, so an audit reader can tell the engine (or a callback
 * link) from a user: the token verifier refuses any `sub` for which `isReservedActor` holds.
 */

/** Namespaces of the platform's own actors, lower case; matched case-insensitively. */
export const RESERVED_ACTOR_PREFIXES = ['system:', 'callback:', 'trigger:'] as const;

/** The workflow engine: gate requests, run completion. */
export const WORKFLOW_ENGINE_ACTOR = 'system:workflow-engine';
/** Identity resolution: clusters it links, splits and re-forms on its own. */
export const RESOLUTION_ACTOR = 'system:resolution';

/** Connector syncs: entities they write, runs they finish. */
export const CONNECTOR_SYNC_ACTOR = 'system:connector-sync';
/** A connector's schedule starting its sync. */
export const SCHEDULER_ACTOR = 'system:scheduler';

/** Signal detection: the signals it writes from entity changes and deadlines. */
export const SIGNAL_DETECTOR_ACTOR = 'system:signal-detector';

/** The case manager: cases it opens and updates from signals. */
export const CASE_MANAGER_ACTOR = 'system:case-manager';

/**
 * A trigger starting a workflow run: `trigger:signal:<ruleId>`, `trigger:schedule:<triggerId>`,
 * `trigger:webhook:<triggerId>`. The run records it as its starter, and the audit names it.
 */
export const triggerActor = (kind: 'signal' | 'schedule' | 'webhook', id: string): string => `trigger:${kind}:${id}`;

/** A decision taken through an approval webhook's signed callback link. */
export const callbackActor = (approvalId: string): string => `callback:${approvalId}`;

/** Every fixed reserved actor (the callback actors are one per approval, under `callback:`). */
export const SYSTEM_ACTORS = [
  WORKFLOW_ENGINE_ACTOR,
  RESOLUTION_ACTOR,
  CONNECTOR_SYNC_ACTOR,
  SCHEDULER_ACTOR,
  SIGNAL_DETECTOR_ACTOR,
  CASE_MANAGER_ACTOR,
] as const;

/**
 * Whether `subject` is in a reserved namespace. Case-insensitive, so `System:workflow-engine` cannot
 * pass for the engine in front of a reader either.
 */
export function isReservedActor(subject: string): boolean {
  const lower = subject.toLowerCase();
  return RESERVED_ACTOR_PREFIXES.some((prefix) => lower.startsWith(prefix));
}
