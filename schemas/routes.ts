// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import {
  APPROVED_EXAMPLE,
  CREATE_ENTITY_EXAMPLE,
  CREATE_WORKFLOW_EXAMPLE,
  DECISION_EXAMPLE,
  ENTITY_EXAMPLE,
  ENTITY_LIST_EXAMPLE,
  EXECUTE_WORKFLOW_EXAMPLE,
  EXECUTION_EXAMPLE,
  EXECUTION_STARTED_EXAMPLE,
  REJECTED_EXAMPLE,
  UPDATE_ENTITY_EXAMPLE,
  UPDATED_ENTITY_EXAMPLE,
  WORKFLOW_EXAMPLE,
} from './api-examples.js';
import {
  AUDIT_FILTER_READ_LIMIT,
  AUDIT_VERIFY_RECORDS_PER_CALL,
  AuditList,
  AuditVerification,
  AuditVerificationQuery,
  ListAuditQuery,
} from './audit.js';
import { CONNECTOR_ROUTE_CONTRACTS } from './connectors-api.js';
import { PageQuery } from './common.js';
import { EventCatalogue } from './event-catalogue.js';
import { MINING_ROUTE_CONTRACTS } from './mining-api.js';
import { RESOLUTION_ROUTE_CONTRACTS } from './resolution-api.js';
import { SIGNAL_ROUTE_CONTRACTS } from './signals-api.js';
import { CASE_ROUTE_CONTRACTS } from './cases-api.js';
import { TRIGGER_ROUTE_CONTRACTS } from './triggers-api.js';
import { AGENT_CONFIG_ROUTE_CONTRACTS } from './agent-config-api.js';
import { AGENT_OUTPUT_ROUTE_CONTRACTS } from './agent-outputs-api.js';
import { SESSION_ROUTE_CONTRACTS } from './agent-sessions-api.js';
import { routeContract, type RouteContract } from './route-contract.js';
import {
  CreateEntityRequest,
  Entity,
  EntityIdPath,
  EntityList,
  ListEntitiesQuery,
  UpdateEntityRequest,
} from './entity.js';
import {
  Approval,
  ApprovalIdPath,
  ApprovalList,
  CallbackPath,
  CallbackQuery,
  DecisionRequest,
  Execution,
  EXECUTION_FILTER_READ_LIMIT,
  ExecutionIdPath,
  ExecutionList,
  ExecuteWorkflowRequest,
  ExecutionStarted,
  ListExecutionsQuery,
  ListApprovalsQuery,
  ToolList,
  UpdateWorkflowRequest,
  Workflow,
  WorkflowDefinitionRequest,
  WorkflowIdPath,
  WorkflowList,
  WorkflowVersionQuery,
  WorkflowWithSecret,
} from './workflow.js';

function decisionContract(verb: 'Approve' | 'Reject') {
  return routeContract({
    function: 'DecideApproval',
    auth: 'jwt',
    summary: `${verb} a gate (admin, approver, or the roles the step names); 409 if already decided`,
    permission: 'approvals:decide',
    params: ApprovalIdPath,
    body: DecisionRequest,
    status: 200,
    response: Approval,
    examples: { request: DECISION_EXAMPLE, response: verb === 'Approve' ? APPROVED_EXAMPLE : REJECTED_EXAMPLE },
  });
}

const Health = z.object({ status: z.literal('ok'), stage: z.string() }).meta({ id: 'Health' });

/**
 * The contract of every API route, keyed `METHOD path`: the ROUTES of functions/platform/api-routes.ts are derived
 * from it (in this order), each handler serves its route with `httpRoute(ROUTE_CONTRACTS[key], …)`, and the OpenAPI
 * document reads it.
 */
export const ROUTE_CONTRACTS = {
  'GET /health': routeContract({
    function: 'Health',
    auth: 'none',
    summary: 'Liveness',
    status: 200,
    response: Health,
  }),
  'GET /api/v1/openapi.json': routeContract({
    function: 'GetOpenApi',
    auth: 'none',
    summary: 'This document',
    status: 200,
    response: z.record(z.string(), z.unknown()),
  }),
  'GET /api/v1/events/catalogue': routeContract({
    function: 'GetEventCatalogue',
    auth: 'none',
    summary:
      'Every event on the bus: the JSON Schema of the EventBridge event, generated from its zod schema, and a pattern for a rule',
    status: 200,
    response: EventCatalogue,
  }),
  'POST /api/v1/entities': routeContract({
    function: 'CreateEntity',
    auth: 'jwt',
    summary: 'Create an entity',
    permission: 'entities:write',
    body: CreateEntityRequest,
    status: 201,
    response: Entity,
    examples: { request: CREATE_ENTITY_EXAMPLE, response: ENTITY_EXAMPLE },
  }),
  'GET /api/v1/entities': routeContract({
    function: 'ListEntities',
    auth: 'jwt',
    summary: 'List entities, newest first',
    permission: 'entities:read',
    query: ListEntitiesQuery,
    status: 200,
    response: EntityList,
    examples: { response: ENTITY_LIST_EXAMPLE },
  }),
  'GET /api/v1/entities/{id}': routeContract({
    function: 'GetEntity',
    auth: 'jwt',
    summary: 'Get an entity',
    permission: 'entities:read',
    params: EntityIdPath,
    status: 200,
    response: Entity,
    examples: { response: ENTITY_EXAMPLE },
  }),
  'PATCH /api/v1/entities/{id}': routeContract({
    function: 'UpdateEntity',
    auth: 'jwt',
    summary: 'Patch attributes (null removes) with the version read; 409 if it changed',
    permission: 'entities:write',
    params: EntityIdPath,
    body: UpdateEntityRequest,
    status: 200,
    response: Entity,
    examples: { request: UPDATE_ENTITY_EXAMPLE, response: UPDATED_ENTITY_EXAMPLE },
  }),
  'GET /api/v1/audit': routeContract({
    function: 'ListAudit',
    auth: 'jwt',
    summary: `Audit trail, newest first, of an actor, action, resource type and id (exact, combinable); a filtered page reads at most ${AUDIT_FILTER_READ_LIMIT} records, so it may be short, even empty, with a nextCursor`,
    permission: 'audit:read',
    query: ListAuditQuery,
    status: 200,
    response: AuditList,
    operationId: 'listAudit',
  }),
  'GET /api/v1/audit/verification': routeContract({
    function: 'ListAudit',
    auth: 'jwt',
    summary: `Verifies the tenant's audit hash chain lane by lane through each lane head: at most ${AUDIT_VERIFY_RECORDS_PER_CALL} records a call, shared by the lanes; nextCursor continues an incomplete verification`,
    permission: 'audit:read',
    query: AuditVerificationQuery,
    status: 200,
    response: AuditVerification,
    operationId: 'verifyAudit',
  }),
  'GET /api/v1/tools': routeContract({
    function: 'ListTools',
    auth: 'jwt',
    summary: 'The tool registry with input/output JSON Schemas',
    permission: 'tools:read',
    status: 200,
    response: ToolList,
  }),
  'POST /api/v1/workflows': routeContract({
    function: 'CreateWorkflow',
    auth: 'jwt',
    summary: 'Create a workflow (version 1); a generated webhook secret is returned once',
    permission: 'workflows:write',
    body: WorkflowDefinitionRequest,
    status: 201,
    response: WorkflowWithSecret,
    examples: { request: CREATE_WORKFLOW_EXAMPLE, response: WORKFLOW_EXAMPLE },
  }),
  'GET /api/v1/workflows': routeContract({
    function: 'ListWorkflows',
    auth: 'jwt',
    summary: 'List workflows, newest first',
    permission: 'workflows:read',
    query: PageQuery,
    status: 200,
    response: WorkflowList,
  }),
  'GET /api/v1/workflows/{id}': routeContract({
    function: 'GetWorkflow',
    auth: 'jwt',
    summary: 'Get the latest (or ?version=N) version',
    permission: 'workflows:read',
    params: WorkflowIdPath,
    query: WorkflowVersionQuery,
    status: 200,
    response: Workflow,
  }),
  'PUT /api/v1/workflows/{id}': routeContract({
    function: 'UpdateWorkflow',
    auth: 'jwt',
    summary: 'Store a changed definition as version N+1 (409 if `version` is not the latest)',
    permission: 'workflows:write',
    params: WorkflowIdPath,
    body: UpdateWorkflowRequest,
    status: 200,
    response: WorkflowWithSecret,
  }),
  'POST /api/v1/workflows/execute': routeContract({
    function: 'ExecuteWorkflow',
    auth: 'jwt',
    summary: 'Start a run; it pins the workflow version',
    permission: 'workflows:execute',
    body: ExecuteWorkflowRequest,
    status: 202,
    response: ExecutionStarted,
    examples: { request: EXECUTE_WORKFLOW_EXAMPLE, response: EXECUTION_STARTED_EXAMPLE },
  }),
  'GET /api/v1/workflows/executions': routeContract({
    function: 'GetExecution',
    auth: 'jwt',
    summary: `The tenant's runs, newest first, of a workflow and/or a status; a filtered page reads at most ${EXECUTION_FILTER_READ_LIMIT} runs, so it may be short, even empty, with a nextCursor`,
    permission: 'workflows:read',
    query: ListExecutionsQuery,
    status: 200,
    response: ExecutionList,
    operationId: 'listExecutions',
  }),
  'GET /api/v1/workflows/executions/{id}': routeContract({
    function: 'GetExecution',
    auth: 'jwt',
    summary: 'A run: status and per-step history',
    permission: 'workflows:read',
    params: ExecutionIdPath,
    status: 200,
    response: Execution,
    examples: { response: EXECUTION_EXAMPLE },
    operationId: 'getExecution',
  }),
  'POST /api/v1/workflows/executions/{id}/redrive': routeContract({
    function: 'RedriveExecution',
    auth: 'jwt',
    summary: 'Restart a FAILED, TIMED_OUT or REJECTED run from its failed step',
    permission: 'workflows:execute',
    params: ExecutionIdPath,
    status: 202,
    response: Execution,
  }),
  'GET /api/v1/approvals': routeContract({
    function: 'ListApprovals',
    auth: 'jwt',
    summary: 'Approvals by status (default pending)',
    permission: 'approvals:read',
    query: ListApprovalsQuery,
    status: 200,
    response: ApprovalList,
  }),
  'POST /api/v1/approvals/{id}/approve': decisionContract('Approve'),
  'POST /api/v1/approvals/{id}/reject': decisionContract('Reject'),
  'POST /api/v1/approvals/{id}/callback/{decision}': routeContract({
    function: 'ApprovalCallback',
    auth: 'none',
    summary: 'Decide through the signed, expiring, single-use link of the approval webhook (no JWT)',
    params: CallbackPath,
    query: CallbackQuery,
    status: 200,
    response: Approval,
  }),
  ...RESOLUTION_ROUTE_CONTRACTS,
  ...CONNECTOR_ROUTE_CONTRACTS,
  ...SIGNAL_ROUTE_CONTRACTS,
  ...MINING_ROUTE_CONTRACTS,
  ...CASE_ROUTE_CONTRACTS,
  ...TRIGGER_ROUTE_CONTRACTS,
  ...AGENT_CONFIG_ROUTE_CONTRACTS,
  ...AGENT_OUTPUT_ROUTE_CONTRACTS,
  ...SESSION_ROUTE_CONTRACTS,
} satisfies Record<string, RouteContract>;

export type RouteKey = keyof typeof ROUTE_CONTRACTS;

/** The contracts indexed by any string (`METHOD path`), for readers that look a route up. */
export const CONTRACTS_BY_KEY: Readonly<Record<string, RouteContract>> = ROUTE_CONTRACTS;
