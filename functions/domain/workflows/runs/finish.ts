import type { RunError, RunStatus } from '../../../../schemas/workflow.js';
import { ConflictError } from '../../errors.js';
import { hashOf } from '../../shared/hash.js';
import { WORKFLOW_ERROR_NAMES } from '../errors.js';
import { compensate, type Compensation } from './saga.js';
import {
  approvalIdOf,
  mutateRun,
  publicRun,
  SYSTEM_ACTOR,
  TERMINAL,
  type EngineDeps,
  type RunRef,
} from './run-state.js';

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
    return {
      status: 'TIMED_OUT',
      runError: {
        code: 'APPROVAL_TIMEOUT',
        name: WORKFLOW_ERROR_NAMES.ApprovalTimeout,
        message: 'the approval gate was not decided in time',
      },
    };
  }
  if (name === WORKFLOW_ERROR_NAMES.ApprovalRejected)
    return { status: 'REJECTED', runError: { code: 'WORKFLOW_FAILED', name, message } };
  return { status: 'FAILED', runError: { code: 'WORKFLOW_FAILED', name, message } };
}

/**
 * Finish task. On success: SUCCEEDED. On failure: compensates the completed steps in reverse order
 * (the saga; a tool without compensation leaves its effect), marks the failed step FAILED with its error and
 * completion time (a rejected or timed-out gate's step too), sets FAILED, TIMED_OUT or REJECTED, and emits
 * workflow.completed. Idempotent: a finished generation is left alone.
 */
export async function finishRun(
  ref: (RunRef & { outcome: 'succeeded' }) | (RunRef & { outcome: 'failed'; error: MachineError }),
  deps: EngineDeps,
): Promise<{ status: RunStatus }> {
  const run0 = await deps.runs.get(ref.tenantId, ref.runId);
  if (!run0 || run0.generation !== ref.generation) return { status: run0?.status ?? 'FAILED' };
  if (TERMINAL.includes(run0.status)) return { status: run0.status };

  const failedStep = run0.steps.find(
    (s) => s.status === 'RUNNING' || s.status === 'WAITING_FOR_APPROVAL' || s.status === 'PENDING',
  );
  // When the failed step ended: as the run learns it failed, before the saga undoes the steps before it.
  const failedAt = deps.clock.now().toISOString();
  const compensation: Compensation = ref.outcome === 'failed' ? await compensate(run0, deps) : {};

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
      runError = {
        ...e,
        ...(forbidden ? { code: 'FORBIDDEN' } : {}),
        ...(failedStep ? { stepId: failedStep.id } : {}),
      };
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
          // Every step that ended has a completion time: the run's step history shows its duration and the miner its
          // end. A gate that was rejected or timed out is a step that ended so (its error names which). A step with no
          // start that is still PENDING never began (its function failed before it ran): no time, and no mined event.
          if (s.startedAt !== undefined || s.status !== 'PENDING') s.completedAt ??= failedAt;
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
      await deps.approvals
        .save(ref.tenantId, { ...approval, status: 'timed_out', version: approval.version + 1 }, approval.status)
        .catch((e) => {
          if (!(e instanceof ConflictError)) throw e;
        });
    }
  }
  return { status: finished.status };
}
