import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { DetectionDeps } from '../../../functions/domain/signals/use-cases/detection.js';
import { RuleSetCache } from '../../../functions/domain/signals/use-cases/rule-set.js';
import { SignalRuleBody } from '../../../schemas/signals.js';
import { anApiEvent, anEntity, aPrincipal, stubHandlerSettings } from '../../support/builders.js';
import {
  InMemoryDeadlineTimers,
  InMemorySignalHistory,
  InMemorySignalRuleStore,
  InMemorySignalStore,
  workflowCatalogOf,
} from '../../fakes/in-memory-signals.js';
import { fixedClock } from '../../fakes/clock-and-ids.js';

type Handlers = {
  create: typeof import('../../../functions/handlers/create-signal-rule.js');
  update: typeof import('../../../functions/handlers/update-signal-rule.js');
  list: typeof import('../../../functions/handlers/list-signals.js');
  detector: typeof import('../../../functions/handlers/signal-detector.js');
  deadline: typeof import('../../../functions/handlers/signal-deadline.js');
  preview: typeof import('../../../functions/handlers/preview-signal-rule.js');
};
let h: Handlers;

beforeAll(async () => {
  // The modules build their production handler on import, which reads the bound settings (never reached here).
  stubHandlerSettings((name, value) => vi.stubEnv(name, value));
  h = {
    create: await import('../../../functions/handlers/create-signal-rule.js'),
    update: await import('../../../functions/handlers/update-signal-rule.js'),
    list: await import('../../../functions/handlers/list-signals.js'),
    detector: await import('../../../functions/handlers/signal-detector.js'),
    deadline: await import('../../../functions/handlers/signal-deadline.js'),
    preview: await import('../../../functions/handlers/preview-signal-rule.js'),
  };
});

const T = 'tenant-a';
const NOW = '2026-03-01T10:00:00.000Z';

function aWorld() {
  const rules = new InMemorySignalRuleStore();
  const store = new InMemorySignalStore();
  const timers = new InMemoryDeadlineTimers();
  const clock = fixedClock(NOW);
  const history = new InMemorySignalHistory();
  const detection: DetectionDeps = { ruleSets: new RuleSetCache(rules), store, timers, history, clock };
  return {
    rules,
    store,
    timers,
    history,
    clock,
    detection,
    ruleDeps: { rules, workflows: workflowCatalogOf({}), clock },
  };
}

const created = (entityId: string, source = 'modos.entities') => ({
  version: '0',
  id: 'bus-1',
  source,
  'detail-type': 'entity.created',
  time: NOW,
  detail: {
    tenantId: T,
    eventId: `ev-${entityId}`,
    occurredAt: NOW,
    schemaVersion: 1,
    correlationId: 'req-9',
    payload: { entity: anEntity({ id: entityId, type: 'deal' }), actor: 'u1' },
  },
});

const fieldsOf = (body: string) =>
  (JSON.parse(body) as { error: { details?: { field: string }[] } }).error.details?.map((d) => d.field);

describe('the signal rule handlers', () => {
  it('answer 201 with the rule and 400 naming the field of a malformed pattern', async () => {
    const w = aWorld();
    const handler = h.create.makeHandler(w.ruleDeps);
    const rule = { id: 'S1', name: 'deals', kind: 'match', match: { source: ['modos.entities'] } };
    const ok = await handler(anApiEvent({ body: JSON.stringify(rule) }));
    expect(ok.statusCode).toBe(201);
    expect(JSON.parse(ok.body)).toMatchObject({ id: 'S1', version: 1 });
    const bad = await handler(anApiEvent({ body: JSON.stringify({ ...rule, id: 'S2', match: { source: 'x' } }) }));
    expect(bad.statusCode).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['match.source']);
  });

  it('answer a PATCH without its version with 400 naming version', async () => {
    const w = aWorld();
    const res = await h.update.makeHandler(w.ruleDeps)(
      anApiEvent({ body: JSON.stringify({ name: 'x' }), path: { id: 'S1' } }),
    );
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['version']);
  });

  it('refuse a since that is no instant with a zone, naming query.since', async () => {
    const w = aWorld();
    const res = await h.list.makeHandler({ store: w.store })(anApiEvent({ query: { since: '2026-03-01 10:00' } }));
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['query.since']);
  });
});

describe('the detector handler', () => {
  it('evaluates an entity change the bus delivers, with its source and detail-type as patterns see them', async () => {
    const w = aWorld();
    const body = SignalRuleBody.parse({
      id: 'S1',
      name: 'deals',
      kind: 'match',
      match: { source: ['modos.entities'], 'detail-type': ['entity.created'], detail: { entityType: ['deal'] } },
    });
    await w.rules.create(T, { body, version: 1, createdAt: NOW, updatedAt: NOW, createdBy: 'a', updatedBy: 'a' }, 0, {
      audit: {
        action: 'x',
        actor: 'a',
        resourceType: 'signal-rule',
        resourceId: 'S1',
        at: NOW,
        requestId: 'r',
        beforeHash: null,
        afterHash: null,
      },
      events: [],
    });
    const outcome = await h.detector.makeHandler(w.detection)(created('deal-1'));
    expect(outcome).toMatchObject({ evaluated: 1, signals: [expect.stringMatching(/^sig-[0-9a-f]{32}$/)] });
    expect(w.store.signalsOf(T)).toMatchObject([{ key: 'deal-1', eventIds: ['ev-deal-1'] }]);
  });

  it('refuses an event from another source, or whose detail does not match its schema (EventSchemaError)', async () => {
    const w = aWorld();
    const handler = h.detector.makeHandler(w.detection);
    await expect(handler(created('deal-1', 'modos.elsewhere'))).rejects.toMatchObject({ name: 'EventSchemaError' });
    const broken = created('deal-2');
    (broken.detail.payload as Record<string, unknown>).entity = { id: 'deal-2' };
    await expect(handler(broken)).rejects.toMatchObject({ name: 'EventSchemaError' });
  });
});

describe('the preview handler', () => {
  const deals = { id: 'S1', name: 'deals', kind: 'match', match: { detail: { entityType: ['deal'] } } };
  const previewOf = (w: ReturnType<typeof aWorld>, body: unknown) =>
    h.preview.makeHandler({ history: w.history, workflows: workflowCatalogOf({}), clock: w.clock })(
      anApiEvent({ body: JSON.stringify(body), principal: aPrincipal({ tenantId: T, roles: ['analyst'] }) }),
    );

  it('answers 200 with what the rule would have found in the events the detector recorded', async () => {
    const w = aWorld();
    await h.detector.makeHandler(w.detection)(created('deal-1'));
    await h.detector.makeHandler(w.detection)(created('deal-2'));
    const res = await previewOf(w, { rule: deals, days: 1 });
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      from: '2026-03-01T00:00:00.000Z',
      to: NOW,
      days: 1,
      events: 2,
      fired: 2,
      keys: 2,
      byDay: [{ day: '2026-03-01', count: 2 }],
      samples: [
        { key: 'deal-1', at: NOW, eventIds: ['ev-deal-1'] },
        { key: 'deal-2', at: NOW, eventIds: ['ev-deal-2'] },
      ],
      truncated: false,
    });
    const none = await previewOf(w, { rule: { ...deals, match: { detail: { entityType: ['person'] } } } });
    expect(JSON.parse(none.body)).toMatchObject({ days: 30, events: 2, fired: 0 });
  });

  it.each([
    ['a malformed pattern (the compiler)', { rule: { ...deals, match: { source: 'x' } } }, 'rule.match.source'],
    ['an unknown rule field (the schema)', { rule: { ...deals, colour: 'red' } }, 'rule.colour'],
    ['a rule without its name', { rule: { ...deals, name: undefined } }, 'rule.name'],
    ['no rule', { days: 3 }, 'rule'],
    ['days past 30', { rule: deals, days: 31 }, 'days'],
    ['an unknown field', { rule: deals, since: 'yesterday' }, 'since'],
  ])('answers 400 naming the field for %s', async (_what, body, field) => {
    const res = await previewOf(aWorld(), body);
    expect(res.statusCode, res.body).toBe(400);
    expect(fieldsOf(res.body)).toContain(field);
  });
});

describe('the deadline handler', () => {
  it('refuses an input of another shape, and skips the deadline of a rule that does not exist', async () => {
    const w = aWorld();
    const handler = h.deadline.makeHandler(w.detection);
    await expect(handler({ tenantId: T, ruleId: 'S1' })).rejects.toMatchObject({ name: 'EventSchemaError' });
    expect(await handler({ tenantId: T, ruleId: 'S1', key: 'deal-1', deadline: NOW })).toEqual({
      skipped: 'rule-gone',
    });
  });
});
