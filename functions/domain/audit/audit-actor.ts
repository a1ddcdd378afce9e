import type { AuditEntry, RequestContext } from '../ports.js';

/**
 * Who an audit record names: the principal, and where a system acted for them (a workflow tool), that
 * system and the run. One helper so every use case a tool may call audits the same way.
 */
export const auditActorOf = (ctx: RequestContext): Pick<AuditEntry, 'actor' | 'via' | 'runId'> => ({
  actor: ctx.principal.userId,
  ...(ctx.via ? { via: ctx.via.actor, runId: ctx.via.runId } : {}),
});
