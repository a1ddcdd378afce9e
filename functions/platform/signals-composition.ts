import { DynamoSignalHistory } from '../adapters/dynamodb/signal-history.js';
import { DynamoSignalRepository } from '../adapters/dynamodb/signal-repository.js';
import { DynamoSignalRuleRepository } from '../adapters/dynamodb/signal-rule-repository.js';
import { DynamoWorkflowRepository } from '../adapters/dynamodb/workflow-repositories.js';
import type { DeadlineTimers, WorkflowCatalog } from '../domain/signals/use-cases/ports.js';
import type { DetectionDeps } from '../domain/signals/use-cases/detection.js';
import { RuleSetCache } from '../domain/signals/use-cases/rule-set.js';
import type { RulePreviewDeps } from '../domain/signals/use-cases/rule-preview.js';
import type { SignalQueryDeps } from '../domain/signals/use-cases/signal-queries.js';
import type { SignalRuleDeps } from '../domain/signals/use-cases/signal-rules.js';
import { documentClient } from './aws-clients.js';
import { mutationWriter, systemClock } from './composition.js';
import { config } from './config.js';
import { logger } from './logger.js';

/**
 * Composition of the signal functions: the rule API, the signal reads, the detector and the deadline fires. The
 * deadline timers (a schedule group, which only the detector and the deadline function are bound to) are given by
 * those handlers, so the API functions bundle no Scheduler client.
 */
const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

export const signalRuleRepository = once(
  () => new DynamoSignalRuleRepository(documentClient(), config().TABLE_NAME, mutationWriter()),
);
export const signalRepository = once(
  () => new DynamoSignalRepository(documentClient(), config().TABLE_NAME, mutationWriter()),
);
export const signalHistory = once(() => new DynamoSignalHistory(documentClient(), config().TABLE_NAME));

/** A rule's action must name a workflow of the tenant: its latest version is read. */
const workflowCatalog = once((): WorkflowCatalog => {
  const workflows = new DynamoWorkflowRepository(documentClient(), config().TABLE_NAME, mutationWriter());
  return { exists: async (tenantId, id) => (await workflows.get(tenantId, id)) !== undefined };
});

export function signalRuleDeps(): SignalRuleDeps {
  return { rules: signalRuleRepository(), workflows: workflowCatalog(), clock: systemClock };
}

export function rulePreviewDeps(): RulePreviewDeps {
  return { history: signalHistory(), workflows: workflowCatalog(), clock: systemClock };
}

export function signalQueryDeps(): SignalQueryDeps {
  return { store: signalRepository() };
}

/** One cache of compiled rules per process (one Lambda container, or one sandbox locally). */
const ruleSets = once(
  () =>
    new RuleSetCache(signalRuleRepository(), {
      onInvalidRule: (tenantId, ruleId, error) =>
        logger.error('stored signal rule no longer compiles: left out', {
          tenantId,
          ruleId,
          errorName: (error as Error)?.name,
        }),
    }),
);

/**
 * Timers built on their first use: handler modules build their deps on import, and the schedule group's settings
 * (its binding) are read only when a deadline is armed.
 */
export const lazyTimers = (make: () => DeadlineTimers): DeadlineTimers => ({
  arm: (fire, fireAt) => make().arm(fire, fireAt),
});

export function detectionDeps(timers: DeadlineTimers): DetectionDeps {
  return { ruleSets: ruleSets(), store: signalRepository(), history: signalHistory(), timers, clock: systemClock };
}
