/**
 * The sync engine: the two tasks of the ConnectorSync state machine (statemachines/connector-sync.asl.json).
 *
 * `syncPages` reads pages of the run's current object, keeps each raw page in the object store, normalises it and
 * upserts its entities (one transaction per changed entity, nothing for unchanged ones), then checkpoints the run
 * (position, counts) conditioned on the sequence it read. A page is committed by its checkpoint: a task that dies
 * before it re-reads the same page from the same position, and the records it already wrote count as they did
 * (SourceRecordState.runSeq), so a resumed run ends with the counts of an uninterrupted one.
 *
 * `finishSync` ends the run: deletions found by a full pass's diff (with a guard on their share), the completeness
 * check (records read against what the vendor says it holds: a run with gaps is `completed_with_gaps`, never
 * `succeeded`), cursors promoted for the passes that completed without gaps, the connector's lock released and
 * `connector.sync.completed` emitted, in one transaction.
 */
import { mapLimit } from '../../shared/concurrency.js';
import { FINAL_SYNC_STATUSES, type SyncCounts, type SyncObjectProgress } from '../../../../schemas/connectors.js';
import type { BlobStore, Clock } from '../../ports.js';
import { CONNECTOR_SYNC_ACTOR } from '../../auth/actors.js';
import { ConflictError } from '../../errors.js';
import {
  CircuitOpenError,
  ConnectorError,
  CursorExpiredError,
  MalformedPageError,
  SourceRateLimitedError,
} from '../errors.js';
import type { CallStats, Normaliser, NormalisedRecord, SourceClient, SourcePage } from '../ports.js';
import { objectSpec, type ConnectorSystem } from '../registry.js';
import type { ConnectorRecord, ConnectorStore } from '../store.js';
import { entityIdOf } from './entity-ids.js';
import { emptyCounts, finishMutation } from './runs.js';
import type { ObjectCursor, ObjectPass, StoredEntityState, SyncRunRecord, SyncStore } from './store.js';
import {
  type Outcome,
  type PlannedEntity,
  type UpsertContext,
  planDeletion,
  planEntity,
  refsOfPage,
} from './upsert.js';

export interface SyncEngineDeps {
  store: SyncStore;
  connectors: Pick<ConnectorStore, 'get'>;
  /** The vendor client of a connector (tokens, retries, limiter, breaker inside). */
  clientFor(tenantId: string, connector: ConnectorRecord): Promise<SourceClient>;
  normaliserFor(system: ConnectorSystem, options: { employer?: string; defaultCountry?: string }): Normaliser;
  /** The `sync-pages/` area: raw pages and the ids each page held. */
  pages: BlobStore;
  clock: Clock;
  /** How long one task invocation reads pages before handing back to the state machine. */
  budgetMs: number;
  /** Entity transactions in flight at once. */
  writeConcurrency: number;
}

export interface SyncTaskInput {
  tenantId: string;
  runId: string;
}

export interface SyncStep {
  next: 'pages' | 'wait' | 'finish';
  /** With `wait`: seconds the state machine waits before the next pages task. */
  waitSeconds: number;
}

/** The actor the audit names for writes of a sync (the run's requester is in the run). */
export const SYNC_ACTOR = CONNECTOR_SYNC_ACTOR;

/** Longest wait the state machine is asked for at once (a daily quota may need several). */
export const MAX_WAIT_SECONDS = 3600;

/**
 * A full pass that would mark more than this share of a connector's live records deleted holds the deletions back
 * (and reports a gap): a vendor answering a partial listing as if complete, or a misconfigured filter, must not
 * empty the graph. Real mass deletions are rare and can be confirmed by looking at the run.
 */
export const MAX_DELETION_SHARE = 0.5;
/** …unless so few records are involved that a wrong deletion is cheap to notice (small test tenants). */
export const DELETION_GUARD_MIN_RECORDS = 20;

/**
 * Tries of a page whose vendor call failed retryably after the client's own retries (5 each, seconds apart): the
 * state machine waits 30 s, 60 s, 120 s… between them, so an outage of a few minutes does not fail the run.
 */
export const MAX_PAGE_ATTEMPTS = 4;
const PAGE_RETRY_BASE_SECONDS = 30;

/**
 * The run's view of a position is shown as is up to this size; a larger one (a HubSpot search position listing the
 * ids that share its boundary instant) is kept once, in the pass, and shown by its size: the run item stays far
 * from DynamoDB's 400 KB item limit.
 */
export const MAX_CURSOR_VIEW = 2048;

/** The position as the run's progress shows it (see MAX_CURSOR_VIEW). */
export function cursorView(position: string | null): string | null {
  if (position === null || position.length <= MAX_CURSOR_VIEW) return position;
  return `${position.slice(0, 64)}… (${position.length} characters, kept in full by the run)`;
}

/** Restarts of a pass (the vendor dropping its cursor) before the run gives up. */
export const MAX_PASS_RESTARTS = 3;
/** The counts a restarted pass counts again from zero (waits and retries stay: they happened). */
const RESTARTED_COUNTS = ['pages', 'read', 'created', 'changed', 'unchanged', 'deleted', 'failed'] as const;

/** Changed entities handed to one writeEntities call (the store packs them into transactions of up to 100 items). */
const ENTITIES_PER_WRITE_CALL = 25;

const pad = (n: number) => String(n).padStart(6, '0');
const pagePrefix = (run: SyncRunRecord, object: string) => `${run.connectorId}/${run.runId}/${object}/`;

export async function syncPages(input: SyncTaskInput, deps: SyncEngineDeps): Promise<SyncStep> {
  const started = deps.clock.now().getTime();
  let run = await mustGetRun(input, deps.store);
  let connector: ConnectorRecord | undefined;
  let client: SourceClient | undefined;
  for (;;) {
    if (FINAL_SYNC_STATUSES.has(run.status)) return { next: 'finish', waitSeconds: 0 };
    const index = run.passes.findIndex((p) => p.phase !== 'done');
    if (index < 0) return { next: 'finish', waitSeconds: 0 };
    if (deps.clock.now().getTime() - started > deps.budgetMs) return { next: 'pages', waitSeconds: 0 };
    connector ??= await deps.connectors.get(input.tenantId, run.connectorId);
    if (!connector) throw new ConnectorError(`connector ${run.connectorId} was deleted during its sync`);
    client ??= await deps.clientFor(input.tenantId, connector);
    const next = structuredClone(run);
    next.status = 'running';
    next.waitUntil = null;
    const pass = next.passes[index]!;
    const progress = next.objects[index]!;
    progress.status = 'running';
    try {
      if (pass.phase === 'pages') await readPage(next, pass, progress, client, connector, input.tenantId, deps);
      else await readDeletions(next, pass, progress, client, input.tenantId, deps);
    } catch (error) {
      if (error instanceof SourceRateLimitedError || error instanceof CircuitOpenError) {
        const waitSeconds = Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil(error.retryAfterSeconds)));
        next.status = 'waiting';
        next.waitUntil = new Date(deps.clock.now().getTime() + waitSeconds * 1000).toISOString();
        if (error instanceof SourceRateLimitedError) addStats(next, progress, { rateLimitWaits: 1 });
        await checkpoint(input.tenantId, next, run, deps);
        return { next: 'wait', waitSeconds };
      }
      if (error instanceof CursorExpiredError) {
        // The vendor dropped its server-side cursor: read the pass again from its start, with its counts from zero.
        // Records this run wrote before the restart count as what that write was (once); see UpsertContext.
        pass.restarts = (pass.restarts ?? 0) + 1;
        if (pass.restarts > MAX_PASS_RESTARTS) {
          throw new ConnectorError(`${pass.object}: the vendor dropped its cursor ${pass.restarts} times in one pass`, {
            cause: error,
            retryable: true,
          });
        }
        pass.position = null;
        pass.read = 0;
        pass.pageNo = 0;
        pass.maxModifiedAt = null;
        for (const k of RESTARTED_COUNTS) progress[k] = 0;
        progress.total = null;
        progress.cursor = null;
        // The sequence this checkpoint gives the run: every write from here on carries it or a later one.
        pass.restartSeq = run.seq + 1;
        run = await checkpoint(input.tenantId, next, run, deps);
        continue;
      }
      if (error instanceof ConnectorError && error.retryable && !(error instanceof MalformedPageError)) {
        // The client gave up after its own retries (a vendor outage, throttling without Retry-After): the machine
        // waits and the page is tried again, a few times, before the run fails.
        pass.failedAttempts = (pass.failedAttempts ?? 0) + 1;
        if (pass.failedAttempts <= MAX_PAGE_ATTEMPTS) {
          const waitSeconds = Math.min(MAX_WAIT_SECONDS, PAGE_RETRY_BASE_SECONDS * 2 ** (pass.failedAttempts - 1));
          next.status = 'waiting';
          next.waitUntil = new Date(deps.clock.now().getTime() + waitSeconds * 1000).toISOString();
          addStats(next, progress, { retries: 1 });
          await checkpoint(input.tenantId, next, run, deps);
          return { next: 'wait', waitSeconds };
        }
      }
      if (error instanceof MalformedPageError) {
        progress.status = 'failed';
        next.error = { code: error.code, name: error.name, message: error.message };
        await checkpoint(input.tenantId, next, run, deps).catch(() => undefined);
      }
      throw error;
    }
    pass.failedAttempts = 0;
    run = await checkpoint(input.tenantId, next, run, deps);
  }
}

async function mustGetRun(input: SyncTaskInput, store: SyncStore): Promise<SyncRunRecord> {
  const run = await store.getRun(input.tenantId, input.runId);
  if (!run) throw new ConnectorError(`sync run ${input.runId} not found`);
  return run;
}

/** Saves `next` over `read` (conditioned on its sequence) and returns what is now stored. */
async function checkpoint(
  tenantId: string,
  next: SyncRunRecord,
  read: SyncRunRecord,
  deps: SyncEngineDeps,
): Promise<SyncRunRecord> {
  next.seq = read.seq + 1;
  next.updatedAt = deps.clock.now().toISOString();
  next.counts = totals(next.objects);
  next.progress = progressOf(next);
  await deps.store.saveRun(tenantId, next, read.seq);
  return next;
}

function addStats(run: SyncRunRecord, progress: SyncObjectProgress, stats: Partial<CallStats>): void {
  progress.rateLimitWaits += stats.rateLimitWaits ?? 0;
  progress.retries += stats.retries ?? 0;
  run.counts = totals(run.objects);
}

export function totals(objects: readonly SyncObjectProgress[]): SyncCounts {
  const sum = emptyCounts();
  for (const o of objects) for (const k of Object.keys(sum) as (keyof SyncCounts)[]) sum[k] += o[k];
  return sum;
}

/** Share of the work done: completed objects, plus the current one's records read over the vendor's total. */
export function progressOf(run: SyncRunRecord): number {
  if (run.objects.length === 0) return 1;
  let done = 0;
  for (const [i, o] of run.objects.entries()) {
    const pass = run.passes[i]!;
    if (pass.phase === 'done') done += 1;
    else if (o.total && o.total > 0) done += Math.min(0.99, pass.read / o.total);
  }
  return Math.min(1, Math.round((done / run.objects.length) * 1000) / 1000);
}

async function readPage(
  run: SyncRunRecord,
  pass: ObjectPass,
  progress: SyncObjectProgress,
  client: SourceClient,
  connector: ConnectorRecord,
  tenantId: string,
  deps: SyncEngineDeps,
): Promise<void> {
  const pageNo = pass.pageNo + 1;
  const where = `${pass.object} page ${pageNo}`;
  let page: SourcePage;
  try {
    page = await client.readPage({
      object: pass.object,
      position: pass.position,
      since: progress.since,
      pageSize: run.pageSize,
    });
  } catch (error) {
    // The client names the vendor and what it asked for; only the engine knows which page of the pass that was.
    if (error instanceof MalformedPageError) {
      throw new MalformedPageError(`${where}: ${error.message}`, {
        cause: error,
        retryable: error.retryable,
        ...(error.vendorCode ? { vendorCode: error.vendorCode } : {}),
        ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
      });
    }
    throw error;
  }
  addStats(run, progress, page.stats);
  if (page.quota) progress.quota = page.quota;
  if (page.next !== null && page.next === pass.position) {
    throw new MalformedPageError(`${where}: the next page is the page just read (the vendor's paging loops)`);
  }
  const normalise = deps.normaliserFor(connector.system, {
    ...(connector.settings.companyName ? { employer: connector.settings.companyName } : {}),
    ...(connector.settings.defaultCountry ? { defaultCountry: connector.settings.defaultCountry } : {}),
  });
  let records: NormalisedRecord[];
  try {
    records = page.records.map((raw) => normalise(pass.object, raw));
  } catch (error) {
    progress.failed += page.records.length;
    if (error instanceof MalformedPageError) {
      throw new MalformedPageError(`${where}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const prefix = pagePrefix(run, pass.object);
  await deps.pages.put(tenantId, `${prefix}page-${pad(pageNo)}.json`, page.body, {
    contentType: 'application/json',
    metadata: { records: String(page.records.length), 'run-id': run.runId },
  });
  const seen = records.flatMap((r) => r.entities.map((e) => [e.ref.namespace, e.ref.sourceId, e.ref.role]));
  await deps.pages.put(tenantId, `${prefix}ids-${pad(pageNo)}.json`, JSON.stringify(seen), {
    contentType: 'application/json',
  });

  const outcomes = await upsertRecords(records, run, pass.object, tenantId, deps);
  tally(progress, outcomes);
  progress.pages += 1;
  progress.read += page.records.length;
  pass.read += page.records.length;
  pass.pageNo = pageNo;
  pass.position = page.next;
  progress.cursor = cursorView(page.next);
  // The pass's first count is the one to compare with (a vendor may count only what is left on later pages).
  if (page.total !== null && progress.total === null) progress.total = page.total;
  for (const r of records) {
    if (r.modifiedAt && (!pass.maxModifiedAt || r.modifiedAt > pass.maxModifiedAt)) pass.maxModifiedAt = r.modifiedAt;
  }
  if (page.next === null) {
    const spec = objectSpec(connector.system, pass.object);
    const feed = spec?.deletions === 'getDeleted' || spec?.deletions === 'archived';
    if (progress.mode === 'incremental' && feed && client.readDeleted && pass.deletionsSince) {
      pass.phase = 'deletions';
    } else {
      pass.phase = 'done';
      progress.status = 'done';
    }
  }
}

async function readDeletions(
  run: SyncRunRecord,
  pass: ObjectPass,
  progress: SyncObjectProgress,
  client: SourceClient,
  tenantId: string,
  deps: SyncEngineDeps,
): Promise<void> {
  const since = pass.deletionsSince!;
  const page = await client.readDeleted!({
    object: pass.object,
    since,
    until: run.startedAt,
    position: pass.deletionPosition,
  });
  addStats(run, progress, page.stats);
  if (page.earliestAvailable && page.earliestAvailable > since) {
    run.gaps.push(
      `${pass.object}: the vendor no longer reports deletions before ${page.earliestAvailable}; the next sync is a full one`,
    );
    pass.forceFullNext = true;
  }
  const spec = objectSpec(run.system, pass.object);
  const roles = spec?.yields ?? [];
  const namespace = spec?.namespace ?? pass.object;
  const targets = page.ids.flatMap((sourceId) =>
    roles.map((role) => ({ entityId: entityIdOf(run.connectorId, { namespace, sourceId, role }), sourceId })),
  );
  const deleted = await deleteEntities(targets, run, pass.object, namespace, tenantId, deps);
  progress.deleted += deleted;
  pass.deletionPosition = page.next;
  if (page.next === null) {
    pass.phase = 'done';
    progress.status = 'done';
  }
}

function contextOf(run: SyncRunRecord, object: string, deps: Pick<SyncEngineDeps, 'clock'>): UpsertContext {
  const pass = run.passes.find((p) => p.object === object);
  return {
    passRestartSeq: pass?.restartSeq ?? 0,
    connectorId: run.connectorId,
    system: run.system,
    object,
    runId: run.runId,
    // The sequence this page's checkpoint replaces: writes carrying it belong to the uncommitted page.
    runSeq: run.seq,
    at: deps.clock.now().toISOString(),
    requestId: run.runId,
    // The requester of the run is who changed the graph; the audit names the sync as the system acting for them.
    actor: run.requestedBy,
  };
}

function tally(progress: SyncObjectProgress, outcomes: readonly Outcome[]): void {
  for (const o of outcomes) if (o !== 'repeat') progress[o] += 1;
}

/** Plans and writes a page's entities; a write that lost a race (an API patch in between) is planned again. */
async function upsertRecords(
  records: readonly NormalisedRecord[],
  run: SyncRunRecord,
  object: string,
  tenantId: string,
  deps: SyncEngineDeps,
): Promise<Outcome[]> {
  const ctx = contextOf(run, object, deps);
  // The last occurrence of an entity in a page wins (a vendor listing a record twice).
  const items = new Map<string, { record: NormalisedRecord; entity: NormalisedRecord['entities'][number] }>();
  for (const record of records) {
    for (const entity of record.entities) items.set(entityIdOf(run.connectorId, entity.ref), { record, entity });
  }
  const stored = await deps.store.loadEntities(tenantId, refsOfPage(run.connectorId, records));
  const plans = new Map<string, { plan: PlannedEntity; item: typeof items extends Map<string, infer V> ? V : never }>();
  for (const [entityId, item] of items) {
    plans.set(entityId, { plan: planEntity(item.record, item.entity, stored.get(entityId), ctx), item });
  }
  const batch = [...plans.values()]
    .filter((p) => p.plan.write)
    .map((p) => ({ write: p.plan.write!, mutation: p.plan.mutation! }));
  // Transactions of a page go out a few at a time (each holds many entities; the writer spreads them over lanes).
  const chunks: (typeof batch)[] = [];
  for (let i = 0; i < batch.length; i += ENTITIES_PER_WRITE_CALL)
    chunks.push(batch.slice(i, i + ENTITIES_PER_WRITE_CALL));
  const results = await mapLimit(chunks, deps.writeConcurrency, (chunk) => deps.store.writeEntities(tenantId, chunk));
  // An entity someone changed since it was read (an API patch in between) is read and planned again.
  for (const entityId of results.flatMap((r) => r.conflicts)) {
    const { item } = plans.get(entityId)!;
    const ref = {
      entityId,
      connectorId: run.connectorId,
      namespace: item.entity.ref.namespace,
      sourceId: item.entity.ref.sourceId,
    };
    for (let attempt = 1; ; attempt++) {
      const state = (await deps.store.loadEntities(tenantId, [ref])).get(entityId);
      const plan = planEntity(item.record, item.entity, state, ctx);
      plans.get(entityId)!.plan = plan;
      if (!plan.write) break;
      try {
        await deps.store.writeEntity(tenantId, plan.write, plan.mutation!);
        break;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 3) throw error;
      }
    }
  }
  return [...plans.values()].map((p) => p.plan.outcome);
}

/** Marks the entities of deleted source records deleted (those the platform holds and has not marked yet). */
async function deleteEntities(
  targets: readonly { entityId: string; sourceId: string }[],
  run: SyncRunRecord,
  object: string,
  namespace: string,
  tenantId: string,
  deps: FinishDeps,
): Promise<number> {
  if (targets.length === 0) return 0;
  const ctx = contextOf(run, object, deps);
  const stored = await deps.store.loadEntities(
    tenantId,
    targets.map((t) => ({ entityId: t.entityId, connectorId: run.connectorId, namespace, sourceId: t.sourceId })),
  );
  const results = await mapLimit(targets, deps.writeConcurrency, async (t) => {
    const state = stored.get(t.entityId);
    if (!state?.entity || !state.source) return 0;
    if (state.source.deletedAt) return state.source.runId === run.runId && state.source.runSeq === run.seq ? 1 : 0;
    const { write, mutation } = planDeletion(state.source, state.entity, ctx);
    await deps.store.writeEntity(tenantId, write, mutation);
    return 1;
  });
  return results.reduce<number>((a, b) => a + b, 0);
}

export interface FinishInput extends SyncTaskInput {
  outcome: 'completed' | 'failed';
  /** With `failed`: the state machine's error (Error name and Cause JSON). */
  error?: { Error?: string; Cause?: string };
}

/** Ends the run (idempotent: a run already final is left as it is). */
/** What the Finish task needs: no vendor (deletion feeds are read by the Pages task), no normaliser. */
export type FinishDeps = Pick<SyncEngineDeps, 'store' | 'pages' | 'clock' | 'writeConcurrency'>;

export async function finishSync(input: FinishInput, deps: FinishDeps): Promise<{ status: string }> {
  const read = await mustGetRun(input, deps.store);
  if (FINAL_SYNC_STATUSES.has(read.status)) return { status: read.status };
  const run = structuredClone(read);
  const at = deps.clock.now().toISOString();
  if (input.outcome === 'completed') {
    for (const [i, pass] of run.passes.entries()) {
      const progress = run.objects[i]!;
      const missing = progress.total !== null && pass.read < progress.total;
      if (missing) {
        run.gaps.push(
          `${pass.object}: read ${pass.read} of the ${progress.total} records the vendor reports for this pass` +
            (progress.mode === 'full' ? '; its deletions are held back' : ''),
        );
      }
      // A full pass that missed records cannot tell a deletion from a record it did not get: no diff.
      if (pass.phase === 'done' && progress.mode === 'full' && !missing) {
        progress.deleted += await diffDeletions(run, pass, input.tenantId, deps);
      }
    }
    run.status = run.gaps.length > 0 ? 'completed_with_gaps' : 'succeeded';
  } else {
    run.status = 'failed';
    run.error ??= machineError(input.error);
    // The object the run was on when it failed (the first not done) failed with it.
    const current = run.passes.findIndex((p) => p.phase !== 'done');
    if (current >= 0) run.objects[current]!.status = 'failed';
  }
  run.finishedAt = at;
  run.updatedAt = at;
  run.waitUntil = null;
  run.counts = totals(run.objects);
  run.progress = run.status === 'failed' ? progressOf(run) : 1;
  run.seq = read.seq + 1;
  const previous = new Map((await deps.store.cursors(input.tenantId, run.connectorId)).map((c) => [c.object, c]));
  const cursors: ObjectCursor[] = [];
  for (const [i, pass] of run.passes.entries()) {
    const progress = run.objects[i]!;
    if (pass.phase !== 'done') continue;
    const gap = run.gaps.some((g) => g.startsWith(`${pass.object}:`));
    const old = previous.get(pass.object);
    const highest =
      [old?.watermark, pass.maxModifiedAt]
        .filter((v): v is string => !!v)
        .sort()
        .at(-1) ?? null;
    cursors.push({
      object: pass.object,
      // A pass that missed records keeps the old watermark, so the next sync reads them again.
      watermark: pass.forceFullNext ? null : gap ? (old?.watermark ?? null) : highest,
      lastPassAt: gap ? (old?.lastPassAt ?? null) : run.startedAt,
      lastFullPassAt: progress.mode === 'full' && !gap ? run.startedAt : (old?.lastFullPassAt ?? null),
    });
  }
  await deps.store.finishRun(input.tenantId, run, read.seq, cursors, finishMutation(run, SYNC_ACTOR, at));
  return { status: run.status };
}

/** The run's error from the state machine's: `Cause` is the task's `{ errorType, errorMessage }` JSON. */
function machineError(error: FinishInput['error']): { code: string; name: string; message: string } {
  const name = error?.Error ?? 'Error';
  let message = 'the sync failed';
  try {
    const cause = JSON.parse(error?.Cause ?? '{}') as { errorMessage?: unknown };
    if (typeof cause.errorMessage === 'string') message = cause.errorMessage;
  } catch {
    if (error?.Cause) message = error.Cause.slice(0, 500);
  }
  const connectorNames = ['ConnectorError', 'MalformedPageError', 'SourceRateLimitedError', 'CircuitOpenError'];
  return { code: connectorNames.includes(name) ? 'CONNECTOR_ERROR' : 'INTERNAL_ERROR', name, message };
}

/**
 * Deletions of a full pass: the connector's live source records of the object's namespace that no page of this
 * pass held. Held back (a gap) when they would be more than MAX_DELETION_SHARE of the live records.
 */
async function diffDeletions(
  run: SyncRunRecord,
  pass: ObjectPass,
  tenantId: string,
  deps: FinishDeps,
): Promise<number> {
  const spec = objectSpec(run.system, pass.object);
  const namespace = spec?.namespace ?? pass.object;
  const seen = new Set<string>();
  const prefix = `${pagePrefix(run, pass.object)}ids-`;
  let cursor: string | undefined;
  do {
    const listing = await deps.pages.list(tenantId, { prefix, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const item of listing.items) {
      const ids = JSON.parse(await (await deps.pages.get(tenantId, item.key)).text()) as [string, string, string][];
      for (const [ns, sourceId, role] of ids) seen.add(`${ns}\u0000${sourceId}\u0000${role}`);
    }
    cursor = listing.nextCursor ?? undefined;
  } while (cursor);
  const live: { entityId: string; sourceId: string }[] = [];
  let liveCount = 0;
  for await (const source of deps.store.sourceRecords(tenantId, run.connectorId, namespace)) {
    if (source.deletedAt) continue;
    liveCount += 1;
    if (!seen.has(`${source.namespace}\u0000${source.sourceId}\u0000${source.role}`)) {
      live.push({ entityId: source.entityId, sourceId: source.sourceId });
    }
  }
  if (live.length === 0) return 0;
  if (live.length > DELETION_GUARD_MIN_RECORDS && live.length > MAX_DELETION_SHARE * liveCount) {
    run.gaps.push(
      `${pass.object}: ${live.length} of ${liveCount} records are no longer at the vendor; deletions of more than ` +
        `${MAX_DELETION_SHARE * 100} % are held back`,
    );
    return 0;
  }
  return deleteEntities(live, run, pass.object, namespace, tenantId, deps);
}
