/**
 * GET /api/v1/audit?limit=&cursor=
 * Trigger: API Gateway (proxy), behind the JWT authorizer.
 * Output: 200 { items, nextCursor }, newest first. Errors: ValidationError 400, ForbiddenError 403 (needs audit:read).
 */
import { PageQuery } from '../../schemas/common.js';
import { listAudit } from '../domain/audit/audit-use-cases.js';
import type { AuditReader } from '../domain/ports.js';
import { auditDeps } from '../platform/composition.js';
import { httpRoute } from '../platform/http.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: { audit: AuditReader }) =>
  httpRoute(ROUTE_CONTRACTS['GET /api/v1/audit'], ({ query, ctx }) => listAudit(query, ctx, deps));

export const handler = makeHandler(auditDeps());
