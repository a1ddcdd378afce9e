/**
 * The case API: list, read and change the tenant's cases. A change names the version it read (409 if the case
 * changed since) and any of: a new status, an assignee (null unassigns), a note to append. Each change is one
 * audited mutation with one event: `case.resolved` when it resolves the case, else `case.updated`.
 */
import {
  MAX_CASE_NOTES,
  type Case,
  type CaseStatus,
  type ListCasesQuery,
  type UpdateCaseRequest,
} from '../../../schemas/cases.js';
import { auditActorOf } from '../audit/audit-actor.js';
import { requirePermission } from '../auth/authorize.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Clock, IdGenerator, Page, RequestContext } from '../ports.js';
import { caseAudit, caseSummary } from './case-views.js';
import type { CaseKeyChange, CaseRecord, CaseStore } from './ports.js';

export interface CaseDeps {
  cases: CaseStore;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * The status moves a user may make: forward along open → in_progress → resolved (an open case may be resolved at
 * once, e.g. a false alarm), and back from resolved to open (reopen). A case in progress is resolved, not put back.
 */
const TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  open: ['in_progress', 'resolved'],
  in_progress: ['resolved'],
  resolved: ['open'],
};

/** The tenant's case, or NotFoundError (also for another tenant's id). */
export async function getCase(id: string, ctx: RequestContext, deps: Pick<CaseDeps, 'cases'>): Promise<Case> {
  requirePermission(ctx.principal, 'cases:read');
  const record = await deps.cases.get(ctx.principal.tenantId, id);
  if (!record) throw new NotFoundError(`case ${id} not found`);
  return record;
}

/**
 * The tenant's cases, newest opened first, filtered by any of status, assignee, rule and entity; with `signal`, the one
 * case the signal was recorded on (if it also matches the other filters), on one page.
 */
export async function listCases(
  query: ListCasesQuery,
  ctx: RequestContext,
  deps: Pick<CaseDeps, 'cases'>,
): Promise<Page<Case>> {
  requirePermission(ctx.principal, 'cases:read');
  return deps.cases.list(ctx.principal.tenantId, {
    limit: query.limit,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.assignee !== undefined ? { assignee: query.assignee } : {}),
    ...(query.rule !== undefined ? { ruleId: query.rule } : {}),
    ...(query.entity !== undefined ? { entityId: query.entity } : {}),
    ...(query.signal !== undefined ? { signalId: query.signal } : {}),
  });
}

/**
 * Changes a case (module header). A change that changes nothing writes nothing. Reopening a resolved case claims its
 * key again: when a signal has opened a newer case of the key meanwhile, the reopen is a ConflictError naming it.
 */
export async function updateCase(
  id: string,
  input: UpdateCaseRequest,
  ctx: RequestContext,
  deps: CaseDeps,
): Promise<Case> {
  requirePermission(ctx.principal, 'cases:write');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.cases.get(tenantId, id);
  if (!current) throw new NotFoundError(`case ${id} not found`);
  if (current.version !== input.version)
    throw new ConflictError(`case ${id} is at version ${current.version}, not ${input.version}`, {
      details: [{ field: 'version', message: `the stored version is ${current.version}` }],
    });
  const at = deps.clock.now().toISOString();
  const next: CaseRecord = structuredClone(current);
  const changed: Array<'status' | 'assignee' | 'notes'> = [];
  let keyChange: CaseKeyChange | undefined;

  if (input.status !== undefined && input.status !== current.status) {
    if (!TRANSITIONS[current.status].includes(input.status))
      throw new ValidationError(`a case ${current.status} cannot become ${input.status}`, {
        details: [
          {
            field: 'status',
            message: `from ${current.status} a case moves to ${TRANSITIONS[current.status].join(' or ')}`,
          },
        ],
      });
    next.status = input.status;
    next.resolvedAt = input.status === 'resolved' ? at : null;
    if (input.status === 'resolved') keyChange = 'release';
    if (current.status === 'resolved') keyChange = 'claim';
    changed.push('status');
  }
  if (input.assignee !== undefined && input.assignee !== current.assignee) {
    next.assignee = input.assignee;
    changed.push('assignee');
  }
  if (input.note !== undefined) {
    if (current.notes.length >= MAX_CASE_NOTES)
      throw new ValidationError(`case ${id} holds ${MAX_CASE_NOTES} notes, the most a case keeps`, {
        details: [{ field: 'note', message: `at most ${MAX_CASE_NOTES} notes per case` }],
      });
    next.notes.push({ id: `note_${deps.ids.newId()}`, author: ctx.principal.userId, text: input.note, at });
    changed.push('notes');
  }
  if (changed.length === 0) return current;

  next.version = current.version + 1;
  next.updatedAt = at;
  if (keyChange === 'claim') await refuseIfKeyTaken(tenantId, current, deps);
  const resolved = next.status === 'resolved' && current.status !== 'resolved';
  const actor = auditActorOf(ctx);
  await deps.cases.update(
    tenantId,
    next,
    current.version,
    {
      audit: caseAudit(resolved ? 'case.resolve' : 'case.update', actor, current, next, at, ctx.requestId),
      events: [
        resolved
          ? { name: 'case.resolved', payload: { case: caseSummary(next), changed, actor: actor.actor } }
          : { name: 'case.updated', payload: { case: caseSummary(next), changed, actor: actor.actor } },
      ],
    },
    keyChange,
  );
  return next;
}

/** A reopen finds its key claimed by a newer case: say which (the store's own check catches a race after this). */
async function refuseIfKeyTaken(tenantId: string, current: CaseRecord, deps: Pick<CaseDeps, 'cases'>): Promise<void> {
  const other = await deps.cases.openCaseOf(tenantId, current.caseKey);
  if (other && other.id !== current.id)
    throw new ConflictError(
      `case ${other.id} is open for the same key: work on it instead of reopening ${current.id}`,
      {
        details: [{ field: 'status', message: `case ${other.id} holds the key` }],
      },
    );
}
