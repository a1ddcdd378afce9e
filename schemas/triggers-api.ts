// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { routeContract } from './route-contract.js';
import {
  CreatedTrigger,
  CreateTriggerRequest,
  HookIdPath,
  ListTriggersQuery,
  Trigger,
  TriggerIdPath,
  TriggerList,
  UpdateTriggerRequest,
  WebhookAccepted,
} from './triggers.js';

/*
 * Example bodies of the trigger routes, shown in the OpenAPI document. Typed by their schemas, and a unit test parses
 * each with its route's contract (test/unit/openapi-document.test.ts), so they cannot drift. The secret is a
 * placeholder of the right shape.
 */
const WORKFLOW_ID = '9b1d3f5a-7c9e-4b1d-8f3a-5c7e9b1d3f5a';
const TRIGGER_KEY = '4d6f8a0c-2e4b-4d6f-8a0c-2e4b6d8f0a1c';

export const CREATE_TRIGGER_EXAMPLE = {
  kind: 'webhook',
  workflowId: WORKFLOW_ID,
  name: 'New order from the shop',
  input: { channel: 'shop' },
} satisfies z.input<typeof CreateTriggerRequest>;

export const CREATED_TRIGGER_EXAMPLE = {
  id: `trg_${TRIGGER_KEY}`,
  kind: 'webhook',
  name: CREATE_TRIGGER_EXAMPLE.name,
  workflowId: WORKFLOW_ID,
  input: CREATE_TRIGGER_EXAMPLE.input,
  enabled: true,
  schedule: null,
  hookId: `hk.acme.${TRIGGER_KEY}`,
  hookPath: `/api/v1/hooks/hk.acme.${TRIGGER_KEY}`,
  updatedBy: 'user-ada',
  createdBy: 'user-ada',
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:00:00.000Z',
  version: 1,
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
} satisfies z.output<typeof CreatedTrigger>;

export const SCHEDULE_TRIGGER_EXAMPLE = {
  id: 'trg_8e0a2c4e-6b8d-4f0a-9c2e-4b6d8f0a2c4e',
  kind: 'schedule',
  name: 'Nightly review',
  workflowId: WORKFLOW_ID,
  input: {},
  enabled: true,
  schedule: 'cron(0 2 * * ? *)',
  hookId: null,
  hookPath: null,
  updatedBy: 'user-ada',
  createdBy: 'user-ada',
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:00:00.000Z',
  version: 1,
} satisfies z.output<typeof Trigger>;

export const UPDATE_TRIGGER_EXAMPLE = { version: 1, schedule: 'rate(6 hours)' } satisfies z.input<
  typeof UpdateTriggerRequest
>;

export const WEBHOOK_ACCEPTED_EXAMPLE = {
  executionId: 'run_Qm8Tz3Kc1Vb6Xn9Lp2Rw5Ys7Ud0Fh4Gj',
  status: 'RUNNING',
  duplicate: false,
} satisfies z.output<typeof WebhookAccepted>;

/** The body of a 204: none (the document describes no content for it). */
const NoContent = z.undefined();

/** Whatever JSON the sender posts: the run's input carries it as `webhook`. */
const WebhookPayload = z.unknown().meta({ id: 'WebhookPayload', description: 'Any JSON value' });

/** API contracts of the trigger routes and the inbound hooks (merged into ROUTE_CONTRACTS in routes.ts). */
export const TRIGGER_ROUTE_CONTRACTS = {
  'POST /api/v1/triggers': routeContract({
    function: 'CreateTrigger',
    auth: 'jwt',
    summary:
      'Create a schedule trigger (cron or rate) or a webhook trigger of a workflow (admin); a webhook trigger returns its hook id and signing secret (whsec_…) this once',
    permission: 'workflows:write',
    body: CreateTriggerRequest,
    status: 201,
    response: CreatedTrigger,
    examples: { request: CREATE_TRIGGER_EXAMPLE, response: CREATED_TRIGGER_EXAMPLE },
  }),
  'GET /api/v1/triggers': routeContract({
    function: 'ListTriggers',
    auth: 'jwt',
    summary: "The tenant's triggers, newest first (no secrets)",
    permission: 'workflows:read',
    query: ListTriggersQuery,
    status: 200,
    response: TriggerList,
  }),
  'GET /api/v1/triggers/{id}': routeContract({
    function: 'GetTrigger',
    auth: 'jwt',
    summary: 'A trigger (no secret)',
    permission: 'workflows:read',
    params: TriggerIdPath,
    status: 200,
    response: Trigger,
    examples: { response: SCHEDULE_TRIGGER_EXAMPLE },
  }),
  'PATCH /api/v1/triggers/{id}': routeContract({
    function: 'UpdateTrigger',
    auth: 'jwt',
    summary:
      'Change a trigger with the version read (409 if it changed); its runs act from then on with the roles of who changed it (admin)',
    permission: 'workflows:write',
    params: TriggerIdPath,
    body: UpdateTriggerRequest,
    status: 200,
    response: Trigger,
    examples: { request: UPDATE_TRIGGER_EXAMPLE, response: { ...SCHEDULE_TRIGGER_EXAMPLE, version: 2 } },
  }),
  'DELETE /api/v1/triggers/{id}': routeContract({
    function: 'DeleteTrigger',
    auth: 'jwt',
    summary: 'Delete a trigger and its schedule; the runs it started stay (admin)',
    permission: 'workflows:write',
    params: TriggerIdPath,
    status: 204,
    response: NoContent,
  }),
  'POST /api/v1/hooks/{hookId}': routeContract({
    function: 'ReceiveWebhook',
    auth: 'none',
    summary:
      "Inbound Standard Webhooks request (no JWT): webhook-id, webhook-timestamp (within 5 minutes) and webhook-signature (v1, HMAC-SHA256 with the hook's secret over id.timestamp.body) checked on the raw body; starts the hook's workflow once per webhook-id",
    params: HookIdPath,
    body: WebhookPayload,
    status: 202,
    response: WebhookAccepted,
    examples: { response: WEBHOOK_ACCEPTED_EXAMPLE },
  }),
};
