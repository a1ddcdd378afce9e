import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesSecretBox } from '../../../functions/adapters/crypto/aes-secret-box.js';
import { createEntity } from '../../../functions/domain/entities/entity-use-cases.js';
import type { Principal } from '../../../functions/domain/ports.js';
import { generateWebhookSecret } from '../../../functions/domain/webhooks/signing.js';
import { PRODUCTION_URL_POLICY } from '../../../functions/domain/webhooks/url-policy.js';
import { createWorkflow } from '../../../functions/domain/workflows/definitions.js';
import { ToolFailedError } from '../../../functions/domain/workflows/errors.js';
import type { StoredApproval } from '../../../functions/domain/workflows/ports.js';
import { requestApproval } from '../../../functions/domain/workflows/approvals.js';
import { finishRun } from '../../../functions/domain/workflows/runs/finish.js';
import { approvalIdOf, type RunDeps } from '../../../functions/domain/workflows/runs/run-state.js';
import { runStep } from '../../../functions/domain/workflows/runs/step-engine.js';
import { getRun, redriveRun, startRun } from '../../../functions/domain/workflows/runs/use-cases.js';
import type { WorkflowStep } from '../../../schemas/workflow.js';
import { aContext } from '../../support/builders.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import { InMemoryEntityRepository } from '../../fakes/in-memory-entity-repository.js';
import {
  InMemoryApprovals,
  InMemoryRuns,
  InMemoryWorkflows,
  RecordingStarter,
  RecordingTaskCallbacks,
  RecordingWebhookSender,
} from '../../fakes/in-memory-workflows.js';
import { anEchoTool, aTestRegistry, failTool } from '../../support/tools/test-tools.js';

function setup() {
  const echo = anEchoTool();
  const entities = new InMemoryEntityRepository();
  const webhooks = new RecordingWebhookSender();
  const deps: RunDeps = {
    workflows: new InMemoryWorkflows(),
    runs: new InMemoryRuns(),
    approvals: new InMemoryApprovals(),
    starter: new RecordingStarter(),
    callbacks: new RecordingTaskCallbacks(),
    tools: aTestRegistry(echo, failTool),
    entities,
    idempotency: entities,
    webhooks,
    secrets: new AesSecretBox(async () => randomBytes(48)),
    clock: fixedClock(),
    ids: sequentialIds('r'),
  };
  const admin = aContext({ userId: 'alice', roles: ['admin'] });
  const define = async (steps: WorkflowStep[]) =>
    (await createWorkflow({ name: 'w', steps }, admin, { ...deps, urlPolicy: PRODUCTION_URL_POLICY })).id;
  const execute = async (workflowId: string, principal: Partial<Principal>, input: Record<string, unknown> = {}) =>
    (await startRun({ workflowId, input }, aContext(principal), deps)).executionId;
  const step = (runId: string, stepId: string, generation = 1) =>
    runStep({ tenantId: 'tenant-a', runId, generation, stepId }, deps);
  const aPerson = async () =>
    createEntity({ type: 'person', attributes: { tier: 'basic' } }, admin, {
      entities,
      clock: deps.clock,
      ids: sequentialIds('e'),
    });
  const approve = async (runId: string, stepId: string, generation = 1) => {
    const id = approvalIdOf(runId, stepId, generation);
    await deps.approvals.createOrGet(
      'tenant-a',
      { id, executionId: runId, stepId, generation, status: 'approved', version: 1 } as StoredApproval,
      {} as never,
    );
  };
  return { deps, echo, entities, webhooks, admin, define, execute, step, aPerson, approve };
}

describe('who a run acts as', () => {
  it("records the starter's user id and roles, and gives its tools exactly those, through the engine", async () => {
    const { deps, echo, define, execute, step } = setup();
    const wf = await define([{ id: 'a', tool: 'test.echo', input: {} }]);

    const runId = await execute(wf, { userId: 'otto', roles: ['operator', 'approver'] });
    await step(runId, 'a');

    expect((await deps.runs.get('tenant-a', runId))!).toMatchObject({
      startedBy: 'otto',
      startedByRoles: ['operator', 'approver'],
    });
    expect(echo.calls).toEqual([
      expect.objectContaining({
        startedBy: { userId: 'otto', roles: ['operator', 'approver'] },
        via: 'system:workflow-engine',
        runId,
      }),
    ]);
  });

  it('fails an entity.update step for good with FORBIDDEN when the starter lacks entities:write, and the run says so', async () => {
    const { deps, entities, define, execute, step, aPerson } = setup();
    const person = await aPerson();
    const wf = await define([
      { id: 'promote', tool: 'entity.update', input: { entityId: person.id, attributes: { tier: 'gold' } } },
    ]);
    const runId = await execute(wf, { userId: 'otto', roles: ['operator'] });

    const error = await step(runId, 'promote').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolFailedError);
    expect(error).toMatchObject({
      name: 'ToolFailedError',
      code: 'FORBIDDEN',
      message: expect.stringMatching(/otto.*missing permission entities:write/),
    });

    await finishRun(
      {
        tenantId: 'tenant-a',
        runId,
        generation: 1,
        outcome: 'failed',
        error: { Error: 'ToolFailedError', Cause: JSON.stringify({ errorMessage: (error as Error).message }) },
      },
      deps,
    );
    const run = await getRun(runId, aContext({ roles: ['admin'] }), deps);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatchObject({ code: 'FORBIDDEN', name: 'ToolFailedError', stepId: 'promote' });
    expect(run.steps[0]).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'FORBIDDEN' } });
    expect((await entities.get('tenant-a', person.id))!).toMatchObject({ version: 1, attributes: { tier: 'basic' } });
  });

  it('audits an entity.update step as the starter, via the engine, with the run id', async () => {
    const { entities, define, execute, step, aPerson } = setup();
    const person = await aPerson();
    const wf = await define([
      { id: 'promote', tool: 'entity.update', input: { entityId: person.id, attributes: { tier: 'gold' } } },
    ]);
    const runId = await execute(wf, { userId: 'ada', roles: ['admin'] });

    await step(runId, 'promote');

    expect(entities.mutations.at(-1)!.audit).toMatchObject({
      action: 'entity.update',
      actor: 'ada',
      via: 'system:workflow-engine',
      runId,
      requestId: `${runId}:promote`,
    });
  });

  it('keeps the original starter across a redrive by someone else, and records who redrove', async () => {
    const { deps, echo, define, execute, step } = setup();
    const wf = await define([
      { id: 'flaky', tool: 'test.fail', input: { kind: 'permanent', attempts: 1 } },
      { id: 'after', tool: 'test.echo', input: {} },
    ]);
    const runId = await execute(wf, { userId: 'otto', roles: ['operator'] });
    await expect(step(runId, 'flaky')).rejects.toBeInstanceOf(ToolFailedError);
    await finishRun(
      { tenantId: 'tenant-a', runId, generation: 1, outcome: 'failed', error: { Error: 'ToolFailedError' } },
      deps,
    );

    const redriven = await redriveRun(runId, aContext({ userId: 'alice', roles: ['admin'] }), deps);
    await step(runId, 'flaky', 2);
    await step(runId, 'after', 2);

    expect(redriven).toMatchObject({
      startedBy: 'otto',
      redrives: 1,
      redrivenBy: [{ userId: 'alice', at: '2026-02-03T04:05:06.000Z' }],
    });
    expect((await deps.runs.get('tenant-a', runId))!.startedByRoles).toEqual(['operator']);
    expect(echo.calls.at(-1)!.startedBy).toEqual({ userId: 'otto', roles: ['operator'] });
    const audit = (deps.runs as InMemoryRuns).mutations.find((m) => m.audit.action === 'workflow.redrive')!.audit;
    expect(audit).toMatchObject({ actor: 'alice', resourceId: runId });
  });

  it('acts with no roles for a run recorded before roles were kept', async () => {
    const { deps, define, execute, step, aPerson } = setup();
    const person = await aPerson();
    const wf = await define([
      { id: 'promote', tool: 'entity.update', input: { entityId: person.id, attributes: { tier: 'gold' } } },
    ]);
    const runId = await execute(wf, { userId: 'ada', roles: ['admin'] });
    const runs = deps.runs as InMemoryRuns;
    const { startedByRoles: _roles, ...legacy } = runs.items.get(runId)!;
    runs.items.set(runId, legacy);

    await expect(step(runId, 'promote')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe("a step's sealed secret", () => {
  it('is opened only to run the step: the tool signs with it, the run records no trace of it', async () => {
    const { deps, webhooks, define, execute, step, approve } = setup();
    const secret = generateWebhookSecret();
    const wf = await define([
      {
        id: 'notify',
        tool: 'http.webhook',
        input: { url: 'https://hooks.example.com/x', secret, payload: { who: '$.input.who' } },
        approval: { required: true, timeoutSeconds: 60 },
      },
    ]);
    const runId = await execute(wf, { userId: 'ada', roles: ['admin'] }, { who: 'bob' });
    await approve(runId, 'notify');

    await step(runId, 'notify');

    expect(webhooks.sent).toEqual([
      expect.objectContaining({ url: 'https://hooks.example.com/x', secrets: [secret], payload: { who: 'bob' } }),
    ]);
    const run = (await deps.runs.get('tenant-a', runId))!;
    expect(run.steps[0]).toMatchObject({ status: 'SUCCEEDED' });
    expect(run.inputs!.notify).toEqual({
      url: 'https://hooks.example.com/x',
      eventType: 'workflow.step',
      payload: { who: 'bob' },
    });
    expect(run.definition[0]!.sealed!.secret).toMatch(/^enc1\./);
    expect(JSON.stringify(run)).not.toContain(secret);
    expect(JSON.stringify(await getRun(runId, aContext(), deps))).not.toMatch(/whsec_|enc1\./);
  });

  it('fails the step for good when the sealed value does not open for the tenant', async () => {
    const { deps, webhooks, define, execute, step, approve } = setup();
    const wf = await define([
      {
        id: 'notify',
        tool: 'http.webhook',
        input: { url: 'https://hooks.example.com/x', secret: generateWebhookSecret() },
        approval: { required: true, timeoutSeconds: 60 },
      },
    ]);
    const runId = await execute(wf, { userId: 'ada', roles: ['admin'] });
    const runs = deps.runs as InMemoryRuns;
    const run = runs.items.get(runId)!;
    run.definition[0]!.sealed = { secret: await deps.secrets.seal('tenant-b', generateWebhookSecret()) };
    await approve(runId, 'notify');

    await expect(step(runId, 'notify')).rejects.toMatchObject({
      name: 'ToolFailedError',
      message: expect.stringMatching(/does not open/),
    });
    expect(webhooks.sent).toEqual([]);
  });
});

describe('when a step ended', () => {
  /** A clock the test moves. */
  const aMovableClock = (iso: string) => {
    let now = new Date(iso);
    return { now: () => new Date(now), set: (next: string) => (now = new Date(next)) };
  };

  it('records when a failed step failed: as the run learned it, its start kept; a redrive clears it', async () => {
    const { deps, define, execute, step } = setup();
    const clock = aMovableClock('2026-02-03T04:00:00.000Z');
    deps.clock = clock;
    const wf = await define([{ id: 'flaky', tool: 'test.fail', input: { kind: 'permanent', attempts: 1 } }]);
    const runId = await execute(wf, { userId: 'otto', roles: ['operator'] });
    await expect(step(runId, 'flaky')).rejects.toBeInstanceOf(ToolFailedError);
    clock.set('2026-02-03T04:00:07.000Z');

    await finishRun(
      { tenantId: 'tenant-a', runId, generation: 1, outcome: 'failed', error: { Error: 'ToolFailedError' } },
      deps,
    );

    const run = (await deps.runs.get('tenant-a', runId))!;
    expect(run.steps[0]).toMatchObject({
      status: 'FAILED',
      startedAt: '2026-02-03T04:00:00.000Z',
      completedAt: '2026-02-03T04:00:07.000Z',
    });
    expect(run.completedAt).toBe('2026-02-03T04:00:07.000Z');
    const redriven = await redriveRun(runId, aContext({ userId: 'alice', roles: ['admin'] }), deps);
    expect(redriven.steps[0]).toMatchObject({ status: 'PENDING' });
    expect(redriven.steps[0]!.completedAt).toBeUndefined();
  });

  it('gives no end to a failed step that never began (still PENDING when the run failed)', async () => {
    const { deps, define, execute } = setup();
    const wf = await define([{ id: 'never', tool: 'test.echo', input: {} }]);
    const runId = await execute(wf, { userId: 'otto', roles: ['operator'] });

    await finishRun(
      { tenantId: 'tenant-a', runId, generation: 1, outcome: 'failed', error: { Error: 'Lambda.Unknown' } },
      deps,
    );

    const run = (await deps.runs.get('tenant-a', runId))!;
    expect(run.steps[0]).toMatchObject({ id: 'never', status: 'FAILED' });
    expect(run.steps[0]!.completedAt).toBeUndefined();
  });

  it.each([
    ['rejected', { Error: 'ApprovalRejectedError' }, 'REJECTED', 'ApprovalRejectedError'],
    ['not decided in time', { Error: 'States.Timeout' }, 'TIMED_OUT', 'ApprovalTimeoutError'],
  ] as const)('ends a gate %s as a step that ended so, with its time', async (_how, error, status, name) => {
    const { deps, define, execute, step } = setup();
    const clock = aMovableClock('2026-02-03T04:00:00.000Z');
    deps.clock = clock;
    const wf = await define([
      { id: 'ok', tool: 'test.echo', input: {} },
      { id: 'gated', tool: 'test.echo', input: {}, approval: { required: true, timeoutSeconds: 60 } },
    ]);
    const runId = await execute(wf, { userId: 'otto', roles: ['operator'] });
    await step(runId, 'ok');
    await requestApproval({ tenantId: 'tenant-a', runId, generation: 1, stepId: 'gated', taskToken: 't-1' }, deps);
    clock.set('2026-02-03T04:00:30.000Z');

    await finishRun({ tenantId: 'tenant-a', runId, generation: 1, outcome: 'failed', error }, deps);

    const run = (await deps.runs.get('tenant-a', runId))!;
    expect(run.status).toBe(status);
    expect(run.steps[1]).toMatchObject({
      status: 'FAILED',
      error: { name, stepId: 'gated' },
      completedAt: '2026-02-03T04:00:30.000Z',
    });
    // The step before the gate keeps its own end.
    expect(run.steps[0]).toMatchObject({ status: 'SUCCEEDED', completedAt: '2026-02-03T04:00:00.000Z' });
  });
});
