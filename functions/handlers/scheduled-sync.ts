/**
 * Schedule target: starts a connector's sync run.
 * Trigger: EventBridge Scheduler (AWS) or the local scheduler emulator, one schedule per connector.
 * Input: `{ tenantId, connectorId }`. Output: `{ started: runId }` or `{ skipped: reason }` when a sync of the
 * connector is running, the connector is disabled or gone (a schedule firing then is not an error: retrying it
 * would only start a second sync). Errors: TransientError (Scheduler retries by its policy).
 */
import * as z from 'zod';
import { SCHEDULER_ACTOR } from '../domain/auth/actors.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { startSync, type SyncApiDeps } from '../domain/connectors/sync/runs.js';
import { logger } from '../platform/logger.js';
import { syncApiDeps } from '../platform/sync-composition.js';
import { EventSchemaError, taskHandler } from '../platform/task.js';

const ScheduledSyncInput = z.strictObject({ tenantId: z.string().min(1).max(64), connectorId: z.string().min(1) });

export const makeHandler = (deps: SyncApiDeps) =>
  taskHandler('scheduled-sync', async (event: unknown) => {
    const parsed = ScheduledSyncInput.safeParse(event);
    if (!parsed.success) throw new EventSchemaError('scheduled sync input is { tenantId, connectorId }');
    const { tenantId, connectorId } = parsed.data;
    const ctx = {
      principal: { tenantId, userId: SCHEDULER_ACTOR, roles: ['admin'] },
      requestId: `schedule-${connectorId}-${Date.now()}`,
    };
    try {
      const started = await startSync(connectorId, { full: false }, ctx, deps, 'schedule');
      return { started: started.runId };
    } catch (error) {
      if (error instanceof ConflictError || error instanceof NotFoundError) {
        logger.info('scheduled sync skipped', { tenantId, connectorId, reason: error.name });
        return { skipped: error.name };
      }
      throw error;
    }
  });

export const handler = makeHandler(syncApiDeps());
