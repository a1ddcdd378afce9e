// biome-ignore-all lint/suspicious/noThenProperty: `then` is a field of the signal rule body (the workflow to start), not a thenable.
import { describe, expect, it } from 'vitest';
import { ForbiddenError, ValidationError } from '../../../functions/domain/errors.js';
import { type EntityBusEvent, signalEventsOf } from '../../../functions/domain/signals/use-cases/entity-events.js';
import { previewSignalRule, type RulePreviewDeps } from '../../../functions/domain/signals/use-cases/rule-preview.js';
import { historyEntryOf } from '../../../functions/domain/signals/use-cases/signal-history.js';
import { aContext } from '../../support/builders.js';
import { InMemorySignalHistory, workflowCatalogOf } from '../../fakes/in-memory-signals.js';

const T = 'tenant-a';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The request's time: 09:00 UTC on the 30th, so the 30 days are Nov 1 to Nov 30. */
const NOW = Date.parse('2026-11-30T09:00:00.000Z');
const analyst = aContext({ tenantId: T, roles: ['analyst'], userId: 'ann' });

/** A tenant's history and the preview's other ports; `change` records an entity change as the detector does. */
function aHistory(limits?: RulePreviewDeps['limits']) {
  const history = new InMemorySignalHistory();
  const deps: RulePreviewDeps = {
    history,
    workflows: workflowCatalogOf({ [T]: ['wf-review'] }),
    clock: { now: () => new Date(NOW) },
    ...(limits ? { limits } : {}),
  };
  let seq = 0;
  return {
    history,
    deps,
    async change(entityId: string, attributes: Record<string, unknown>, t: number, tenantId = T) {
      const at = new Date(t).toISOString();
      const bus: EntityBusEvent = {
        source: 'modos.entities',
        'detail-type': 'entity.updated',
        detail: {
          tenantId,
          eventId: `ev-${String(++seq).padStart(4, '0')}`,
          occurredAt: at,
          schemaVersion: 1,
          payload: {
            entity: { id: entityId, type: 'deal', attributes, version: seq, createdAt: at, updatedAt: at },
            changed: Object.keys(attributes),
            actor: 'u1',
          },
        },
      };
      const entries = signalEventsOf(bus).map((ev) => historyEntryOf(ev)!);
      await history.record(tenantId, entries);
      return bus.detail.eventId;
    },
  };
}

const stage = (value: string) => ({ detail: { payload: { entity: { attributes: { stage: [value] } } } } });
const twiceLostInADay = {
  id: 'S1',
  name: 'lost twice within a day',
  kind: 'count',
  match: stage('lost'),
  atLeast: 2,
  within: 'P1D',
};

async function refusal(p: Promise<unknown>): Promise<ValidationError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('previewing a signal rule on the signal history', () => {
  it('counts the matches, keys and days of a rule that fires on some keys and not on others', async () => {
    const h = aHistory();
    const day10 = Date.parse('2026-11-10T08:00:00.000Z');
    const a1 = await h.change('deal-a', { stage: 'lost' }, day10);
    const a2 = await h.change('deal-a', { stage: 'lost' }, day10 + 5 * HOUR);
    // Two of deal-b, but 25 hours apart: outside the window.
    await h.change('deal-b', { stage: 'lost' }, day10);
    await h.change('deal-b', { stage: 'lost' }, day10 + 25 * HOUR);
    // Within the window but another stage.
    await h.change('deal-c', { stage: 'lost' }, day10);
    await h.change('deal-c', { stage: 'won' }, day10 + HOUR);
    const d1 = await h.change('deal-d', { stage: 'lost' }, NOW - 2 * HOUR);
    const d2 = await h.change('deal-d', { stage: 'lost' }, NOW - HOUR);

    const preview = await previewSignalRule({ rule: twiceLostInADay }, analyst, h.deps);

    expect(preview).toMatchObject({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-30T09:00:00.000Z',
      days: 30,
      events: 8,
      fired: 2,
      keys: 2,
      truncated: false,
      trimmed: 0,
    });
    expect(preview.samples).toEqual([
      { key: 'deal-a', at: new Date(day10 + 5 * HOUR).toISOString(), eventIds: [a1, a2] },
      { key: 'deal-d', at: new Date(NOW - HOUR).toISOString(), eventIds: [d1, d2] },
    ]);
    expect(preview.byDay).toHaveLength(30);
    expect(preview.byDay[0]).toEqual({ day: '2026-11-01', count: 0 });
    expect(preview.byDay.filter((d) => d.count > 0)).toEqual([
      { day: '2026-11-10', count: 1 },
      { day: '2026-11-30', count: 1 },
    ]);
  });

  it('answers zero for a rule the same history never satisfies', async () => {
    const h = aHistory();
    await h.change('deal-a', { stage: 'lost' }, NOW - DAY);
    await h.change('deal-a', { stage: 'lost' }, NOW - DAY + HOUR);
    const preview = await previewSignalRule({ rule: { ...twiceLostInADay, match: stage('won') } }, analyst, h.deps);
    expect(preview).toMatchObject({ events: 2, fired: 0, keys: 0, samples: [] });
    expect(preview.byDay.every((d) => d.count === 0)).toBe(true);
  });

  it('reads only the last `days` UTC days, today being one', async () => {
    const h = aHistory();
    await h.change('deal-a', { stage: 'lost' }, Date.parse('2026-11-29T23:59:59.999Z'));
    await h.change('deal-b', { stage: 'lost' }, Date.parse('2026-11-30T00:00:00.000Z'));
    const match = { id: 'S2', name: 'lost', kind: 'match', match: stage('lost') };
    const today = await previewSignalRule({ rule: match, days: 1 }, analyst, h.deps);
    expect(today).toMatchObject({ from: '2026-11-30T00:00:00.000Z', days: 1, events: 1, fired: 1 });
    expect(today.samples.map((s) => s.key)).toEqual(['deal-b']);
    expect(today.byDay).toEqual([{ day: '2026-11-30', count: 1 }]);
    expect(await previewSignalRule({ rule: match, days: 2 }, analyst, h.deps)).toMatchObject({ events: 2, fired: 2 });
  });

  it('does not count an absence whose deadline falls after the request, and counts one whose deadline came', async () => {
    const h = aHistory();
    // deal-a: won 3 days ago, never invoiced: its 2-day window is over. deal-b: won an hour ago, window still open.
    // deal-c: won and invoiced within the window.
    await h.change('deal-a', { stage: 'won' }, NOW - 3 * DAY);
    await h.change('deal-b', { stage: 'won' }, NOW - HOUR);
    await h.change('deal-c', { stage: 'won' }, NOW - 3 * DAY);
    await h.change('deal-c', { invoiced: true }, NOW - 2 * DAY - HOUR);
    const preview = await previewSignalRule(
      {
        rule: {
          id: 'S3',
          name: 'won, not invoiced',
          kind: 'absence',
          first: stage('won'),
          missing: { detail: { payload: { entity: { attributes: { invoiced: [true] } } } } },
          within: 'P2D',
        },
      },
      analyst,
      h.deps,
    );
    expect(preview).toMatchObject({ fired: 1, keys: 1 });
    expect(preview.samples).toEqual([{ key: 'deal-a', at: new Date(NOW - DAY).toISOString(), eventIds: ['ev-0001'] }]);
  });

  it('previews a disabled rule as if it were enabled, and gives at most 20 samples, earliest first', async () => {
    const h = aHistory();
    for (let i = 0; i < 25; i++) await h.change(`deal-${i}`, { stage: 'lost' }, NOW - (25 - i) * HOUR);
    const preview = await previewSignalRule(
      { rule: { id: 'S4', name: 'lost', kind: 'match', match: stage('lost'), enabled: false } },
      analyst,
      h.deps,
    );
    expect(preview).toMatchObject({ fired: 25, keys: 25 });
    expect(preview.samples).toHaveLength(20);
    expect(preview.samples[0]!.key).toBe('deal-0');
    expect(preview.samples.map((s) => s.at)).toEqual([...preview.samples.map((s) => s.at)].sort());
  });

  it("reads the tenant's own history only", async () => {
    const h = aHistory();
    await h.change('deal-x', { stage: 'lost' }, NOW - HOUR, 'tenant-b');
    const preview = await previewSignalRule(
      { rule: { id: 'S2', name: 'lost', kind: 'match', match: stage('lost') } },
      analyst,
      h.deps,
    );
    expect(preview).toMatchObject({ events: 0, fired: 0 });
  });

  it('stops at its read bound: truncated, `from` moved past the instant it stopped at, the newest kept', async () => {
    const h = aHistory({ maxEvents: 3, maxBytes: 1 << 30 });
    await h.change('deal-a', { stage: 'lost' }, NOW - 5 * HOUR);
    // Two at one instant: the bound falls between them, so neither is counted.
    await h.change('deal-b', { stage: 'lost' }, NOW - 4 * HOUR);
    await h.change('deal-c', { stage: 'lost' }, NOW - 4 * HOUR);
    await h.change('deal-d', { stage: 'lost' }, NOW - 3 * HOUR);
    await h.change('deal-e', { stage: 'lost' }, NOW - 2 * HOUR);
    const preview = await previewSignalRule(
      { rule: { id: 'S2', name: 'lost', kind: 'match', match: stage('lost') } },
      analyst,
      h.deps,
    );
    expect(preview).toMatchObject({
      truncated: true,
      from: new Date(NOW - 4 * HOUR + 1).toISOString(),
      events: 2,
      fired: 2,
    });
    expect(preview.samples.map((s) => s.key)).toEqual(['deal-d', 'deal-e']);
    expect(preview.byDay).toEqual([{ day: '2026-11-30', count: 2 }]);
  });

  it('counts the events read that were stored trimmed', async () => {
    const h = aHistory();
    await h.change('deal-a', { stage: 'lost', notes: 'n'.repeat(4000), a: 'a'.repeat(4000) }, NOW - HOUR);
    const large = Object.fromEntries(['b', 'c', 'd', 'e', 'f'].map((k) => [k, k.repeat(4000)]));
    await h.change('deal-b', { stage: 'lost', ...large }, NOW);
    const preview = await previewSignalRule(
      { rule: { id: 'S2', name: 'lost', kind: 'match', match: stage('lost') } },
      analyst,
      h.deps,
    );
    expect(preview).toMatchObject({ events: 2, fired: 2, trimmed: 1 });
  });
});

describe('refusing a preview', () => {
  it.each([
    ['a malformed pattern', { match: { detail: { stage: 'won' } } }, 'rule.match.detail.stage'],
    ['a workflow the tenant does not have', { then: { startWorkflow: 'nope' } }, 'rule.then.startWorkflow'],
    ['a window that is no duration', { kind: 'count', atLeast: 2, within: 'a week' }, 'rule.within'],
  ])('names the rule field for %s, under rule., and reads nothing', async (_what, change, field) => {
    const h = aHistory();
    const error = await refusal(
      previewSignalRule(
        { rule: { id: 'S9', name: 'bad', kind: 'match', match: stage('x'), ...change } },
        analyst,
        h.deps,
      ),
    );
    expect(error.details?.map((d) => d.field)).toContain(field);
    expect(h.history.reads).toEqual([]);
  });

  it('accepts a rule whose action names a workflow of the tenant', async () => {
    const h = aHistory();
    const rule = { id: 'S9', name: 'ok', kind: 'match', match: stage('x'), then: { startWorkflow: 'wf-review' } };
    await expect(previewSignalRule({ rule }, analyst, h.deps)).resolves.toMatchObject({ fired: 0 });
  });

  it.each([0, 31, 1.5])('refuses %s days, naming days', async (days) => {
    const h = aHistory();
    const error = await refusal(previewSignalRule({ rule: twiceLostInADay, days }, analyst, h.deps));
    expect(error.details).toEqual([{ field: 'days', message: 'must be an integer from 1 to 30' }]);
  });

  it('refuses a role that cannot read signals and entities', async () => {
    const h = aHistory();
    const approver = aContext({ tenantId: T, roles: ['approver'] });
    await expect(previewSignalRule({ rule: twiceLostInADay }, approver, h.deps)).rejects.toBeInstanceOf(ForbiddenError);
    expect(h.history.reads).toEqual([]);
  });
});
