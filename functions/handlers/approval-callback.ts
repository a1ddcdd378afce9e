/**
 * POST /api/v1/approvals/{id}/callback/{decision}?credential=… (no JWT: the signed callback credential
 * from the approval webhook authenticates it, and names the tenant). Trigger: API Gateway.
 * Output: 200 the decided approval. Errors: UnauthorizedError 401 (bad, expired, replayed or foreign
 * credential), ConflictError 409 (already decided), NotFoundError 404.
 */
import * as z from 'zod';
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';
import { decideApproval } from '../domain/workflows/approvals.js';
import { httpPublicRoute } from '../platform/http.js';
import { callbackKey } from '../platform/callback-key.js';
import { systemClock } from '../platform/composition.js';
import { taskCallbacks } from '../platform/sfn-composition.js';
import { approvalRepository, runRepository } from '../platform/workflow-composition.js';

const Body = z.strictObject({ comment: z.string().max(1000).optional() }).optional();

export const handler = httpPublicRoute(
  { ...ROUTE_CONTRACTS['POST /api/v1/approvals/{id}/callback/{decision}'], optionalBody: Body },
  async ({ params, query, body, requestId }) =>
    decideApproval(
      params.id,
      params.decision,
      { kind: 'callback', credential: query.credential, requestId },
      body?.comment,
      {
        approvals: approvalRepository(),
        runs: runRepository(),
        callbacks: taskCallbacks(),
        clock: systemClock,
        callbackKey: await callbackKey(),
      },
    ),
);
