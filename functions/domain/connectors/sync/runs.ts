/**
 * Sync runs as the API sees them: start one (202; 409 while the connector has one running), read one, list a
 * connector's. The work itself is done by the ConnectorSync state machine (engine.ts).
 */
import {
  FINAL_SYNC_STATUSES,
  type SyncCounts,
  type SyncObjectProgress,
  type SyncRun,
} from '../../../../schemas/connectors.js';
import { requirePermission } from '../../auth/authorize.js';
import { auditActorOf } from '../../audit/audit-actor.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { Clock, IdGenerator, MutationRecord, Page, RequestContext } from '../../ports.js';
import { hashOf } from '../../shared/hash.js';
import { CONNECTOR_REGISTRY, objectSpec, type ConnectorSystem } from '../registry.js';
import type { ConnectorRecord, ConnectorStore } from '../store.js';
import type { ObjectCursor, ObjectPass, SyncRunRecord, SyncStore } from './store.js';

/** Starts executions of the ConnectorSync state machine (name = run id, so a repeated start is a no-op). */
export interface SyncStarter {
  start(input: { tenantId: string; runId: string }): Promise<void>;
}

export interface SyncApiDeps {
  store: SyncStore;
  connectors: Pick<ConnectorStore, 'get'>;
  starter: SyncStarter;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Incremental passes start this long before the last pass's highest modification instant: vendors stamp a record
 * when its transaction starts and make it visible when it commits, so a record can appear later with an earlier
 * stamp. Records read twice are unchanged and cost nothing.
 */
export const CURSOR_OVERLAP_MS = 5 * 60_000;

/** Salesforce reports deletions 15 days back: a pass whose previous one is older (with a day of margin) is full. */
export const DELETION_FEED_HORIZON_MS = 14 * 86_400_000;

/**
 * A lock whose run has not checkpointed for this long (and is not waiting out a rate limit) belongs to a run that
 * died (an execution stopped from outside, a timeout): a new sync may take the connector over.
 */
export const STALE_LOCK_MS = 15 * 60_000;

export const DEFAULT_PAGE_SIZE: Record<ConnectorSystem, number> = { salesforce: 500, hubspot: 100, workday: 100 };

export const emptyCounts = (): SyncCounts => ({
  pages: 0,
  read: 0,
  created: 0,
  changed: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
  rateLimitWaits: 0,
  retries: 0,
});

/** The objects a connector syncs, in the registry's order. */
export function objectsOf(connector: Pick<ConnectorRecord, 'system' | 'settings'>): string[] {
  const spec = CONNECTOR_REGISTRY[connector.system];
  const wanted = new Set(connector.settings.objects ?? spec.defaultObjects);
  return spec.objects.map((o) => o.name).filter((name) => wanted.has(name));
}

/** Whether an object's pass is full or incremental, and from when, given its cursor. */
export function passMode(
  system: ConnectorSystem,
  object: string,
  cursor: ObjectCursor | undefined,
  full: boolean,
  now: Date,
): { mode: 'full' | 'incremental'; since: string | null; deletionsSince: string | null } {
  const spec = objectSpec(system, object);
  const fullPass = { mode: 'full' as const, since: null, deletionsSince: null };
  if (full || !spec?.modifiedField || !cursor?.watermark || !cursor.lastPassAt) return fullPass;
  const lastPass = Date.parse(cursor.lastPassAt);
  if (spec.deletions === 'getDeleted' && now.getTime() - lastPass > DELETION_FEED_HORIZON_MS) return fullPass;
  return {
    mode: 'incremental',
    since: new Date(Date.parse(cursor.watermark) - CURSOR_OVERLAP_MS).toISOString(),
    deletionsSince: new Date(lastPass - CURSOR_OVERLAP_MS).toISOString(),
  };
}

/**
 * Starts a sync of the connector: records the run and takes the connector's lock in one transaction (409 while
 * another run holds it), then starts the state machine. `trigger` says who asked (API or schedule).
 */
export async function startSync(
  connectorId: string,
  input: { full: boolean },
  ctx: RequestContext,
  deps: SyncApiDeps,
  trigger: 'api' | 'schedule' = 'api',
): Promise<{ runId: string; connectorId: string; status: SyncRun['status'] }> {
  requirePermission(ctx.principal, 'connectors:manage');
  const tenantId = ctx.principal.tenantId;
  const connector = await deps.connectors.get(tenantId, connectorId);
  if (!connector) throw new NotFoundError(`connector ${connectorId} not found`);
  if (!connector.enabled) throw new ConflictError(`connector ${connectorId} is disabled: enable it to sync`);
  const now = deps.clock.now();
  const takeOverFrom = connector.activeRunId
    ? await refuseUnlessStale(tenantId, connector.activeRunId, now, deps.store)
    : undefined;

  const at = now.toISOString();
  const runId = deps.ids.newId();
  const cursors = new Map((await deps.store.cursors(tenantId, connectorId)).map((c) => [c.object, c]));
  const objects = objectsOf(connector);
  const pageSize = Math.min(
    connector.settings.pageSize ?? DEFAULT_PAGE_SIZE[connector.system],
    CONNECTOR_REGISTRY[connector.system].maxPageSize,
  );
  const progress: SyncObjectProgress[] = [];
  const passes: ObjectPass[] = [];
  for (const object of objects) {
    const mode = passMode(connector.system, object, cursors.get(object), input.full, now);
    progress.push({
      ...emptyCounts(),
      object,
      mode: mode.mode,
      status: 'pending',
      since: mode.since,
      total: null,
      cursor: null,
    });
    passes.push({
      object,
      position: null,
      maxModifiedAt: null,
      phase: 'pages',
      deletionPosition: null,
      deletionsSince: mode.deletionsSince,
      pageNo: 0,
      read: 0,
    });
  }
  const run: SyncRunRecord = {
    runId,
    connectorId,
    system: connector.system,
    status: 'queued',
    full: input.full,
    trigger,
    requestedBy: ctx.principal.userId,
    startedAt: at,
    updatedAt: at,
    finishedAt: null,
    counts: emptyCounts(),
    objects: progress,
    progress: 0,
    gaps: [],
    error: null,
    seq: 1,
    passes,
    pageSize,
  };
  await deps.store.beginRun(
    tenantId,
    run,
    {
      audit: {
        action: 'connector.sync.start',
        ...auditActorOf(ctx),
        resourceType: 'connector',
        resourceId: connectorId,
        at,
        requestId: ctx.requestId,
        beforeHash: null,
        afterHash: hashOf({ runId, full: input.full, objects }),
      },
      events: [],
    },
    takeOverFrom,
  );
  try {
    await deps.starter.start({ tenantId, runId });
  } catch (error) {
    // No execution will ever finish this run: end it now and release the connector, so a retry can start one.
    await failUnstarted(tenantId, run, error as Error, deps).catch(() => undefined);
    throw error;
  }
  return { runId, connectorId, status: run.status };
}

/** What ending a run leaves behind: its audit record and `connector.sync.completed` (the run is final). */
export function finishMutation(run: SyncRunRecord, actor: string, at: string): MutationRecord {
  return {
    audit: {
      action: 'connector.sync.finish',
      actor,
      resourceType: 'connector',
      resourceId: run.connectorId,
      at,
      requestId: run.runId,
      beforeHash: null,
      afterHash: null,
    },
    events: [
      {
        name: 'connector.sync.completed',
        payload: {
          runId: run.runId,
          connectorId: run.connectorId,
          system: run.system,
          status: run.status as 'succeeded' | 'completed_with_gaps' | 'failed',
          full: run.full,
          counts: { ...run.counts },
          gaps: run.gaps,
          error: run.error,
        },
      },
    ],
  };
}

async function failUnstarted(tenantId: string, run: SyncRunRecord, error: Error, deps: SyncApiDeps): Promise<void> {
  const at = deps.clock.now().toISOString();
  const failed: SyncRunRecord = {
    ...run,
    status: 'failed',
    finishedAt: at,
    updatedAt: at,
    seq: run.seq + 1,
    error: { code: 'INTERNAL_ERROR', name: error.name, message: 'the sync could not be started; start it again' },
  };
  await deps.store.finishRun(tenantId, failed, run.seq, [], finishMutation(failed, run.requestedBy, at));
}

/** The stale run's id to take the lock over from, or ConflictError (409) while the holder is alive. */
async function refuseUnlessStale(tenantId: string, activeRunId: string, now: Date, store: SyncStore): Promise<string> {
  const holder = await store.getRun(tenantId, activeRunId);
  if (!holder || isStale(holder, now)) return activeRunId;
  throw new ConflictError(`a sync of this connector is running (run ${activeRunId})`, {
    details: [{ field: 'id', message: `run ${activeRunId} holds the connector` }],
  });
}

/** A run that stopped checkpointing without finishing (see STALE_LOCK_MS). */
export function isStale(run: SyncRunRecord, now: Date): boolean {
  if (FINAL_SYNC_STATUSES.has(run.status)) return true;
  const waitingUntil = run.status === 'waiting' && run.waitUntil ? Date.parse(run.waitUntil) : 0;
  const last = Math.max(Date.parse(run.updatedAt), waitingUntil);
  return now.getTime() - last > STALE_LOCK_MS;
}

/** The API's view of a stored run (without the engine's positions). */
export function runView(run: SyncRunRecord): SyncRun {
  const { seq: _seq, passes: _passes, pageSize: _pageSize, waitUntil: _waitUntil, ...view } = run;
  return view;
}

export async function getSyncRun(
  runId: string,
  ctx: RequestContext,
  deps: Pick<SyncApiDeps, 'store'>,
): Promise<SyncRun> {
  requirePermission(ctx.principal, 'connectors:read');
  const run = await deps.store.getRun(ctx.principal.tenantId, runId);
  if (!run) throw new NotFoundError(`sync run ${runId} not found`);
  return runView(run);
}

export async function listSyncRuns(
  connectorId: string,
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<SyncApiDeps, 'store' | 'connectors'>,
): Promise<Page<SyncRun>> {
  requirePermission(ctx.principal, 'connectors:read');
  const tenantId = ctx.principal.tenantId;
  const connector = await deps.connectors.get(tenantId, connectorId);
  if (!connector) throw new NotFoundError(`connector ${connectorId} not found`);
  const page = await deps.store.listRuns(tenantId, connectorId, query);
  return { items: page.items.map(runView), nextCursor: page.nextCursor };
}
