import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { AesSecretBox } from '../../../functions/adapters/crypto/aes-secret-box.js';
import type { Tool, ToolContext } from '../../../functions/domain/tools/tool.js';
import {
  ToolFailedError,
  ToolRetryableError,
  WorkflowFailedError,
} from '../../../functions/domain/workflows/errors.js';
import type { RunState, StoredApproval } from '../../../functions/domain/workflows/ports.js';
import { approvalIdOf, type StepDeps } from '../../../functions/domain/workflows/runs/run-state.js';
import { planNext, runStep } from '../../../functions/domain/workflows/runs/step-engine.js';
import { InMemoryEntityRepository } from '../../fakes/in-memory-entity-repository.js';
import { InMemoryApprovals, InMemoryRuns, RecordingWebhookSender } from '../../fakes/in-memory-workflows.js';
import { fixedClock } from '../../fakes/clock-and-ids.js';
import { anUndoableTool, aTestRegistry, failTool, type ToolCall } from '../../support/tools/test-tools.js';
import { aRun, type RunStep } from './builders.js';

/** Fails its first `failures` attempts with `error()`, then returns the attempt; records each call's context. */
function aFlakyTool(name: string, failures: number, error: () => Error): Tool & { calls: ToolContext[] } {
  const calls: ToolContext[] = [];
  return {
    name,
    description: 'Fails, then succeeds (tests).',
    input: z.record(z.string(), z.unknown()),
    output: z.object({ attempt: z.number() }),
    automatable: true,
    requiresApproval: false,
    calls,
    execute: async (_input, ctx) => {
      calls.push(structuredClone(ctx));
      if (ctx.attempt <= failures) throw error();
      return { attempt: ctx.attempt };
    },
  };
}

function setup(steps: RunStep[], overrides: Partial<RunState> = {}, extraTools: Tool[] = []) {
  const journal: ToolCall[] = [];
  const entities = new InMemoryEntityRepository();
  const runs = new InMemoryRuns();
  const approvals = new InMemoryApprovals();
  const deps: StepDeps = {
    runs,
    approvals,
    tools: aTestRegistry(anUndoableTool('test.undoable', journal), failTool, ...extraTools),
    entities,
    idempotency: entities,
    webhooks: new RecordingWebhookSender(),
    clock: fixedClock(),
    secrets: new AesSecretBox(async () => randomBytes(48)),
  };
  const run = aRun(steps, overrides);
  runs.items.set(run.executionId, run);
  const ref = { tenantId: run.tenantId, runId: run.executionId, generation: run.generation };
  const step = (stepId: string, generation = run.generation) => runStep({ ...ref, generation, stepId }, deps);
  const stored = () => runs.items.get(run.executionId)!;
  const approve = (stepId: string, generation: number) =>
    approvals.items.set(approvalIdOf(run.executionId, stepId, generation), {
      id: approvalIdOf(run.executionId, stepId, generation),
      status: 'approved',
      version: 1,
    } as StoredApproval);
  return { deps, journal, runs, step, stored, approve };
}

const gate = { required: true as const, timeoutSeconds: 60 };

describe('routing a run to its next step', () => {
  it('routes to the first step in definition order that neither succeeded nor was skipped', async () => {
    const { deps, stored } = setup([
      { id: 'a', tool: 'test.undoable', status: 'SUCCEEDED' },
      { id: 'b', tool: 'test.undoable', status: 'SKIPPED' },
      { id: 'c', tool: 'test.undoable' },
      { id: 'd', tool: 'test.undoable' },
    ]);

    expect(await planNext(stored(), deps)).toEqual({
      kind: 'tool',
      stepId: 'c',
      timeoutSeconds: 0,
      heartbeatSeconds: 0,
    });
  });

  it('routes to a gate, with its timeout and a heartbeat one second shorter, until the gate of this generation is approved', async () => {
    const { deps, stored, approve } = setup([{ id: 'a', tool: 'test.undoable', approval: gate }], { generation: 2 });

    expect(await planNext(stored(), deps)).toEqual({
      kind: 'approval',
      stepId: 'a',
      timeoutSeconds: 60,
      heartbeatSeconds: 59,
    });
    approve('a', 1);
    expect((await planNext(stored(), deps)).kind).toBe('approval');
    approve('a', 2);
    expect(await planNext(stored(), deps)).toEqual({
      kind: 'tool',
      stepId: 'a',
      timeoutSeconds: 0,
      heartbeatSeconds: 0,
    });
  });

  it("uses the gate's own heartbeat when it declares one", async () => {
    const { deps, stored } = setup([{ id: 'a', tool: 'test.undoable', approval: { ...gate, heartbeatSeconds: 20 } }]);

    expect(await planNext(stored(), deps)).toMatchObject({ kind: 'approval', heartbeatSeconds: 20 });
  });

  it('is done when every step succeeded or was skipped', async () => {
    const { deps, stored } = setup([
      { id: 'a', tool: 'test.undoable', status: 'SUCCEEDED' },
      { id: 'b', tool: 'test.undoable', status: 'SKIPPED' },
    ]);

    expect(await planNext(stored(), deps)).toEqual({
      kind: 'done',
      stepId: '',
      timeoutSeconds: 0,
      heartbeatSeconds: 0,
    });
  });
});

describe('executing one step', () => {
  it('runs the tool with references to the run input and earlier outputs resolved, records its output and input, and routes on', async () => {
    const { journal, step, stored } = setup(
      [
        { id: 'a', tool: 'test.undoable', input: { who: '$.input.who', literal: '$$.input.who' } },
        { id: 'b', tool: 'test.undoable', input: { after: '$.steps.a.output.did' } },
      ],
      { input: { who: 'grace' } },
    );

    expect(await step('a')).toEqual({ kind: 'tool', stepId: 'b', timeoutSeconds: 0, heartbeatSeconds: 0 });
    expect(await step('b')).toMatchObject({ kind: 'done' });

    expect(journal.map((c) => [c.stepId, c.input])).toEqual([
      ['a', { who: 'grace', literal: '$.input.who' }],
      ['b', { after: 'a' }],
    ]);
    expect(stored().steps[0]).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 1,
      output: { did: 'a', effectKey: 'run_1:a:0' },
    });
    expect(stored().inputs).toEqual({ a: { who: 'grace', literal: '$.input.who' }, b: { after: 'a' } });
  });

  it("acts as the run's starter with the roles recorded on the run", async () => {
    const { journal, step } = setup([{ id: 'a', tool: 'test.undoable' }], {
      startedBy: 'otto',
      startedByRoles: ['operator', 'approver'],
    });

    await step('a');

    expect(journal[0]!.ctx).toMatchObject({
      tenantId: 'tenant-a',
      runId: 'run_1',
      stepId: 'a',
      startedBy: { userId: 'otto', roles: ['operator', 'approver'] },
      via: 'system:workflow-engine',
      attempt: 1,
    });
  });

  it('lets a retryable failure cross as it is, counts the attempt, and the retry succeeds with the same effect key', async () => {
    const flaky = aFlakyTool('test.flaky', 1, () => new ToolRetryableError('upstream 503'));
    const { step, stored } = setup([{ id: 'a', tool: 'test.flaky' }], {}, [flaky]);

    const error = await step('a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolRetryableError);
    expect(stored().steps[0]).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      error: { name: 'ToolRetryableError', message: 'upstream 503', stepId: 'a' },
    });

    expect(await step('a')).toMatchObject({ kind: 'done' });
    expect(stored().steps[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 2, output: { attempt: 2 } });
    expect(stored().steps[0]!.error).toBeUndefined();
    expect(flaky.calls.map((c) => [c.attempt, c.effectKey])).toEqual([
      [1, 'run_1:a:0'],
      [2, 'run_1:a:0'],
    ]);
  });

  it('fails a permanent failure for good: ToolFailedError, recorded on the step', async () => {
    const { step, stored } = setup([{ id: 'a', tool: 'test.fail', input: { kind: 'permanent' } }]);

    await expect(step('a')).rejects.toBeInstanceOf(ToolFailedError);
    expect(stored().steps[0]).toMatchObject({
      status: 'PENDING',
      attempts: 1,
      error: { code: 'WORKFLOW_FAILED', name: 'ToolFailedError', stepId: 'a' },
    });
  });

  it("turns a tool's unexpected error into a ToolFailedError, so the state machine does not retry a defect", async () => {
    const defect = new TypeError("cannot read properties of undefined (reading 'x')");
    const broken = aFlakyTool('test.broken', 99, () => defect);
    const { step } = setup([{ id: 'a', tool: 'test.broken' }], {}, [broken]);

    const error = await step('a').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ToolFailedError);
    expect(error).toMatchObject({ message: `step a: ${defect.message}`, cause: defect });
  });

  it('does not run a succeeded step again: a re-delivered task returns the next plan and writes nothing', async () => {
    const { journal, step, stored } = setup([
      { id: 'a', tool: 'test.undoable' },
      { id: 'b', tool: 'test.undoable' },
    ]);
    const first = await step('a');
    const after = structuredClone(stored());

    const again = await step('a');

    expect(again).toEqual(first);
    expect(journal.filter((c) => c.op === 'execute')).toHaveLength(1);
    expect(stored()).toEqual(after);
  });

  it('refuses a task of a superseded generation without running the tool', async () => {
    const { journal, step } = setup([{ id: 'a', tool: 'test.undoable' }], { generation: 2 });

    await expect(step('a', 1)).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(journal).toEqual([]);
  });

  it('refuses a gated step until its gate is approved, then runs it and the run is RUNNING again', async () => {
    const { journal, step, stored, approve } = setup([{ id: 'a', tool: 'test.undoable', approval: gate }], {
      status: 'WAITING_FOR_APPROVAL',
    });

    await expect(step('a')).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(journal).toEqual([]);

    approve('a', 1);
    await step('a');
    expect(stored()).toMatchObject({ status: 'RUNNING', steps: [{ status: 'SUCCEEDED' }] });
  });

  it('fails for good, without running the tool, when an input references a step with no output yet', async () => {
    const { journal, step } = setup([
      { id: 'a', tool: 'test.undoable' },
      { id: 'b', tool: 'test.undoable', input: { x: '$.steps.a.output.did' } },
    ]);

    await expect(step('b')).rejects.toMatchObject({
      name: 'ToolFailedError',
      message: 'step b: step a has no output yet',
    });
    expect(journal).toEqual([]);
  });

  it('fails for good when the resolved input does not match the tool', async () => {
    const { step } = setup([{ id: 'a', tool: 'test.fail', input: { kind: 'sometimes' } }]);

    await expect(step('a')).rejects.toMatchObject({
      name: 'ToolFailedError',
      message: expect.stringMatching(/^step a: invalid input for test\.fail: kind:/),
    });
  });
});
