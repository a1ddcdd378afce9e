import type {
  Approval,
  ApprovalStatus,
  ApprovalSubject,
  Execution,
  RunStatus,
  Workflow,
  WorkflowStep,
} from '../../../schemas/workflow.js';
import type { MutationRecord, Page } from '../ports.js';
import type { WebhookDelivery } from '../webhooks/ports.js';

/**
 * A step as stored: the definition's step, with the values of its tool's secret inputs sealed with the
 * tenant's key in `sealed` (input name → sealed value) instead of in `input`. Never returned.
 */
export interface StoredStep extends WorkflowStep {
  sealed?: Record<string, string>;
}

/** A workflow version as stored: the public view plus its secrets, sealed with the tenant's key (never returned). */
export interface StoredWorkflow extends Omit<Workflow, 'steps'> {
  steps: StoredStep[];
  sealedWebhookSecret?: string;
}

/**
 * Workflow definitions: versioned data. A change writes version N+1 beside the earlier ones, which
 * stay readable so runs can pin them.
 */
export interface WorkflowRepository {
  /** Throws ConflictError if the id exists. */
  create(tenantId: string, workflow: StoredWorkflow, mutation: MutationRecord): Promise<void>;
  /** Writes `workflow` (version N+1) if the latest is still `expectedVersion`; else ConflictError. */
  addVersion(
    tenantId: string,
    workflow: StoredWorkflow,
    expectedVersion: number,
    mutation: MutationRecord,
  ): Promise<void>;
  /** The latest version, or the given one. */
  get(tenantId: string, id: string, version?: number): Promise<StoredWorkflow | undefined>;
  list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<StoredWorkflow>>;
}

/** A run as stored: the public execution plus engine bookkeeping. */
export interface RunState extends Execution {
  tenantId: string;
  /**
   * The roles of `startedBy` when the run was executed: its tools act with these, never with the roles of
   * whoever redrives or approves it. Absent on runs recorded before roles were kept (they act with none).
   */
  startedByRoles?: string[];
  /** The pinned definition's steps (a snapshot, so the run is independent of later versions). */
  definition: StoredStep[];
  /** Bumped by each redrive; names the Step Functions execution and scopes approvals. */
  generation: number;
  /** Optimistic-locking counter of the run item. */
  revision: number;
  /** The resolved input each succeeded step ran with (what compensation undoes). */
  inputs?: Record<string, unknown>;
  /** Times each step's effect was compensated: part of its effect key, so a redrive applies it anew. */
  effectRounds?: Record<string, number>;
}

/** A run as a list reads it: the public execution without its input. */
export type RunOverview = Omit<Execution, 'input'>;

/** A page of the tenant's runs, newest first, of one workflow and/or one status. */
export interface RunQuery {
  limit: number;
  cursor?: string;
  workflowId?: string;
  status?: RunStatus;
}

export interface RunRepository {
  create(tenantId: string, run: RunState, mutation: MutationRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<RunState | undefined>;
  /** Replaces the run if its stored revision is `run.revision - 1`; else ConflictError. */
  save(tenantId: string, run: RunState, mutation?: MutationRecord): Promise<void>;
  /**
   * The tenant's runs, newest started first. Filtered, a page reads at most EXECUTION_FILTER_READ_LIMIT runs
   * (schemas/workflow.ts): it may then hold fewer than `limit` runs, none even, and still carry a cursor.
   */
  list(tenantId: string, query: RunQuery): Promise<Page<RunOverview>>;
}

/** An approval as stored: the public view plus what stays server-side. */
export interface StoredApproval extends Approval {
  tenantId: string;
  generation: number;
  /** The Step Functions task token of the waiting gate. Never leaves the server. */
  taskToken: string;
  /** Single-use callback nonce embedded in the webhook's callback credentials. */
  callbackNonce: string;
  version: number;
}

export interface ApprovalRepository {
  /** Creates the approval, or returns the existing one with the same id (a retried gate). */
  createOrGet(
    tenantId: string,
    approval: StoredApproval,
    mutation: MutationRecord,
  ): Promise<{ created: boolean; approval: StoredApproval }>;
  get(tenantId: string, id: string): Promise<StoredApproval | undefined>;
  /** Replaces the approval if its stored version is `approval.version - 1` and its status was `fromStatus`; else ConflictError. */
  save(
    tenantId: string,
    approval: StoredApproval,
    fromStatus: ApprovalStatus,
    mutation?: MutationRecord,
  ): Promise<void>;
  list(
    tenantId: string,
    query: { status: ApprovalStatus; limit: number; cursor?: string },
  ): Promise<Page<StoredApproval>>;
}

/** The signed webhook of an approval with a subject: where it goes, signed with which secrets, and what it says. */
export interface SubjectWebhook {
  url: string;
  /** `whsec_` secrets. */
  secrets: string[];
  eventType: string;
  payload: Record<string, unknown>;
}

/**
 * The owner of an approval subject (ApprovalSubject, e.g. an agent's output): it knows where the approval's webhook
 * goes and records the delivery's outcome on the subject. The notifier signs, sends and retries as for any approval.
 */
export interface ApprovalSubjectNotifier {
  /** The webhook to send, with the approval's callback links in it; undefined when the subject has none. */
  webhookOf(
    approval: StoredApproval,
    callbacks: { approve: string; reject: string },
  ): Promise<SubjectWebhook | undefined>;
  recordDelivery(approval: StoredApproval, delivery: WebhookDelivery): Promise<void>;
}

/** Where a run starts or resumes: what the state machine routes on. Every field is always present. */
export interface Plan {
  kind: 'approval' | 'tool' | 'done';
  stepId: string;
  timeoutSeconds: number;
  heartbeatSeconds: number;
}

/** Starts the state machine for a run (Step Functions StartExecution; idempotent per name). */
export interface WorkflowStarter {
  start(input: { tenantId: string; runId: string; generation: number; plan: Plan }): Promise<void>;
}

/** Completes a gate waiting on a task token (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat). */
export interface TaskCallbacks {
  succeed(token: string, output: unknown): Promise<'sent' | 'gone'>;
  fail(token: string, error: string, cause: string): Promise<'sent' | 'gone'>;
  heartbeat(token: string): Promise<'sent' | 'gone'>;
}
