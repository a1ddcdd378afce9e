/**
 * State machine task "Pages" of ConnectorSync (lambda:invoke).
 * Input: `{ tenantId, runId }`. Output: `{ next: 'pages' | 'wait' | 'finish', waitSeconds }`.
 * Reads pages of the run until its time budget is spent, checkpointing each. Errors: TransientError, ConflictError
 * (retried by the machine); ConnectorError, MalformedPageError (the run fails, its cursor stays at the last
 * committed page).
 */
import { type SyncEngineDeps, type SyncTaskInput, syncPages } from '../domain/connectors/sync/engine.js';
import { syncEngineDeps } from '../platform/sync-engine-composition.js';
import { taskHandler } from '../platform/task.js';

export const makeHandler = (deps: SyncEngineDeps) =>
  taskHandler('sync-pages', (event: SyncTaskInput) => syncPages(event, deps));

export const handler = makeHandler(syncEngineDeps());
