/**
 * The event and schedule targets of cases and triggers through their handlers (makeHandler over fakes): a
 * catalogue signal.detected reaches the case manager and the workflow trigger typed and validated, anything else is
 * refused as EventSchemaError (it dead-letters instead of being retried); a schedule fire's input is checked.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENT_SOURCES } from '../../../schemas/event-names.js';
import { stubHandlerSettings } from '../../support/builders.js';
import { InMemoryCaseStore } from '../../fakes/in-memory-cases.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import { aSignal } from '../cases/builders.js';
import { triggerWorld } from './builders.js';

let caseManager: typeof import('../../../functions/handlers/case-manager.js');
let signalTrigger: typeof import('../../../functions/handlers/signal-workflow-trigger.js');
let scheduled: typeof import('../../../functions/handlers/scheduled-workflow.js');

beforeAll(async () => {
  stubHandlerSettings((name, value) => vi.stubEnv(name, value));
  [caseManager, signalTrigger, scheduled] = await Promise.all([
    import('../../../functions/handlers/case-manager.js'),
    import('../../../functions/handlers/signal-workflow-trigger.js'),
    import('../../../functions/handlers/scheduled-workflow.js'),
  ]);
});

const aDetected = (payload: Record<string, unknown>) => ({
  version: '0',
  id: 'evt-1',
  source: EVENT_SOURCES['signal.detected'],
  'detail-type': 'signal.detected',
  time: '2026-02-03T04:05:06Z',
  detail: {
    tenantId: 'tenant-a',
    eventId: 'e-1',
    occurredAt: '2026-02-03T04:05:06.000Z',
    schemaVersion: 1,
    correlationId: 'corr-1',
    payload,
  },
});

describe('the case manager target', () => {
  it('opens a case for a catalogue signal.detected and refuses another event', async () => {
    const cases = new InMemoryCaseStore();
    const handler = caseManager.makeHandler({
      cases,
      idempotency: cases,
      clock: fixedClock(),
      ids: sequentialIds('case-id'),
    });
    const signal = aSignal();

    await expect(handler(aDetected(signal))).resolves.toMatchObject({ outcome: 'opened' });
    await expect(handler(aDetected(signal))).resolves.toMatchObject({ outcome: 'duplicate' });
    await expect(handler({ ...aDetected(signal), source: 'modos.cases' })).rejects.toMatchObject({
      name: 'EventSchemaError',
    });
    const { caseKey: _dropped, ...withoutKey } = signal;
    await expect(handler(aDetected(withoutKey))).rejects.toMatchObject({ name: 'EventSchemaError' });
    expect(cases.items.size).toBe(1);
  });
});

describe('the signal workflow trigger target', () => {
  it('starts the workflow the signal names once', async () => {
    const { startDeps, runs } = await triggerWorld();
    const handler = signalTrigger.makeHandler(startDeps);
    const event = aDetected(aSignal({ action: { startWorkflow: 'wf-1', input: { a: 1 } } }));
    await expect(handler(event)).resolves.toMatchObject({ started: true, created: true });
    await expect(handler(event)).resolves.toMatchObject({ started: true, created: false });
    expect(runs.items.size).toBe(1);
  });
});

describe('the scheduled workflow target', () => {
  it('refuses a fire whose input is not { tenantId, triggerId, scheduledTime }', async () => {
    const { startDeps, triggers } = await triggerWorld();
    const handler = scheduled.makeHandler({ ...startDeps, triggers });
    for (const bad of [
      {},
      { tenantId: 'tenant-a', triggerId: 'trg_abcdef1' },
      { tenantId: 'tenant-a', triggerId: 'trg_abcdef1', scheduledTime: '<aws.scheduler.scheduled-time>' },
      { tenantId: 'a b', triggerId: 'trg_abcdef1', scheduledTime: '2026-02-03T04:06:00Z' },
    ])
      await expect(handler(bad)).rejects.toMatchObject({ name: 'EventSchemaError' });
    await expect(
      handler({ tenantId: 'tenant-a', triggerId: 'trg_abcdef1', scheduledTime: '2026-02-03T04:06:00Z' }),
    ).resolves.toEqual({ started: false, reason: 'trigger_not_found' });
  });
});
