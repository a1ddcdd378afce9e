/**
 * The connector admin API: create, list, read, change and delete the tenant's connectors. A connector's config is
 * checked against the registry of its system (what it supports) before anything is written; its credentials are
 * sealed with the tenant's key and never leave the store in clear (no response, audit hash or log carries them).
 */
import type {
  Connector,
  ConnectorCredentials,
  ConnectorSettings,
  CreateConnectorRequest,
  UpdateConnectorRequest,
} from '../../../schemas/connectors.js';
import { auditActorOf } from '../audit/audit-actor.js';
import { requirePermission } from '../auth/authorize.js';
import { ConflictError, DomainError, NotFoundError, ValidationError, type ErrorDetail } from '../errors.js';
import type { AuditEntry, Clock, IdGenerator, Page, RequestContext, SecretBox } from '../ports.js';
import { hashOf } from '../shared/hash.js';
import { checkWebhookUrl, type UrlPolicy } from '../webhooks/url-policy.js';
import { CONNECTOR_REGISTRY, type AuthKind, type ConnectorSystem } from './registry.js';
import { checkScheduleExpression } from './schedule.js';
import type { ConnectorRecord, ConnectorStore, SyncScheduler } from './store.js';

export interface ConnectorDeps {
  connectors: ConnectorStore;
  /** Creates, replaces and removes each connector's schedule (EventBridge Scheduler, the local emulator). */
  scheduler: SyncScheduler;
  /** Seals credentials with the tenant's key before they are stored. */
  secrets: SecretBox;
  /** Where a connector may call: https to public hosts; on the local platform also its development loopback ports. */
  urlPolicy: UrlPolicy;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * The table changed but the schedule could not be made to match it, and putting the table back failed as well:
 * the message says what is stored and what to do. (When putting the table back succeeds, the caller gets this
 * error too, saying that nothing changed.) API code INTERNAL_ERROR, 503: trying again can succeed.
 */
export class ScheduleNotAppliedError extends DomainError {
  override readonly name = 'ScheduleNotAppliedError';
  readonly code = 'INTERNAL_ERROR' as const;
  readonly status = 503;
}

/** What a connector is configured with, as the registry checks it (create, and a change merged over the stored). */
export interface ConnectorConfig {
  system: ConnectorSystem;
  baseUrl: string;
  credentialsKind: AuthKind;
  settings: ConnectorSettings;
  schedule: string | null;
}

/** Settings only some systems read: naming one for another system is a mistake the API points out. */
const SYSTEM_ONLY_SETTINGS: ReadonlyArray<readonly [keyof ConnectorSettings, ConnectorSystem]> = [
  ['apiVersion', 'salesforce'],
  ['tenant', 'workday'],
  ['reportPath', 'workday'],
];

/**
 * The problems of a connector config against its system's registry entry, each naming the request field
 * (`settings.objects.1`, `credentials.kind`…): empty when it is valid. Pure: the URL check is the SSRF guard of
 * webhooks (text only; the vendor clients check resolved addresses again before connecting).
 */
export function connectorConfigProblems(config: ConnectorConfig, urlPolicy: UrlPolicy): ErrorDetail[] {
  const spec = CONNECTOR_REGISTRY[config.system];
  const problems: ErrorDetail[] = [];
  const { settings } = config;
  const objectNames = spec.objects.map((o) => o.name);
  const seen = new Set<string>();
  (settings.objects ?? []).forEach((object, i) => {
    if (!objectNames.includes(object))
      problems.push({
        field: `settings.objects.${i}`,
        message: `${spec.displayName} has no object ${object} (one of ${objectNames.join(', ')})`,
      });
    else if (seen.has(object)) problems.push({ field: `settings.objects.${i}`, message: `${object} is listed twice` });
    seen.add(object);
  });
  if (!spec.authKinds.includes(config.credentialsKind))
    problems.push({
      field: 'credentials.kind',
      message: `${spec.displayName} authenticates with ${spec.authKinds.join(' or ')}, not ${config.credentialsKind}`,
    });
  if (settings.pageSize !== undefined && (settings.pageSize > spec.maxPageSize || settings.pageSize < spec.minPageSize))
    problems.push({
      field: 'settings.pageSize',
      message: `${spec.displayName} serves ${spec.minPageSize}-${spec.maxPageSize} records per page`,
    });
  // `.` and `..` segments would let URL normalisation take the connector's token outside the report path.
  if (settings.reportPath?.split('/').some((segment) => /^\.+$/.test(segment)))
    problems.push({ field: 'settings.reportPath', message: 'a report path has no . or .. segments' });
  for (const [name, only] of SYSTEM_ONLY_SETTINGS) {
    if (settings[name] !== undefined && config.system !== only)
      problems.push({
        field: `settings.${name}`,
        message: `only ${CONNECTOR_REGISTRY[only].displayName} connectors take ${name}`,
      });
  }
  if (config.system === 'workday' && settings.tenant === undefined)
    problems.push({ field: 'settings.tenant', message: 'a Workday connector needs its tenant name' });
  const objects = settings.objects ?? spec.defaultObjects;
  if (config.system === 'workday' && objects.includes('workerReport') && settings.reportPath === undefined)
    problems.push({
      field: 'settings.reportPath',
      message: 'object workerReport needs the report path <owner>/<report>',
    });
  problems.push(...baseUrlProblems(config.baseUrl, urlPolicy));
  if (config.schedule !== null) {
    const problem = checkScheduleExpression(config.schedule);
    if (problem) problems.push({ field: 'schedule', message: problem });
  }
  return problems;
}

function baseUrlProblems(baseUrl: string, urlPolicy: UrlPolicy): ErrorDetail[] {
  const verdict = checkWebhookUrl(baseUrl, urlPolicy);
  if (!verdict.allowed) return [{ field: 'baseUrl', message: verdict.refusal.message }];
  // The clients append API paths to it: a query or fragment would end up in the middle of every URL.
  if (verdict.target.url.search !== '' || verdict.target.url.hash !== '' || /[?#]/.test(baseUrl))
    return [{ field: 'baseUrl', message: 'a base URL has no query or fragment' }];
  return [];
}

function refuseInvalid(problems: ErrorDetail[]): void {
  if (problems.length === 0) return;
  throw new ValidationError(`invalid connector: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, {
    details: problems,
  });
}

/** The connector as the API returns it: no credentials, sealed or in clear, only their kind. */
export function publicConnector(record: ConnectorRecord): Connector {
  const { sealedCredentials: _sealed, ...view } = record;
  return view;
}

/**
 * The schedule the scheduler should hold for a stored connector: its expression while it is enabled, none while
 * it is disabled (a disabled connector does not sync, not even on schedule).
 */
export const effectiveSchedule = (c: Pick<ConnectorRecord, 'schedule' | 'enabled'>): string | null =>
  c.enabled ? c.schedule : null;

/**
 * Audit hash of a stored connector: the record with its sealed credentials (a new seal hashes differently, so a
 * credential change shows in the trail), never a hash of the secret in clear, which could be tested by guessing.
 */
const auditHash = (record: ConnectorRecord | null): string | null => (record ? hashOf(record) : null);

function auditOf(
  action: 'connector.create' | 'connector.update' | 'connector.delete',
  id: string,
  before: ConnectorRecord | null,
  after: ConnectorRecord | null,
  at: string,
  ctx: RequestContext,
): AuditEntry {
  return {
    action,
    ...auditActorOf(ctx),
    resourceType: 'connector',
    resourceId: id,
    at,
    requestId: ctx.requestId,
    beforeHash: auditHash(before),
    afterHash: auditHash(after),
  };
}

const seal = (tenantId: string, credentials: ConnectorCredentials, secrets: SecretBox): Promise<string> =>
  secrets.seal(tenantId, JSON.stringify(credentials));

/**
 * Creates a connector (version 1, no run yet). Order of writes: the table first (item + audit in one
 * transaction), then the schedule, if one is given and the connector is enabled. If the schedule cannot be
 * created, the connector is deleted again (audited) so that no connector claims a schedule it does not have, and
 * the caller gets ScheduleNotAppliedError (503): nothing was kept, the request can be sent again.
 */
export async function createConnector(
  input: CreateConnectorRequest,
  ctx: RequestContext,
  deps: ConnectorDeps,
): Promise<Connector> {
  requirePermission(ctx.principal, 'connectors:manage');
  const tenantId = ctx.principal.tenantId;
  refuseInvalid(
    connectorConfigProblems(
      {
        system: input.system,
        baseUrl: input.baseUrl,
        credentialsKind: input.credentials.kind,
        settings: input.settings,
        schedule: input.schedule,
      },
      deps.urlPolicy,
    ),
  );
  const at = deps.clock.now().toISOString();
  const record: ConnectorRecord = {
    id: deps.ids.newId(),
    system: input.system,
    name: input.name,
    baseUrl: input.baseUrl,
    credentialsKind: input.credentials.kind,
    sealedCredentials: await seal(tenantId, input.credentials, deps.secrets),
    settings: input.settings,
    schedule: input.schedule,
    enabled: input.enabled,
    activeRunId: null,
    lastRun: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  await deps.connectors.create(tenantId, record, {
    audit: auditOf('connector.create', record.id, null, record, at, ctx),
    events: [],
  });
  const schedule = effectiveSchedule(record);
  if (schedule !== null) {
    try {
      await deps.scheduler.put(tenantId, record.id, schedule);
    } catch (error) {
      const undoAt = deps.clock.now().toISOString();
      try {
        await deps.connectors.delete(tenantId, record.id, record.version, {
          audit: auditOf('connector.delete', record.id, record, null, undoAt, ctx),
          events: [],
        });
      } catch (undoError) {
        throw new ScheduleNotAppliedError(
          `connector ${record.id} was created, but its schedule could not be created, nor the connector removed: ` +
            'it does not sync on schedule until its schedule is set again (PATCH schedule)',
          { cause: new AggregateError([error, undoError]) },
        );
      }
      throw new ScheduleNotAppliedError("the connector's schedule could not be created: nothing was kept", {
        cause: error,
      });
    }
  }
  return publicConnector(record);
}

/** The tenant's connector, or NotFoundError (also for another tenant's id). */
export async function getConnector(
  id: string,
  ctx: RequestContext,
  deps: Pick<ConnectorDeps, 'connectors'>,
): Promise<Connector> {
  requirePermission(ctx.principal, 'connectors:read');
  const record = await deps.connectors.get(ctx.principal.tenantId, id);
  if (!record) throw new NotFoundError(`connector ${id} not found`);
  return publicConnector(record);
}

/** The tenant's connectors, newest first. */
export async function listConnectors(
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<ConnectorDeps, 'connectors'>,
): Promise<Page<Connector>> {
  requirePermission(ctx.principal, 'connectors:read');
  const page = await deps.connectors.list(ctx.principal.tenantId, query);
  return { items: page.items.map(publicConnector), nextCursor: page.nextCursor };
}

/**
 * Changes a connector if `version` is the stored one (else ConflictError, 409). Fields left out keep their value;
 * `settings` and `credentials` replace the stored ones whole. The merged config is checked as a new one is.
 * Order of writes: the table first; then, when the schedule or `enabled` changed, the scheduler is given the
 * effective schedule (none while disabled). If that fails, the stored connector is put back as it was (audited)
 * and the caller gets ScheduleNotAppliedError (503) saying nothing changed.
 */
export async function updateConnector(
  id: string,
  input: UpdateConnectorRequest,
  ctx: RequestContext,
  deps: ConnectorDeps,
): Promise<Connector> {
  requirePermission(ctx.principal, 'connectors:manage');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.connectors.get(tenantId, id);
  if (!current) throw new NotFoundError(`connector ${id} not found`);
  if (current.version !== input.version)
    throw new ConflictError(`connector ${id} is at version ${current.version}, not ${input.version}`, {
      details: [{ field: 'version', message: `the stored version is ${current.version}` }],
    });
  const config: ConnectorConfig = {
    system: current.system,
    baseUrl: input.baseUrl ?? current.baseUrl,
    credentialsKind: input.credentials?.kind ?? current.credentialsKind,
    settings: input.settings ?? current.settings,
    schedule: input.schedule === undefined ? current.schedule : input.schedule,
  };
  refuseInvalid(connectorConfigProblems(config, deps.urlPolicy));
  const changes =
    input.name !== undefined ||
    input.baseUrl !== undefined ||
    input.credentials !== undefined ||
    input.settings !== undefined ||
    input.schedule !== undefined ||
    input.enabled !== undefined;
  // A change that names nothing to change writes nothing (and needs no new version).
  if (!changes) return publicConnector(current);

  const at = deps.clock.now().toISOString();
  const next: ConnectorRecord = {
    ...current,
    name: input.name ?? current.name,
    baseUrl: config.baseUrl,
    credentialsKind: config.credentialsKind,
    sealedCredentials: input.credentials
      ? await seal(tenantId, input.credentials, deps.secrets)
      : current.sealedCredentials,
    settings: config.settings,
    schedule: config.schedule,
    enabled: input.enabled ?? current.enabled,
    version: current.version + 1,
    updatedAt: at,
  };
  const connectionChanged =
    input.baseUrl !== undefined || input.credentials !== undefined || input.settings !== undefined;
  await deps.connectors.update(
    tenantId,
    next,
    current.version,
    { audit: auditOf('connector.update', id, current, next, at, ctx), events: [] },
    { resetSession: connectionChanged },
  );
  const scheduleTouched =
    (input.schedule !== undefined && input.schedule !== current.schedule) ||
    (input.enabled !== undefined && input.enabled !== current.enabled);
  if (scheduleTouched) {
    try {
      await deps.scheduler.put(tenantId, id, effectiveSchedule(next));
    } catch (error) {
      await revertUpdate(tenantId, current, next, error, ctx, deps);
    }
  }
  // The stored item, read again: a sync may have taken or released the lock (activeRunId, lastRun) meanwhile.
  return publicConnector((await deps.connectors.get(tenantId, id)) ?? next);
}

/** Puts `previous` back after its schedule could not follow `next`; throws ScheduleNotAppliedError either way. */
async function revertUpdate(
  tenantId: string,
  previous: ConnectorRecord,
  next: ConnectorRecord,
  error: unknown,
  ctx: RequestContext,
  deps: ConnectorDeps,
): Promise<never> {
  const at = deps.clock.now().toISOString();
  // The content of the previous version under a new version number: versions only go up.
  const restored: ConnectorRecord = { ...previous, version: next.version + 1, updatedAt: at };
  try {
    await deps.connectors.update(tenantId, restored, next.version, {
      audit: auditOf('connector.update', next.id, next, restored, at, ctx),
      events: [],
    });
  } catch (undoError) {
    throw new ScheduleNotAppliedError(
      `connector ${next.id} was changed (version ${next.version}), but its schedule could not be changed to match, ` +
        'nor the change undone: set its schedule again (PATCH schedule) to apply it',
      { cause: new AggregateError([error, undoError]) },
    );
  }
  throw new ScheduleNotAppliedError(
    `the connector's schedule could not be changed: connector ${next.id} was left as it was (now version ${restored.version})`,
    { cause: error },
  );
}

/**
 * Deletes a connector with its token, breaker and cursors (entities and their source records stay: they are the
 * graph's history). 409 while a sync holds it. Order of writes: the table first, then the schedule is removed.
 * If removing the schedule fails, the connector is already gone: the caller gets ScheduleNotAppliedError (503)
 * and can send the DELETE again, which removes the schedule of a connector that no longer exists before it
 * answers 404 (a schedule left behind only fires syncs that find no connector).
 */
export async function deleteConnector(
  id: string,
  ctx: RequestContext,
  deps: Omit<ConnectorDeps, 'secrets'>,
): Promise<void> {
  requirePermission(ctx.principal, 'connectors:manage');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.connectors.get(tenantId, id);
  if (!current) {
    // The retry of a delete whose schedule removal failed; a no-op for an id that never had a schedule. The answer
    // is 404 either way: a scheduler that cannot be reached now does not make an unknown id a server error.
    await deps.scheduler.put(tenantId, id, null).catch(() => undefined);
    throw new NotFoundError(`connector ${id} not found`);
  }
  if (current.activeRunId)
    throw new ConflictError(`a sync of connector ${id} is running (run ${current.activeRunId}): delete it after`, {
      details: [{ field: 'id', message: `run ${current.activeRunId} holds the connector` }],
    });
  const at = deps.clock.now().toISOString();
  await deps.connectors.delete(tenantId, id, current.version, {
    audit: auditOf('connector.delete', id, current, null, at, ctx),
    events: [],
  });
  try {
    await deps.scheduler.put(tenantId, id, null);
  } catch (error) {
    throw new ScheduleNotAppliedError(
      `connector ${id} was deleted, but its schedule could not be removed: send the DELETE again to remove it`,
      { cause: error },
    );
  }
}
