import type { FinishDeps } from '../domain/connectors/sync/engine.js';
import { blobStore } from './blob-composition.js';
import { systemClock } from './composition.js';
import { SYNC_WRITE_CONCURRENCY, syncStore } from './sync-composition.js';

/** The Finish task's deps: the table and the raw pages' id lists, no vendor client (its bundle carries none). */
export function finishSyncDeps(): FinishDeps {
  return {
    store: syncStore(),
    pages: blobStore('FinishSync', 'sync-pages/'),
    clock: systemClock,
    writeConcurrency: SYNC_WRITE_CONCURRENCY,
  };
}
