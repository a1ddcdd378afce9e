import type { AuditRecord } from '../../../schemas/audit.js';
import { requirePermission } from '../auth/authorize.js';
import type { AuditReader, Page, RequestContext } from '../ports.js';

export async function listAudit(
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: { audit: AuditReader },
): Promise<Page<AuditRecord>> {
  requirePermission(ctx.principal, 'audit:read');
  return deps.audit.list(ctx.principal.tenantId, query);
}
