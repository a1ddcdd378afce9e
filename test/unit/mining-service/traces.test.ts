import { describe, expect, it } from 'vitest';
import {
  entityHistoriesToLog,
  type RunTrace,
  workflowRunsToLog,
} from '../../../functions/domain/mining/service/traces.js';

const aRun = (overrides: Partial<RunTrace> = {}): RunTrace => ({
  executionId: 'run_000001',
  workflowId: 'wf-1',
  workflowVersion: 1,
  status: 'SUCCEEDED',
  startedAt: '2026-01-01T10:00:00.000Z',
  completedAt: '2026-01-01T10:10:00.000Z',
  steps: [
    {
      id: 'update',
      tool: 'entity.update',
      status: 'SUCCEEDED',
      attempts: 1,
      startedAt: '2026-01-01T10:00:01.000Z',
      completedAt: '2026-01-01T10:00:02.000Z',
    },
    {
      id: 'notify',
      tool: 'http.webhook',
      status: 'SUCCEEDED',
      attempts: 2,
      completedAt: '2026-01-01T10:09:00.000Z',
      approval: {
        status: 'approved',
        requestedAt: '2026-01-01T10:00:03.000Z',
        decidedAt: '2026-01-01T10:08:03.000Z',
        decidedBy: 'anna',
      },
    },
  ],
  ...overrides,
});

describe('workflow runs as an event log', () => {
  it('makes each run a case: decided gates (manual, by whom, after what wait) and ended steps, in time order', () => {
    const log = workflowRunsToLog([aRun()]);
    expect(log.traces).toHaveLength(1);
    const [trace] = log.traces;
    expect(trace!.caseId).toBe('run_000001');
    expect(trace!.attributes).toMatchObject({ workflowId: 'wf-1', status: 'succeeded' });
    expect(trace!.events.map((e) => e.activity)).toEqual(['update', 'notify approval', 'notify']);
    const gate = trace!.events[1]!;
    expect(gate.resource).toBe('anna');
    expect(gate.attributes).toMatchObject({ decision: 'approved', manual: true, waitMs: 8 * 60_000 });
    expect(trace!.events[2]!.attributes).toMatchObject({ manual: false, attempts: 2, tool: 'http.webhook' });
    expect(trace!.events.map((e) => e.time)).toEqual([
      Date.parse('2026-01-01T10:00:02.000Z'),
      Date.parse('2026-01-01T10:08:03.000Z'),
      Date.parse('2026-01-01T10:09:00.000Z'),
    ]);
    expect(new Set(trace!.events.map((e) => e.id)).size).toBe(3);
  });

  it('shows a rejected run ending at its gate, a failed step as failed, and leaves out what did not happen', () => {
    // As the engine records it: the rejected gate's step FAILED when the rejection reached it, then the saga ran.
    const rejected = aRun({
      executionId: 'run_000002',
      status: 'REJECTED',
      steps: [
        { ...aRun().steps[0]!, status: 'COMPENSATED' },
        {
          ...aRun().steps[1]!,
          status: 'FAILED',
          completedAt: '2026-01-01T10:05:01.000Z',
          approval: {
            status: 'rejected',
            requestedAt: '2026-01-01T10:00:03.000Z',
            decidedAt: '2026-01-01T10:05:00.000Z',
          },
        },
      ],
    });
    const failed = aRun({
      executionId: 'run_000003',
      status: 'FAILED',
      steps: [
        { ...aRun().steps[0]!, status: 'FAILED' },
        { ...aRun().steps[1]!, status: 'PENDING', completedAt: undefined, approval: undefined },
      ],
    });
    const pending = aRun({
      executionId: 'run_000004',
      status: 'WAITING_FOR_APPROVAL',
      completedAt: undefined,
      steps: [
        aRun().steps[0]!,
        {
          ...aRun().steps[1]!,
          status: 'WAITING_FOR_APPROVAL',
          completedAt: undefined,
          approval: { status: 'pending', requestedAt: '2026-01-01T10:00:03.000Z' },
        },
      ],
    });
    const [r, f, p] = workflowRunsToLog([rejected, failed, pending]).traces;
    expect(r!.events.map((e) => e.activity)).toEqual([
      'update',
      'notify approval',
      'notify (rejected)',
      'update (compensated)',
    ]);
    expect(r!.events[1]!.resource).toBe('unknown');
    expect(f!.events.map((e) => e.activity)).toEqual(['update (failed)']);
    expect(p!.events.map((e) => e.activity)).toEqual(['update']);
  });

  it('counts a gate the clock decided as not manual', () => {
    const timedOut = aRun({
      steps: [
        {
          ...aRun().steps[1]!,
          status: 'SKIPPED',
          completedAt: undefined,
          approval: { status: 'timed_out', requestedAt: '2026-01-01T10:00:03.000Z' },
        },
      ],
    });
    const [gate] = workflowRunsToLog([timedOut]).traces[0]!.events;
    expect(gate).toMatchObject({ activity: 'notify approval', resource: 'system' });
    expect(gate!.attributes).toMatchObject({ decision: 'timed_out', manual: false });
    expect(gate!.time).toBe(Date.parse('2026-01-01T10:10:00.000Z'));
  });

  it('ends a step whose gate timed out with `<step> (timed out)` before the saga, one whose tool failed with `(failed)`', () => {
    const timedOut = aRun({
      status: 'TIMED_OUT',
      completedAt: '2026-01-01T10:10:00.500Z',
      steps: [
        { ...aRun().steps[0]!, status: 'COMPENSATED' },
        {
          ...aRun().steps[1]!,
          status: 'FAILED',
          completedAt: '2026-01-01T10:10:00.000Z',
          approval: { status: 'timed_out', requestedAt: '2026-01-01T10:00:03.000Z' },
        },
      ],
    });
    const events = workflowRunsToLog([timedOut]).traces[0]!.events;
    expect(events.map((e) => e.activity)).toEqual([
      'update',
      'notify approval',
      'notify (timed out)',
      'update (compensated)',
    ]);
    // The gate's decision is the step's end: the clock decided when the timeout reached the step.
    expect(events[1]!.time).toBe(Date.parse('2026-01-01T10:10:00.000Z'));
    expect(events[2]).toMatchObject({ resource: 'system', attributes: { status: 'failed', manual: false } });

    // A gate approved, then its step's tool failed: the step failed, it did not end at its gate.
    const failedAfterApproval = aRun({
      status: 'FAILED',
      steps: [aRun().steps[0]!, { ...aRun().steps[1]!, status: 'FAILED', completedAt: '2026-01-01T10:09:00.000Z' }],
    });
    expect(workflowRunsToLog([failedAfterApproval]).traces[0]!.events.map((e) => e.activity)).toEqual([
      'update',
      'notify approval',
      'notify (failed)',
    ]);
  });

  /** Steps a and b ran, c failed at 10:05 and the saga undid b (as `undoneB` says) and a. */
  const aSagaRun = (undoneB: 'COMPENSATED' | 'COMPENSATION_FAILED') =>
    aRun({
      status: 'FAILED',
      completedAt: '2026-01-01T10:05:00.000Z',
      steps: [
        { id: 'a', tool: 'entity.update', status: 'COMPENSATED', attempts: 1, completedAt: '2026-01-01T10:01:00.000Z' },
        { id: 'b', tool: 'entity.update', status: undoneB, attempts: 1, completedAt: '2026-01-01T10:02:00.000Z' },
        { id: 'c', tool: 'entity.update', status: 'FAILED', attempts: 3, completedAt: '2026-01-01T10:05:00.000Z' },
      ],
    });

  it("puts the saga's compensations after the failure that started it, in reverse step order, at equal times", () => {
    const run = aSagaRun('COMPENSATED');
    expect(workflowRunsToLog([run]).traces[0]!.events.map((e) => e.activity)).toEqual([
      'a',
      'b',
      'c (failed)',
      'b (compensated)',
      'a (compensated)',
    ]);
  });

  it('names a step whose undoing failed for what happened, not as compensated', () => {
    const run = aSagaRun('COMPENSATION_FAILED');
    const events = workflowRunsToLog([run]).traces[0]!.events;
    expect(events.map((e) => e.activity)).toEqual([
      'a',
      'b',
      'c (failed)',
      'b (compensation failed)',
      'a (compensated)',
    ]);
    expect(events[3]!.attributes).toMatchObject({ status: 'compensation_failed' });
  });
});

describe('entity histories as an event log', () => {
  it('names each change by its kind and, for updates, the attributes it changed', () => {
    const log = entityHistoriesToLog([
      {
        entityId: 'e1',
        entityType: 'deal',
        changes: [
          { at: '2026-01-01T00:00:00.000Z', action: 'entity.create', actor: 'u1' },
          { at: '2026-01-02T00:00:00.000Z', action: 'entity.update', actor: 'u1', changed: ['stage', 'amount'] },
          { at: '2026-01-03T00:00:00.000Z', action: 'entity.update', actor: 'u2', via: 'system:workflow-engine' },
          { at: '2026-01-04T00:00:00.000Z', action: 'entity.merge', actor: 'system:resolution' },
          { at: '2026-01-05T00:00:00.000Z', action: 'entity.match.confirm', actor: 'u1' },
        ],
      },
    ]);
    const [trace] = log.traces;
    expect(trace!.attributes).toEqual({ entityType: 'deal' });
    expect(trace!.events.map((e) => e.activity)).toEqual([
      'created',
      'updated: amount, stage',
      'updated',
      'merged',
      'entity.match.confirm',
    ]);
    expect(trace!.events.map((e) => e.attributes.manual)).toEqual([true, true, false, false, true]);
    expect(trace!.events[2]!.attributes.via).toBe('system:workflow-engine');
  });

  it('orders a history by time even when its records came in another order', () => {
    const log = entityHistoriesToLog([
      {
        entityId: 'e2',
        changes: [
          { at: '2026-01-03T00:00:00.000Z', action: 'entity.update', actor: 'u', changed: ['b'] },
          { at: '2026-01-01T00:00:00.000Z', action: 'entity.create', actor: 'u' },
        ],
      },
    ]);
    expect(log.traces[0]!.events.map((e) => e.activity)).toEqual(['created', 'updated: b']);
  });
});
