import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError } from '../../../functions/domain/errors.js';
import type { StartDeps } from '../../../functions/domain/workflows/runs/run-state.js';
import { getRun, startRun, startTriggeredRun } from '../../../functions/domain/workflows/runs/use-cases.js';
import type { StoredWorkflow } from '../../../functions/domain/workflows/ports.js';
import { aContext } from '../../support/builders.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import {
  InMemoryApprovals,
  InMemoryRuns,
  InMemoryWorkflows,
  RecordingStarter,
} from '../../fakes/in-memory-workflows.js';

const aWorkflow = (): StoredWorkflow => ({
  id: 'wf-1',
  name: 'w',
  version: 1,
  steps: [{ id: 'a', tool: 'test.echo', input: {} }],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'admin',
});

async function setup() {
  const runs = new InMemoryRuns();
  const starter = new RecordingStarter();
  const workflows = new InMemoryWorkflows();
  await workflows.create('tenant-a', aWorkflow(), {} as never);
  const deps: StartDeps = {
    workflows,
    runs,
    approvals: new InMemoryApprovals(),
    starter,
    clock: fixedClock(),
    ids: sequentialIds('r'),
  };
  const start = (executionId = 'run_derived0001', roles: string[] = ['operator']) =>
    startTriggeredRun(
      { workflowId: 'wf-1', input: { x: 1 } },
      'tenant-a',
      {
        executionId,
        trigger: { kind: 'webhook', id: 'trg_1', webhookId: 'msg_1' },
        actor: 'trigger:webhook:trg_1',
        roles,
        requestId: 'req-1',
      },
      deps,
    );
  return { runs, starter, deps, start };
}

describe('a triggered start', () => {
  it('records what started the run and its system actor, with the roles given, and starts its machine', async () => {
    const { runs, starter, start } = await setup();

    const out = await start();

    expect(out).toEqual({ executionId: 'run_derived0001', status: 'RUNNING', created: true });
    const run = (await runs.get('tenant-a', 'run_derived0001'))!;
    expect(run).toMatchObject({
      startedBy: 'trigger:webhook:trg_1',
      startedByRoles: ['operator'],
      trigger: { kind: 'webhook', id: 'trg_1', webhookId: 'msg_1' },
      input: { x: 1 },
    });
    expect(runs.mutations[0]!.audit).toMatchObject({ action: 'workflow.execute', actor: 'trigger:webhook:trg_1' });
    expect(starter.started.map((s) => s.runId)).toEqual(['run_derived0001']);
  });

  it('returns the existing run for a repeated execution id and starts nothing', async () => {
    const { runs, starter, start } = await setup();
    await start();

    const again = await start();

    expect(again).toEqual({ executionId: 'run_derived0001', status: 'RUNNING', created: false });
    expect(runs.mutations).toHaveLength(1);
    expect(starter.started).toHaveLength(1);
  });

  it('returns the run a concurrent delivery created between its read and its create', async () => {
    const { runs, start } = await setup();
    const create = runs.create.bind(runs);
    // The other delivery's create lands first; this one's is refused by the condition.
    runs.create = async (t, r, m) => {
      await create(t, { ...r, input: { winner: true } }, m);
      return create(t, r, m);
    };
    await expect(start()).resolves.toEqual({ executionId: 'run_derived0001', status: 'RUNNING', created: false });
    expect((await runs.get('tenant-a', 'run_derived0001'))!.input).toEqual({ winner: true });
  });

  it('refuses roles without workflows:execute', async () => {
    const { start } = await setup();
    await expect(start('run_derived0002', ['analyst'])).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('passes on a conflict that is not a duplicate run', async () => {
    const { runs, start } = await setup();
    runs.create = async () => {
      throw new ConflictError('lane head');
    };
    await expect(start()).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('an API start', () => {
  it('records the user as what started it, shown in the execution', async () => {
    const { deps } = await setup();
    const ctx = aContext({ userId: 'otto', roles: ['operator'] });
    const { executionId } = await startRun({ workflowId: 'wf-1', input: {} }, ctx, deps);
    expect((await getRun(executionId, ctx, deps)).trigger).toEqual({ kind: 'api', id: 'otto' });
  });
});
