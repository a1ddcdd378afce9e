/**
 * GET /api/v1/cases/{id}. Trigger: API Gateway (JWT).
 * Output: 200 Case (status, assignee, notes, the signals that led to it).
 * Errors: ValidationError 400 (id), ForbiddenError 403 (needs cases:read), NotFoundError 404 (also another tenant's
 * id); mapped by httpRoute.
 */
import { CASE_ROUTE_CONTRACTS } from '../../schemas/cases-api.js';
import { getCase, type CaseDeps } from '../domain/cases/case-use-cases.js';
import { caseDeps } from '../platform/case-composition.js';
import { httpRoute } from '../platform/http.js';

export const makeHandler = (deps: Pick<CaseDeps, 'cases'>) =>
  httpRoute(CASE_ROUTE_CONTRACTS['GET /api/v1/cases/{id}'], ({ params, ctx }) => getCase(params.id, ctx, deps));
export const handler = makeHandler(caseDeps());
