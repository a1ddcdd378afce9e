/**
 * POST /api/v1/approvals/{id}/approve and /reject (one function, the decision is the last path segment).
 * Trigger: API Gateway (JWT). Input: { comment? }. Output: 200 the decided approval; completes the gate.
 * Errors: ForbiddenError 403 (needs approvals:decide and one of the step's roles), NotFoundError 404,
 * ConflictError 409 (already decided or expired: exactly one decision wins).
 */
import { ROUTE_CONTRACTS } from '../../schemas/routes.js';
import { decideApproval } from '../domain/workflows/approvals.js';
import { ValidationError } from '../domain/errors.js';
import { httpRoute } from '../platform/http.js';
import { callbackKey } from '../platform/callback-key.js';
import { systemClock } from '../platform/composition.js';
import { taskCallbacks } from '../platform/sfn-composition.js';
import { approvalRepository, runRepository } from '../platform/workflow-composition.js';
import type { APIGatewayProxyEvent } from 'aws-lambda';

const inner = (decision: 'approve' | 'reject') =>
  httpRoute(ROUTE_CONTRACTS[`POST /api/v1/approvals/{id}/${decision}`], async ({ params, body, ctx }) =>
    decideApproval(
      params.id,
      decision,
      { kind: 'user', principal: ctx.principal, requestId: ctx.requestId },
      body.comment,
      {
        approvals: approvalRepository(),
        runs: runRepository(),
        callbacks: taskCallbacks(),
        clock: systemClock,
        callbackKey: await callbackKey(),
      },
    ),
  );
const approve = inner('approve');
const reject = inner('reject');

export const handler = async (event: APIGatewayProxyEvent, context?: unknown) => {
  if (event.resource?.endsWith('/approve')) return approve(event, context);
  if (event.resource?.endsWith('/reject')) return reject(event, context);
  throw new ValidationError(`no decision in ${event.resource}`);
};
