import type { RunState } from '../../../functions/domain/workflows/ports.js';
import type { StepRecord, WorkflowStep } from '../../../schemas/workflow.js';

/** A step of `aRun`: its definition, and optionally where its record stands. */
export type RunStep = Omit<WorkflowStep, 'input'> & { input?: WorkflowStep['input'] } & Partial<
    Pick<StepRecord, 'status' | 'attempts' | 'output' | 'error'>
  >;

/**
 * A run as stored, RUNNING in generation 1, started by `ada` as operator, its steps PENDING unless they say
 * otherwise. `inputs` records what each step given as SUCCEEDED ran with (its definition's input), as the
 * engine would have. Every call returns a fresh object.
 */
export function aRun(steps: RunStep[], overrides: Partial<RunState> = {}): RunState {
  const succeeded = steps.filter((s) => s.status === 'SUCCEEDED');
  return structuredClone({
    executionId: 'run_1',
    workflowId: 'wf_1',
    workflowVersion: 1,
    status: 'RUNNING',
    input: {},
    steps: steps.map((s) => ({
      id: s.id,
      tool: s.tool,
      status: s.status ?? 'PENDING',
      attempts: s.attempts ?? (s.status === 'SUCCEEDED' ? 1 : 0),
      ...(s.output !== undefined ? { output: s.output } : {}),
      ...(s.error ? { error: s.error } : {}),
    })),
    startedAt: '2026-02-03T04:00:00.000Z',
    updatedAt: '2026-02-03T04:00:00.000Z',
    startedBy: 'ada',
    redrives: 0,
    tenantId: 'tenant-a',
    startedByRoles: ['operator'],
    definition: steps.map((s) => ({
      id: s.id,
      tool: s.tool,
      input: s.input ?? {},
      ...(s.approval ? { approval: s.approval } : {}),
    })),
    generation: 1,
    revision: 1,
    ...(succeeded.length ? { inputs: Object.fromEntries(succeeded.map((s) => [s.id, s.input ?? {}])) } : {}),
    ...overrides,
  });
}
