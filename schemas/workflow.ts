// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { ApprovalAction } from './approval-action.js';
import { ROLES } from './roles.js';
import { Id, PageQuery } from './common.js';

/** Longest approval wait we accept: 30 days (Step Functions Standard allows a year). */
export const MAX_APPROVAL_SECONDS = 30 * 86_400;

const StepId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'step ids are 1-40 characters: a-z first, then a-z, 0-9, _ or -');

export const ApprovalConfig = z
  .strictObject({
    required: z.literal(true),
    timeoutSeconds: z.number().int().min(2).max(MAX_APPROVAL_SECONDS),
    /**
     * How long the gate may go without a heartbeat; Step Functions needs it below the timeout. The gate
     * heartbeats when the request is recorded and when its webhook was attempted. Default: timeout - 1.
     */
    heartbeatSeconds: z.number().int().min(1).max(MAX_APPROVAL_SECONDS).optional(),
    /** Roles allowed to decide, besides admin. Default: approver. */
    roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length).optional(),
  })
  .meta({ id: 'ApprovalConfig' });
export type ApprovalConfig = z.infer<typeof ApprovalConfig>;

/**
 * A step's input. String values that start with `$.` are references resolved when the step runs:
 * `$.input.<path>` (the run input) or `$.steps.<stepId>.output.<path>` (an earlier step's output).
 * A string starting with `$$.` is the literal text without its first `$`.
 */
export const StepInput = z.record(z.string(), z.unknown()).meta({ id: 'StepInput' });

export const WorkflowStep = z
  .strictObject({
    id: StepId,
    tool: z.string().min(1).max(100),
    input: StepInput.default({}),
    approval: ApprovalConfig.optional(),
  })
  .meta({ id: 'WorkflowStep' });
export type WorkflowStep = z.infer<typeof WorkflowStep>;

/**
 * A step as the API returns it. Inputs its tool declares secret (http.webhook's `secret`) are stored sealed
 * and never returned: `input` leaves them out and `secretInputs` names those that are set.
 */
export const WorkflowStepView = WorkflowStep.extend({ secretInputs: z.array(z.string()).optional() }).meta({
  id: 'WorkflowStepView',
});
export type WorkflowStepView = z.infer<typeof WorkflowStepView>;

export const WebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'a Standard Webhooks secret: whsec_ followed by base64 of 24-64 bytes');

export const WebhookConfig = z
  .strictObject({
    url: z.string().url().max(2048),
    /** `whsec_…`; generated when omitted and returned once in the response. */
    secret: WebhookSecret.optional(),
  })
  .meta({ id: 'WebhookConfig' });

export const WorkflowDefinitionRequest = z
  .strictObject({
    name: z.string().min(1).max(100),
    description: z.string().max(1000).optional(),
    steps: z.array(WorkflowStep).min(1).max(25),
    webhook: WebhookConfig.optional(),
  })
  .meta({ id: 'WorkflowDefinitionRequest' });
export type WorkflowDefinitionRequest = z.infer<typeof WorkflowDefinitionRequest>;

/** A change to a workflow: the full new definition and the version it replaces (409 if stale). */
export const UpdateWorkflowRequest = WorkflowDefinitionRequest.extend({ version: z.number().int().min(1) }).meta({
  id: 'UpdateWorkflowRequest',
});
export type UpdateWorkflowRequest = z.infer<typeof UpdateWorkflowRequest>;

export const Workflow = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string().optional(),
    version: z.number().int().min(1),
    steps: z.array(WorkflowStepView),
    webhook: z.object({ url: z.string(), secretConfigured: z.boolean() }).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'Workflow' });
export type Workflow = z.infer<typeof Workflow>;

/** Returned by create/update when the platform generated the webhook secret (shown once). */
export const WorkflowWithSecret = Workflow.extend({ webhookSecret: z.string().optional() }).meta({
  id: 'WorkflowWithSecret',
});

export const WorkflowList = z
  .object({ items: z.array(Workflow), nextCursor: z.string().nullable() })
  .meta({ id: 'WorkflowList' });

export const ExecuteWorkflowRequest = z
  .strictObject({
    workflowId: Id,
    input: z.record(z.string(), z.unknown()).default({}),
    /** Pin a version; default the latest. */
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'ExecuteWorkflowRequest' });
export type ExecuteWorkflowRequest = z.infer<typeof ExecuteWorkflowRequest>;

export const RUN_STATUSES = [
  'RUNNING',
  'WAITING_FOR_APPROVAL',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'REJECTED',
] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

export const STEP_STATUSES = [
  'PENDING',
  'WAITING_FOR_APPROVAL',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'COMPENSATED',
  'COMPENSATION_FAILED',
  'SKIPPED',
] as const;
export const StepStatus = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof StepStatus>;

export const RunError = z.object({
  code: z.string(),
  name: z.string(),
  message: z.string(),
  stepId: z.string().optional(),
});
export type RunError = z.infer<typeof RunError>;

export const StepRecord = z
  .object({
    id: z.string(),
    tool: z.string(),
    status: StepStatus,
    attempts: z.number().int(),
    output: z.unknown().optional(),
    error: RunError.optional(),
    approvalId: z.string().optional(),
    startedAt: z.string().optional(),
    completedAt: z.string().optional(),
  })
  .meta({ id: 'StepRecord' });
export type StepRecord = z.infer<typeof StepRecord>;

/**
 * What started a run, recorded on it: a user's API call (`api`, the user), a signal rule's action (`signal`, the
 * signal), a trigger's schedule (`schedule`, the trigger and the fire's scheduled time) or its inbound webhook
 * (`webhook`, the trigger and the sender's `webhook-id`). A triggered run's execution id is derived from what started
 * it, so the same signal, fire or webhook delivered again finds this run instead of starting another.
 */
export const RunTrigger = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('api'), id: z.string() }),
    z.object({
      kind: z.literal('signal'),
      /** The signal id. */
      id: z.string(),
      ruleId: z.string(),
      ruleVersion: z.number().int().optional(),
      matchId: z.string().optional(),
    }),
    z.object({ kind: z.literal('schedule'), id: z.string(), scheduledTime: z.string() }),
    z.object({ kind: z.literal('webhook'), id: z.string(), webhookId: z.string() }),
  ])
  .meta({ id: 'RunTrigger' });
export type RunTrigger = z.infer<typeof RunTrigger>;

export const Execution = z
  .object({
    executionId: z.string(),
    workflowId: z.string(),
    workflowVersion: z.number().int(),
    status: RunStatus,
    input: z.record(z.string(), z.unknown()),
    steps: z.array(StepRecord),
    startedAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().optional(),
    /** The user who executed the run. Its tools act with this user's roles, also after a redrive. */
    startedBy: z.string(),
    redrives: z.number().int(),
    /** Who redrove the run and when, oldest first (absent before the first redrive). */
    redrivenBy: z.array(z.object({ userId: z.string(), at: z.string() })).optional(),
    error: RunError.optional(),
    /** What started the run (absent on runs recorded before triggers were kept). */
    trigger: RunTrigger.optional(),
  })
  .meta({ id: 'Execution' });
export type Execution = z.infer<typeof Execution>;

/** The step a run is at: the one running or waiting for its approval, else the one it failed at. */
export const ExecutionCurrentStep = z
  .object({ id: z.string(), tool: z.string(), status: StepStatus, approvalId: z.string().optional() })
  .meta({ id: 'ExecutionCurrentStep' });

/**
 * A run as a list shows it (GET /workflows/executions): the run without its input and step outputs. `stoppedAt` is
 * when it reached its last status (SUCCEEDED, FAILED, TIMED_OUT, REJECTED), null while it runs or waits; `progress`
 * counts its steps done (succeeded or skipped) of all.
 */
export const ExecutionSummary = z
  .object({
    executionId: z.string(),
    workflowId: z.string(),
    workflowVersion: z.number().int(),
    status: RunStatus,
    startedAt: z.string(),
    updatedAt: z.string(),
    stoppedAt: z.string().nullable(),
    startedBy: z.string(),
    redrives: z.number().int(),
    progress: z.object({ done: z.number().int(), total: z.number().int() }),
    currentStep: ExecutionCurrentStep.optional(),
    error: RunError.optional(),
    trigger: RunTrigger.optional(),
  })
  .meta({ id: 'ExecutionSummary' });
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;

export const ExecutionList = z
  .object({ items: z.array(ExecutionSummary), nextCursor: z.string().nullable() })
  .meta({ id: 'ExecutionList' });

/** Runs a filtered page of GET /workflows/executions reads at most before it answers with what it found. */
export const EXECUTION_FILTER_READ_LIMIT = 500;

/**
 * `GET /workflows/executions`: the tenant's runs newest first, of one workflow and/or one status. No index holds
 * either, so a filtered page reads at most EXECUTION_FILTER_READ_LIMIT runs.
 */
export const ListExecutionsQuery = PageQuery.extend({
  workflowId: Id.optional(),
  status: RunStatus.optional(),
});
export type ListExecutionsQuery = z.infer<typeof ListExecutionsQuery>;

export const ExecutionStarted = z
  .object({ executionId: z.string(), status: z.literal('RUNNING') })
  .meta({ id: 'ExecutionStarted' });
export const ExecutionIdPath = z.strictObject({
  id: z.string().regex(/^run_[A-Za-z0-9_-]{6,64}$/, 'an execution id (run_…)'),
});
export const WorkflowIdPath = z.strictObject({ id: Id });
/** `?version=N`: a stored version of the workflow instead of the latest. */
export const WorkflowVersionQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'timed_out'] as const;
export const ApprovalStatus = z.enum(APPROVAL_STATUSES);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/**
 * What an approval gates when it is not a workflow step: an agent's output (functions/domain/agents/outputs). The
 * decision routes, the callback links and the relay treat it like any approval; the notifier sends its webhook to
 * the agent's endpoint, and the output follows the decision.
 */
export const ApprovalSubject = z
  .object({ kind: z.literal('agent_output'), outputId: z.string(), agentId: z.string() })
  .meta({ id: 'ApprovalSubject' });
export type ApprovalSubject = z.infer<typeof ApprovalSubject>;

/** Largest action input an approval carries, serialised as JSON; a larger one is carried as its size. */
export const MAX_APPROVAL_INPUT_BYTES = 8 * 1024;
/** What an approval carries in place of a secret input's value. */
export const SECRET_PLACEHOLDER = '[secret]';

// In a module of its own: the approval.requested event carries it, and every bundle imports the events' schemas.
export { ApprovalAction };

export const Approval = z
  .object({
    id: z.string(),
    executionId: z.string(),
    workflowId: z.string(),
    stepId: z.string(),
    tool: z.string(),
    status: ApprovalStatus,
    /** `notification_failed` when the webhook exhausted its retries; the approval stays pending. */
    notification: z.enum(['none', 'pending', 'delivered', 'notification_failed']),
    requestedAt: z.string(),
    expiresAt: z.string(),
    roles: z.array(z.string()),
    decidedAt: z.string().optional(),
    decidedBy: z.string().optional(),
    comment: z.string().optional(),
    /** Set when the approval gates something else than a workflow step (executionId is then its gate's execution). */
    subject: ApprovalSubject.optional(),
    requestedBy: z
      .string()
      .optional()
      .meta({
        description:
          "Who asked: the run's startedBy (a workflow step), or the user whose agent session proposed the output. " +
          'Absent on approvals requested before it was kept.',
      }),
    action: ApprovalAction.optional(),
  })
  .meta({ id: 'Approval' });
export type Approval = z.infer<typeof Approval>;

export const ApprovalList = z
  .object({ items: z.array(Approval), nextCursor: z.string().nullable() })
  .meta({ id: 'ApprovalList' });
export const ListApprovalsQuery = PageQuery.extend({ status: ApprovalStatus.default('pending') });
export const ApprovalIdPath = z.strictObject({
  id: z.string().regex(/^apr_[A-Za-z0-9_-]{6,64}$/, 'an approval id (apr_…)'),
});
export const DecisionRequest = z
  .strictObject({ comment: z.string().max(1000).optional() })
  .meta({ id: 'DecisionRequest' });
export const CallbackPath = ApprovalIdPath.extend({ decision: z.enum(['approve', 'reject']) });
export const CallbackQuery = z.strictObject({ credential: z.string().min(20).max(2048) });

export const ToolDescription = z
  .object({
    name: z.string(),
    description: z.string(),
    automatable: z.boolean(),
    requiresApproval: z.boolean(),
    compensatable: z.boolean(),
    /** Input fields that hold secrets: sealed when a definition is stored, never returned. */
    secretInputs: z.array(z.string()),
    inputSchema: z.unknown(),
    outputSchema: z.unknown(),
  })
  .meta({ id: 'ToolDescription' });
export const ToolList = z.object({ items: z.array(ToolDescription) }).meta({ id: 'ToolList' });
