// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import type * as z from 'zod';
import { Case, CaseIdPath, CaseList, ListCasesQuery, UpdateCaseRequest } from './cases.js';
import { routeContract } from './route-contract.js';

/*
 * Example bodies of the case routes, shown in the OpenAPI document. Typed by their schemas, and a unit test parses
 * each with its route's contract (test/unit/openapi-document.test.ts), so they cannot drift.
 */
const CASE_ID = 'case_7f3a9c1e-2b4d-4e6f-8a0c-1d3e5f7a9b2c';

export const CASE_EXAMPLE = {
  id: CASE_ID,
  caseKey: 'stalled-deal:5e2b9c4a-1f7d-4a3e-8b6c-0d9e2f1a3b4c',
  title: 'Deal stalled after proposal',
  status: 'open',
  assignee: null,
  notes: [],
  signals: [
    {
      signalId: 'sig_0b2d4f6a8c1e3a5b7d9f',
      ruleId: 'stalled-deal',
      at: '2026-11-30T09:00:00.000Z',
      executionId: 'run_Yk3q9Zb2Xw7Vn1Lm5Pc8Rt4Sd6Fg0Hj2',
    },
  ],
  signalCount: 1,
  entityId: '5e2b9c4a-1f7d-4a3e-8b6c-0d9e2f1a3b4c',
  ruleId: 'stalled-deal',
  openedAt: '2026-11-30T09:00:01.000Z',
  updatedAt: '2026-11-30T09:00:01.000Z',
  resolvedAt: null,
  version: 1,
} satisfies z.output<typeof Case>;

export const UPDATE_CASE_EXAMPLE = {
  version: 1,
  status: 'in_progress',
  assignee: 'user-ada',
  note: 'Called the buyer: the budget is being approved this week.',
} satisfies z.input<typeof UpdateCaseRequest>;

export const UPDATED_CASE_EXAMPLE = {
  ...CASE_EXAMPLE,
  status: 'in_progress',
  assignee: 'user-ada',
  notes: [
    {
      id: 'note_3c5e7a9b-1d2f-4a6c-8e0b-2f4a6c8e0b1d',
      author: 'user-ada',
      text: UPDATE_CASE_EXAMPLE.note,
      at: '2026-11-30T10:15:00.000Z',
    },
  ],
  updatedAt: '2026-11-30T10:15:00.000Z',
  version: 2,
} satisfies z.output<typeof Case>;

/** API contracts of the case routes (merged into ROUTE_CONTRACTS in routes.ts). */
export const CASE_ROUTE_CONTRACTS = {
  'GET /api/v1/cases': routeContract({
    function: 'ListCases',
    auth: 'jwt',
    summary: "The tenant's cases, newest opened first, by status, assignee, rule and entity (any combination)",
    permission: 'cases:read',
    query: ListCasesQuery,
    status: 200,
    response: CaseList,
  }),
  'GET /api/v1/cases/{id}': routeContract({
    function: 'GetCase',
    auth: 'jwt',
    summary: 'A case: status, assignee, notes and the signals that led to it',
    permission: 'cases:read',
    params: CaseIdPath,
    status: 200,
    response: Case,
    examples: { response: CASE_EXAMPLE },
  }),
  'PATCH /api/v1/cases/{id}': routeContract({
    function: 'UpdateCase',
    auth: 'jwt',
    summary:
      'Change a case with the version read (409 if it changed): status (open → in_progress → resolved, resolved → open), assignee (null unassigns), a note to append',
    permission: 'cases:write',
    params: CaseIdPath,
    body: UpdateCaseRequest,
    status: 200,
    response: Case,
    examples: { request: UPDATE_CASE_EXAMPLE, response: UPDATED_CASE_EXAMPLE },
  }),
};
