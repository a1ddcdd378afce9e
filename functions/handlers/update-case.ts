/**
 * PATCH /api/v1/cases/{id}. Trigger: API Gateway (JWT).
 * Input: UpdateCaseRequest (the version read; status, assignee, note). Output: 200 Case; emits case.updated, or
 * case.resolved when the change resolves it.
 * Errors: ValidationError 400 (the field refused: a status move the lifecycle does not have, a note too many),
 * ForbiddenError 403 (needs cases:write), NotFoundError 404, ConflictError 409 (stale version; a reopen whose key
 * another open case holds); mapped by httpRoute.
 */
import { CASE_ROUTE_CONTRACTS } from '../../schemas/cases-api.js';
import { updateCase, type CaseDeps } from '../domain/cases/case-use-cases.js';
import { caseDeps } from '../platform/case-composition.js';
import { httpRoute } from '../platform/http.js';

export const makeHandler = (deps: CaseDeps) =>
  httpRoute(CASE_ROUTE_CONTRACTS['PATCH /api/v1/cases/{id}'], ({ params, body, ctx }) =>
    updateCase(params.id, body, ctx, deps),
  );
export const handler = makeHandler(caseDeps());
