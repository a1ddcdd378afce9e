// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { ApprovalRecord, ListOutputsQuery, Output, OutputIdPath, OutputList } from './agents.js';
import { routeContract } from './route-contract.js';
import { Approval } from './workflow.js';

/** An output with its content as stored in S3, its approval (decided through /approvals) and its approval record. */
export const OutputDetail = Output.extend({
  /** The content exactly as stored (`json` outputs: the JSON text). */
  content: z.string(),
  approval: Approval.nullable(),
  /** Seed 004 ApprovalRecord: the human decision, once there is one. */
  approval_record: ApprovalRecord.nullable(),
}).meta({ id: 'OutputDetail' });

/*
 * Example bodies of the output routes, shown in the OpenAPI document. Typed by their schemas, and a unit test parses
 * each with its route's contract (test/unit/openapi-document.test.ts), so they cannot drift.
 */
const OUTPUT_ID = '3f9c1a7e-5b2d-4c8e-9a1f-6d0b2e4c8a71';
const AGENT_ID = '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f';
const APPROVAL_ID = 'apr_Qm3x8Zt1Vb6Nc2Lp9Rk4Sd7F';

export const OUTPUT_EXAMPLE = {
  id: OUTPUT_ID,
  tenant_id: 'acme',
  agent_id: AGENT_ID,
  session_id: '0c4e8a2b-7d1f-4b3a-8e6c-5f9d2a1b3c4e',
  content_type: 'json',
  content_preview: '{"entityId":"5e2b9c4a-1f7d-4a3e-8b6c-0d9e2f1a3b4c","attributes":{"tier":"gold"}}',
  s3_key: `${AGENT_ID}/${OUTPUT_ID}.json`,
  status: 'executed',
  skill_used: 'update_account',
  is_automatable: true,
  offline: false,
  approval_id: APPROVAL_ID,
  webhook_attempts: 1,
  result: { tool: 'entity.update', output: { entityId: '5e2b9c4a-1f7d-4a3e-8b6c-0d9e2f1a3b4c', version: 4 } },
  created_at: '2026-11-30T09:00:00.000Z',
  updated_at: '2026-11-30T09:12:41.000Z',
} satisfies z.output<typeof Output>;

export const OUTPUT_DETAIL_EXAMPLE = {
  ...OUTPUT_EXAMPLE,
  content: '{"entityId":"5e2b9c4a-1f7d-4a3e-8b6c-0d9e2f1a3b4c","attributes":{"tier":"gold"}}',
  approval: {
    id: APPROVAL_ID,
    executionId: `agent-output-${OUTPUT_ID}`,
    workflowId: AGENT_ID,
    stepId: 'output',
    tool: 'update_account',
    status: 'approved',
    notification: 'delivered',
    requestedAt: '2026-11-30T09:00:01.000Z',
    expiresAt: '2026-12-07T08:59:01.000Z',
    roles: ['approver'],
    decidedAt: '2026-11-30T09:12:40.000Z',
    decidedBy: 'user-ada',
    subject: { kind: 'agent_output', outputId: OUTPUT_ID, agentId: AGENT_ID },
  },
  approval_record: {
    id: APPROVAL_ID,
    output_id: OUTPUT_ID,
    decision: 'approved',
    decided_by: 'user-ada',
    decided_at: '2026-11-30T09:12:40.000Z',
    auto_execute: true,
  },
} satisfies z.output<typeof OutputDetail>;

/** API contracts of the output routes (merged into ROUTE_CONTRACTS in routes.ts); one function serves them. */
export const AGENT_OUTPUT_ROUTE_CONTRACTS = {
  'GET /api/v1/outputs': routeContract({
    function: 'AgentOutputsApi',
    operationId: 'listOutputs',
    auth: 'jwt',
    summary: "The tenant's agent outputs, newest first, by agent, status or both (metadata; content by id)",
    permission: 'outputs:read',
    query: ListOutputsQuery,
    status: 200,
    response: OutputList,
  }),
  'GET /api/v1/outputs/{id}': routeContract({
    function: 'AgentOutputsApi',
    operationId: 'getOutput',
    auth: 'jwt',
    summary: 'An agent output: its metadata, its content as stored, its approval and approval record',
    permission: 'outputs:read',
    params: OutputIdPath,
    status: 200,
    response: OutputDetail,
    examples: { response: OUTPUT_DETAIL_EXAMPLE },
  }),
};
