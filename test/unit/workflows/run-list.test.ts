import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runSummary } from '../../../functions/domain/workflows/runs/run-state.js';
import { listRuns } from '../../../functions/domain/workflows/runs/use-cases.js';
import { ForbiddenError } from '../../../functions/domain/errors.js';
import { ExecutionSummary } from '../../../schemas/workflow.js';
import { InMemoryRuns } from '../../fakes/in-memory-workflows.js';
import { aContext, anApiEvent, stubHandlerSettings } from '../../support/builders.js';
import { aRun } from './builders.js';

let makeHandler: typeof import('../../../functions/handlers/get-execution.js').makeHandler;
beforeAll(async () => {
  stubHandlerSettings((name, value) => vi.stubEnv(name, value));
  ({ makeHandler } = await import('../../../functions/handlers/get-execution.js'));
});

const update = { id: 'update', tool: 'entity.update' };
const notify = { id: 'notify', tool: 'http.webhook' };

describe('a run as a list shows it', () => {
  it('leaves out the input and step outputs, and says how far it got and where it waits', () => {
    const run = aRun([{ ...update, status: 'SUCCEEDED', output: { secret: 'x' } }, { ...notify }], {
      status: 'WAITING_FOR_APPROVAL',
      input: { entityId: 'e1' },
    });
    run.steps[1]!.status = 'WAITING_FOR_APPROVAL';
    run.steps[1]!.approvalId = 'apr_123456';
    const summary = runSummary(run);
    expect(ExecutionSummary.parse(summary)).toEqual(summary);
    expect(summary).toEqual({
      executionId: 'run_1',
      workflowId: 'wf_1',
      workflowVersion: 1,
      status: 'WAITING_FOR_APPROVAL',
      startedAt: '2026-02-03T04:00:00.000Z',
      updatedAt: '2026-02-03T04:00:00.000Z',
      stoppedAt: null,
      startedBy: 'ada',
      redrives: 0,
      progress: { done: 1, total: 2 },
      currentStep: { id: 'notify', tool: 'http.webhook', status: 'WAITING_FOR_APPROVAL', approvalId: 'apr_123456' },
    });
    expect(JSON.stringify(summary)).not.toContain('secret');
  });

  it('gives a failed run its stop time, error and the step it failed at', () => {
    const error = { code: 'WORKFLOW_FAILED', name: 'ToolError', message: 'receiver answered 500', stepId: 'notify' };
    const run = aRun(
      [
        { ...update, status: 'SUCCEEDED' },
        { ...notify, status: 'FAILED', error },
      ],
      {
        status: 'FAILED',
        error,
        completedAt: '2026-02-03T04:05:00.000Z',
        updatedAt: '2026-02-03T04:05:00.000Z',
        trigger: { kind: 'api', id: 'ada' },
      },
    );
    expect(runSummary(run)).toMatchObject({
      stoppedAt: '2026-02-03T04:05:00.000Z',
      error,
      currentStep: { id: 'notify', status: 'FAILED' },
      progress: { done: 1, total: 2 },
      trigger: { kind: 'api', id: 'ada' },
    });
    expect(runSummary({ ...run, status: 'RUNNING', completedAt: undefined }).stoppedAt).toBeNull();
  });
});

describe('listing runs', () => {
  const runs = new InMemoryRuns();
  beforeAll(async () => {
    const at = (m: number) => `2026-02-03T04:${String(m).padStart(2, '0')}:00.000Z`;
    const all = [
      aRun([update], { executionId: 'run_a', workflowId: 'wf_1', status: 'SUCCEEDED', startedAt: at(1) }),
      aRun([update], { executionId: 'run_b', workflowId: 'wf_2', status: 'FAILED', startedAt: at(2) }),
      aRun([update], { executionId: 'run_c', workflowId: 'wf_1', status: 'FAILED', startedAt: at(3) }),
      aRun([update], { executionId: 'run_d', workflowId: 'wf_1', status: 'RUNNING', startedAt: at(4) }),
    ];
    for (const r of all) await runs.create('tenant-a', r);
  });

  it('lists newest first, filtered by workflow and status together', async () => {
    const ctx = aContext({ roles: ['operator'] });
    const everything = await listRuns({ limit: 10 }, ctx, { runs });
    expect(everything.items.map((r) => r.executionId)).toEqual(['run_d', 'run_c', 'run_b', 'run_a']);
    const failedOfOne = await listRuns({ limit: 10, workflowId: 'wf_1', status: 'FAILED' }, ctx, { runs });
    expect(failedOfOne.items.map((r) => r.executionId)).toEqual(['run_c']);
  });

  it('needs workflows:read', async () => {
    await expect(listRuns({ limit: 10 }, aContext({ roles: ['approver'] }), { runs })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  const get = (query: Record<string, string>): APIGatewayProxyEvent => ({
    ...anApiEvent({ query }),
    httpMethod: 'GET',
    resource: '/api/v1/workflows/executions',
    path: '/api/v1/workflows/executions',
  });

  it('answers the route with the page and its cursor', async () => {
    const res = await makeHandler({ runs })(get({ limit: '2', workflowId: 'wf_1' }));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.items.map((r: { executionId: string }) => r.executionId)).toEqual(['run_d', 'run_c']);
    expect(body.nextCursor).toEqual(expect.any(String));
  });

  it.each([
    [{ status: 'DONE' }, 'query.status'],
    [{ status: 'failed' }, 'query.status'],
    [{ limit: '0' }, 'query.limit'],
    [{ limit: '101' }, 'query.limit'],
    [{ limit: 'ten' }, 'query.limit'],
    [{ workflowId: 'no spaces' }, 'query.workflowId'],
    [{ cursor: '' }, 'query.cursor'],
    [{ since: '2026-01-01' }, 'query.since'],
  ])('refuses %o with 400 naming %s', async (query, field) => {
    const res = await makeHandler({ runs })(get(query));
    expect(res.statusCode).toBe(400);
    const { error } = JSON.parse(res.body);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});
