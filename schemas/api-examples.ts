import type * as z from 'zod';
import type { CreateEntityRequest, Entity, EntityList, UpdateEntityRequest } from './entity.js';
import type {
  Approval,
  DecisionRequest,
  ExecuteWorkflowRequest,
  Execution,
  ExecutionStarted,
  WorkflowDefinitionRequest,
  WorkflowWithSecret,
} from './workflow.js';

/**
 * Example bodies of the main routes, shown in the OpenAPI document. Typed by their schemas, and a unit test
 * parses each with its route's zod contract (test/unit/openapi-document.test.ts), so they cannot drift.
 */

const ENTITY_ID = '7d9f3c2e-5b1a-4c8e-9f2d-3a6b8c1e4f70';
const WORKFLOW_ID = 'wf_0b8e6f2a-3c4d-4e5f-8a9b-1c2d3e4f5a6b';
const EXECUTION_ID = 'run_4f1e2d3c-b5a6-4978-8c9d-0e1f2a3b4c5d';
const APPROVAL_ID = 'apr_Q2xhcmUtYXBwcm92YWwtMDE';

export const CREATE_ENTITY_EXAMPLE = {
  type: 'person',
  attributes: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', tags: ['vip'] },
} satisfies z.input<typeof CreateEntityRequest>;

export const ENTITY_EXAMPLE = {
  id: ENTITY_ID,
  type: 'person',
  attributes: CREATE_ENTITY_EXAMPLE.attributes,
  version: 1,
  createdAt: '2025-01-15T09:30:00.000Z',
  updatedAt: '2025-01-15T09:30:00.000Z',
} satisfies z.output<typeof Entity>;

export const UPDATE_ENTITY_EXAMPLE = {
  version: 1,
  attributes: { email: 'ada.lovelace@example.com', tags: null },
} satisfies z.input<typeof UpdateEntityRequest>;

export const UPDATED_ENTITY_EXAMPLE = {
  ...ENTITY_EXAMPLE,
  attributes: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada.lovelace@example.com' },
  version: 2,
  updatedAt: '2025-01-15T10:05:00.000Z',
} satisfies z.output<typeof Entity>;

export const ENTITY_LIST_EXAMPLE = {
  items: [UPDATED_ENTITY_EXAMPLE],
  nextCursor: null,
} satisfies z.output<typeof EntityList>;

const REVIEW_STEP = {
  id: 'mark-reviewed',
  tool: 'entity.update',
  input: { entityId: '$.input.entityId', attributes: { status: 'reviewed' } },
  approval: { required: true as const, timeoutSeconds: 86_400, roles: ['approver' as const] },
};

export const CREATE_WORKFLOW_EXAMPLE = {
  name: 'Review a new customer',
  description: 'An approver confirms the record before it is marked reviewed',
  steps: [REVIEW_STEP],
  webhook: { url: 'https://hooks.example.com/modos/approvals' },
} satisfies z.input<typeof WorkflowDefinitionRequest>;

export const WORKFLOW_EXAMPLE = {
  id: WORKFLOW_ID,
  name: CREATE_WORKFLOW_EXAMPLE.name,
  description: CREATE_WORKFLOW_EXAMPLE.description,
  version: 1,
  steps: [REVIEW_STEP],
  webhook: { url: CREATE_WORKFLOW_EXAMPLE.webhook.url, secretConfigured: true },
  createdAt: '2025-01-15T09:31:00.000Z',
  updatedAt: '2025-01-15T09:31:00.000Z',
  createdBy: 'user-ada',
  // Returned once, because the request named no secret and the platform generated it.
  webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
} satisfies z.output<typeof WorkflowWithSecret>;

export const EXECUTE_WORKFLOW_EXAMPLE = {
  workflowId: WORKFLOW_ID,
  input: { entityId: ENTITY_ID },
} satisfies z.input<typeof ExecuteWorkflowRequest>;

export const EXECUTION_STARTED_EXAMPLE = {
  executionId: EXECUTION_ID,
  status: 'RUNNING',
} satisfies z.output<typeof ExecutionStarted>;

export const EXECUTION_EXAMPLE = {
  executionId: EXECUTION_ID,
  workflowId: WORKFLOW_ID,
  workflowVersion: 1,
  status: 'WAITING_FOR_APPROVAL',
  input: EXECUTE_WORKFLOW_EXAMPLE.input,
  steps: [
    {
      id: REVIEW_STEP.id,
      tool: REVIEW_STEP.tool,
      status: 'WAITING_FOR_APPROVAL',
      attempts: 0,
      approvalId: APPROVAL_ID,
    },
  ],
  startedAt: '2025-01-15T09:32:00.000Z',
  updatedAt: '2025-01-15T09:32:01.000Z',
  startedBy: 'user-ada',
  redrives: 0,
} satisfies z.output<typeof Execution>;

export const DECISION_EXAMPLE = { comment: 'Checked against the signed contract' } satisfies z.input<
  typeof DecisionRequest
>;

export const APPROVED_EXAMPLE = {
  id: APPROVAL_ID,
  executionId: EXECUTION_ID,
  workflowId: WORKFLOW_ID,
  stepId: REVIEW_STEP.id,
  tool: REVIEW_STEP.tool,
  status: 'approved',
  notification: 'delivered',
  requestedAt: '2025-01-15T09:32:01.000Z',
  expiresAt: '2025-01-16T09:32:01.000Z',
  roles: ['approver'],
  decidedAt: '2025-01-15T11:00:00.000Z',
  decidedBy: 'user-grace',
  comment: DECISION_EXAMPLE.comment,
} satisfies z.output<typeof Approval>;

export const REJECTED_EXAMPLE = {
  ...APPROVED_EXAMPLE,
  status: 'rejected',
  comment: 'The contract is not signed yet',
} satisfies z.output<typeof Approval>;
