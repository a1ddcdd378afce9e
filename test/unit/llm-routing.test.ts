/**
 * Model routing and cost: the first matching rule decides, a task without a preference is `balanced`, the
 * configured table routes every task to two distinct priced models, a broken table is refused when parsed,
 * and a call's cost counts every kind of token at its own price (long-prompt rates past their threshold).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { LlmTask, LlmUsage } from '../../functions/domain/agents/llm.js';
import {
  type ModelSpec,
  type RoutingTable,
  RoutingTableError,
  costOf,
  routeModels,
} from '../../functions/domain/agents/routing.js';
import { modelRoutingTable, parseRoutingTable } from '../../functions/platform/model-routing.js';

const aModel = (id: string, over: Partial<ModelSpec> = {}): ModelSpec => ({
  id,
  provider: 'anthropic',
  contextWindow: 200_000,
  prices: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  checkedOn: '2026-11-30',
  source: 'https://example.test/pricing',
  ...over,
});

const aTable = (): RoutingTable => ({
  models: [aModel('small'), aModel('mid'), aModel('large')],
  routes: [
    { when: { type: 'classification' }, primary: 'small', fallback: 'mid' },
    { when: { complexity: 'high', preference: 'quality' }, primary: 'large', fallback: 'mid' },
    { when: { preference: 'balanced', complexity: 'low' }, primary: 'small', fallback: 'large' },
    { when: {}, primary: 'mid', fallback: 'small' },
  ],
});

const usage = (over: Partial<LlmUsage> = {}): LlmUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  ...over,
});

const TYPES = ['chat', 'draft', 'summary', 'classification'] as const;
const COMPLEXITIES = ['low', 'medium', 'high'] as const;
const PREFERENCES = [undefined, 'quality', 'balanced', 'cost'] as const;
const everyTask = (): LlmTask[] =>
  TYPES.flatMap((type) =>
    COMPLEXITIES.flatMap((complexity) =>
      PREFERENCES.map((preference) => (preference ? { type, complexity, preference } : { type, complexity })),
    ),
  );

describe('routeModels', () => {
  it('takes the first rule whose fields all match, even when a later rule matches more fields', () => {
    const [primary, fallback] = routeModels(
      { type: 'classification', complexity: 'high', preference: 'quality' },
      aTable(),
    );
    expect([primary.id, fallback.id]).toEqual(['small', 'mid']);
  });

  it('routes a task without a preference as balanced', () => {
    expect(routeModels({ type: 'chat', complexity: 'low' }, aTable()).map((m) => m.id)).toEqual(['small', 'large']);
    expect(routeModels({ type: 'chat', complexity: 'low', preference: 'cost' }, aTable()).map((m) => m.id)).toEqual([
      'mid',
      'small',
    ]);
  });

  it('falls through to the catch-all rule', () => {
    expect(routeModels({ type: 'draft', complexity: 'medium' }, aTable()).map((m) => m.id)).toEqual(['mid', 'small']);
  });

  it('refuses a table that leaves a task without a route or names a model it lacks', () => {
    const noCatchAll = { ...aTable(), routes: aTable().routes.slice(0, 1) };
    expect(() => routeModels({ type: 'chat', complexity: 'low' }, noCatchAll)).toThrow(RoutingTableError);
    const unknown = { ...aTable(), routes: [{ when: {}, primary: 'gone', fallback: 'mid' }] };
    expect(() => routeModels({ type: 'chat', complexity: 'low' }, unknown)).toThrow(/no model gone/);
  });
});

describe('the configured routing table', () => {
  const table = modelRoutingTable();

  it('routes every task to two distinct models of the table', () => {
    for (const task of everyTask()) {
      const [primary, fallback] = routeModels(task, table);
      expect(primary.id).not.toBe(fallback.id);
      expect(table.models).toContain(primary);
      expect(table.models).toContain(fallback);
    }
  });

  it('dates and sources the price of every model, with cache reads cheaper than input and writes dearer', () => {
    for (const m of table.models) {
      expect(m.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(m.source).toMatch(/^https:\/\//);
      expect(m.prices.cacheRead).toBeLessThan(m.prices.input);
      expect(m.prices.cacheWrite).toBeGreaterThan(m.prices.input);
      expect(m.prices.output).toBeGreaterThan(m.prices.input);
    }
  });

  it('sends classification to a model no dearer than the one a high-complexity quality task gets', () => {
    const cheap = routeModels({ type: 'classification', complexity: 'low' }, table)[0];
    const best = routeModels({ type: 'draft', complexity: 'high', preference: 'quality' }, table)[0];
    expect(cheap.prices.output).toBeLessThanOrEqual(best.prices.output);
  });
});

describe('parseRoutingTable', () => {
  const valid = () => ({ checkedOn: '2026-11-30', ...structuredClone(aTable()) });

  const issuePaths = (input: unknown): string[] => {
    try {
      parseRoutingTable(input);
    } catch (e) {
      if (e instanceof ZodError) return e.issues.map((i) => i.path.join('.'));
      throw e;
    }
    return [];
  };

  it('accepts a valid table', () => {
    expect(parseRoutingTable(valid()).routes).toHaveLength(4);
  });

  it('names the route that refers to an unknown model', () => {
    const t = valid();
    t.routes[1]!.fallback = 'nowhere';
    expect(issuePaths(t)).toEqual(['routes.1.fallback']);
  });

  it('refuses a fallback equal to its primary, a last rule that is not a catch-all, and duplicate models', () => {
    const same = valid();
    same.routes[0]!.fallback = same.routes[0]!.primary;
    expect(issuePaths(same)).toEqual(['routes.0.fallback']);
    const noCatchAll = valid();
    noCatchAll.routes.pop();
    expect(issuePaths(noCatchAll)).toEqual(['routes.2.when']);
    const dup = valid();
    dup.models.push(aModel('mid'));
    expect(issuePaths(dup)).toEqual(['models.3.id']);
  });

  it('refuses negative prices and unknown fields', () => {
    const negative = valid();
    negative.models[0]!.prices.cacheRead = -1;
    expect(issuePaths(negative)).toEqual(['models.0.prices.cacheRead']);
    expect(issuePaths({ ...valid(), extra: true }).length).toBeGreaterThan(0);
  });
});

describe('costOf', () => {
  it('prices uncached input, output, cache writes and cache reads each at its own rate', () => {
    const cost = costOf(
      usage({ inputTokens: 1000, outputTokens: 500, cacheCreationInputTokens: 2000, cacheReadInputTokens: 10_000 }),
      aModel('m'),
    );
    // 1000 x 3 + 500 x 15 + 2000 x 3.75 + 10000 x 0.3 = 21 000 micro-dollars
    expect(cost).toBe(0.021);
  });

  it('switches every token to the long-prompt rates once the prompt, cache tokens included, passes the threshold', () => {
    const model = aModel('tiered', {
      prices: { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 },
      longPrompt: { aboveTokens: 1000, prices: { input: 10, output: 20, cacheWrite: 12.5, cacheRead: 1 } },
    });
    const atThreshold = usage({ inputTokens: 400, cacheReadInputTokens: 600, outputTokens: 100 });
    expect(costOf(atThreshold, model)).toBe((400 * 1 + 600 * 0.1 + 100 * 2) / 1e6);
    const past = usage({ inputTokens: 400, cacheReadInputTokens: 601, outputTokens: 100 });
    expect(costOf(past, model)).toBe((400 * 10 + 601 * 1 + 100 * 20) / 1e6);
  });

  it('adds up: the cost of two calls is the sum of their costs, and no usage costs nothing', () => {
    const count = fc.integer({ min: 0, max: 2_000_000 });
    const anUsage = fc.record({
      inputTokens: count,
      outputTokens: count,
      cacheCreationInputTokens: count,
      cacheReadInputTokens: count,
    });
    const model = aModel('m');
    expect(costOf(usage(), model)).toBe(0);
    fc.assert(
      fc.property(anUsage, anUsage, (a, b) => {
        const both = {
          inputTokens: a.inputTokens + b.inputTokens,
          outputTokens: a.outputTokens + b.outputTokens,
          cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
          cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
        };
        expect(costOf(both, model)).toBeCloseTo(costOf(a, model) + costOf(b, model), 8);
      }),
    );
  });
});
