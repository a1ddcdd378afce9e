import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import type { ZodType } from 'zod';
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
import { AuditList } from './audit.js';
import { ErrorResponse, PageQuery } from './common.js';
import { EventCatalogue } from './event-catalogue.js';
import { RESOLUTION_ROUTE_CONTRACTS } from './resolution-api.js';
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
  /** Example bodies for the document (schemas/api-examples.ts); a unit test parses each with `body` / `response`. */
  examples?: { request?: unknown; response?: unknown };
}

function decisionContract(verb: 'Approve' | 'Reject'): RouteContract {
  return {
    summary: `${verb} a gate (admin, approver, or the roles the step names); 409 if already decided`,
    permission: 'approvals:decide',
    params: ApprovalIdPath,
    body: DecisionRequest,
    status: 200,
    response: Approval,
    examples: { request: DECISION_EXAMPLE, response: verb === 'Approve' ? APPROVED_EXAMPLE : REJECTED_EXAMPLE },
  };
}

const Health = z.object({ status: z.literal('ok'), stage: z.string() }).meta({ id: 'Health' });

export const ROUTE_CONTRACTS: Record<string, RouteContract> = {
  ...RESOLUTION_ROUTE_CONTRACTS,
  'GET /health': { summary: 'Liveness', status: 200, response: Health },
  'GET /api/v1/openapi.json': { summary: 'This document', status: 200, response: z.record(z.string(), z.unknown()) },
  'GET /api/v1/events/catalogue': {
    summary:
      'Every event on the bus: the JSON Schema of the EventBridge event, generated from its zod schema, and a pattern for a rule',
    status: 200,
    response: EventCatalogue,
  },
  'POST /api/v1/entities': {
    summary: 'Create an entity',
    permission: 'entities:write',
    body: CreateEntityRequest,
    status: 201,
    response: Entity,
    examples: { request: CREATE_ENTITY_EXAMPLE, response: ENTITY_EXAMPLE },
  },
  'GET /api/v1/entities': {
    summary: 'List entities, newest first',
    permission: 'entities:read',
    query: ListEntitiesQuery,
    status: 200,
    response: EntityList,
    examples: { response: ENTITY_LIST_EXAMPLE },
  },
  'GET /api/v1/entities/{id}': {
    summary: 'Get an entity',
    permission: 'entities:read',
    params: EntityIdPath,
    status: 200,
    response: Entity,
    examples: { response: ENTITY_EXAMPLE },
  },
  'PATCH /api/v1/entities/{id}': {
    summary: 'Patch attributes (null removes) with the version read; 409 if it changed',
    permission: 'entities:write',
    params: EntityIdPath,
    body: UpdateEntityRequest,
    status: 200,
    response: Entity,
    examples: { request: UPDATE_ENTITY_EXAMPLE, response: UPDATED_ENTITY_EXAMPLE },
  },
  'GET /api/v1/audit': {
    summary: 'Audit trail, newest first',
    permission: 'audit:read',
    query: PageQuery,
    status: 200,
    response: AuditList,
  },
  'GET /api/v1/tools': {
    summary: 'The tool registry with input/output JSON Schemas',
    permission: 'tools:read',
    status: 200,
    response: ToolList,
  },
  'POST /api/v1/workflows': {
    summary: 'Create a workflow (version 1); a generated webhook secret is returned once',
    permission: 'workflows:write',
    body: WorkflowDefinitionRequest,
    status: 201,
    response: WorkflowWithSecret,
    examples: { request: CREATE_WORKFLOW_EXAMPLE, response: WORKFLOW_EXAMPLE },
  },
  'GET /api/v1/workflows': {
    summary: 'List workflows, newest first',
    permission: 'workflows:read',
    query: PageQuery,
    status: 200,
    response: WorkflowList,
  },
  'GET /api/v1/workflows/{id}': {
    summary: 'Get the latest (or ?version=N) version',
    permission: 'workflows:read',
    params: WorkflowIdPath,
    status: 200,
    response: Workflow,
  },
  'PUT /api/v1/workflows/{id}': {
    summary: 'Store a changed definition as version N+1 (409 if `version` is not the latest)',
    permission: 'workflows:write',
    params: WorkflowIdPath,
    body: UpdateWorkflowRequest,
    status: 200,
    response: WorkflowWithSecret,
  },
  'POST /api/v1/workflows/execute': {
    summary: 'Start a run; it pins the workflow version',
    permission: 'workflows:execute',
    body: ExecuteWorkflowRequest,
    status: 202,
    response: ExecutionStarted,
    examples: { request: EXECUTE_WORKFLOW_EXAMPLE, response: EXECUTION_STARTED_EXAMPLE },
  },
  'GET /api/v1/workflows/executions/{id}': {
    summary: 'A run: status and per-step history',
    permission: 'workflows:read',
    params: ExecutionIdPath,
    status: 200,
    response: Execution,
    examples: { response: EXECUTION_EXAMPLE },
  },
  'POST /api/v1/workflows/executions/{id}/redrive': {
    summary: 'Restart a FAILED, TIMED_OUT or REJECTED run from its failed step',
    permission: 'workflows:execute',
    params: ExecutionIdPath,
    status: 202,
    response: Execution,
  },
  'GET /api/v1/approvals': {
    summary: 'Approvals by status (default pending)',
    permission: 'approvals:read',
    query: ListApprovalsQuery,
    status: 200,
    response: ApprovalList,
  },
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
  429: "RATE_LIMITED: over the stage's throttle (any route) or the tenant's rate or daily quota (routes with a token); retry after `Retry-After` seconds",
};

/** The document's view of a manifest route (functions/platform/manifest.ts RouteSpec). */
export interface DocumentedRoute {
  method: string;
  path: string;
  function: string;
  auth: 'jwt' | 'none';
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * The `operationId` of every route, derived here only: its function's name in camelCase (`CreateEntity` →
 * `createEntity`). A function serving several routes takes each route's last literal path segment as its verb
 * in place of its own first word (`DecideApproval` → `approveApproval`, `rejectApproval`). Refuses duplicates,
 * so a new route cannot silently share an id (generated clients key their operations on it).
 */
export function operationIds(routes: readonly DocumentedRoute[]): Map<string, string> {
  const routesOf = new Map<string, number>();
  for (const r of routes) routesOf.set(r.function, (routesOf.get(r.function) ?? 0) + 1);
  const ids = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    let id = lowerFirst(r.function);
    if ((routesOf.get(r.function) ?? 0) > 1) {
      const action =
        r.path
          .split('/')
          .filter((s) => s && !s.startsWith('{'))
          .at(-1) ?? r.method.toLowerCase();
      id = action + r.function.replace(/^[A-Z][a-z0-9]*/, '');
    }
    const owner = owners.get(id);
    if (owner) throw new Error(`operationId ${id} of ${key} is already the id of ${owner}`);
    owners.set(id, key);
    ids.set(key, id);
  }
  return ids;
}

const json = (schema: ZodType, example: unknown) => ({
  'application/json': { schema, ...(example === undefined ? {} : { example }) },
});

/** Builds the OpenAPI 3.1 document for the given routes from their zod contracts. */
export function buildOpenApiDocument(routes: readonly DocumentedRoute[], version: string) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  const ids = operationIds(routes);
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const c = ROUTE_CONTRACTS[key];
    if (!c) throw new Error(`no API contract for ${key}`);
    // 429 on every route: API Gateway's stage throttle answers any of them, public ones included.
    const errors = [
      ...(route.auth === 'jwt' ? [400, 401, 403, 404, 409] : c.params ? [400, 401, 404, 409] : []),
      ...(c.body ? [415] : []),
      429,
    ];
    registry.registerPath({
      method: route.method.toLowerCase() as 'get',
      path: route.path,
      operationId: ids.get(key),
      summary: c.summary,
      description: c.permission ? `Requires permission \`${c.permission}\`.` : undefined,
      security: route.auth === 'jwt' ? [{ [bearer.name]: [] }] : [],
      request: {
        ...(c.params ? { params: c.params } : {}),
        ...(c.query ? { query: c.query } : {}),
        ...(c.body
          ? {
              body: {
                content: json(c.body, c.examples?.request),
                required: !(c.body as z.ZodType).safeParse({}).success,
              },
            }
          : {}),
      },
      responses: {
        [c.status]: { description: 'Success', content: json(c.response, c.examples?.response) },
        ...Object.fromEntries(
          errors.map((s) => [
            s,
            {
              description: ERROR_STATUSES[s] ?? String(s),
              ...(s === 429
                ? {
                    headers: {
                      'Retry-After': {
                        description: 'Seconds to wait before retrying',
                        schema: { type: 'integer', minimum: 1 },
                      },
                    },
                  }
                : {}),
              content: json(ErrorResponse, undefined),
            },
          ]),
        ),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'modos API',
      version,
      description: 'Multi-tenant entity graph, signals and safe workflow execution.',
    },
    servers: [{ url: '/' }],
  });
}
