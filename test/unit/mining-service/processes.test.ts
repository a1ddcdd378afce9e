import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../../functions/domain/errors.js';
import { getMiningProcess } from '../../../functions/domain/mining/service/processes.js';
import type { RunTrace } from '../../../functions/domain/mining/service/traces.js';
import type { RequestContext } from '../../../functions/domain/ports.js';
import { MiningProcess, MiningProcessQuery } from '../../../schemas/mining-api.js';
import { InMemoryTraces } from '../../fakes/in-memory-mining.js';

const ctx: RequestContext = { principal: { tenantId: 'p1', userId: 'oli', roles: ['operator'] }, requestId: 'r' };

/** A run of a two-step workflow whose second step waits for an approval (approved unless `rejected`). */
function aRun(n: number, rejected = false): RunTrace {
  const t = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, n * 60 + minutes)).toISOString();
  return {
    executionId: `run_${String(n).padStart(6, '0')}`,
    workflowId: n % 5 === 0 ? 'other' : 'wf',
    workflowVersion: 1,
    status: rejected ? 'REJECTED' : 'SUCCEEDED',
    startedAt: t(0),
    completedAt: t(30),
    steps: [
      { id: 'tag', tool: 'entity.update', status: 'SUCCEEDED', attempts: 1, completedAt: t(1) },
      {
        id: 'notify',
        tool: 'http.webhook',
        // As the engine records a rejected gate: its step FAILED with ApprovalRejectedError, ended at the decision.
        status: rejected ? 'FAILED' : 'SUCCEEDED',
        attempts: rejected ? 0 : 1,
        completedAt: rejected ? t(10) : t(20),
        ...(rejected
          ? { error: { code: 'WORKFLOW_FAILED', name: 'ApprovalRejectedError', message: 'rejected', stepId: 'notify' } }
          : {}),
        approval: { status: rejected ? 'rejected' : 'approved', requestedAt: t(2), decidedAt: t(10), decidedBy: 'ann' },
      },
    ],
  };
}

const query = (q: Record<string, unknown>) => MiningProcessQuery.parse(q);

describe('the process of the platform’s own workflow runs', () => {
  it('mines the newest runs of a workflow into a model, says how much it read, and draws it', async () => {
    const traces = new InMemoryTraces();
    traces.runs.set(
      'p1',
      Array.from({ length: 30 }, (_, i) => aRun(i + 1, (i + 1) % 7 === 0)),
    );
    const out = MiningProcess.parse(
      await getMiningProcess(query({ source: 'workflows', workflowId: 'wf', limit: '10' }), ctx, { traces }),
    );
    expect(out.bounds).toEqual({
      limit: 10,
      cases: 10,
      truncated: true,
      since: null,
      workflowId: 'wf',
      entityType: null,
    });
    expect(out.model.summary.startActivities).toEqual({ tag: 10 });
    const edges = Object.fromEntries(out.model.dfg.map((e) => [`${e.from}>${e.to}`, e]));
    expect(edges['tag>notify approval']!.count).toBe(10);
    expect(edges['tag>notify approval']!.meanMs).toBe(9 * 60_000);
    // Of the ten newest (runs 21-30), runs 21 and 28 were rejected at the gate, the others approved.
    expect(edges['notify approval>notify (rejected)']!.count).toBe(2);
    expect(edges['notify approval>notify']!.count).toBe(8);
    expect(out.model.summary.endActivities).toEqual({ notify: 8, 'notify (rejected)': 2 });
    expect(out.model.fitness.traces).toBe(10);
    expect(out.dot).toMatch(/digraph/);
  });

  it('answers the picture itself with format=svg or format=dot', async () => {
    const traces = new InMemoryTraces();
    traces.runs.set('p1', [aRun(1), aRun(2)]);
    const svg = await getMiningProcess(query({ source: 'workflows', format: 'svg' }), ctx, { traces });
    expect(svg).toMatchObject({ contentType: expect.stringContaining('image/svg+xml') });
    expect((svg as { body: string }).body).toMatch(/<svg[\s>]/);
    const dot = await getMiningProcess(query({ source: 'workflows', format: 'dot' }), ctx, { traces });
    expect((dot as { body: string }).body).toMatch(/^\s*digraph/);
  });

  it('mines entity histories, with the filters it was asked for in its bounds', async () => {
    const traces = new InMemoryTraces();
    traces.histories.set('p1', [
      {
        entityId: 'e1',
        entityType: 'deal',
        changes: [
          { at: '2026-01-01T00:00:00.000Z', action: 'entity.create', actor: 'u' },
          { at: '2026-01-02T00:00:00.000Z', action: 'entity.update', actor: 'u', changed: ['stage'] },
        ],
      },
      {
        entityId: 'e2',
        entityType: 'person',
        changes: [{ at: '2026-01-01T00:00:00.000Z', action: 'entity.create', actor: 'u' }],
      },
    ]);
    const out = MiningProcess.parse(
      await getMiningProcess(
        query({ source: 'entities', entityType: 'deal', since: '2025-12-31T23:00:00-02:00' }),
        ctx,
        {
          traces,
        },
      ),
    );
    expect(out.bounds).toMatchObject({
      cases: 1,
      truncated: false,
      entityType: 'deal',
      since: '2026-01-01T01:00:00.000Z',
    });
    expect(out.model.dfg.map((e) => `${e.from}>${e.to}`)).toEqual(['created>updated: stage']);
  });

  it('needs mining:read (an analyst reads entities and signals only)', async () => {
    const traces = new InMemoryTraces();
    const analyst = { ...ctx, principal: { ...ctx.principal, roles: ['analyst'] } };
    await expect(getMiningProcess(query({ source: 'workflows' }), analyst, { traces })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});
