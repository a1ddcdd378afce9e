import type { AuditEntry, RequestContext } from '../ports.js';
import { hashOf } from '../shared/hash.js';

/**
 * Who an audit record names: the principal, and where a system acted for them (a workflow tool), that
 * system and the run. One helper so every use case a tool may call audits the same way.
 */
export const auditActorOf = (ctx: RequestContext): Pick<AuditEntry, 'actor' | 'via' | 'runId'> => ({
  actor: ctx.principal.userId,
  ...(ctx.via ? { via: ctx.via.actor, runId: ctx.via.runId } : {}),
});

/**
 * The audit record of a change to one resource: who (auditActorOf, or a system actor), what, and hashes of the whole
 * resource before and after (null where it did not exist). One builder so every use case audits changes alike.
 */
export function changeAudit(change: {
  action: string;
  actor: Pick<AuditEntry, 'actor' | 'via' | 'runId'>;
  resourceType: string;
  resourceId: string;
  before: unknown;
  after: unknown;
  at: string;
  requestId: string;
}): AuditEntry {
  return {
    action: change.action,
    ...change.actor,
    resourceType: change.resourceType,
    resourceId: change.resourceId,
    at: change.at,
    requestId: change.requestId,
    beforeHash: change.before ? hashOf(change.before) : null,
    afterHash: change.after ? hashOf(change.after) : null,
  };
}

/** The same for a change a request makes: its principal (auditActorOf) acts, under its request id. */
export const changeAuditOf = (
  ctx: RequestContext,
  change: { action: string; resourceType: string; resourceId: string; before: unknown; after: unknown; at: string },
): AuditEntry => changeAudit({ ...change, actor: auditActorOf(ctx), requestId: ctx.requestId });
