import { describe, expect, it } from 'vitest';
import { listCases } from '../../../functions/domain/cases/case-use-cases.js';
import { recordSignalOnCase } from '../../../functions/domain/cases/signal-cases.js';
import { aContext } from '../../support/builders.js';
import { triggeredExecutionId } from '../../../functions/domain/triggers/execution-ids.js';
import { MAX_CASE_SIGNALS } from '../../../schemas/cases.js';
import { EVENT_CATALOGUE } from '../../../schemas/events.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import { InMemoryCaseStore } from '../../fakes/in-memory-cases.js';
import { aSignal } from './builders.js';

function setup() {
  const cases = new InMemoryCaseStore();
  const deps = { cases, idempotency: cases, clock: fixedClock(), ids: sequentialIds('case-id') };
  const record = (signal: ReturnType<typeof aSignal>, tenantId = 'tenant-a') =>
    recordSignalOnCase(tenantId, signal, 'req-1', deps);
  const events = () => cases.mutations.flatMap((m) => m.events);
  return { cases, deps, record, events };
}

describe('the case manager', () => {
  it('opens a case for the first signal of a key, titled by the rule, audited and emitted as case.opened', async () => {
    const { cases, record, events } = setup();
    const signal = aSignal();

    const out = await record(signal);

    expect(out.outcome).toBe('opened');
    const opened = (await cases.get('tenant-a', out.caseId!))!;
    expect(opened).toMatchObject({
      caseKey: 'stalled-deal:deal-1',
      title: 'Deal stalled',
      status: 'open',
      assignee: null,
      entityId: 'deal-1',
      ruleId: 'stalled-deal',
      signalCount: 1,
      signals: [{ signalId: signal.signalId, ruleId: 'stalled-deal', at: signal.at }],
      version: 1,
      resolvedAt: null,
    });
    expect(cases.mutations[0]!.audit).toMatchObject({ action: 'case.open', actor: 'system:case-manager' });
    expect(events().map((e) => e.name)).toEqual(['case.opened']);
    expect(EVENT_CATALOGUE['case.opened'].detail.shape.payload.safeParse(events()[0]!.payload).success).toBe(true);
  });

  it('links every signal it records to its case, so the case list finds the case of a signal', async () => {
    const { cases, record } = setup();
    const first = aSignal();
    const second = aSignal();
    const opened = await record(first);
    await record(second);
    const ctx = aContext({ tenantId: 'tenant-a', roles: ['operator'] });
    for (const s of [first, second])
      expect((await listCases({ limit: 25, signal: s.signalId }, ctx, { cases })).items.map((c) => c.id)).toEqual([
        opened.caseId,
      ]);
    expect((await listCases({ limit: 25, signal: 'sig_unknown' }, ctx, { cases })).items).toEqual([]);
    // Delivered again: nothing changes, the link stays.
    expect((await record(first)).outcome).toBe('duplicate');
    expect(cases.signalCases.size).toBe(2);
  });

  it('answers a delivery after the marker expired as a duplicate: the link still names the case', async () => {
    const { cases, record } = setup();
    const signal = aSignal();
    const opened = await record(signal);
    // The case was resolved since, and the marker's TTL (30 days) has passed; the link stays.
    const held = (await cases.get('tenant-a', opened.caseId!))!;
    await cases.update(
      'tenant-a',
      { ...held, status: 'resolved', version: 2 },
      1,
      { audit: {} as never, events: [] },
      'release',
    );
    cases.markers.clear();

    expect(await record(signal)).toEqual({ outcome: 'duplicate', caseId: opened.caseId });
    // No second case for the key.
    expect(cases.items.size).toBe(1);
  });

  it("takes the case title the rule names over the rule's name", async () => {
    const { cases, record } = setup();
    const out = await record(aSignal({ caseTitle: 'Call the buyer' }));
    expect((await cases.get('tenant-a', out.caseId!))!.title).toBe('Call the buyer');
  });

  it('records a later signal of the same key on the open case and emits case.updated', async () => {
    const { cases, record, events } = setup();
    const first = await record(aSignal());
    const second = aSignal();

    const out = await record(second);

    expect(out).toEqual({ outcome: 'updated', caseId: first.caseId });
    const updated = (await cases.get('tenant-a', first.caseId!))!;
    expect(updated.signalCount).toBe(2);
    expect(updated.version).toBe(2);
    expect(updated.signals.map((s) => s.signalId).at(-1)).toBe(second.signalId);
    expect(events().at(-1)).toMatchObject({
      name: 'case.updated',
      payload: { changed: ['signals'], signalId: second.signalId },
    });
  });

  it('changes nothing when the same signal is delivered again, even after its case moved on', async () => {
    const { cases, record } = setup();
    const signal = aSignal();
    const first = await record(signal);
    await record(aSignal());
    const writes = cases.mutations.length;

    const again = await record(signal);

    expect(again).toEqual({ outcome: 'duplicate', caseId: first.caseId });
    expect(cases.mutations).toHaveLength(writes);
    expect((await cases.get('tenant-a', first.caseId!))!.signalCount).toBe(2);
  });

  it('keeps a duplicate out when its marker is written between the read and the write of a concurrent delivery', async () => {
    const { cases, deps, record } = setup();
    const signal = aSignal();
    // The other delivery wins the race: its marker lands just before this one writes.
    cases.beforeWrite = () => cases.markers.set(`tenant-a/case-signal:${signal.signalId}`, { caseId: 'case_other' });

    const out = await record(signal);

    expect(out).toEqual({ outcome: 'duplicate', caseId: 'case_other' });
    expect(await deps.cases.openCaseOf('tenant-a', signal.caseKey)).toBeUndefined();
  });

  it('lands on the case another signal of the key opened between its read and its create', async () => {
    const { cases, record } = setup();
    const other = setup();
    const rival = aSignal();
    await other.record(rival);
    const rivalCase = [...other.cases.items.values()][0]!;
    const mine = aSignal();
    // The rival's case (opened by another instance) lands just before this one creates its own.
    cases.beforeWrite = () => {
      cases.items.set(`tenant-a/${rivalCase.id}`, rivalCase);
      cases.claims.set(`tenant-a/${rivalCase.caseKey}`, rivalCase.id);
    };

    const out = await record(mine);

    expect(out).toEqual({ outcome: 'updated', caseId: rivalCase.id });
    const open = (await cases.openCaseOf('tenant-a', mine.caseKey))!;
    expect(open.signals.map((s) => s.signalId)).toEqual([rival.signalId, mine.signalId]);
    expect(cases.items.size).toBe(1);
  });

  it('opens a new case for a key whose case was resolved', async () => {
    const { cases, record } = setup();
    const first = await record(aSignal());
    const resolved = { ...(await cases.get('tenant-a', first.caseId!))!, status: 'resolved' as const, version: 2 };
    await cases.update('tenant-a', resolved, 1, { audit: {} as never, events: [] }, 'release');

    const out = await record(aSignal());

    expect(out.outcome).toBe('opened');
    expect(out.caseId).not.toBe(first.caseId);
    expect((await cases.get('tenant-a', first.caseId!))!.status).toBe('resolved');
  });

  it('keeps the newest signals listed and counts them all', async () => {
    const { cases, record } = setup();
    const ids: string[] = [];
    for (let i = 0; i < MAX_CASE_SIGNALS + 7; i++) {
      const s = aSignal();
      ids.push(s.signalId);
      await record(s);
    }
    const open = (await cases.openCaseOf('tenant-a', 'stalled-deal:deal-1'))!;
    expect(open.signalCount).toBe(MAX_CASE_SIGNALS + 7);
    expect(open.signals.map((s) => s.signalId)).toEqual(ids.slice(-MAX_CASE_SIGNALS));
  });

  it('names the run a signal of a rule with an action started', async () => {
    const { cases, record } = setup();
    const signal = aSignal({ action: { startWorkflow: 'wf-1' } });
    const out = await record(signal);
    expect((await cases.get('tenant-a', out.caseId!))!.signals[0]!.executionId).toBe(
      triggeredExecutionId('tenant-a', { kind: 'signal', signalId: signal.signalId }),
    );
  });

  it('keeps the cases of two tenants with the same case key apart', async () => {
    const { record } = setup();
    const a = await record(aSignal(), 'tenant-a');
    const b = await record(aSignal(), 'tenant-b');
    expect(a.outcome).toBe('opened');
    expect(b.outcome).toBe('opened');
    expect(a.caseId).not.toBe(b.caseId);
  });
});
