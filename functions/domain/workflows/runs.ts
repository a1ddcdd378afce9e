import { createHash, randomBytes } from 'node:crypto';
import type { Execution, ExecuteWorkflowRequest, RunError, RunStatus, StepRecord } from '../../../schemas/workflow.js';
import { WORKFLOW_ENGINE_ACTOR } from '../auth/actors.js';
import { requirePermission } from '../auth/authorize.js';
import { ConflictError, isDomainError, NotFoundError, TransientError } from '../errors.js';
import type { Clock, IdGenerator, IdempotencyStore, EntityRepository, MutationRecord, RequestContext, SecretBox } from '../ports.js';
import { hashOf } from '../shared/hash.js';
import type { ToolContext, ToolDeps } from '../tools/tool.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { WebhookSender } from '../webhooks/ports.js';
import { ToolFailedError, ToolRetryableError, WORKFLOW_ERROR_NAMES, WorkflowFailedError } from './errors.js';
import type { ApprovalRepository, Plan, RunRepository, RunState, TaskCallbacks, WorkflowRepository, WorkflowStarter } from './ports.js';
import { resolveInput } from './references.js';
import { openStepSecrets, withoutSecrets } from './step-secrets.js';

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
export type EngineDeps = Pick<RunDeps, 'runs' | 'approvals' | 'tools' | 'entities' | 'idempotency' | 'webhooks' | 'clock'>;
/** What the Execute task needs: the engine's deps and the secret box that opens steps' sealed inputs. */
export type StepDeps = EngineDeps & Pick<RunDeps, 'secrets'>;


/** Input of every engine task: the state machine's `$` (tenant, run and generation). */
export interface RunRef {
  tenantId: string;
  runId: string;
  generation: number;
}

/** Largest step output kept in the run. */
const MAX_OUTPUT_BYTES = 32 * 1024;
/** Largest run state: a DynamoDB item holds at most 400 KB, keys and attribute names included. */
const MAX_RUN_BYTES = 350 * 1024;
const SYSTEM_ACTOR = WORKFLOW_ENGINE_ACTOR;
const TERMINAL: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED'];

/** Deterministic approval id of a gate: one per run, step and generation (a retried gate finds it). */
export const approvalIdOf = (runId: string, stepId: string, generation: number) =>
  `apr_${createHash('sha256').update(`${runId}:${stepId}:${generation}`).digest('base64url').slice(0, 24)}`;

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
});

/**
 * The context a step's tool runs in: it acts as the run's starter, with the roles recorded when the run was
 * executed (not the redriver's or the approver's), and the audit names the engine and run beside them.
 */
const toolContextOf = (run: RunState, stepId: string, attempt: number): ToolContext => ({
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

const stepAt = (run: RunState, stepId: string) => {
  const index = run.steps.findIndex((s) => s.id === stepId);
  const def = run.definition[index];
  const step = run.steps[index];
  if (index < 0 || !def || !step) throw new WorkflowFailedError(`step ${stepId} is not part of execution ${run.executionId}`);
  return { index, def, step };
};

const outputsOf = (run: RunState) => Object.fromEntries(run.steps.filter((s) => s.status === 'SUCCEEDED').map((s) => [s.id, s.output]));

/**
 * POST /workflows/execute: records the run (audited, workflow.started) with its starter's user id and
 * roles, which its tools act with, and starts its state machine.
 */
export async function startRun(req: ExecuteWorkflowRequest, ctx: RequestContext, deps: StartDeps): Promise<{ executionId: string; status: 'RUNNING' }> {
  requirePermission(ctx.principal, 'workflows:execute');
  const tenantId = ctx.principal.tenantId;
  const wf = await deps.workflows.get(tenantId, req.workflowId, req.version);
  if (!wf) throw new NotFoundError(req.version ? `workflow ${req.workflowId} version ${req.version} not found` : `workflow ${req.workflowId} not found`);
  const now = deps.clock.now().toISOString();
  const run: RunState = {
    executionId: `run_${deps.ids.newId()}`,
    workflowId: wf.id,
    workflowVersion: wf.version,
    status: 'RUNNING',
    input: req.input,
    steps: wf.steps.map((s) => ({ id: s.id, tool: s.tool, status: 'PENDING', attempts: 0 })),
    startedAt: now,
    updatedAt: now,
    startedBy: ctx.principal.userId,
    redrives: 0,
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
    events: [{ name: 'workflow.started', payload: { executionId: run.executionId, workflowId: wf.id, workflowVersion: wf.version, generation: 1, startedBy: ctx.principal.userId } }],
  });
  await startMachine(deps, { tenantId, runId: run.executionId, generation: 1, plan: await planNext(run, deps) });
  return { executionId: run.executionId, status: 'RUNNING' };
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
export async function ensureRunStarted(ref: RunRef, deps: Pick<RunDeps, 'runs' | 'approvals' | 'starter'>): Promise<void> {
  const run = await deps.runs.get(ref.tenantId, ref.runId);
  if (!run || run.generation !== ref.generation || TERMINAL.includes(run.status)) return;
  await deps.starter.start({ ...ref, plan: await planNext(run, deps) });
}

export async function getRun(runId: string, ctx: RequestContext, deps: Pick<RunDeps, 'runs'>): Promise<Execution> {
  requirePermission(ctx.principal, 'workflows:read');
  const run = await deps.runs.get(ctx.principal.tenantId, runId);
  if (!run) throw new NotFoundError(`execution ${runId} not found`);
  return publicRun(run);
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
      throw new ConflictError(`execution ${runId} is ${r.status}; only FAILED, TIMED_OUT or REJECTED runs can be redriven`);
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
      events: [{ name: 'workflow.started', payload: { executionId: runId, workflowId: r.workflowId, workflowVersion: r.workflowVersion, generation: r.generation, startedBy: ctx.principal.userId } }],
    };
  });
  await startMachine(deps, { tenantId: ref.tenantId, runId, generation: run.generation, plan: await planNext(run, deps) });
  return publicRun(run);
}

async function planNext(run: RunState, deps: Pick<RunDeps, 'approvals'>): Promise<Plan> {
  const index = run.steps.findIndex((s) => s.status !== 'SUCCEEDED' && s.status !== 'SKIPPED');
  if (index < 0) return { kind: 'done', stepId: '', timeoutSeconds: 0, heartbeatSeconds: 0 };
  const def = run.definition[index]!;
  if (def.approval) {
    const approval = await deps.approvals.get(run.tenantId, approvalIdOf(run.executionId, def.id, run.generation));
    if (approval?.status !== 'approved') {
      return { kind: 'approval', stepId: def.id, timeoutSeconds: def.approval.timeoutSeconds, heartbeatSeconds: def.approval.heartbeatSeconds ?? def.approval.timeoutSeconds - 1 };
    }
  }
  return { kind: 'tool', stepId: def.id, timeoutSeconds: 0, heartbeatSeconds: 0 };
}

const assertCurrent = (run: RunState | undefined, ref: RunRef): RunState => {
  if (!run) throw new WorkflowFailedError(`execution ${ref.runId} not found`);
  if (run.generation !== ref.generation) throw new WorkflowFailedError(`execution ${ref.runId} generation ${ref.generation} was superseded by ${run.generation}`);
  return run;
};


/** The stable key of a step's effect: retries share it; a redrive after compensation gets a new one. */
const effectKeyOf = (run: RunState, stepId: string) => `${run.executionId}:${stepId}:${run.effectRounds?.[stepId] ?? 0}`;

const toRunError = (error: unknown, stepId?: string): RunError => ({
  code: isDomainError(error) ? error.code : 'WORKFLOW_FAILED',
  name: (error as Error)?.name ?? 'Error',
  message: (error as Error)?.message ?? String(error),
  ...(stepId ? { stepId } : {}),
});

/**
 * Execute task: runs one step's tool, idempotently (a re-delivered task whose step already succeeded
 * returns the next plan without running the tool again; the tool itself dedupes its effect on the
 * step's effect key), records its output and returns the next plan.
 */
export async function runStep(ref: RunRef & { stepId: string }, deps: StepDeps): Promise<Plan> {
  const run0 = assertCurrent(await deps.runs.get(ref.tenantId, ref.runId), ref);
  const { def, step } = stepAt(run0, ref.stepId);
  if (step.status === 'SUCCEEDED') return planNext(run0, deps);
  if (def.approval) {
    const approval = await deps.approvals.get(ref.tenantId, approvalIdOf(ref.runId, def.id, ref.generation));
    if (approval?.status !== 'approved') throw new WorkflowFailedError(`step ${def.id} needs an approved gate before it runs`);
  }
  const tool = deps.tools.get(def.tool);
  if (!tool) throw new ToolFailedError(`unknown tool ${def.tool}`);

  // Attempts are recorded with each attempt's outcome (one write per attempt, not two). Only a run
  // coming out of an approval gate is marked RUNNING first, so its status does not lag behind.
  const attempt = step.attempts + 1;
  const startedAt = step.startedAt ?? deps.clock.now().toISOString();
  const started =
    run0.status === 'RUNNING'
      ? run0
      : await mutateRun(deps, ref, (r) => {
          const s = stepAt(r, ref.stepId).step;
          s.status = 'RUNNING';
          s.startedAt = startedAt;
          r.status = 'RUNNING';
        });

  let output: unknown;
  let resolvedInput: unknown;
  try {
    let input: Record<string, unknown>;
    try {
      input = resolveInput(def.input, { input: started.input, outputs: outputsOf(started) });
    } catch (error) {
      throw new ToolFailedError(`step ${def.id}: ${(error as Error).message}`);
    }
    // Sealed inputs join the input only here, after references are resolved, and leave it before the run records it.
    input = { ...input, ...(await openStepSecrets(ref.tenantId, def, deps.secrets)) };
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) {
      throw new ToolFailedError(`step ${def.id}: invalid input for ${tool.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    // Checked before the tool runs, so a run that could not record the step's result has no effect to undo.
    const projected = Buffer.byteLength(JSON.stringify(started)) + Buffer.byteLength(JSON.stringify(parsed.data)) + MAX_OUTPUT_BYTES;
    if (projected > MAX_RUN_BYTES) {
      throw new ToolFailedError(`step ${def.id}: the run's recorded inputs and outputs would exceed ${MAX_RUN_BYTES} bytes; pass references to stored data instead of copies`);
    }
    const ctx = toolContextOf(started, def.id, attempt);
    const toolDeps: ToolDeps = { entities: deps.entities, clock: deps.clock, idempotency: deps.idempotency, webhooks: deps.webhooks };
    output = tool.output.parse(await tool.execute(parsed.data, ctx, toolDeps));
    if (Buffer.byteLength(JSON.stringify(output ?? null)) > MAX_OUTPUT_BYTES) throw new ToolFailedError(`step ${def.id}: output exceeds ${MAX_OUTPUT_BYTES} bytes`);
    resolvedInput = withoutSecrets(parsed.data as Record<string, unknown>, def, deps.tools);
  } catch (error) {
    // Only named, expected errors cross to the state machine as they are; anything else is a defect
    // of the tool and fails the step rather than being retried forever.
    const crossing =
      error instanceof ToolRetryableError || error instanceof ToolFailedError || error instanceof TransientError || error instanceof WorkflowFailedError
        ? error
        : new ToolFailedError(`step ${def.id}: ${(error as Error)?.message ?? 'tool failed'}`, { cause: error });
    await mutateRun(deps, ref, (r) => {
      const s = stepAt(r, ref.stepId).step;
      s.attempts = Math.max(s.attempts, attempt);
      s.startedAt ??= startedAt;
      s.error = toRunError(crossing, def.id);
    });
    throw crossing;
  }
  const done = await mutateRun(deps, ref, (r) => {
    const s = stepAt(r, ref.stepId).step;
    s.status = 'SUCCEEDED';
    s.attempts = Math.max(s.attempts, attempt);
    s.startedAt ??= startedAt;
    delete s.error;
    s.output = output;
    s.completedAt = deps.clock.now().toISOString();
    r.inputs = { ...(r.inputs ?? {}), [def.id]: resolvedInput };
  });
  return planNext(done, deps);
}

/** The state machine's error object (Catch with ResultPath $.error). */
export interface MachineError {
  Error?: string;
  Cause?: string;
}

function classify(error: MachineError): { status: RunStatus; runError: Omit<RunError, 'stepId'> } {
  const name = error.Error ?? 'States.Runtime';
  let message = name;
  try {
    const cause = JSON.parse(error.Cause ?? '') as { errorMessage?: string };
    if (cause.errorMessage) message = cause.errorMessage;
  } catch {
    if (error.Cause) message = error.Cause.slice(0, 500);
  }
  if (name === 'States.Timeout' || name === 'States.HeartbeatTimeout') {
    return { status: 'TIMED_OUT', runError: { code: 'APPROVAL_TIMEOUT', name: WORKFLOW_ERROR_NAMES.ApprovalTimeout, message: 'the approval gate was not decided in time' } };
  }
  if (name === WORKFLOW_ERROR_NAMES.ApprovalRejected) return { status: 'REJECTED', runError: { code: 'WORKFLOW_FAILED', name, message } };
  return { status: 'FAILED', runError: { code: 'WORKFLOW_FAILED', name, message } };
}

/**
 * Finish task. On success: SUCCEEDED. On failure: compensates the completed steps in reverse order
 * (saga; a tool without compensation leaves its effect), marks the failed step, sets FAILED,
 * TIMED_OUT or REJECTED, and emits workflow.completed. Idempotent: a finished generation is left alone.
 */
export async function finishRun(ref: (RunRef & { outcome: 'succeeded' }) | (RunRef & { outcome: 'failed'; error: MachineError }), deps: EngineDeps): Promise<{ status: RunStatus }> {
  const run0 = await deps.runs.get(ref.tenantId, ref.runId);
  if (!run0 || run0.generation !== ref.generation) return { status: run0?.status ?? 'FAILED' };
  if (TERMINAL.includes(run0.status)) return { status: run0.status };

  const failedStep = run0.steps.find((s) => s.status === 'RUNNING' || s.status === 'WAITING_FOR_APPROVAL' || s.status === 'PENDING');
  const compensation: Record<string, { status: 'COMPENSATED' | 'COMPENSATION_FAILED'; error?: RunError }> = {};
  if (ref.outcome === 'failed') {
    const inputs = run0.inputs ?? {};
    for (const step of [...run0.steps].reverse()) {
      if (step.status !== 'SUCCEEDED') continue;
      const tool = deps.tools.get(step.tool);
      if (!tool?.compensate) continue;
      const ctx = toolContextOf(run0, step.id, step.attempts);
      try {
        await tool.compensate(inputs[step.id], step.output, ctx, { entities: deps.entities, clock: deps.clock, idempotency: deps.idempotency, webhooks: deps.webhooks });
        compensation[step.id] = { status: 'COMPENSATED' };
      } catch (error) {
        if (error instanceof TransientError) throw error; // retried by the state machine
        compensation[step.id] = { status: 'COMPENSATION_FAILED', error: toRunError(error, step.id) };
      }
    }
  }

  const finished = await mutateRun(deps, ref, (r) => {
    if (r.generation !== ref.generation || TERMINAL.includes(r.status)) return false;
    const at = deps.clock.now().toISOString();
    let runError: RunError | undefined;
    if (ref.outcome === 'succeeded') r.status = 'SUCCEEDED';
    else {
      const { status, runError: e } = classify(ref.error);
      r.status = status;
      // The machine carries only the error's name; a step refused for a missing permission recorded FORBIDDEN.
      const forbidden = failedStep?.error?.name === e.name && failedStep.error.code === 'FORBIDDEN';
      runError = { ...e, ...(forbidden ? { code: 'FORBIDDEN' } : {}), ...(failedStep ? { stepId: failedStep.id } : {}) };
      r.error = runError;
      for (const s of r.steps) {
        const c = compensation[s.id];
        if (c) {
          s.status = c.status;
          if (c.error) s.error = c.error;
          if (c.status === 'COMPENSATED') {
            r.effectRounds = { ...(r.effectRounds ?? {}), [s.id]: (r.effectRounds?.[s.id] ?? 0) + 1 };
          }
        } else if (failedStep && s.id === failedStep.id) {
          s.status = 'FAILED';
          s.error ??= runError;
        }
      }
    }
    r.completedAt = at;
    return {
      audit: {
        action: 'workflow.complete',
        actor: SYSTEM_ACTOR,
        resourceType: 'execution',
        resourceId: r.executionId,
        at,
        requestId: `${r.executionId}:g${r.generation}`,
        beforeHash: hashOf(publicRun(run0)),
        afterHash: hashOf(publicRun(r)),
      },
      events: [
        {
          name: 'workflow.completed',
          payload: {
            executionId: r.executionId,
            workflowId: r.workflowId,
            workflowVersion: r.workflowVersion,
            status: r.status as 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'REJECTED',
            ...(runError ? { error: runError } : {}),
          },
        },
      ],
    };
  });

  if (finished.status === 'TIMED_OUT' && failedStep) {
    // The gate timed out: its approval is timed_out, even if a decision was recorded too late to reach it.
    const approval = await deps.approvals.get(ref.tenantId, approvalIdOf(ref.runId, failedStep.id, ref.generation));
    if (approval && approval.status !== 'timed_out' && approval.status !== 'rejected') {
      await deps.approvals.save(ref.tenantId, { ...approval, status: 'timed_out', version: approval.version + 1 }, approval.status).catch((e) => {
        if (!(e instanceof ConflictError)) throw e;
      });
    }
  }
  return { status: finished.status };
}

export const newNonce = () => randomBytes(18).toString('base64url');
export { SYSTEM_ACTOR };
