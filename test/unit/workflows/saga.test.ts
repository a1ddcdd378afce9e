import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../functions/domain/errors.js';
import type { RunState } from '../../../functions/domain/workflows/ports.js';
import { finishRun } from '../../../functions/domain/workflows/runs/finish.js';
import type { EngineDeps } from '../../../functions/domain/workflows/runs/run-state.js';
import { compensate } from '../../../functions/domain/workflows/runs/saga.js';
import { InMemoryEntityRepository } from '../../fakes/in-memory-entity-repository.js';
import { InMemoryApprovals, InMemoryRuns, RecordingWebhookSender } from '../../fakes/in-memory-workflows.js';
import { fixedClock } from '../../fakes/clock-and-ids.js';
import { anUndoableTool, aTestRegistry, type ToolCall } from '../../support/tools/test-tools.js';
import { aRun, type RunStep } from './builders.js';

function setup(steps: RunStep[], overrides: Partial<RunState> = {}) {
  const journal: ToolCall[] = [];
  const entities = new InMemoryEntityRepository();
  const runs = new InMemoryRuns();
  const deps: EngineDeps = {
    runs,
    approvals: new InMemoryApprovals(),
    tools: aTestRegistry(
      anUndoableTool('test.undoable', journal),
      anUndoableTool('test.permanent', journal, 'none'),
      anUndoableTool('test.undo-fails', journal, 'fails'),
      anUndoableTool('test.undo-unavailable', journal, 'transient'),
    ),
    entities,
    idempotency: entities,
    webhooks: new RecordingWebhookSender(),
    clock: fixedClock(),
  };
  const run = aRun(steps, overrides);
  runs.items.set(run.executionId, run);
  const ref = { tenantId: run.tenantId, runId: run.executionId, generation: run.generation };
  const compensations = () => journal.filter((c) => c.op === 'compensate');
  const stored = () => runs.items.get(run.executionId)!;
  return { deps, run, ref, runs, compensations, stored };
}

const done = (id: string, tool = 'test.undoable'): RunStep => ({
  id,
  tool,
  input: { target: `${id}-target` },
  status: 'SUCCEEDED',
  output: { did: id },
});

describe('the saga', () => {
  it('undoes the succeeded steps in reverse order, each with the input it ran with and its output, as the starter', async () => {
    const { deps, run, compensations } = setup([done('a'), done('b'), done('c')], { startedBy: 'otto' });

    const result = await compensate(run, deps);

    expect(compensations().map((c) => [c.stepId, c.input, c.output])).toEqual([
      ['c', { target: 'c-target' }, { did: 'c' }],
      ['b', { target: 'b-target' }, { did: 'b' }],
      ['a', { target: 'a-target' }, { did: 'a' }],
    ]);
    expect(compensations()[0]!.ctx).toMatchObject({
      startedBy: { userId: 'otto', roles: ['operator'] },
      via: 'system:workflow-engine',
      effectKey: 'run_1:c:0',
    });
    expect(result).toEqual({
      a: { status: 'COMPENSATED' },
      b: { status: 'COMPENSATED' },
      c: { status: 'COMPENSATED' },
    });
  });

  it('leaves the effect of a tool without compensation and still undoes the others', async () => {
    const { deps, run, compensations } = setup([done('a'), done('b', 'test.permanent'), done('c')]);

    const result = await compensate(run, deps);

    expect(compensations().map((c) => c.stepId)).toEqual(['c', 'a']);
    expect(result).toEqual({ a: { status: 'COMPENSATED' }, c: { status: 'COMPENSATED' } });
  });

  it('undoes only steps that succeeded', async () => {
    const { deps, run, compensations } = setup([
      done('a'),
      { id: 'b', tool: 'test.undoable', status: 'FAILED' },
      { id: 'c', tool: 'test.undoable', status: 'PENDING' },
      { id: 'd', tool: 'test.undoable', status: 'COMPENSATED' },
    ]);

    await compensate(run, deps);

    expect(compensations().map((c) => c.stepId)).toEqual(['a']);
  });

  it('reports a compensation that fails for good and goes on undoing the earlier steps', async () => {
    const { deps, run, compensations } = setup([done('a'), done('b', 'test.undo-fails'), done('c')]);

    const result = await compensate(run, deps);

    expect(compensations().map((c) => c.stepId)).toEqual(['c', 'b', 'a']);
    expect(result).toEqual({
      a: { status: 'COMPENSATED' },
      b: {
        status: 'COMPENSATION_FAILED',
        error: { code: 'WORKFLOW_FAILED', name: 'ToolFailedError', message: 'cannot undo b', stepId: 'b' },
      },
      c: { status: 'COMPENSATED' },
    });
  });

  it('stops at a transient compensation failure and throws it, so the state machine retries the whole saga', async () => {
    const { deps, run, compensations } = setup([done('a'), done('b', 'test.undo-unavailable'), done('c')]);

    await expect(compensate(run, deps)).rejects.toBeInstanceOf(TransientError);
    expect(compensations().map((c) => c.stepId)).toEqual(['c', 'b']);
  });
});

describe('finishing a run', () => {
  it('records what the saga did: compensated steps get a new effect round, a failed compensation keeps its error, the failing step is FAILED', async () => {
    const { deps, ref, stored, runs } = setup([
      done('a'),
      done('b', 'test.undo-fails'),
      done('c', 'test.permanent'),
      { id: 'd', tool: 'test.undoable', status: 'PENDING', attempts: 2 },
    ]);

    const result = await finishRun(
      {
        ...ref,
        outcome: 'failed',
        error: { Error: 'ToolFailedError', Cause: JSON.stringify({ errorMessage: 'refused' }) },
      },
      deps,
    );

    expect(result).toEqual({ status: 'FAILED' });
    const run = stored();
    expect(run.error).toEqual({ code: 'WORKFLOW_FAILED', name: 'ToolFailedError', message: 'refused', stepId: 'd' });
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ['a', 'COMPENSATED'],
      ['b', 'COMPENSATION_FAILED'],
      ['c', 'SUCCEEDED'],
      ['d', 'FAILED'],
    ]);
    expect(run.steps[1]!.error).toMatchObject({ name: 'ToolFailedError', message: 'cannot undo b' });
    expect(run.steps[3]!.error).toMatchObject({ name: 'ToolFailedError', stepId: 'd' });
    expect(run.effectRounds).toEqual({ a: 1 });
    expect(runs.mutations.at(-1)!.events).toEqual([
      expect.objectContaining({
        name: 'workflow.completed',
        payload: expect.objectContaining({ status: 'FAILED', error: run.error }),
      }),
    ]);
  });

  it('compensates nothing when the run succeeded', async () => {
    const { deps, ref, stored, compensations } = setup([done('a'), done('b')]);

    expect(await finishRun({ ...ref, outcome: 'succeeded' }, deps)).toEqual({ status: 'SUCCEEDED' });
    expect(compensations()).toEqual([]);
    expect(stored().steps.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it('runs the saga once: a re-delivered Finish of a finished generation undoes and writes nothing more', async () => {
    const { deps, ref, stored, compensations } = setup([
      done('a'),
      { id: 'b', tool: 'test.undoable', status: 'RUNNING' },
    ]);
    const failed = { ...ref, outcome: 'failed' as const, error: { Error: 'ToolFailedError' } };
    await finishRun(failed, deps);
    const after = structuredClone(stored());

    expect(await finishRun(failed, deps)).toEqual({ status: 'FAILED' });
    expect(compensations().map((c) => c.stepId)).toEqual(['a']);
    expect(stored()).toEqual(after);
  });

  it('undoes nothing of a run that already finished: a late failed Finish leaves a SUCCEEDED run as it is', async () => {
    const { deps, ref, stored, compensations } = setup([done('a'), done('b')], { status: 'SUCCEEDED' });
    const before = structuredClone(stored());

    expect(await finishRun({ ...ref, outcome: 'failed', error: { Error: 'ToolFailedError' } }, deps)).toEqual({
      status: 'SUCCEEDED',
    });
    expect(compensations()).toEqual([]);
    expect(stored()).toEqual(before);
  });

  it('leaves the run RUNNING when a compensation is transiently unavailable, so the retried Finish can complete it', async () => {
    const { deps, ref, stored } = setup([
      done('a', 'test.undo-unavailable'),
      { id: 'b', tool: 'test.undoable', status: 'RUNNING' },
    ]);

    await expect(
      finishRun({ ...ref, outcome: 'failed', error: { Error: 'ToolFailedError' } }, deps),
    ).rejects.toBeInstanceOf(TransientError);
    expect(stored()).toMatchObject({ status: 'RUNNING', revision: 1 });
  });
});
