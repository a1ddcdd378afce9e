import { ConnectorCredentials } from '../../schemas/connectors.js';
import { connectorSourceClient } from '../adapters/connectors/index.js';
import { normaliserFor } from '../domain/connectors/normalise/index.js';
import type { SyncEngineDeps } from '../domain/connectors/sync/engine.js';
import { documentClient } from './aws-clients.js';
import { blobStore } from './blob-composition.js';
import { secretBox } from './callback-key.js';
import { systemClock } from './composition.js';
import { config } from './config.js';
import { connectorRepository } from './connector-composition.js';
import { logger } from './logger.js';
import { SYNC_WRITE_CONCURRENCY, syncStore } from './sync-composition.js';

/**
 * Composition of the ConnectorSync state machine's tasks: vendor clients, normalisers, the raw page store. Kept apart
 * from sync-composition.ts so the API functions (StartSync, runs) bundle none of the vendor libraries.
 */
/**
 * How long one Pages task reads before handing back to the state machine: well inside its 300 s timeout (a slow
 * page after the budget still fits), short enough that a run's progress is visible and a restart loses little.
 */
export const SYNC_TASK_BUDGET_MS = 120_000;

/** The Pages task's deps: vendor clients built per connector with its opened credentials. */
export function syncEngineDeps(): SyncEngineDeps {
  const c = config();
  const urlPolicy = { allowHttpLoopback: c.ALLOW_HTTP_LOOPBACK_WEBHOOKS, loopbackPorts: c.LOOPBACK_WEBHOOK_PORTS };
  return {
    store: syncStore(),
    connectors: connectorRepository(),
    clientFor: async (tenantId, connector) => {
      const box = secretBox();
      const credentials = ConnectorCredentials.parse(JSON.parse(await box.open(tenantId, connector.sealedCredentials)));
      return connectorSourceClient({
        doc: documentClient(),
        tableName: c.TABLE_NAME,
        secretBox: box,
        tenantId,
        connector,
        credentials,
        urlPolicy,
        // Ids, statuses and vendor codes only: the clients never pass PII or secrets to their log.
        log: (level, message, fields) => logger[level](message, { tenantId, connectorId: connector.id, ...fields }),
      });
    },
    normaliserFor,
    pages: blobStore('SyncPages', 'sync-pages/'),
    clock: systemClock,
    budgetMs: SYNC_TASK_BUDGET_MS,
    writeConcurrency: SYNC_WRITE_CONCURRENCY,
  };
}
