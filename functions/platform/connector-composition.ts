import { DynamoConnectorRepository } from '../adapters/dynamodb/connector-repository.js';
import { DynamoResolutionStore } from '../adapters/dynamodb/resolution-repository.js';
import type { ConnectorDeps } from '../domain/connectors/connector-use-cases.js';
import type { ProvenanceDeps } from '../domain/connectors/provenance.js';
import type { SyncScheduler } from '../domain/connectors/store.js';
import { documentClient } from './aws-clients.js';
import { mutationWriter, systemClock, uuidIds } from './composition.js';
import { config } from './config.js';

/**
 * Composition of the connector admin routes and the provenance reads. The scheduler and the platform key (which
 * only the writing routes need) are added by those handlers, from scheduler-composition.ts and callback-key.ts, so
 * the read-only functions bundle neither client.
 */
let repository: DynamoConnectorRepository | undefined;

export function connectorRepository(): DynamoConnectorRepository {
  repository ??= new DynamoConnectorRepository(documentClient(), config().TABLE_NAME, mutationWriter());
  return repository;
}

/** Deps of every connector route but the scheduler and the secret box. */
export function connectorDeps(): Omit<ConnectorDeps, 'scheduler' | 'secrets'> {
  return {
    connectors: connectorRepository(),
    // Connectors call vendors as webhooks call receivers: https to public hosts; locally also the dev loopback ports.
    urlPolicy: {
      allowHttpLoopback: config().ALLOW_HTTP_LOOPBACK_WEBHOOKS,
      loopbackPorts: config().LOOPBACK_WEBHOOK_PORTS,
    },
    clock: systemClock,
    ids: uuidIds,
  };
}

/** Deps of GET /entities/{id}/sources and /relations. */
export function provenanceDeps(): ProvenanceDeps {
  return {
    resolution: new DynamoResolutionStore(documentClient(), config().TABLE_NAME, mutationWriter(), { readOnly: true }),
    provenance: connectorRepository(),
  };
}

/**
 * A scheduler built on its first call: handler modules build their deps on import, and the scheduler's settings
 * (its binding) are read only when a request changes a schedule.
 */
export const lazyScheduler = (make: () => SyncScheduler): SyncScheduler => ({
  put: (tenantId, connectorId, expression) => make().put(tenantId, connectorId, expression),
});
