/**
 * GET /api/v1/tools. Trigger: API Gateway (JWT). Output: 200 { items: [{ name, description, automatable,
 * requiresApproval, compensatable, inputSchema, outputSchema }] }. Errors: ForbiddenError 403 (tools:read).
 */
import { listTools } from '../domain/tools/registry.js';
import { httpRoute } from '../platform/http.js';
import { toolRegistry } from '../platform/workflow-composition.js';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';

export const handler = httpRoute(ROUTE_CONTRACTS['GET /api/v1/tools'], async ({ ctx }) =>
  listTools(ctx, toolRegistry()),
);
