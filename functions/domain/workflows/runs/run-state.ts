import { createHash, randomBytes } from 'node:crypto';
import type { Execution, ExecutionSummary, RunError, RunStatus, StepStatus } from '../../../../schemas/workflow.js';
import { WORKFLOW_ENGINE_ACTOR } from '../../auth/actors.js';
import { ConflictError, isDomainError, NotFoundError } from '../../errors.js';
import type { Clock, IdGenerator, IdempotencyStore, EntityRepository, MutationRecord, SecretBox } from '../../ports.js';
import type { ToolContext } from '../../tools/tool.js';
import type { ToolRegistry } from '../../tools/registry.js';
import type { WebhookSender } from '../../webhooks/ports.js';
import { WorkflowFailedError } from '../errors.js';
import type {
  ApprovalRepository,
  RunOverview,
  RunRepository,
  RunState,
  TaskCallbacks,
  WorkflowRepository,
  WorkflowStarter,
} from '../ports.js';

/**
 * The run aggregate shared by the use cases, the step engine and the saga: the ports they need, the run's
 * public view, its optimistic mutation, and the identity its tools act with.
 */

export interface RunDeps {
  workflows: WorkflowRepository;
  runs: RunRepository;
  approvals: ApprovalRepository;
  starter: WorkflowStarter;
  callbacks: TaskCallbacks;
  tools: ToolRegistry;
  entities: EntityRepository;
  idempotency: IdempotencyStore;
  webhooks: WebhookSender;
  /** Opens steps' sealed secret inputs (the Execute task only). */
  secrets: SecretBox;
  clock: Clock;
  ids: IdGenerator;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** What starting a run needs (API execute, redrive, the launcher). */
export type StartDeps = Pick<RunDeps, 'workflows' | 'runs' | 'approvals' | 'starter' | 'clock' | 'ids' | 'log'>;
/** What the engine tasks need (plan, step, finish): no Step Functions client, no secrets. */
export type EngineDeps = Pick<
  RunDeps,
  'runs' | 'approvals' | 'tools' | 'entities' | 'idempotency' | 'webhooks' | 'clock'
>;
/** What the Execute task needs: the engine's deps and the secret box that opens steps' sealed inputs. */
export type StepDeps = EngineDeps & Pick<RunDeps, 'secrets'>;

/** Input of every engine task: the state machine's `$` (tenant, run and generation). */
export interface RunRef {
  tenantId: string;
  runId: string;
  generation: number;
}

export const SYSTEM_ACTOR = WORKFLOW_ENGINE_ACTOR;
export const TERMINAL: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED'];

/** Deterministic approval id of a gate: one per run, step and generation (a retried gate finds it). */
export const approvalIdOf = (runId: string, stepId: string, generation: number) =>
  `apr_${createHash('sha256').update(`${runId}:${stepId}:${generation}`).digest('base64url').slice(0, 24)}`;

export const newNonce = () => randomBytes(18).toString('base64url');

export const publicRun = (run: RunState): Execution => ({
  executionId: run.executionId,
  workflowId: run.workflowId,
  workflowVersion: run.workflowVersion,
  status: run.status,
  input: run.input,
  steps: run.steps,
  startedAt: run.startedAt,
  updatedAt: run.updatedAt,
  ...(run.completedAt ? { completedAt: run.completedAt } : {}),
  startedBy: run.startedBy,
  redrives: run.redrives,
  ...(run.redrivenBy?.length ? { redrivenBy: run.redrivenBy } : {}),
  ...(run.error ? { error: run.error } : {}),
  ...(run.trigger ? { trigger: run.trigger } : {}),
});

/** Steps whose work is done: succeeded, or skipped on the way. */
const DONE_STEPS: readonly StepStatus[] = ['SUCCEEDED', 'SKIPPED'];
/** Where a run is: the step it runs or waits at, else the step it failed at. */
const CURRENT_STEPS: readonly StepStatus[] = ['RUNNING', 'WAITING_FOR_APPROVAL', 'FAILED'];

/** A run as a list shows it: no input or step outputs; when it stopped, how far it got and where it is. */
export function runSummary(run: RunOverview): ExecutionSummary {
  const current = run.steps.find((s) => CURRENT_STEPS.includes(s.status));
  return {
    executionId: run.executionId,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    status: run.status,
    startedAt: run.startedAt,
    updatedAt: run.updatedAt,
    stoppedAt: TERMINAL.includes(run.status) ? (run.completedAt ?? run.updatedAt) : null,
    startedBy: run.startedBy,
    redrives: run.redrives,
    progress: { done: run.steps.filter((s) => DONE_STEPS.includes(s.status)).length, total: run.steps.length },
    ...(current
      ? {
          currentStep: {
            id: current.id,
            tool: current.tool,
            status: current.status,
            ...(current.approvalId ? { approvalId: current.approvalId } : {}),
          },
        }
      : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(run.trigger ? { trigger: run.trigger } : {}),
  };
}

/** The stable key of a step's effect: retries share it; a redrive after compensation gets a new one. */
export const effectKeyOf = (run: RunState, stepId: string) =>
  `${run.executionId}:${stepId}:${run.effectRounds?.[stepId] ?? 0}`;

/**
 * The context a step's tool runs in: it acts as the run's starter, with the roles recorded when the run was
 * executed (not the redriver's or the approver's), and the audit names the engine and run beside them.
 */
export const toolContextOf = (run: RunState, stepId: string, attempt: number): ToolContext => ({
  tenantId: run.tenantId,
  runId: run.executionId,
  stepId,
  startedBy: { userId: run.startedBy, roles: run.startedByRoles ?? [] },
  via: SYSTEM_ACTOR,
  effectKey: effectKeyOf(run, stepId),
  attempt,
});

/**
 * Reads the run, applies `change` and saves it with optimistic locking, retrying on a concurrent
 * change (an approval decision and an engine task may touch the same run).
 */
export async function mutateRun(
  deps: Pick<RunDeps, 'runs' | 'clock'>,
  ref: { tenantId: string; runId: string },
  change: (run: RunState) => MutationRecord | void | false,
): Promise<RunState> {
  for (let attempt = 1; ; attempt++) {
    const run = await deps.runs.get(ref.tenantId, ref.runId);
    if (!run) throw new NotFoundError(`execution ${ref.runId} not found`);
    const next: RunState = structuredClone(run);
    const mutation = change(next);
    if (mutation === false) return run;
    next.revision = run.revision + 1;
    next.updatedAt = deps.clock.now().toISOString();
    try {
      await deps.runs.save(ref.tenantId, next, mutation || undefined);
      return next;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 8) throw error;
    }
  }
}

/** A step of the run: its index, its pinned definition and its record. */
export const stepAt = (run: RunState, stepId: string) => {
  const index = run.steps.findIndex((s) => s.id === stepId);
  const def = run.definition[index];
  const step = run.steps[index];
  if (index < 0 || !def || !step)
    throw new WorkflowFailedError(`step ${stepId} is not part of execution ${run.executionId}`);
  return { index, def, step };
};

/** The error a run or step records: the domain error's code, or WORKFLOW_FAILED. */
export const toRunError = (error: unknown, stepId?: string): RunError => ({
  code: isDomainError(error) ? error.code : 'WORKFLOW_FAILED',
  name: (error as Error)?.name ?? 'Error',
  message: (error as Error)?.message ?? String(error),
  ...(stepId ? { stepId } : {}),
});
