// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Id, PageQuery } from './common.js';
import { ListSignalsQuery, Signal, SignalIdPath, SignalList } from './detected-signals.js';
import { routeContract } from './route-contract.js';
import { SignalRuleBody, type SignalRuleBodyInput } from './signals.js';

/**
 * The signal rule and signal routes. A rule's body is schemas/signals.ts SignalRuleBody, the same as in the rule
 * files of `signals:replay`; the API adds its version and who made it when.
 */

const RuleMeta = {
  /** Every change stores version N+1; send the version read with a change (optimistic locking). */
  version: z.number().int().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
};

/** A rule as the API returns it: its body (defaults applied) and its version. */
export const SignalRule = z
  .discriminatedUnion(
    'kind',
    SignalRuleBody.options.map((o) => o.safeExtend(RuleMeta)) as unknown as [
      (typeof SignalRuleBody.options)[number],
      ...(typeof SignalRuleBody.options)[number][],
    ],
  )
  .meta({ id: 'SignalRule' });

export const SignalRuleList = z
  .object({ items: z.array(SignalRule), nextCursor: z.string().nullable() })
  .meta({ id: 'SignalRuleList' });

/**
 * A change: the version read, and the body fields that change (each replaces the stored one whole; `null` removes
 * an optional one). The merged rule is checked as a new one is, and errors name its fields.
 */
export const UpdateSignalRuleRequest = z.looseObject({ version: z.number().int().min(1) }).meta({
  id: 'UpdateSignalRuleRequest',
  description:
    'The version read, and the fields of the rule body that change: each replaces the stored value, null removes an optional field.',
});

export const SignalRuleIdPath = z.strictObject({ id: Id });
export const ListSignalRulesQuery = PageQuery;
/** `?version=N`: that version of the rule (versions of a deleted rule stay readable). */
export const SignalRuleVersionQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

const RULE_EXAMPLE_BODY = {
  id: 'S1',
  name: 'Deal won but not invoiced within a week',
  kind: 'absence',
  key: 'entityId',
  first: { 'detail-type': ['entity.updated'], detail: { payload: { entity: { attributes: { stage: ['won'] } } } } },
  missing: { detail: { payload: { entity: { attributes: { invoiced: [true] } } } } },
  within: 'P7D',
  case: { title: 'Won deal not invoiced' },
} satisfies SignalRuleBodyInput;

export const CREATE_SIGNAL_RULE_EXAMPLE = RULE_EXAMPLE_BODY;

export const SIGNAL_RULE_EXAMPLE = {
  ...RULE_EXAMPLE_BODY,
  enabled: true,
  version: 1,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:00:00.000Z',
  createdBy: 'alice',
  updatedBy: 'alice',
};

export const UPDATE_SIGNAL_RULE_EXAMPLE = { version: 1, within: 'P10D' };

export const UPDATED_SIGNAL_RULE_EXAMPLE = {
  ...SIGNAL_RULE_EXAMPLE,
  within: 'P10D',
  version: 2,
  updatedAt: '2026-11-30T10:00:00.000Z',
};

export const SIGNAL_EXAMPLE = {
  id: 'sig-3f2a9c1e7b5d4a8f9e0c1b2a3d4e5f60',
  ruleId: 'S1',
  ruleVersion: 1,
  ruleName: RULE_EXAMPLE_BODY.name,
  kind: 'absence',
  key: '7d9f3c2e-5b1a-4c8e-9f2d-3a6b8c1e4f70',
  entityId: '7d9f3c2e-5b1a-4c8e-9f2d-3a6b8c1e4f70',
  matchId: 'absence:4b0c0a9e-2f1d-4c3b-9a8e-7d6c5b4a3f21',
  at: '2026-12-07T09:00:00.000Z',
  detectedAt: '2026-12-07T09:00:01.214Z',
  eventIds: ['4b0c0a9e-2f1d-4c3b-9a8e-7d6c5b4a3f21'],
  caseKey: 'S1:7d9f3c2e-5b1a-4c8e-9f2d-3a6b8c1e4f70',
  caseTitle: 'Won deal not invoiced',
  action: null,
} satisfies z.output<typeof Signal>;

/** The body of a 204: none (the document describes no content for it). */
const NoContent = z.undefined();

/** API contracts of the signal rule and signal routes (merged into ROUTE_CONTRACTS in routes.ts). */
export const SIGNAL_ROUTE_CONTRACTS = {
  'POST /api/v1/signal-rules': routeContract({
    function: 'CreateSignalRule',
    auth: 'jwt',
    summary:
      "Create a signal rule (admin, operator): its patterns checked by the detector's own compiler, errors naming the field; 409 if the id is taken",
    permission: 'signals:write',
    body: SignalRuleBody,
    status: 201,
    response: SignalRule,
    examples: { request: CREATE_SIGNAL_RULE_EXAMPLE, response: SIGNAL_RULE_EXAMPLE },
  }),
  'GET /api/v1/signal-rules': routeContract({
    function: 'ListSignalRules',
    auth: 'jwt',
    summary: "The tenant's signal rules, in id order",
    permission: 'signals:read',
    query: ListSignalRulesQuery,
    status: 200,
    response: SignalRuleList,
  }),
  'GET /api/v1/signal-rules/{id}': routeContract({
    function: 'GetSignalRule',
    auth: 'jwt',
    summary: 'A signal rule: its latest version, or `?version=N` (versions of a deleted rule stay readable)',
    permission: 'signals:read',
    params: SignalRuleIdPath,
    query: SignalRuleVersionQuery,
    status: 200,
    response: SignalRule,
    examples: { response: SIGNAL_RULE_EXAMPLE },
  }),
  'PATCH /api/v1/signal-rules/{id}': routeContract({
    function: 'UpdateSignalRule',
    auth: 'jwt',
    summary:
      'Change a signal rule with the version read (409 if it changed): the given fields replace the stored ones, null removes one; stored as version N+1',
    permission: 'signals:write',
    params: SignalRuleIdPath,
    body: UpdateSignalRuleRequest,
    status: 200,
    response: SignalRule,
    examples: { request: UPDATE_SIGNAL_RULE_EXAMPLE, response: UPDATED_SIGNAL_RULE_EXAMPLE },
  }),
  'DELETE /api/v1/signal-rules/{id}': routeContract({
    function: 'DeleteSignalRule',
    auth: 'jwt',
    summary:
      'Delete a signal rule (with `?version=N`: only if it is still the latest, else 409); detection stops, its signals and versions stay',
    permission: 'signals:write',
    params: SignalRuleIdPath,
    query: SignalRuleVersionQuery,
    status: 204,
    response: NoContent,
  }),
  'GET /api/v1/signals': routeContract({
    function: 'ListSignals',
    auth: 'jwt',
    summary: 'Detected signals, newest first: of a rule, of an entity (or key), detected since an instant',
    permission: 'signals:read',
    query: ListSignalsQuery,
    status: 200,
    response: SignalList,
  }),
  'GET /api/v1/signals/{id}': routeContract({
    function: 'GetSignal',
    auth: 'jwt',
    summary: 'A detected signal',
    permission: 'signals:read',
    params: SignalIdPath,
    status: 200,
    response: Signal,
    examples: { response: SIGNAL_EXAMPLE },
  }),
};
