/**
 * The model routing table of configuration (model-routing.json next to this file), parsed once with zod. The
 * parse refuses a table that would fail at run time: a route naming an unknown model, a fallback equal to its
 * primary, or a task that no rule routes (the last rule must match every task).
 */
import * as z from 'zod';
import type { RoutingTable } from '../domain/agents/routing.js';
import tableJson from './model-routing.json' with { type: 'json' };

const Price = z.number().nonnegative().max(1000);
const Prices = z.strictObject({ input: Price, output: Price, cacheWrite: Price, cacheRead: Price });
const Day = z.iso.date();

const ModelSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,99}$/),
  provider: z.literal('anthropic'),
  contextWindow: z.number().int().min(1024),
  prices: Prices,
  longPrompt: z.strictObject({ aboveTokens: z.number().int().positive(), prices: Prices }).optional(),
  checkedOn: Day,
  source: z.string().min(1).max(500),
});

const When = z.strictObject({
  type: z.enum(['chat', 'draft', 'summary', 'classification']).optional(),
  complexity: z.enum(['low', 'medium', 'high']).optional(),
  preference: z.enum(['quality', 'balanced', 'cost']).optional(),
});

const RoutingTableSchema = z
  .strictObject({
    about: z.string().optional(),
    checkedOn: Day,
    models: z.array(ModelSchema).min(1),
    routes: z.array(z.strictObject({ when: When, primary: z.string(), fallback: z.string() })).min(1),
  })
  .superRefine((table, ctx) => {
    const ids = new Set<string>();
    table.models.forEach((m, i) => {
      if (ids.has(m.id))
        ctx.addIssue({ code: 'custom', path: ['models', i, 'id'], message: `duplicate model ${m.id}` });
      ids.add(m.id);
    });
    table.routes.forEach((r, i) => {
      for (const key of ['primary', 'fallback'] as const) {
        if (!ids.has(r[key]))
          ctx.addIssue({ code: 'custom', path: ['routes', i, key], message: `unknown model ${r[key]}` });
      }
      if (r.primary === r.fallback) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'fallback'], message: 'the fallback is the primary model' });
      }
    });
    const last = table.routes.at(-1);
    if (last && Object.keys(last.when).length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['routes', table.routes.length - 1, 'when'],
        message: 'the last route must match every task (an empty `when`)',
      });
    }
  });

/** Parses a routing table (the configured one, or another for tests); throws a ZodError naming the field. */
export function parseRoutingTable(input: unknown): RoutingTable {
  const { models, routes } = RoutingTableSchema.parse(input);
  return { models, routes };
}

let parsed: RoutingTable | undefined;

/** The configured routing table, parsed on first use. */
export function modelRoutingTable(): RoutingTable {
  parsed ??= parseRoutingTable(tableJson);
  return parsed;
}
