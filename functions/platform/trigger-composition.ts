import { DynamoHookRateLimiter, DynamoTriggerStore } from '../adapters/dynamodb/trigger-repository.js';
import type { TriggerSchedules } from '../domain/triggers/ports.js';
import type { TriggerDeps } from '../domain/triggers/trigger-use-cases.js';
import { documentClient } from './aws-clients.js';
import { mutationWriter, systemClock, uuidIds } from './composition.js';
import { config } from './config.js';
import { workflowRepository } from './workflow-composition.js';

/**
 * Composition of the trigger routes, the hook route and the schedule target. The scheduler and the platform key
 * (which only some of them need) are added by those handlers, from scheduler-composition.ts and callback-key.ts, so
 * the read-only functions bundle neither client.
 */
let store: DynamoTriggerStore | undefined;
let limiter: DynamoHookRateLimiter | undefined;

/**
 * Requests one hook takes per minute (about 10 a second): far above what a sender's events need, low enough that a
 * leaked secret or a sender stuck in a loop cannot start runs without bound. Over it: 429 with Retry-After.
 */
export const HOOK_REQUESTS_PER_MINUTE = 600;

export function triggerStore(): DynamoTriggerStore {
  store ??= new DynamoTriggerStore(documentClient(), config().TABLE_NAME, mutationWriter());
  return store;
}

export function hookRateLimiter(): DynamoHookRateLimiter {
  limiter ??= new DynamoHookRateLimiter(documentClient(), config().TABLE_NAME, HOOK_REQUESTS_PER_MINUTE);
  return limiter;
}

/** Deps of every trigger route but the schedules and the secret box. */
export function triggerDeps(): Omit<TriggerDeps, 'schedules' | 'secrets'> {
  return { triggers: triggerStore(), workflows: workflowRepository(), clock: systemClock, ids: uuidIds };
}

/**
 * Schedules built on their first use: handler modules build their deps on import, and the scheduler's settings (its
 * binding) are read only when a request changes a schedule.
 */
export const lazySchedules = (make: () => TriggerSchedules): TriggerSchedules => ({
  put: (tenantId, triggerId, expression) => make().put(tenantId, triggerId, expression),
});
