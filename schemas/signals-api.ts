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

/** The days a preview covers at most (today and the days before it, in UTC), and by default. */
export const PREVIEW_DAYS_MAX = 30;

/** A preview: the rule body as POST /signal-rules takes it, and how many UTC days back (today is one). */
export const PreviewSignalRuleRequest = z
  .strictObject({
    rule: SignalRuleBody,
    days: z.number().int().min(1).max(PREVIEW_DAYS_MAX).default(PREVIEW_DAYS_MAX),
  })
  .meta({
    id: 'PreviewSignalRuleRequest',
    description:
      'A rule body, checked as POST /signal-rules checks it (errors name rule.<field>), and the days of history to replay it on (1 to 30, default 30).',
  });

const PreviewSample = z
  .object({
    key: z.string(),
    /** When the match held: the completing event's time, or the deadline of an absence or silence. */
    at: z.string(),
    eventIds: z.array(z.string()),
  })
  .meta({ id: 'SignalRulePreviewSample' });

/** How often the rule would have fired on the signal history of [from, to]. */
export const SignalRulePreview = z
  .object({
    from: z
      .string()
      .meta({ description: "Start of the history replayed: the first day's 00:00 UTC, later if truncated." }),
    to: z.string().meta({ description: "The request's time; deadlines after it do not count." }),
    days: z.number().int(),
    events: z.number().int().meta({ description: 'History events read.' }),
    fired: z.number().int().meta({ description: 'Matches: the signals the detector would have written.' }),
    keys: z.number().int().meta({ description: 'Distinct keys with a match.' }),
    byDay: z
      .array(z.object({ day: z.string(), count: z.number().int() }))
      .meta({ description: 'Matches per UTC day (YYYY-MM-DD) of their time, every day from `from` to `to`.' }),
    samples: z.array(PreviewSample).meta({ description: 'The first 20 matches by time.' }),
    truncated: z.boolean().meta({ description: 'A read bound (50,000 events) was reached: the oldest were left out.' }),
    trimmed: z.number().int().meta({ description: 'Events read that were stored with their largest values removed.' }),
  })
  .meta({ id: 'SignalRulePreview' });

export const PREVIEW_SIGNAL_RULE_EXAMPLE = {
  rule: {
    id: 'S2',
    name: 'Deal won',
    kind: 'match',
    match: { 'detail-type': ['entity.updated'], detail: { payload: { entity: { attributes: { stage: ['won'] } } } } },
  },
  days: 3,
} satisfies { rule: SignalRuleBodyInput; days: number };

export const SIGNAL_RULE_PREVIEW_EXAMPLE = {
  from: '2026-11-28T00:00:00.000Z',
  to: '2026-11-30T09:00:00.000Z',
  days: 3,
  events: 184,
  fired: 2,
  keys: 2,
  byDay: [
    { day: '2026-11-28', count: 0 },
    { day: '2026-11-29', count: 2 },
    { day: '2026-11-30', count: 0 },
  ],
  samples: [
    {
      key: '7d9f3c2e-5b1a-4c8e-9f2d-3a6b8c1e4f70',
      at: '2026-11-29T10:12:00.000Z',
      eventIds: ['4b0c0a9e-2f1d-4c3b-9a8e-7d6c5b4a3f21'],
    },
    {
      key: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      at: '2026-11-29T16:40:00.000Z',
      eventIds: ['9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b'],
    },
  ],
  truncated: false,
  trimmed: 0,
} satisfies z.output<typeof SignalRulePreview>;

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
  'POST /api/v1/signal-rules/preview': routeContract({
    function: 'PreviewSignalRule',
    auth: 'jwt',
    summary:
      'How often a rule would have fired on the last days (1-30) of entity changes: checked as create checks it (errors name rule.<field>), replayed by the engine, nothing written',
    permission: 'signals:read',
    body: PreviewSignalRuleRequest,
    status: 200,
    response: SignalRulePreview,
    examples: { request: PREVIEW_SIGNAL_RULE_EXAMPLE, response: SIGNAL_RULE_PREVIEW_EXAMPLE },
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
