import { DynamoSyncStore } from '../adapters/dynamodb/sync-store.js';
import { SfnSyncStarter } from '../adapters/sfn/sync-starter.js';
import type { SyncApiDeps } from '../domain/connectors/sync/runs.js';
import { documentClient, sfnClient } from './aws-clients.js';
import { mutationWriter, systemClock, uuidIds } from './composition.js';
import { config, stateMachineArn } from './config.js';
import { connectorRepository } from './connector-composition.js';

/**
 * Composition of the connector sync API (start, read, list, the schedule target); the state machine tasks are in
 * sync-engine-composition.ts.
 * Built once per process, like the other composition roots.
 */
let store: DynamoSyncStore | undefined;

export function syncStore(): DynamoSyncStore {
  store ??= new DynamoSyncStore(documentClient(), config().TABLE_NAME, mutationWriter());
  return store;
}

/** Start / read / list runs. The state machine ARN is read only by the functions that start it. */
export function syncApiDeps(): SyncApiDeps {
  let starter: SfnSyncStarter | undefined;
  return {
    store: syncStore(),
    connectors: connectorRepository(),
    starter: {
      start: (input) => {
        starter ??= new SfnSyncStarter(sfnClient(), stateMachineArn('ConnectorSync'));
        return starter.start(input);
      },
    },
    clock: systemClock,
    ids: uuidIds,
  };
}

/** Entity write calls in flight at once within a page (each packs many entities; the audit lanes spread them). */
export const SYNC_WRITE_CONCURRENCY = 16;
