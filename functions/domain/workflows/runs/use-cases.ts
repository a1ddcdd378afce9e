import type {
  Execution,
  ExecutionSummary,
  ExecuteWorkflowRequest,
  RunStatus,
  RunTrigger,
  StepRecord,
} from '../../../../schemas/workflow.js';
import { requirePermission } from '../../auth/authorize.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { Page, RequestContext } from '../../ports.js';
import { hashOf } from '../../shared/hash.js';
import type { Plan, RunQuery, RunState } from '../ports.js';
import { mutateRun, publicRun, runSummary, TERMINAL, type RunDeps, type RunRef, type StartDeps } from './run-state.js';
import { planNext } from './step-engine.js';

/**
 * POST /workflows/execute: records the run (audited, workflow.started) with its starter's user id and
 * roles, which its tools act with, and starts its state machine.
 */
export async function startRun(
  req: ExecuteWorkflowRequest,
  ctx: RequestContext,
  deps: StartDeps,
): Promise<{ executionId: string; status: 'RUNNING' }> {
  const { run } = await recordRun(req, ctx, deps, {
    executionId: `run_${deps.ids.newId()}`,
    trigger: { kind: 'api', id: ctx.principal.userId },
  });
  return { executionId: run.executionId, status: 'RUNNING' };
}

/** What started a triggered run, and as whom it runs. */
export interface TriggeredStart {
  /** Derived from what started the run (functions/domain/triggers/execution-ids.ts): a repeat names the same run. */
  executionId: string;
  trigger: Exclude<RunTrigger, { kind: 'api' }>;
  /** The system actor the run records as its starter (`trigger:<kind>:<id>`). */
  actor: string;
  /** The roles its tools act with (they must grant workflows:execute). */
  roles: readonly string[];
  requestId: string;
}

/**
 * Starts a run for a trigger (a signal rule's action, a schedule's fire, an inbound webhook), at most once per
 * execution id: the run is created only if no run has that id, so a repeat (a redelivered signal, fire or webhook)
 * returns the run the first one started, with `created: false`, and starts nothing. The run records what started it
 * (`trigger`) and acts as the trigger's system actor with the given roles.
 */
export async function startTriggeredRun(
  req: ExecuteWorkflowRequest,
  tenantId: string,
  start: TriggeredStart,
  deps: StartDeps,
): Promise<{ executionId: string; status: RunStatus; created: boolean }> {
  const ctx: RequestContext = {
    principal: { tenantId, userId: start.actor, roles: start.roles },
    requestId: start.requestId,
  };
  const existing = await deps.runs.get(tenantId, start.executionId);
  if (existing) return { executionId: existing.executionId, status: existing.status, created: false };
  try {
    const { run } = await recordRun(req, ctx, deps, { executionId: start.executionId, trigger: start.trigger });
    return { executionId: run.executionId, status: run.status, created: true };
  } catch (error) {
    // Two deliveries at once: the other one created the run.
    if (!(error instanceof ConflictError)) throw error;
    const raced = await deps.runs.get(tenantId, start.executionId);
    if (!raced) throw error;
    return { executionId: raced.executionId, status: raced.status, created: false };
  }
}

/**
 * Records a run (audited, workflow.started) under `executionId` with its starter's user id and roles and what
 * started it, then starts its state machine. The create is conditional: an id that exists is a ConflictError.
 */
async function recordRun(
  req: ExecuteWorkflowRequest,
  ctx: RequestContext,
  deps: StartDeps,
  start: { executionId: string; trigger: RunTrigger },
): Promise<{ run: RunState }> {
  requirePermission(ctx.principal, 'workflows:execute');
  const tenantId = ctx.principal.tenantId;
  const wf = await deps.workflows.get(tenantId, req.workflowId, req.version);
  if (!wf)
    throw new NotFoundError(
      req.version
        ? `workflow ${req.workflowId} version ${req.version} not found`
        : `workflow ${req.workflowId} not found`,
    );
  const now = deps.clock.now().toISOString();
  const run: RunState = {
    executionId: start.executionId,
    workflowId: wf.id,
    workflowVersion: wf.version,
    status: 'RUNNING',
    input: req.input,
    steps: wf.steps.map((s) => ({ id: s.id, tool: s.tool, status: 'PENDING', attempts: 0 })),
    startedAt: now,
    updatedAt: now,
    startedBy: ctx.principal.userId,
    redrives: 0,
    trigger: start.trigger,
    tenantId,
    startedByRoles: [...ctx.principal.roles],
    definition: wf.steps,
    generation: 1,
    revision: 1,
  };
  await deps.runs.create(tenantId, run, {
    audit: {
      action: 'workflow.execute',
      actor: ctx.principal.userId,
      resourceType: 'execution',
      resourceId: run.executionId,
      at: now,
      requestId: ctx.requestId,
      beforeHash: null,
      afterHash: hashOf(publicRun(run)),
    },
    events: [
      {
        name: 'workflow.started',
        payload: {
          executionId: run.executionId,
          workflowId: wf.id,
          workflowVersion: wf.version,
          generation: 1,
          startedBy: ctx.principal.userId,
        },
      },
    ],
  });
  await startMachine(deps, { tenantId, runId: run.executionId, generation: 1, plan: await planNext(run, deps) });
  return { run };
}

/**
 * Starts the state machine. A failure here is not lost: the run's workflow.started event reaches the
 * launcher through the outbox and starts the same (idempotently named) execution.
 */
async function startMachine(deps: Pick<RunDeps, 'starter' | 'log'>, ref: RunRef & { plan: Plan }): Promise<void> {
  try {
    await deps.starter.start(ref);
  } catch (error) {
    deps.log?.('state machine start deferred to the launcher', { runId: ref.runId, errorName: (error as Error)?.name });
  }
}

/** The workflow.started consumer: makes sure the run's execution exists (idempotent). */
export async function ensureRunStarted(
  ref: RunRef,
  deps: Pick<RunDeps, 'runs' | 'approvals' | 'starter'>,
): Promise<void> {
  const run = await deps.runs.get(ref.tenantId, ref.runId);
  if (!run || run.generation !== ref.generation || TERMINAL.includes(run.status)) return;
  await deps.starter.start({ ...ref, plan: await planNext(run, deps) });
}

/** GET /workflows/executions/{id}: the run's public view. */
export async function getRun(runId: string, ctx: RequestContext, deps: Pick<RunDeps, 'runs'>): Promise<Execution> {
  requirePermission(ctx.principal, 'workflows:read');
  const run = await deps.runs.get(ctx.principal.tenantId, runId);
  if (!run) throw new NotFoundError(`execution ${runId} not found`);
  return publicRun(run);
}

/** GET /workflows/executions: the tenant's runs newest first, of a workflow and/or a status, as a list shows them. */
export async function listRuns(
  query: RunQuery,
  ctx: RequestContext,
  deps: Pick<RunDeps, 'runs'>,
): Promise<Page<ExecutionSummary>> {
  requirePermission(ctx.principal, 'workflows:read');
  const page = await deps.runs.list(ctx.principal.tenantId, query);
  return { items: page.items.map(runSummary), nextCursor: page.nextCursor };
}

/**
 * Restarts a failed, timed-out or rejected run in a new generation. Steps whose effect is still in
 * place (SUCCEEDED, or whose compensation failed) keep their outputs and are not run again; the run
 * resumes at the first other step: the failed one, or an earlier one that was compensated. The run keeps
 * its starter (whose roles its tools act with); the redriver is recorded in `redrivenBy` and the audit.
 */
export async function redriveRun(runId: string, ctx: RequestContext, deps: StartDeps): Promise<Execution> {
  requirePermission(ctx.principal, 'workflows:execute');
  const ref = { tenantId: ctx.principal.tenantId, runId };
  let before: RunState | undefined;
  const run = await mutateRun(deps, ref, (r) => {
    if (r.status === 'RUNNING' || r.status === 'WAITING_FOR_APPROVAL' || r.status === 'SUCCEEDED') {
      throw new ConflictError(
        `execution ${runId} is ${r.status}; only FAILED, TIMED_OUT or REJECTED runs can be redriven`,
      );
    }
    before = structuredClone(r);
    const at = deps.clock.now().toISOString();
    r.generation += 1;
    r.redrives += 1;
    r.redrivenBy = [...(r.redrivenBy ?? []), { userId: ctx.principal.userId, at }];
    r.status = 'RUNNING';
    delete r.error;
    delete r.completedAt;
    r.steps = r.steps.map((s): StepRecord => {
      if (s.status === 'SUCCEEDED' || s.status === 'COMPENSATION_FAILED') return { ...s, status: 'SUCCEEDED' };
      // Attempts keep counting across redrives: they are the step's whole history.
      return { id: s.id, tool: s.tool, status: 'PENDING', attempts: s.attempts };
    });
    return {
      audit: {
        action: 'workflow.redrive',
        actor: ctx.principal.userId,
        resourceType: 'execution',
        resourceId: runId,
        at,
        requestId: ctx.requestId,
        beforeHash: hashOf(publicRun(before)),
        afterHash: null,
      },
      events: [
        {
          name: 'workflow.started',
          payload: {
            executionId: runId,
            workflowId: r.workflowId,
            workflowVersion: r.workflowVersion,
            generation: r.generation,
            startedBy: ctx.principal.userId,
          },
        },
      ],
    };
  });
  await startMachine(deps, {
    tenantId: ref.tenantId,
    runId,
    generation: run.generation,
    plan: await planNext(run, deps),
  });
  return publicRun(run);
}
