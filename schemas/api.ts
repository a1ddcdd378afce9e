import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import type { ZodType } from 'zod';
import { AuditList } from './audit.js';
import { ErrorResponse, PageQuery } from './common.js';
import { RESOLUTION_ROUTE_CONTRACTS } from './resolution-api.js';
import { CreateEntityRequest, Entity, EntityIdPath, EntityList, ListEntitiesQuery, UpdateEntityRequest } from './entity.js';
import {
  Approval,
  ApprovalIdPath,
  ApprovalList,
  CallbackPath,
  CallbackQuery,
  DecisionRequest,
  Execution,
  ExecutionIdPath,
  ExecuteWorkflowRequest,
  ExecutionStarted,
  ListApprovalsQuery,
  ToolList,
  UpdateWorkflowRequest,
  Workflow,
  WorkflowDefinitionRequest,
  WorkflowIdPath,
  WorkflowList,
  WorkflowWithSecret,
} from './workflow.js';

/** The API contract of each route (keyed `METHOD path` as in the route manifest), for the OpenAPI document. */
export interface RouteContract {
  summary: string;
  permission?: string;
  body?: ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  status: number;
  response: ZodType;
}

function decisionContract(verb: 'Approve' | 'Reject'): RouteContract {
  return {
    summary: `${verb} a gate (admin, approver, or the roles the step names); 409 if already decided`,
    permission: 'approvals:decide',
    params: ApprovalIdPath,
    body: DecisionRequest,
    status: 200,
    response: Approval,
  };
}

const Health = z.object({ status: z.literal('ok'), stage: z.string() }).meta({ id: 'Health' });

export const ROUTE_CONTRACTS: Record<string, RouteContract> = {
  ...RESOLUTION_ROUTE_CONTRACTS,
  'GET /health': { summary: 'Liveness', status: 200, response: Health },
  'GET /api/v1/openapi.json': { summary: 'This document', status: 200, response: z.record(z.string(), z.unknown()) },
  'POST /api/v1/entities': { summary: 'Create an entity', permission: 'entities:write', body: CreateEntityRequest, status: 201, response: Entity },
  'GET /api/v1/entities': { summary: 'List entities, newest first', permission: 'entities:read', query: ListEntitiesQuery, status: 200, response: EntityList },
  'GET /api/v1/entities/{id}': { summary: 'Get an entity', permission: 'entities:read', params: EntityIdPath, status: 200, response: Entity },
  'PATCH /api/v1/entities/{id}': {
    summary: 'Patch attributes (null removes) with the version read; 409 if it changed',
    permission: 'entities:write',
    params: EntityIdPath,
    body: UpdateEntityRequest,
    status: 200,
    response: Entity,
  },
  'GET /api/v1/audit': { summary: 'Audit trail, newest first', permission: 'audit:read', query: PageQuery, status: 200, response: AuditList },
  'GET /api/v1/tools': { summary: 'The tool registry with input/output JSON Schemas', permission: 'tools:read', status: 200, response: ToolList },
  'POST /api/v1/workflows': {
    summary: 'Create a workflow (version 1); a generated webhook secret is returned once',
    permission: 'workflows:write',
    body: WorkflowDefinitionRequest,
    status: 201,
    response: WorkflowWithSecret,
  },
  'GET /api/v1/workflows': { summary: 'List workflows, newest first', permission: 'workflows:read', query: PageQuery, status: 200, response: WorkflowList },
  'GET /api/v1/workflows/{id}': { summary: 'Get the latest (or ?version=N) version', permission: 'workflows:read', params: WorkflowIdPath, status: 200, response: Workflow },
  'PUT /api/v1/workflows/{id}': {
    summary: 'Store a changed definition as version N+1 (409 if `version` is not the latest)',
    permission: 'workflows:write',
    params: WorkflowIdPath,
    body: UpdateWorkflowRequest,
    status: 200,
    response: WorkflowWithSecret,
  },
  'POST /api/v1/workflows/execute': { summary: 'Start a run; it pins the workflow version', permission: 'workflows:execute', body: ExecuteWorkflowRequest, status: 202, response: ExecutionStarted },
  'GET /api/v1/workflows/executions/{id}': { summary: 'A run: status and per-step history', permission: 'workflows:read', params: ExecutionIdPath, status: 200, response: Execution },
  'POST /api/v1/workflows/executions/{id}/redrive': {
    summary: 'Restart a FAILED, TIMED_OUT or REJECTED run from its failed step',
    permission: 'workflows:execute',
    params: ExecutionIdPath,
    status: 202,
    response: Execution,
  },
  'GET /api/v1/approvals': { summary: 'Approvals by status (default pending)', permission: 'approvals:read', query: ListApprovalsQuery, status: 200, response: ApprovalList },
  'POST /api/v1/approvals/{id}/approve': decisionContract('Approve'),
  'POST /api/v1/approvals/{id}/reject': decisionContract('Reject'),
  'POST /api/v1/approvals/{id}/callback/{decision}': {
    summary: 'Decide through the signed, expiring, single-use link of the approval webhook (no JWT)',
    params: CallbackPath,
    query: CallbackQuery,
    status: 200,
    response: Approval,
  },
};

const ERROR_STATUSES: Record<number, string> = {
  400: 'VALIDATION_ERROR: malformed JSON, repeated keys, values DynamoDB cannot store as sent (numbers, nesting, keys, lone surrogates), wrong types, unknown fields, oversized body, bad cursor',
  401: 'UNAUTHORIZED: missing, expired or invalid token',
  403: 'FORBIDDEN: the token lacks the permission',
  404: 'NOT_FOUND',
  409: 'CONFLICT: stale version or duplicate',
  415: 'UNSUPPORTED_MEDIA_TYPE: a body not sent as application/json (or application/*+json), UTF-8',
};

/** Builds the OpenAPI 3 document for the given routes from their zod contracts. */
export function buildOpenApiDocument(routes: ReadonlyArray<{ method: string; path: string; auth: 'jwt' | 'none' }>, version: string) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const c = ROUTE_CONTRACTS[key];
    if (!c) throw new Error(`no API contract for ${key}`);
    const errors = [...(route.auth === 'jwt' ? [400, 401, 403, 404, 409] : c.params ? [400, 401, 404, 409] : []), ...(c.body ? [415] : [])];
    registry.registerPath({
      method: route.method.toLowerCase() as 'get',
      path: route.path,
      summary: c.summary,
      description: c.permission ? `Requires permission \`${c.permission}\`.` : undefined,
      security: route.auth === 'jwt' ? [{ [bearer.name]: [] }] : [],
      request: {
        ...(c.params ? { params: c.params } : {}),
        ...(c.query ? { query: c.query } : {}),
        ...(c.body ? { body: { content: { 'application/json': { schema: c.body } }, required: !(c.body as z.ZodType).safeParse({}).success } } : {}),
      },
      responses: {
        [c.status]: { description: 'Success', content: { 'application/json': { schema: c.response } } },
        ...Object.fromEntries(errors.map((s) => [s, { description: ERROR_STATUSES[s] ?? String(s), content: { 'application/json': { schema: ErrorResponse } } }])),
      },
    });
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'modos API', version, description: 'Multi-tenant entity graph, signals and safe workflow execution.' },
    servers: [{ url: '/' }],
  });
}
