/**
 * GET /api/v1/cases?status=&assignee=&rule=&entity=&limit=&cursor=. Trigger: API Gateway (JWT).
 * Output: 200 CaseList, newest opened first.
 * Errors: ValidationError 400 (a filter, limit, cursor), ForbiddenError 403 (needs cases:read); mapped by httpRoute.
 */
import { CASE_ROUTE_CONTRACTS } from '../../schemas/cases-api.js';
import { listCases, type CaseDeps } from '../domain/cases/case-use-cases.js';
import { caseDeps } from '../platform/case-composition.js';
import { httpRoute } from '../platform/http.js';

export const makeHandler = (deps: Pick<CaseDeps, 'cases'>) =>
  httpRoute(CASE_ROUTE_CONTRACTS['GET /api/v1/cases'], ({ query, ctx }) => listCases(query, ctx, deps));
export const handler = makeHandler(caseDeps());
