/**
 * State machine tasks "Finish" and "Fail" of ConnectorSync (lambda:invoke).
 * Input: `{ tenantId, runId, outcome: 'completed' }` or `{ …, outcome: 'failed', error: { Error, Cause } }`.
 * Output: `{ status }`. Deletions of full passes, the completeness check, cursors, the lock released and
 * connector.sync.completed emitted. Errors: TransientError (retried by the machine).
 */
import { type FinishDeps, type FinishInput, finishSync } from '../domain/connectors/sync/engine.js';
import { finishSyncDeps } from '../platform/sync-finish-composition.js';
import { taskHandler } from '../platform/task.js';

export const makeHandler = (deps: FinishDeps) =>
  taskHandler('finish-sync', (event: FinishInput) => finishSync(event, deps));

export const handler = makeHandler(finishSyncDeps());
