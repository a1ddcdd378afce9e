import { describe, expect, it } from 'vitest';
import { startFromSchedule, startFromSignal, SIGNAL_TRIGGER_ROLES } from '../../../functions/domain/triggers/starts.js';
import { createTrigger } from '../../../functions/domain/triggers/trigger-use-cases.js';
import { triggeredExecutionId } from '../../../functions/domain/triggers/execution-ids.js';
import { aContext } from '../../support/builders.js';
import { aSignal } from '../cases/builders.js';
import { triggerWorld } from './builders.js';

const admin = aContext({ userId: 'ada', roles: ['admin'] });

describe('a signal whose rule names a workflow', () => {
  it('starts it with the signal and the rule input, as the rule, with operator roles', async () => {
    const { startDeps, runs } = await triggerWorld();
    const signal = aSignal({ action: { startWorkflow: 'wf-1', input: { priority: 'high' } } });

    const out = await startFromSignal('tenant-a', signal, 'req-1', startDeps);

    const executionId = triggeredExecutionId('tenant-a', { kind: 'signal', signalId: signal.signalId });
    expect(out).toEqual({ started: true, executionId, created: true });
    expect((await runs.get('tenant-a', executionId))!).toMatchObject({
      input: { signal, priority: 'high' },
      startedBy: `trigger:signal:${signal.ruleId}`,
      startedByRoles: [...SIGNAL_TRIGGER_ROLES],
      trigger: { kind: 'signal', id: signal.signalId, ruleId: signal.ruleId, ruleVersion: 1, matchId: signal.matchId },
    });
  });

  it("acts with the roles of the rule version's author when the signal carries them", async () => {
    const { startDeps, runs } = await triggerWorld();
    const signal = aSignal({ action: { startWorkflow: 'wf-1', roles: ['admin'] } });
    const out = await startFromSignal('tenant-a', signal, 'req-1', startDeps);
    expect(out.started && (await runs.get('tenant-a', out.executionId))!.startedByRoles).toEqual(['admin']);
  });

  it('starts nothing new when the signal is delivered again', async () => {
    const { startDeps, starter, runs } = await triggerWorld();
    const signal = aSignal({ action: { startWorkflow: 'wf-1' } });
    const first = await startFromSignal('tenant-a', signal, 'req-1', startDeps);
    const again = await startFromSignal('tenant-a', signal, 'req-2', startDeps);
    expect(again).toMatchObject({ started: true, created: false });
    expect(again.started && first.started && again.executionId === first.executionId).toBe(true);
    expect(runs.items.size).toBe(1);
    expect(starter.started).toHaveLength(1);
  });

  it('starts nothing for a signal without an action or naming a workflow that is gone', async () => {
    const { startDeps, runs } = await triggerWorld();
    expect(await startFromSignal('tenant-a', aSignal(), 'r', startDeps)).toEqual({
      started: false,
      reason: 'no_action',
    });
    expect(await startFromSignal('tenant-a', aSignal({ action: { startWorkflow: 'gone' } }), 'r', startDeps)).toEqual({
      started: false,
      reason: 'workflow_not_found',
    });
    expect(runs.items.size).toBe(0);
  });
});

describe('a schedule trigger fire', () => {
  async function withTrigger(enabled = true) {
    const world = await triggerWorld();
    const t = await createTrigger(
      { kind: 'schedule', workflowId: 'wf-1', schedule: 'rate(1 minute)', input: { report: 'daily' }, enabled },
      admin,
      world.deps,
    );
    const fire = (scheduledTime: string) =>
      startFromSchedule(
        { tenantId: 'tenant-a', triggerId: t.id, scheduledTime },
        { ...world.startDeps, triggers: world.triggers },
      );
    return { ...world, t, fire };
  }

  it('starts one run per fire, whatever the retries of a fire, with the trigger creator roles', async () => {
    const { fire, runs, t } = await withTrigger();

    const first = await fire('2026-02-03T04:06:00Z');
    const retried = await fire('2026-02-03T04:06:00.000Z');
    const next = await fire('2026-02-03T04:07:00Z');

    expect(first).toMatchObject({ started: true, created: true });
    expect(retried).toMatchObject({ started: true, created: false });
    expect(next).toMatchObject({ started: true, created: true });
    expect(runs.items.size).toBe(2);
    const run = first.started ? (await runs.get('tenant-a', first.executionId))! : undefined;
    expect(run).toMatchObject({
      input: { schedule: { triggerId: t.id, scheduledTime: '2026-02-03T04:06:00.000Z' }, report: 'daily' },
      startedBy: `trigger:schedule:${t.id}`,
      startedByRoles: ['admin'],
      trigger: { kind: 'schedule', id: t.id, scheduledTime: '2026-02-03T04:06:00.000Z' },
    });
  });

  it('starts nothing for a disabled or deleted trigger', async () => {
    const { fire, runs } = await withTrigger(false);
    expect(await fire('2026-02-03T04:06:00Z')).toEqual({ started: false, reason: 'trigger_disabled' });
    const { startDeps, triggers } = await triggerWorld();
    expect(
      await startFromSchedule(
        { tenantId: 'tenant-a', triggerId: 'trg_missing1', scheduledTime: '2026-02-03T04:06:00Z' },
        { ...startDeps, triggers },
      ),
    ).toEqual({ started: false, reason: 'trigger_not_found' });
    expect(runs.items.size).toBe(0);
  });
});
