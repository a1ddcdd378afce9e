/**
 * The audit routes (one function): GET /api/v1/audit?actor=&action=&resourceType=&resourceId=&limit=&cursor= and
 * GET /api/v1/audit/verification?cursor=.
 * Trigger: API Gateway (proxy), behind the JWT authorizer; routeTable picks the route by method and resource path.
 * Output: 200 { items, nextCursor }, newest first (a filtered page reads at most AUDIT_FILTER_READ_LIMIT records);
 * 200 the chain's verification, lane by lane (at most AUDIT_VERIFY_RECORDS_PER_CALL records a call).
 * Errors: ValidationError 400 (the field: a filter, `limit`, `cursor`: malformed, or a verification cursor the platform
 * did not sign for this tenant and the records it resumes from), ForbiddenError 403 (needs audit:read); mapped by
 * httpRoute.
 */
import { listAudit, verifyAuditChain, type VerifyAuditDeps } from '../domain/audit/audit-use-cases.js';
import { auditCursorKey } from '../platform/callback-key.js';
import { auditDeps, systemClock } from '../platform/composition.js';
import { config } from '../platform/config.js';
import { httpRoute, routeTable } from '../platform/http.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const makeHandler = (deps: VerifyAuditDeps) =>
  routeTable({
    'GET /api/v1/audit': httpRoute(ROUTE_CONTRACTS['GET /api/v1/audit'], ({ query, ctx }) =>
      listAudit(query, ctx, deps),
    ),
    'GET /api/v1/audit/verification': httpRoute(ROUTE_CONTRACTS['GET /api/v1/audit/verification'], ({ query, ctx }) =>
      verifyAuditChain(query, ctx, deps),
    ),
  });

export const handler = makeHandler({
  ...auditDeps(),
  clock: systemClock,
  lanes: config().AUDIT_CHAIN_LANES,
  cursorKey: auditCursorKey,
});
