/**
 * GET /api/v1/approvals?status=pending&limit=&cursor=. Trigger: API Gateway (JWT).
 * Output: 200 { items: [{ id, executionId, stepId, status, requestedAt, ... }], nextCursor }.
 * Errors: ValidationError 400, ForbiddenError 403 (approvals:read).
 */
import { ListApprovalsQuery } from '../../schemas/workflow.js';
import { listApprovals } from '../domain/workflows/approvals.js';
import { httpRoute } from '../platform/http.js';
import { approvalRepository } from '../platform/workflow-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const handler = httpRoute(ROUTE_CONTRACTS['GET /api/v1/approvals'], ({ query, ctx }) =>
  listApprovals(query, ctx, { approvals: approvalRepository() }),
);
