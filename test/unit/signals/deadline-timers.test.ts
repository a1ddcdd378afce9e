import { describe, expect, it } from 'vitest';
import { deadlineFireOf, deadlineTimersOn } from '../../../functions/domain/signals/use-cases/deadline-timers.js';
import {
  type DetectionDeps,
  detectSignals,
  fireDeadline,
} from '../../../functions/domain/signals/use-cases/detection.js';
import type { EntityBusEvent } from '../../../functions/domain/signals/use-cases/entity-events.js';
import { RuleSetCache } from '../../../functions/domain/signals/use-cases/rule-set.js';
import { SignalDeadlineInput } from '../../../schemas/signal-deadline.js';
import { SignalRuleBody } from '../../../schemas/signals.js';
import { InMemoryScheduleGroup } from '../../fakes/in-memory-schedule-group.js';
import { InMemorySignalHistory, InMemorySignalRuleStore, InMemorySignalStore } from '../../fakes/in-memory-signals.js';

const T = 'tenant-a';
const T0 = Date.parse('2026-03-01T10:00:20.000Z');
const KEY = 'ada@example.com';

async function aWorld() {
  let now = T0;
  const group = new InMemoryScheduleGroup('modos-test-signal-deadlines', () => now);
  const rules = new InMemorySignalRuleStore();
  const store = new InMemorySignalStore();
  const deps: DetectionDeps = {
    ruleSets: new RuleSetCache(rules),
    store,
    timers: deadlineTimersOn(group),
    history: new InMemorySignalHistory(),
    clock: { now: () => new Date(now) },
  };
  const body = SignalRuleBody.parse({
    id: 'S3',
    name: 'signed up, never confirmed',
    kind: 'absence',
    key: 'payload.entity.attributes.email',
    first: { detail: { activity: ['entity.created'] } },
    missing: { detail: { payload: { entity: { attributes: { confirmed: [true] } } } } },
    within: 'PT10M',
  });
  const at = new Date(T0).toISOString();
  await rules.create(T, { body, version: 1, createdAt: at, updatedAt: at, createdBy: 'a', updatedBy: 'a' }, 0, {
    audit: {
      action: 'x',
      actor: 'a',
      resourceType: 'signal-rule',
      resourceId: 'S3',
      at,
      requestId: 'r',
      beforeHash: null,
      afterHash: null,
    },
    events: [],
  });
  const signUp: EntityBusEvent = {
    source: 'modos.entities',
    'detail-type': 'entity.created',
    detail: {
      tenantId: T,
      eventId: 'ev-1',
      occurredAt: at,
      payload: { entity: { id: 'person-1', type: 'person', attributes: { email: KEY } } },
    },
  };
  return { group, store, deps, signUp, at: (t: number) => (now = t) };
}

describe('signal deadlines on a schedule group', () => {
  it('arms one one-shot schedule whose name carries no attribute value and whose input names the fire', async () => {
    const w = await aWorld();
    await detectSignals(w.signUp, w.deps);
    await detectSignals(structuredClone(w.signUp), w.deps);
    const [schedule, ...others] = [...w.group.schedules.values()];
    expect(others).toEqual([]);
    expect(schedule!.name).not.toContain('ada');
    expect(schedule!.description).toBe('modos signal deadline: tenant tenant-a, rule S3');
    const deadline = T0 + 600_000;
    expect(deadlineFireOf(SignalDeadlineInput.parse(schedule!.input))).toEqual({
      tenantId: T,
      ruleId: 'S3',
      ruleVersion: 1,
      key: KEY,
      deadline,
    });
    // Scheduler's minute: the first whole minute after the deadline and its grace.
    expect(schedule!.fireAt).toBe(Date.parse('2026-03-01T10:11:00.000Z'));
  });

  it('writes the absence when the schedule fires, with its input as the event', async () => {
    const w = await aWorld();
    await detectSignals(w.signUp, w.deps);
    const [due] = w.group.due(Number.POSITIVE_INFINITY);
    w.at(due!.fireAt!);
    const input = SignalDeadlineInput.parse(w.group.fire(due!.name));
    await fireDeadline(deadlineFireOf(input), w.deps);
    expect(w.store.signalsOf(T)).toMatchObject([{ kind: 'absence', key: KEY, entityId: 'person-1' }]);
    expect(w.group.schedules.size).toBe(0);
  });

  it('fails the delivery and writes no state when the schedule cannot be written, so the retry arms it', async () => {
    const w = await aWorld();
    w.group.failNext();
    await expect(detectSignals(w.signUp, w.deps)).rejects.toThrow('scheduler unavailable');
    expect(w.store.states.size).toBe(0);
    await detectSignals(structuredClone(w.signUp), w.deps);
    expect(w.group.schedules.size).toBe(1);
    expect(w.store.states.size).toBe(1);
  });
});
