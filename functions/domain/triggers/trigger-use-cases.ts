/**
 * The trigger API: create, list, read, change and delete the tenant's schedule and webhook triggers (admin). A
 * schedule trigger holds one recurring EventBridge Scheduler schedule while it is enabled; a webhook trigger holds a
 * Standard Webhooks signing secret, generated here, returned once at creation and otherwise kept only sealed with the
 * tenant's key. The runs a trigger starts act with the roles of whoever created or last changed it.
 */
import {
  TRIGGER_INPUT_MEMBER,
  type CreateTriggerRequest,
  type CreatedTrigger,
  type Trigger,
  type TriggerKind,
  type UpdateTriggerRequest,
} from '../../../schemas/triggers.js';
import { changeAuditOf } from '../audit/audit-actor.js';
import { requirePermission } from '../auth/authorize.js';
import { parseScheduleExpression } from '../connectors/schedule.js';
import { ConflictError, DomainError, NotFoundError, ValidationError, type ErrorDetail } from '../errors.js';
import type { AuditEntry, Clock, IdGenerator, Page, RequestContext, SecretBox } from '../ports.js';
import { generateWebhookSecret } from '../webhooks/signing.js';
import type { WorkflowRepository } from '../workflows/ports.js';
import type { TriggerRecord, TriggerSchedules, TriggerStore } from './ports.js';

export interface TriggerDeps {
  triggers: TriggerStore;
  workflows: Pick<WorkflowRepository, 'get'>;
  /** Creates, replaces and removes each schedule trigger's schedule. */
  schedules: TriggerSchedules;
  /** Seals webhook signing secrets with the tenant's key. */
  secrets: SecretBox;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * The table changed but the trigger's schedule could not be made to match it (the change was undone, or could not be
 * undone either: the message says which). API code INTERNAL_ERROR, 503: trying again can succeed.
 */
export class TriggerScheduleNotAppliedError extends DomainError {
  override readonly name = 'TriggerScheduleNotAppliedError';
  readonly code = 'INTERNAL_ERROR' as const;
  readonly status = 503;
}

/** The path of a hook's route. */
export const hookPathOf = (hookId: string) => `/api/v1/hooks/${hookId}`;

/** The trigger id's key (after `trg_`) and the tenant make the hook id (schemas/triggers.ts HOOK_ID). */
export const hookIdOf = (tenantId: string, triggerId: string) => `hk.${tenantId}.${triggerId.slice('trg_'.length)}`;

/**
 * Problems of a workflow trigger's schedule: EventBridge Scheduler's syntax (functions/domain/connectors/schedule.ts)
 * and recurring (no one-time `at(...)`). Scheduler fires at most once a minute, which is often enough for a workflow:
 * each fire starts one run, and a run that is slow does not hold the next fire back.
 */
export function workflowScheduleProblem(expression: string): string | null {
  if (/^at\(/.test(expression))
    return 'at(...) is a one-time schedule, and a trigger fires repeatedly: use rate(...) or cron(...)';
  const parsed = parseScheduleExpression(expression);
  return typeof parsed === 'string' ? parsed : null;
}

/** The trigger as the API returns it: no secret, sealed or in clear, and no roles. */
export function publicTrigger(record: TriggerRecord): Trigger {
  const { sealedSecret: _sealed, roles: _roles, ...view } = record;
  return view;
}

/** The schedule the scheduler should hold for a trigger: its expression while enabled, none while disabled. */
const effectiveSchedule = (t: Pick<TriggerRecord, 'kind' | 'schedule' | 'enabled'>): string | null =>
  t.kind === 'schedule' && t.enabled ? t.schedule : null;

function auditOf(
  action: 'trigger.create' | 'trigger.update' | 'trigger.delete',
  id: string,
  before: TriggerRecord | null,
  after: TriggerRecord | null,
  at: string,
  ctx: RequestContext,
): AuditEntry {
  // Hashes of the record with its sealed secret: a hash of the secret in clear could be tested by guessing.
  return changeAuditOf(ctx, {
    action,
    resourceType: 'trigger',
    resourceId: id,
    before,
    after,
    at,
  });
}

function refuseInvalid(problems: ErrorDetail[]): void {
  if (problems.length === 0) return;
  throw new ValidationError(`invalid trigger: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, {
    details: problems,
  });
}

/** Problems of a trigger's configuration: its schedule, and its input not taking the member its runs fill. */
function configProblems(kind: TriggerKind, schedule: string | null, input: Record<string, unknown>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (kind === 'schedule' && schedule !== null) {
    const problem = workflowScheduleProblem(schedule);
    if (problem) problems.push({ field: 'schedule', message: problem });
  }
  const member = TRIGGER_INPUT_MEMBER[kind];
  if (Object.hasOwn(input, member))
    problems.push({
      field: `input.${member}`,
      message: `each run's input.${member} says what started it: the trigger's input cannot set it`,
    });
  return problems;
}

async function requireWorkflow(tenantId: string, workflowId: string, deps: Pick<TriggerDeps, 'workflows'>) {
  if (!(await deps.workflows.get(tenantId, workflowId)))
    throw new ValidationError(`workflow ${workflowId} not found`, {
      details: [{ field: 'workflowId', message: `no workflow ${workflowId}` }],
    });
}

/**
 * Creates a trigger (version 1). A webhook trigger gets a new signing secret, returned in the answer this once. Order
 * of writes: the table first, then (an enabled schedule trigger) its schedule; if the schedule cannot be created, the
 * trigger is deleted again so that no trigger claims a schedule it does not have (TriggerScheduleNotAppliedError).
 */
export async function createTrigger(
  input: CreateTriggerRequest,
  ctx: RequestContext,
  deps: TriggerDeps,
): Promise<CreatedTrigger> {
  requirePermission(ctx.principal, 'workflows:write');
  const tenantId = ctx.principal.tenantId;
  const schedule = input.kind === 'schedule' ? input.schedule : null;
  refuseInvalid(configProblems(input.kind, schedule, input.input));
  await requireWorkflow(tenantId, input.workflowId, deps);
  const at = deps.clock.now().toISOString();
  const id = `trg_${deps.ids.newId()}`;
  const secret = input.kind === 'webhook' ? generateWebhookSecret() : null;
  const hookId = input.kind === 'webhook' ? hookIdOf(tenantId, id) : null;
  const record: TriggerRecord = {
    id,
    kind: input.kind,
    name: input.name ?? null,
    workflowId: input.workflowId,
    input: input.input,
    enabled: input.enabled,
    schedule,
    hookId,
    hookPath: hookId ? hookPathOf(hookId) : null,
    updatedBy: ctx.principal.userId,
    createdBy: ctx.principal.userId,
    createdAt: at,
    updatedAt: at,
    version: 1,
    roles: [...ctx.principal.roles],
    sealedSecret: secret ? await deps.secrets.seal(tenantId, secret) : null,
  };
  await deps.triggers.create(tenantId, record, {
    audit: auditOf('trigger.create', id, null, record, at, ctx),
    events: [],
  });
  const wanted = effectiveSchedule(record);
  if (wanted !== null) {
    try {
      await deps.schedules.put(tenantId, id, wanted);
    } catch (error) {
      await deps.triggers
        .delete(tenantId, id, record.version, {
          audit: auditOf('trigger.delete', id, record, null, deps.clock.now().toISOString(), ctx),
          events: [],
        })
        .catch((undoError: unknown) => {
          throw new TriggerScheduleNotAppliedError(
            `trigger ${id} was created, but neither its schedule could be created nor the trigger removed: ` +
              'it does not fire until its schedule is set again (PATCH schedule)',
            { cause: new AggregateError([error, undoError]) },
          );
        });
      throw new TriggerScheduleNotAppliedError("the trigger's schedule could not be created: nothing was kept", {
        cause: error,
      });
    }
  }
  return { ...publicTrigger(record), ...(secret ? { secret } : {}) };
}

/** The tenant's trigger, or NotFoundError (also for another tenant's id). */
export async function getTrigger(
  id: string,
  ctx: RequestContext,
  deps: Pick<TriggerDeps, 'triggers'>,
): Promise<Trigger> {
  requirePermission(ctx.principal, 'workflows:read');
  const record = await deps.triggers.get(ctx.principal.tenantId, id);
  if (!record) throw new NotFoundError(`trigger ${id} not found`);
  return publicTrigger(record);
}

/** The tenant's triggers, newest first. */
export async function listTriggers(
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<TriggerDeps, 'triggers'>,
): Promise<Page<Trigger>> {
  requirePermission(ctx.principal, 'workflows:read');
  const page = await deps.triggers.list(ctx.principal.tenantId, query);
  return { items: page.items.map(publicTrigger), nextCursor: page.nextCursor };
}

/**
 * Changes a trigger if `version` is the stored one (else ConflictError). Fields left out keep their value; `input`
 * replaces the stored one whole; a schedule is only for schedule triggers. The trigger's runs act from now on with the
 * changer's roles. Order of writes: the table, then (when the effective schedule changed) the scheduler; if that
 * fails, the stored trigger is put back as it was and the caller gets TriggerScheduleNotAppliedError.
 */
export async function updateTrigger(
  id: string,
  input: UpdateTriggerRequest,
  ctx: RequestContext,
  deps: Omit<TriggerDeps, 'secrets'>,
): Promise<Trigger> {
  requirePermission(ctx.principal, 'workflows:write');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.triggers.get(tenantId, id);
  if (!current) throw new NotFoundError(`trigger ${id} not found`);
  if (current.version !== input.version)
    throw new ConflictError(`trigger ${id} is at version ${current.version}, not ${input.version}`, {
      details: [{ field: 'version', message: `the stored version is ${current.version}` }],
    });
  if (input.schedule !== undefined && current.kind !== 'schedule')
    refuseInvalid([{ field: 'schedule', message: `a ${current.kind} trigger has no schedule` }]);
  const schedule = input.schedule ?? current.schedule;
  const triggerInput = input.input ?? current.input;
  refuseInvalid(configProblems(current.kind, schedule, triggerInput));
  const changes = ['workflowId', 'name', 'schedule', 'input', 'enabled'].some(
    (f) => input[f as keyof UpdateTriggerRequest] !== undefined,
  );
  if (!changes) return publicTrigger(current);
  if (input.workflowId !== undefined && input.workflowId !== current.workflowId)
    await requireWorkflow(tenantId, input.workflowId, deps);

  const at = deps.clock.now().toISOString();
  const next: TriggerRecord = {
    ...current,
    workflowId: input.workflowId ?? current.workflowId,
    name: input.name === undefined ? current.name : input.name,
    schedule,
    input: triggerInput,
    enabled: input.enabled ?? current.enabled,
    updatedBy: ctx.principal.userId,
    roles: [...ctx.principal.roles],
    updatedAt: at,
    version: current.version + 1,
  };
  await deps.triggers.update(tenantId, next, current.version, {
    audit: auditOf('trigger.update', id, current, next, at, ctx),
    events: [],
  });
  const before = effectiveSchedule(current);
  const after = effectiveSchedule(next);
  if (before !== after) {
    try {
      await deps.schedules.put(tenantId, id, after);
    } catch (error) {
      const undoAt = deps.clock.now().toISOString();
      // The content of the previous version under a new version number: versions only go up.
      const restored: TriggerRecord = { ...current, version: next.version + 1, updatedAt: undoAt };
      await deps.triggers
        .update(tenantId, restored, next.version, {
          audit: auditOf('trigger.update', id, next, restored, undoAt, ctx),
          events: [],
        })
        .catch((undoError: unknown) => {
          throw new TriggerScheduleNotAppliedError(
            `trigger ${id} was changed (version ${next.version}), but its schedule could not follow, nor the change ` +
              'be undone: set its schedule again (PATCH) to apply it',
            { cause: new AggregateError([error, undoError]) },
          );
        });
      throw new TriggerScheduleNotAppliedError(
        `the trigger's schedule could not be changed: trigger ${id} was left as it was (now version ${restored.version})`,
        { cause: error },
      );
    }
  }
  return publicTrigger(next);
}

/**
 * Deletes a trigger and its schedule. Runs it started stay (they record it). Order: the table, then the schedule; a
 * schedule that cannot be removed makes TriggerScheduleNotAppliedError, and the DELETE sent again removes it before
 * answering 404 (a schedule left behind only fires into a trigger that no longer exists, which starts nothing).
 */
export async function deleteTrigger(
  id: string,
  ctx: RequestContext,
  deps: Pick<TriggerDeps, 'triggers' | 'schedules' | 'clock'>,
): Promise<void> {
  requirePermission(ctx.principal, 'workflows:write');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.triggers.get(tenantId, id);
  if (!current) {
    await deps.schedules.put(tenantId, id, null).catch(() => undefined);
    throw new NotFoundError(`trigger ${id} not found`);
  }
  const at = deps.clock.now().toISOString();
  await deps.triggers.delete(tenantId, id, current.version, {
    audit: auditOf('trigger.delete', id, current, null, at, ctx),
    events: [],
  });
  if (current.kind !== 'schedule') return;
  try {
    await deps.schedules.put(tenantId, id, null);
  } catch (error) {
    throw new TriggerScheduleNotAppliedError(
      `trigger ${id} was deleted, but its schedule could not be removed: send the DELETE again to remove it`,
      { cause: error },
    );
  }
}
