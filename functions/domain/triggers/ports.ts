import type { Trigger } from '../../../schemas/triggers.js';
import type { MutationRecord, Page } from '../ports.js';

/** A trigger as stored: the public view, the roles its runs act with and (webhooks) the sealed signing secret. */
export interface TriggerRecord extends Trigger {
  /** The roles of `updatedBy` when they created or last changed the trigger: its runs' tools act with these. */
  roles: string[];
  /** The webhook's `whsec_` secret, sealed with the tenant's key. Never returned. */
  sealedSecret: string | null;
}

/** The tenant's triggers. */
export interface TriggerStore {
  /** Throws ConflictError if the id exists. */
  create(tenantId: string, record: TriggerRecord, mutation: MutationRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<TriggerRecord | undefined>;
  /** Newest first. */
  list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<TriggerRecord>>;
  /** Replaces the trigger if its stored version is `expectedVersion`; else ConflictError. */
  update(tenantId: string, record: TriggerRecord, expectedVersion: number, mutation: MutationRecord): Promise<void>;
  /** Deletes the trigger if its stored version is `expectedVersion`; else ConflictError. */
  delete(tenantId: string, id: string, expectedVersion: number, mutation: MutationRecord): Promise<void>;
}

/**
 * The recurring schedules of schedule triggers (EventBridge Scheduler in AWS, the local scheduler locally): one per
 * trigger, invoking ScheduledWorkflow with `{ tenantId, triggerId, scheduledTime }` at each fire.
 */
export interface TriggerSchedules {
  /** Creates or replaces the trigger's schedule; `null` removes it (removing a missing one is fine). */
  put(tenantId: string, triggerId: string, expression: string | null): Promise<void>;
}

/** Requests a hook may take: a fixed window per hook, shared by every instance of the function. */
export interface HookRateLimiter {
  take(tenantId: string, triggerId: string, now: Date): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}
