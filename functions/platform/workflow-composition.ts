import {
  DynamoApprovalRepository,
  DynamoRunRepository,
  DynamoWorkflowRepository,
} from '../adapters/dynamodb/workflow-repositories.js';
import { DynamoEntityRepository } from '../adapters/dynamodb/entity-repository.js';
import { BUILTIN_TOOLS } from '../domain/tools/builtin.js';
import { ToolRegistry } from '../domain/tools/registry.js';
import type { DefinitionDeps } from '../domain/workflows/definitions.js';
import type { IdempotencyStore } from '../domain/ports.js';
import type { WebhookSender } from '../domain/webhooks/ports.js';
import { documentClient } from './aws-clients.js';
import { mutationWriter, systemClock, uuidIds } from './composition.js';
import { config } from './config.js';
import { logger } from './logger.js';

/**
 * Composition of the workflow runtime's DynamoDB-backed ports. Kept apart from the Step Functions,
 * Secrets Manager and webhook adapters (sfn-composition.ts, callback-key.ts, webhook-composition.ts)
 * so each function bundles only the clients it uses.
 */
const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

/**
 * The registry of every function, here and in AWS: the built-in tools and nothing else. Tools made for
 * tests live under test/ (a layer rule keeps functions/ from importing it), and integration tests run
 * production tools against local receivers, so the local platform runs exactly what deploys.
 */
export const toolRegistry = once(() => new ToolRegistry(BUILTIN_TOOLS));
export const workflowRepository = once(
  () => new DynamoWorkflowRepository(documentClient(), config().TABLE_NAME, mutationWriter()),
);
export const runRepository = once(
  () => new DynamoRunRepository(documentClient(), config().TABLE_NAME, mutationWriter()),
);
export const approvalRepository = once(
  () => new DynamoApprovalRepository(documentClient(), config().TABLE_NAME, mutationWriter()),
);
export const entityRepository = once(
  () => new DynamoEntityRepository(documentClient(), config().TABLE_NAME, mutationWriter()),
);
export const idempotencyStore = once(
  (): IdempotencyStore => ({ find: (tenantId, key) => mutationWriter().findIdempotent(tenantId, key) }),
);
export const engineLog = (message: string, fields: Record<string, unknown>) => logger.info(message, fields);

/** Deps of the definition routes; create and update add `secrets` (which needs the platform key). */
export function definitionDeps(): Omit<DefinitionDeps, 'secrets'> {
  return {
    workflows: workflowRepository(),
    tools: toolRegistry(),
    clock: systemClock,
    ids: uuidIds,
    urlPolicy: {
      allowHttpLoopback: config().ALLOW_HTTP_LOOPBACK_WEBHOOKS,
      loopbackPorts: config().LOOPBACK_WEBHOOK_PORTS,
    },
  };
}

/** Deps of the engine tasks (plan, step, finish). `webhooks` is a getter so Plan never builds a sender. */
export function engineDeps(webhooks: () => WebhookSender) {
  return {
    runs: runRepository(),
    approvals: approvalRepository(),
    tools: toolRegistry(),
    entities: entityRepository(),
    idempotency: idempotencyStore(),
    get webhooks() {
      return webhooks();
    },
    clock: systemClock,
  };
}
