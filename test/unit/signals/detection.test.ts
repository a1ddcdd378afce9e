// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (a sequence's second pattern, or the workflow to start), not a thenable.
import { describe, expect, it } from 'vitest';
import { ConflictError, TransientError } from '../../../functions/domain/errors.js';
import {
  DEFAULT_GRACE_MS,
  type DetectionDeps,
  detectSignals,
  fireDeadline,
  signalIdOf,
} from '../../../functions/domain/signals/use-cases/detection.js';
import type { EntityBusEvent } from '../../../functions/domain/signals/use-cases/entity-events.js';
import type { StoredSignalRule } from '../../../functions/domain/signals/use-cases/ports.js';
import { RuleSetCache } from '../../../functions/domain/signals/use-cases/rule-set.js';
import { SignalDetectedPayload } from '../../../schemas/detected-signals.js';
import { type SignalRuleBodyInput, SignalRuleBody } from '../../../schemas/signals.js';
import {
  InMemoryDeadlineTimers,
  InMemorySignalHistory,
  InMemorySignalRuleStore,
  InMemorySignalStore,
} from '../../fakes/in-memory-signals.js';

const T = 'tenant-a';
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const SECOND = 1000;
const DAY = 86_400_000;

/** A platform around the use cases: fakes of every port and a clock the test moves. */
function aPlatform() {
  let now = T0;
  const rules = new InMemorySignalRuleStore();
  const store = new InMemorySignalStore();
  const timers = new InMemoryDeadlineTimers(() => now);
  const history = new InMemorySignalHistory();
  const slept: number[] = [];
  const deps: DetectionDeps = {
    ruleSets: new RuleSetCache(rules),
    store,
    timers,
    history,
    clock: { now: () => new Date(now) },
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
  let seq = 0;
  const version = new Map<string, number>();
  return {
    deps,
    rules,
    store,
    timers,
    history,
    slept,
    at: (t: number) => {
      now = t;
    },
    now: () => now,
    /** Stores a rule as the API would (the next version of its id). */
    async rule(body: SignalRuleBodyInput, tenantId = T) {
      const parsed = SignalRuleBody.parse(body);
      const current = await rules.get(tenantId, parsed.id);
      const stored: StoredSignalRule = {
        body: parsed,
        version: (current?.version ?? 0) + 1,
        createdAt: new Date(now).toISOString(),
        updatedAt: new Date(now).toISOString(),
        createdBy: 'alice',
        updatedBy: 'alice',
      };
      const audit = {
        action: 'signal-rule.x',
        actor: 'alice',
        resourceType: 'signal-rule',
        resourceId: parsed.id,
        at: stored.updatedAt,
        requestId: 'r',
        beforeHash: null,
        afterHash: null,
      };
      if (current) await rules.update(tenantId, stored, current.version, { audit, events: [] });
      else await rules.create(tenantId, stored, 0, { audit, events: [] });
    },
    /** An entity change event of `entityId` at time `t` (defaults: now), as the bus delivers it. */
    change(
      entityId: string,
      attributes: Record<string, unknown>,
      opts: { t?: number; type?: string; tenantId?: string; eventId?: string; detailType?: string } = {},
    ): EntityBusEvent {
      const v = (version.get(entityId) ?? 0) + 1;
      version.set(entityId, v);
      const at = new Date(opts.t ?? now).toISOString();
      return {
        source: 'modos.entities',
        'detail-type': opts.detailType ?? (v === 1 ? 'entity.created' : 'entity.updated'),
        detail: {
          tenantId: opts.tenantId ?? T,
          eventId: opts.eventId ?? `ev-${++seq}`,
          occurredAt: at,
          schemaVersion: 1,
          correlationId: `req-${seq}`,
          payload: {
            entity: {
              id: entityId,
              type: opts.type ?? 'deal',
              attributes,
              version: v,
              createdAt: at,
              updatedAt: at,
            },
            actor: 'u1',
          },
        },
      };
    },
  };
}

const stage = (value: string) => ({ detail: { payload: { entity: { attributes: { stage: [value] } } } } });

describe('signal detection on entity changes', () => {
  it('writes a signal with its audit record and signal.detected event when a match rule holds', async () => {
    const p = aPlatform();
    await p.rule({ id: 'S1', name: 'deal won', kind: 'match', match: stage('won') });
    const ev = p.change('deal-1', { stage: 'won' });
    const outcome = await detectSignals(ev, p.deps);
    expect(outcome).toEqual({
      evaluated: 1,
      signals: [signalIdOf(T, 'S1', 'deal-1', ev.detail.eventId)],
      history: { recorded: 1, trimmed: 0, skipped: 0 },
    });
    const [signal] = p.store.signalsOf(T);
    expect(signal).toMatchObject({
      ruleId: 'S1',
      ruleVersion: 1,
      ruleName: 'deal won',
      kind: 'match',
      key: 'deal-1',
      entityId: 'deal-1',
      eventIds: [ev.detail.eventId],
      at: ev.detail.occurredAt,
      caseKey: 'S1:deal-1',
      action: null,
    });
    const [m] = p.store.mutations;
    expect(m?.audit).toMatchObject({ action: 'signal.detect', actor: 'system:signal-detector', requestId: 'req-1' });
    expect(m?.events.map((e) => e.name)).toEqual(['signal.detected']);
    const payload = SignalDetectedPayload.parse(m?.events[0]?.payload);
    expect(payload.signalId).toBe(signal?.id);
  });

  it('sees entityId, entityType and activity in the detail, as signals:replay does', async () => {
    const p = aPlatform();
    await p.rule({
      id: 'S1',
      name: 'deal touched',
      kind: 'match',
      match: { detail: { activity: ['entity.updated'], entityType: ['deal'] } },
    });
    expect((await detectSignals(p.change('deal-1', {}), p.deps)).signals).toEqual([]);
    expect((await detectSignals(p.change('deal-1', {}), p.deps)).signals).toHaveLength(1);
    expect((await detectSignals(p.change('person-1', {}, { type: 'person' }), p.deps)).signals).toEqual([]);
  });

  it('does not read a key state for a rule the event does not concern', async () => {
    const p = aPlatform();
    await p.rule({ id: 'S1', name: 'won', kind: 'match', match: stage('won') });
    expect(await detectSignals(p.change('deal-1', { stage: 'open' }), p.deps)).toMatchObject({
      evaluated: 0,
      signals: [],
    });
    expect(p.store.commits).toBe(0);
  });

  it('writes one signal for a bus event delivered twice', async () => {
    const p = aPlatform();
    await p.rule({ id: 'S1', name: 'won', kind: 'match', match: stage('won') });
    const ev = p.change('deal-1', { stage: 'won' });
    await detectSignals(ev, p.deps);
    const commits = p.store.commits;
    expect((await detectSignals(structuredClone(ev), p.deps)).signals).toEqual([]);
    expect(p.store.signalsOf(T)).toHaveLength(1);
    expect(p.store.commits).toBe(commits);
  });

  it('detects a sequence across two changes of one entity, within its window only', async () => {
    const p = aPlatform();
    await p.rule({
      id: 'S2',
      name: 'won then lost',
      kind: 'sequence',
      first: stage('won'),
      then: stage('lost'),
      within: 'P1D',
    });
    await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps);
    await detectSignals(p.change('deal-2', { stage: 'won' }), p.deps);
    p.at(T0 + DAY - SECOND);
    expect((await detectSignals(p.change('deal-1', { stage: 'lost' }), p.deps)).signals).toHaveLength(1);
    p.at(T0 + DAY + SECOND);
    expect((await detectSignals(p.change('deal-2', { stage: 'lost' }), p.deps)).signals).toEqual([]);
    expect(p.store.signalsOf(T).map((s) => s.key)).toEqual(['deal-1']);
  });

  it("places a late event by its time: a B that happened before A's deadline prevents the absence", async () => {
    const p = aPlatform();
    await p.rule({
      id: 'S3',
      name: 'won not invoiced',
      kind: 'absence',
      first: stage('won'),
      missing: stage('invoiced'),
      within: 'PT1H',
    });
    const a = p.change('deal-1', { stage: 'won' });
    await detectSignals(a, p.deps);
    // B happened at T0+30 min, but is delivered after the deadline's grace has passed.
    p.at(T0 + 3_600_000 + DEFAULT_GRACE_MS - 1);
    await detectSignals(p.change('deal-1', { stage: 'invoiced' }, { t: T0 + 1_800_000 }), p.deps);
    p.at(T0 + 2 * 3_600_000);
    for (const fire of p.timers.due(p.now())) await fireDeadline(fire, p.deps);
    expect(p.store.signalsOf(T)).toEqual([]);
  });

  it("keeps tenants apart: another tenant's rules never see the event", async () => {
    const p = aPlatform();
    await p.rule({ id: 'S1', name: 'won', kind: 'match', match: stage('won') }, 'tenant-b');
    expect(await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps)).toMatchObject({
      evaluated: 0,
      signals: [],
    });
    expect(
      (await detectSignals(p.change('deal-9', { stage: 'won' }, { tenantId: 'tenant-b' }), p.deps)).signals,
    ).toHaveLength(1);
    expect(p.store.signalsOf(T)).toEqual([]);
    expect(p.store.signalsOf('tenant-b')).toHaveLength(1);
  });

  it('applies a rule created or disabled since the last event to the next one', async () => {
    const p = aPlatform();
    await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps);
    await p.rule({ id: 'S1', name: 'won', kind: 'match', match: stage('won') });
    expect((await detectSignals(p.change('deal-2', { stage: 'won' }), p.deps)).signals).toHaveLength(1);
    await p.rule({ id: 'S1', name: 'won', kind: 'match', match: stage('won'), enabled: false });
    expect((await detectSignals(p.change('deal-3', { stage: 'won' }), p.deps)).signals).toEqual([]);
    // Compiled once per rule-set version, not per event.
    const reads = p.rules.allRulesReads;
    await detectSignals(p.change('deal-4', { stage: 'won' }), p.deps);
    expect(p.rules.allRulesReads).toBe(reads);
  });

  it('names the case key the rule names, or the rule and key', async () => {
    const p = aPlatform();
    await p.rule({
      id: 'S1',
      name: 'won',
      kind: 'match',
      match: stage('won'),
      case: { key: 'payload.entity.attributes.account', title: 'Account review' },
      then: { startWorkflow: 'wf-review', input: { priority: 'high' } },
    });
    await detectSignals(p.change('deal-1', { stage: 'won', account: 'acme' }), p.deps);
    await detectSignals(p.change('deal-2', { stage: 'won' }), p.deps);
    const byKey = Object.fromEntries(p.store.signalsOf(T).map((s) => [s.key, s]));
    expect(byKey['deal-1']).toMatchObject({
      caseKey: 'acme',
      caseTitle: 'Account review',
      action: { startWorkflow: 'wf-review', input: { priority: 'high' } },
    });
    expect(byKey['deal-2']?.caseKey).toBe('S1:deal-2');
  });

  it('groups by the key the rule names and records the entity of the events', async () => {
    const p = aPlatform();
    await p.rule({
      id: 'S4',
      name: 'three deals of an account in a day',
      kind: 'count',
      key: 'payload.entity.attributes.account',
      match: { detail: { entityType: ['deal'] } },
      atLeast: 3,
      within: 'P1D',
    });
    for (const deal of ['d1', 'd2']) await detectSignals(p.change(deal, { account: 'acme' }), p.deps);
    await detectSignals(p.change('d3', { account: 'other' }), p.deps);
    expect(p.store.signalsOf(T)).toEqual([]);
    await detectSignals(p.change('d4', { account: 'acme' }), p.deps);
    expect(p.store.signalsOf(T)).toMatchObject([{ key: 'acme', entityId: 'd4', caseKey: 'S4:acme' }]);
  });

  it('evaluates each entity of a merge', async () => {
    const p = aPlatform();
    await p.rule({ id: 'S5', name: 'merged', kind: 'match', match: { detail: { activity: ['entity.merged'] } } });
    const merge: EntityBusEvent = {
      source: 'modos.resolution',
      'detail-type': 'entity.merged',
      detail: {
        tenantId: T,
        eventId: 'm-1',
        occurredAt: new Date(T0).toISOString(),
        payload: { type: 'person', clusterId: 'c1', entityIds: ['p1', 'p2', 'p1'], memberIds: ['p1', 'p2', 'p3'] },
      },
    };
    expect((await detectSignals(merge, p.deps)).signals).toHaveLength(2);
    expect(p.store.signalsOf(T).map((s) => [s.key, s.eventIds])).toEqual([
      ['p1', ['m-1/p1']],
      ['p2', ['m-1/p2']],
    ]);
  });
});

describe('absence deadlines', () => {
  const absence = {
    id: 'S3',
    name: 'won not invoiced',
    kind: 'absence' as const,
    first: stage('won'),
    missing: stage('invoiced'),
    within: 'PT1H',
  };

  it('arms a timer at the deadline plus the grace, and writes the signal when it fires, at the deadline', async () => {
    const p = aPlatform();
    await p.rule(absence);
    const a = p.change('deal-1', { stage: 'won' });
    await detectSignals(a, p.deps);
    const deadline = T0 + 3_600_000;
    expect([...p.timers.armed.values()]).toEqual([
      {
        fire: { tenantId: T, ruleId: 'S3', ruleVersion: 1, key: 'deal-1', deadline },
        fireAt: deadline + 1 + DEFAULT_GRACE_MS,
      },
    ]);
    expect(p.timers.due(deadline + DEFAULT_GRACE_MS)).toEqual([]);
    p.at(deadline + 1 + DEFAULT_GRACE_MS);
    const [fire] = p.timers.due(p.now());
    const outcome = await fireDeadline(fire!, p.deps);
    expect(outcome).toMatchObject({ evaluated: 1, signals: [expect.any(String)] });
    expect(p.store.signalsOf(T)).toMatchObject([
      { kind: 'absence', key: 'deal-1', at: new Date(deadline).toISOString(), eventIds: [a.detail.eventId] },
    ]);
    expect(p.store.mutations[0]?.audit.requestId).toBe(`deadline:S3:${deadline}`);
    // Delivered twice: nothing new.
    expect(await fireDeadline(fire!, p.deps)).toMatchObject({ signals: [] });
    expect(p.store.signalsOf(T)).toHaveLength(1);
  });

  it('writes nothing when the missing event came in time', async () => {
    const p = aPlatform();
    await p.rule(absence);
    await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps);
    p.at(T0 + 600_000);
    await detectSignals(p.change('deal-1', { stage: 'invoiced' }), p.deps);
    p.at(T0 + 2 * 3_600_000);
    for (const fire of p.timers.due(p.now())) expect(await fireDeadline(fire, p.deps)).toMatchObject({ signals: [] });
    expect(p.store.signalsOf(T)).toEqual([]);
  });

  it('acts at once on a deadline that passed while it was computed', async () => {
    const p = aPlatform();
    await p.rule(absence);
    // The A happened long ago (delivered late): its deadline passed before the event arrived.
    p.at(T0 + 5 * 3_600_000);
    await detectSignals(p.change('deal-1', { stage: 'won' }, { t: T0 }), p.deps);
    expect(p.store.signalsOf(T)).toMatchObject([{ kind: 'absence', at: new Date(T0 + 3_600_000).toISOString() }]);
    expect(p.timers.armed.size).toBe(0);
  });

  it('evaluates again at once when the timer answers that its time came on the way', async () => {
    const p = aPlatform();
    await p.rule(absence);
    // Half a second before the deadline counts as passed; the clock runs on while the evaluation is computed.
    p.at(T0 + 3_600_000 + 1 + DEFAULT_GRACE_MS - 500);
    const ticking = { ...p.deps, clock: { now: () => (p.at(p.now() + 400), new Date(p.now())) } };
    await detectSignals(p.change('deal-1', { stage: 'won' }, { t: T0 }), ticking);
    expect(p.timers.calls.map((c) => c.op)).toEqual(['arm']);
    expect(p.timers.armed.size).toBe(0);
    expect(p.store.signalsOf(T)).toMatchObject([{ kind: 'absence', at: new Date(T0 + 3_600_000).toISOString() }]);
  });

  it('waits out a fire that comes early, then evaluates', async () => {
    const p = aPlatform();
    await p.rule(absence);
    await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps);
    const fire = [...p.timers.armed.values()][0]!.fire;
    p.at(fire.deadline - 20 * SECOND);
    await fireDeadline(fire, p.deps);
    expect(p.slept).toEqual([20 * SECOND + 1 + DEFAULT_GRACE_MS]);
    expect(p.store.signalsOf(T)).toHaveLength(1);
  });

  it('arms an early fire again when it is far too early', async () => {
    const p = aPlatform();
    await p.rule(absence);
    await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps);
    const [fire] = p.timers.due(Number.POSITIVE_INFINITY);
    expect(await fireDeadline(fire!, p.deps)).toEqual({ skipped: 'rearmed' });
    expect(p.timers.armed.size).toBe(1);
    expect(p.store.signalsOf(T)).toEqual([]);
  });

  it('fires into nothing for a deleted or disabled rule, and for a rule whose definition changed', async () => {
    const p = aPlatform();
    await p.rule(absence);
    await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps);
    const [fire] = p.timers.due(Number.POSITIVE_INFINITY);
    p.at(fire!.deadline + 1 + DEFAULT_GRACE_MS);
    await p.rule({ ...absence, enabled: false });
    expect(await fireDeadline(fire!, p.deps)).toEqual({ skipped: 'rule-disabled' });
    await p.rule({ ...absence, within: 'PT2H' });
    expect(await fireDeadline(fire!, p.deps)).toMatchObject({ signals: [] });
    const live = (await p.rules.get(T, 'S3'))!;
    await p.rules.delete(T, 'S3', live.version, { audit: p.store.mutations[0]?.audit ?? ({} as never), events: [] });
    expect(await fireDeadline(fire!, p.deps)).toEqual({ skipped: 'rule-gone' });
    expect(p.store.signalsOf(T)).toEqual([]);
  });

  it('keeps the key state across a change of name only', async () => {
    const p = aPlatform();
    await p.rule(absence);
    await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps);
    await p.rule({ ...absence, name: 'renamed' });
    const [fire] = p.timers.due(Number.POSITIVE_INFINITY);
    p.at(fire!.deadline + 1 + DEFAULT_GRACE_MS);
    await fireDeadline(fire!, p.deps);
    expect(p.store.signalsOf(T)).toMatchObject([{ ruleName: 'renamed', ruleVersion: 2 }]);
  });

  it('arms one timer per key while its deadline stays, and the next one when an inactivity deadline moves', async () => {
    const p = aPlatform();
    await p.rule({ id: 'S6', name: 'silent', kind: 'inactivity', longerThan: 'PT1H', fireAtDeadline: true });
    await detectSignals(p.change('deal-1', {}), p.deps);
    p.at(T0 + 600_000);
    await detectSignals(p.change('deal-1', {}), p.deps);
    // The first deadline is armed; the later one is armed by its fire.
    expect(p.timers.calls.filter((c) => c.op === 'arm')).toHaveLength(1);
    p.at(T0 + 3_600_000 + 2 + DEFAULT_GRACE_MS);
    for (const fire of p.timers.due(p.now())) await fireDeadline(fire, p.deps);
    expect(p.store.signalsOf(T)).toEqual([]);
    const [next] = [...p.timers.armed.values()];
    expect(next?.fire.deadline).toBe(T0 + 600_000 + 3_600_000 + 1);
    p.at(next!.fireAt);
    for (const fire of p.timers.due(p.now())) await fireDeadline(fire, p.deps);
    expect(p.store.signalsOf(T)).toMatchObject([{ kind: 'inactivity', key: 'deal-1' }]);
  });
});

describe('concurrency and retries', () => {
  it('evaluates again when another writer moved the key state between its read and its write', async () => {
    const p = aPlatform();
    await p.rule({ id: 'S4', name: 'twice', kind: 'count', match: stage('won'), atLeast: 2, within: 'P1D' });
    const first = p.change('deal-1', { stage: 'won' });
    const second = p.change('deal-1', { stage: 'won' });
    // The second event's first attempt reads the state before the first event's write lands.
    let raced = false;
    p.store.beforeCommit = async () => {
      if (raced) return;
      raced = true;
      await detectSignals(first, p.deps);
    };
    await detectSignals(second, p.deps);
    expect(p.store.signalsOf(T)).toMatchObject([
      { kind: 'count', eventIds: [first.detail.eventId, second.detail.eventId] },
    ]);
  });

  it('leaves out a signal that exists already (a state lost after its signal was written)', async () => {
    const p = aPlatform();
    await p.rule({ id: 'S1', name: 'won', kind: 'match', match: stage('won') });
    const ev = p.change('deal-1', { stage: 'won' });
    await detectSignals(ev, p.deps);
    p.store.states.clear();
    expect((await detectSignals(ev, p.deps)).signals).toEqual([]);
    expect(p.store.signalsOf(T)).toHaveLength(1);
    expect(p.store.states.size).toBe(1);
  });

  it('starts a key afresh once its state expired, though the table has not deleted it yet', async () => {
    const p = aPlatform();
    await p.rule({
      id: 'S2',
      name: 'won then lost',
      kind: 'sequence',
      first: stage('won'),
      then: stage('lost'),
      within: 'P1D',
    });
    await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps);
    const state = [...p.store.states.values()][0]!;
    // Past its expiry, the old first A is forgotten: a new A opens a new window.
    p.at(state.expiresAt + 1);
    await detectSignals(p.change('deal-1', { stage: 'won' }), p.deps);
    p.at(state.expiresAt + 3_600_000);
    expect((await detectSignals(p.change('deal-1', { stage: 'lost' }), p.deps)).signals).toHaveLength(1);
    expect([...p.store.states.values()][0]!.revision).toBe(3);
  });

  it('gives up with a TransientError when the key keeps changing, so the delivery is retried', async () => {
    const p = aPlatform();
    await p.rule({ id: 'S1', name: 'won', kind: 'match', match: stage('won') });
    p.store.beforeCommit = () => {
      throw new ConflictError('always moved');
    };
    await expect(detectSignals(p.change('deal-1', { stage: 'won' }), p.deps)).rejects.toBeInstanceOf(TransientError);
  });
});

describe('the signal history the detector records', () => {
  it('records every entity change it sees, with no rule at all and with rules that ignore it, per tenant', async () => {
    const p = aPlatform();
    const first = p.change('deal-1', { stage: 'open' });
    expect((await detectSignals(first, p.deps)).history).toEqual({ recorded: 1, trimmed: 0, skipped: 0 });
    await p.rule({ id: 'S1', name: 'won', kind: 'match', match: stage('won') });
    await detectSignals(p.change('deal-1', { stage: 'lost' }), p.deps);
    await detectSignals(p.change('deal-9', { stage: 'won' }, { tenantId: 'tenant-b' }), p.deps);
    expect(p.history.of(T).map((e) => [e.event.id, e.event.time])).toEqual([
      [first.detail.eventId, T0],
      ['ev-2', T0],
    ]);
    // As the rules see it: the bus event with the detail's entityId, entityType and activity.
    expect(p.history.of(T)[0]!.event.event).toMatchObject({
      source: 'modos.entities',
      'detail-type': 'entity.created',
      detail: { entityId: 'deal-1', entityType: 'deal', activity: 'entity.created', tenantId: T },
    });
    expect(p.history.of('tenant-b').map((e) => e.event.id)).toEqual(['ev-3']);
  });

  it('keeps one entry per event id when an event is delivered again', async () => {
    const p = aPlatform();
    const ev = p.change('deal-1', { stage: 'won' });
    await detectSignals(ev, p.deps);
    await detectSignals({ ...ev, id: 'another-bus-id' }, p.deps);
    expect(p.history.of(T)).toHaveLength(1);
    expect(p.history.of(T)[0]!.event.event.id).toBeUndefined();
  });

  it('records a merge once per entity it names, by the ids the rules count', async () => {
    const p = aPlatform();
    const merge: EntityBusEvent = {
      source: 'modos.resolution',
      'detail-type': 'entity.merged',
      detail: {
        tenantId: T,
        eventId: 'm-1',
        occurredAt: new Date(T0).toISOString(),
        payload: { type: 'person', clusterId: 'c1', entityIds: ['p1', 'p2', 'p1'], memberIds: ['p1', 'p2'] },
      },
    };
    expect((await detectSignals(merge, p.deps)).history.recorded).toBe(2);
    expect(p.history.of(T).map((e) => e.event.id)).toEqual(['m-1/p1', 'm-1/p2']);
  });

  it('stores an oversized event trimmed and counts it; an event older than the history keeps is skipped', async () => {
    const p = aPlatform();
    const big = p.change('deal-1', { stage: 'won', notes: 'x'.repeat(4000), more: 'y'.repeat(4000) });
    (big.detail.payload.entity as { attributes: Record<string, unknown> }).attributes.extra = ['z'.repeat(4000)];
    (big.detail.payload.entity as { attributes: Record<string, unknown> }).attributes.last = 'w'.repeat(4000);
    expect((await detectSignals(big, p.deps)).history).toEqual({ recorded: 1, trimmed: 1, skipped: 0 });
    const [entry] = p.history.of(T);
    expect(entry!.trimmed).toBe(true);
    const detail = entry!.event.event.detail as { payload: { entity: { attributes: Record<string, unknown> } } };
    expect(Object.keys(detail.payload.entity.attributes)).toContain('stage');
    const old = p.change('deal-2', { stage: 'won' }, { t: T0 - 32 * DAY });
    expect((await detectSignals(old, p.deps)).history).toEqual({ recorded: 0, trimmed: 0, skipped: 1 });
    expect(p.history.of(T)).toHaveLength(1);
  });
});
