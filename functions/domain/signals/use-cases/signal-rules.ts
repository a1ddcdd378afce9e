/**
 * The signal rule API: create, read, list, change and delete the tenant's rules. A rule is tenant data in the same
 * body the rule files of `signals:replay` hold; its id is the tenant's (`S1`), unique per tenant. Every change is
 * checked by the rule compiler (the engine's own: what the API accepts the detector runs) and stored as a new
 * version, audited; older versions stay readable for the signals that name them.
 */
import type { SignalRuleBody } from '../../../../schemas/signals.js';
import { changeAuditOf } from '../../audit/audit-actor.js';
import { requirePermission } from '../../auth/authorize.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { AuditEntry, Clock, Page, RequestContext } from '../../ports.js';
import { hashOf } from '../../shared/hash.js';
import { type CompiledSignalRule, compileSignalRule } from '../rules.js';
import type { SignalRuleStore, StoredSignalRule, WorkflowCatalog } from './ports.js';

export interface SignalRuleDeps {
  rules: SignalRuleStore;
  /** Checks that a rule's action names an existing workflow. */
  workflows: WorkflowCatalog;
  clock: Clock;
}

/** A rule as the API returns it: its body, and its version with who made it when. */
export type SignalRuleView = SignalRuleBody & Omit<StoredSignalRule, 'body'>;

export const publicRule = (r: StoredSignalRule): SignalRuleView => ({
  ...r.body,
  version: r.version,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  createdBy: r.createdBy,
  updatedBy: r.updatedBy,
});

function auditOf(
  action: 'signal-rule.create' | 'signal-rule.update' | 'signal-rule.delete',
  id: string,
  before: StoredSignalRule | null,
  after: StoredSignalRule | null,
  at: string,
  ctx: RequestContext,
): AuditEntry {
  return changeAuditOf(ctx, {
    action,
    resourceType: 'signal-rule',
    resourceId: id,
    before,
    after,
    at,
  });
}

/**
 * The rule compiled from a body the compiler accepts (ValidationError naming the field otherwise), whose action, if
 * any, names a workflow of the tenant (ValidationError naming `then.startWorkflow` or `action.startWorkflow`): what
 * create, change and preview all check.
 */
export async function checkedRule(
  body: unknown,
  tenantId: string,
  deps: Pick<SignalRuleDeps, 'workflows'>,
): Promise<CompiledSignalRule> {
  const compiled = compileSignalRule(body);
  if (compiled.action) {
    const field = compiled.body.action ? 'action.startWorkflow' : 'then.startWorkflow';
    if (!(await deps.workflows.exists(tenantId, compiled.action.startWorkflow)))
      throw new ValidationError(`no workflow ${compiled.action.startWorkflow} to start`, {
        details: [{ field, message: `workflow ${compiled.action.startWorkflow} does not exist` }],
      });
  }
  return compiled;
}

const checkedBody = async (body: unknown, tenantId: string, deps: Pick<SignalRuleDeps, 'workflows'>) =>
  (await checkedRule(body, tenantId, deps)).body;

/** Ids a rule cannot take: a path segment of the rule routes (`POST /signal-rules/preview`) would shadow the rule's. */
export const RESERVED_RULE_IDS: readonly string[] = ['preview'];

/**
 * Creates a rule (version 1; or, for the id of a deleted rule, the version after its last one, so no older version
 * is overwritten). ConflictError (409) if the tenant has a live rule with the id.
 */
export async function createSignalRule(
  input: unknown,
  ctx: RequestContext,
  deps: SignalRuleDeps,
): Promise<SignalRuleView> {
  requirePermission(ctx.principal, 'signals:write');
  const tenantId = ctx.principal.tenantId;
  const body = await checkedBody(input, tenantId, deps);
  if (RESERVED_RULE_IDS.includes(body.id))
    throw new ValidationError(`the rule id ${body.id} is reserved`, {
      details: [{ field: 'id', message: `${body.id} is reserved: /signal-rules/${body.id} is another route` }],
    });
  if (await deps.rules.get(tenantId, body.id))
    throw new ConflictError(`signal rule ${body.id} exists`, {
      details: [{ field: 'id', message: `the tenant has a rule ${body.id}` }],
    });
  const lastVersion = await deps.rules.lastDeletedVersion(tenantId, body.id);
  const at = deps.clock.now().toISOString();
  const rule: StoredSignalRule = {
    body,
    version: lastVersion + 1,
    createdAt: at,
    updatedAt: at,
    createdBy: ctx.principal.userId,
    updatedBy: ctx.principal.userId,
    authorRoles: [...ctx.principal.roles],
  };
  await deps.rules.create(tenantId, rule, lastVersion, {
    audit: auditOf('signal-rule.create', body.id, null, rule, at, ctx),
    events: [],
  });
  return publicRule(rule);
}

/** The live rule, or one of its versions (also of a deleted rule); NotFoundError otherwise. */
export async function getSignalRule(
  id: string,
  version: number | undefined,
  ctx: RequestContext,
  deps: Pick<SignalRuleDeps, 'rules'>,
): Promise<SignalRuleView> {
  requirePermission(ctx.principal, 'signals:read');
  const rule = await deps.rules.get(ctx.principal.tenantId, id, version);
  if (!rule)
    throw new NotFoundError(
      version === undefined ? `signal rule ${id} not found` : `signal rule ${id} v${version} not found`,
    );
  return publicRule(rule);
}

/** The tenant's live rules, in id order. */
export async function listSignalRules(
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<SignalRuleDeps, 'rules'>,
): Promise<Page<SignalRuleView>> {
  requirePermission(ctx.principal, 'signals:read');
  const page = await deps.rules.list(ctx.principal.tenantId, query);
  return { items: page.items.map(publicRule), nextCursor: page.nextCursor };
}

/** Fields of the body a change may not touch. */
const FIXED_FIELDS = ['id'] as const;

/**
 * Changes a rule if `version` is the latest (else ConflictError, 409): the given fields replace the stored ones
 * (a whole pattern, the whole `case`), `null` removes an optional field, and the result is checked as a new rule
 * is. Stored as version N+1. A change that changes nothing writes nothing. Patterns, key, window and kind changes
 * make the detector start every key of the rule afresh; a name, description, case or action change does not.
 */
export async function updateSignalRule(
  id: string,
  input: { version: number } & Record<string, unknown>,
  ctx: RequestContext,
  deps: SignalRuleDeps,
): Promise<SignalRuleView> {
  requirePermission(ctx.principal, 'signals:write');
  const tenantId = ctx.principal.tenantId;
  const { version, ...changes } = input;
  for (const field of FIXED_FIELDS)
    if (field in changes && changes[field] !== id)
      throw new ValidationError(`a rule's ${field} cannot change`, {
        details: [{ field, message: `is ${id}: create a rule with another id instead` }],
      });
  const current = await deps.rules.get(tenantId, id);
  if (!current) throw new NotFoundError(`signal rule ${id} not found`);
  if (current.version !== version)
    throw new ConflictError(`signal rule ${id} is at version ${current.version}, not ${version}`, {
      details: [{ field: 'version', message: `the stored version is ${current.version}` }],
    });
  const merged: Record<string, unknown> = { ...current.body };
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  const body = await checkedBody(merged, tenantId, deps);
  if (hashOf(body) === hashOf(current.body)) return publicRule(current);
  const at = deps.clock.now().toISOString();
  const next: StoredSignalRule = {
    ...current,
    body,
    version: current.version + 1,
    updatedAt: at,
    updatedBy: ctx.principal.userId,
    authorRoles: [...ctx.principal.roles],
  };
  await deps.rules.update(tenantId, next, current.version, {
    audit: auditOf('signal-rule.update', id, current, next, at, ctx),
    events: [],
  });
  return publicRule(next);
}

/**
 * Deletes a rule (with `version`: only if it is still the latest, else ConflictError). Detection stops with the
 * next event; its pending deadlines fire into nothing; its versions and signals stay.
 */
export async function deleteSignalRule(
  id: string,
  version: number | undefined,
  ctx: RequestContext,
  deps: Pick<SignalRuleDeps, 'rules' | 'clock'>,
): Promise<void> {
  requirePermission(ctx.principal, 'signals:write');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.rules.get(tenantId, id);
  if (!current) throw new NotFoundError(`signal rule ${id} not found`);
  if (version !== undefined && current.version !== version)
    throw new ConflictError(`signal rule ${id} is at version ${current.version}, not ${version}`, {
      details: [{ field: 'version', message: `the stored version is ${current.version}` }],
    });
  const at = deps.clock.now().toISOString();
  await deps.rules.delete(tenantId, id, current.version, {
    audit: auditOf('signal-rule.delete', id, current, null, at, ctx),
    events: [],
  });
}
