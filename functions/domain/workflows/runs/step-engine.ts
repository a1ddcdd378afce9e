import { TransientError } from '../../errors.js';
import type { ToolDeps } from '../../tools/tool.js';
import { ToolFailedError, ToolRetryableError, WorkflowFailedError } from '../errors.js';
import type { Plan, RunState } from '../ports.js';
import { resolveInput } from '../references.js';
import { openStepSecrets, withoutSecrets } from '../step-secrets.js';
import {
  approvalIdOf,
  mutateRun,
  stepAt,
  toolContextOf,
  toRunError,
  type RunDeps,
  type RunRef,
  type StepDeps,
} from './run-state.js';

/**
 * The step engine: where a run goes next (the Plan the state machine routes on) and the Execute task
 * that runs one step's tool.
 */

/** Largest step output kept in the run. */
const MAX_OUTPUT_BYTES = 32 * 1024;
/** Largest run state: a DynamoDB item holds at most 400 KB, keys and attribute names included. */
const MAX_RUN_BYTES = 350 * 1024;

/** What references to earlier steps' outputs see: the outputs of the steps that succeeded. */
export const outputsOf = (run: RunState) =>
  Object.fromEntries(run.steps.filter((s) => s.status === 'SUCCEEDED').map((s) => [s.id, s.output]));

/**
 * The next step of the run in definition order: the first one neither SUCCEEDED nor SKIPPED. It is an
 * approval gate while its step's approval (of this generation) is not approved, else a tool step;
 * `done` when no step is left.
 */
export async function planNext(run: RunState, deps: Pick<RunDeps, 'approvals'>): Promise<Plan> {
  const index = run.steps.findIndex((s) => s.status !== 'SUCCEEDED' && s.status !== 'SKIPPED');
  if (index < 0) return { kind: 'done', stepId: '', timeoutSeconds: 0, heartbeatSeconds: 0 };
  const def = run.definition[index]!;
  if (def.approval) {
    const approval = await deps.approvals.get(run.tenantId, approvalIdOf(run.executionId, def.id, run.generation));
    if (approval?.status !== 'approved') {
      return {
        kind: 'approval',
        stepId: def.id,
        timeoutSeconds: def.approval.timeoutSeconds,
        heartbeatSeconds: def.approval.heartbeatSeconds ?? def.approval.timeoutSeconds - 1,
      };
    }
  }
  return { kind: 'tool', stepId: def.id, timeoutSeconds: 0, heartbeatSeconds: 0 };
}

const assertCurrent = (run: RunState | undefined, ref: RunRef): RunState => {
  if (!run) throw new WorkflowFailedError(`execution ${ref.runId} not found`);
  if (run.generation !== ref.generation)
    throw new WorkflowFailedError(
      `execution ${ref.runId} generation ${ref.generation} was superseded by ${run.generation}`,
    );
  return run;
};

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
    if (approval?.status !== 'approved')
      throw new WorkflowFailedError(`step ${def.id} needs an approved gate before it runs`);
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
      throw new ToolFailedError(
        `step ${def.id}: invalid input for ${tool.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      );
    }
    // Checked before the tool runs, so a run that could not record the step's result has no effect to undo.
    const projected =
      Buffer.byteLength(JSON.stringify(started)) + Buffer.byteLength(JSON.stringify(parsed.data)) + MAX_OUTPUT_BYTES;
    if (projected > MAX_RUN_BYTES) {
      throw new ToolFailedError(
        `step ${def.id}: the run's recorded inputs and outputs would exceed ${MAX_RUN_BYTES} bytes; pass references to stored data instead of copies`,
      );
    }
    const ctx = toolContextOf(started, def.id, attempt);
    const toolDeps: ToolDeps = {
      entities: deps.entities,
      clock: deps.clock,
      idempotency: deps.idempotency,
      webhooks: deps.webhooks,
    };
    output = tool.output.parse(await tool.execute(parsed.data, ctx, toolDeps));
    if (Buffer.byteLength(JSON.stringify(output ?? null)) > MAX_OUTPUT_BYTES)
      throw new ToolFailedError(`step ${def.id}: output exceeds ${MAX_OUTPUT_BYTES} bytes`);
    resolvedInput = withoutSecrets(parsed.data as Record<string, unknown>, def, deps.tools);
  } catch (error) {
    // Only named, expected errors cross to the state machine as they are; anything else is a defect
    // of the tool and fails the step rather than being retried forever.
    const crossing =
      error instanceof ToolRetryableError ||
      error instanceof ToolFailedError ||
      error instanceof TransientError ||
      error instanceof WorkflowFailedError
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
