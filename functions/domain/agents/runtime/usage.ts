/** GET /usage: model tokens and cost per tenant, agent, model and UTC day (usage:read, i.e. admins and operators). */
import type { UsageRow } from '../../../../schemas/agents.js';
import { requirePermission } from '../../auth/authorize.js';
import { ValidationError } from '../../errors.js';
import type { Clock, RequestContext } from '../../ports.js';
import type { UsageLedger } from './ports.js';

/** Longest window one request reads, in days: bounds its queries (one per day). */
export const MAX_USAGE_DAYS = 92;
const DAY_MS = 86_400_000;

/** The UTC days from..to inclusive (YYYY-MM-DD); a 400 naming the field when the window is empty or too long. */
export function datesBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const days = Math.round((end - start) / DAY_MS) + 1;
  if (days < 1) throw new ValidationError('to is before from', { details: [{ field: 'to', message: 'before from' }] });
  if (days > MAX_USAGE_DAYS)
    throw new ValidationError(`at most ${MAX_USAGE_DAYS} days per request`, {
      details: [{ field: 'to', message: `at most ${MAX_USAGE_DAYS} days after from` }],
    });
  return Array.from({ length: days }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

export async function getUsage(
  query: { from?: string; to?: string; agent_id?: string },
  ctx: RequestContext,
  deps: { usage: UsageLedger; clock: Clock },
): Promise<{ from: string; to: string; items: UsageRow[]; totals: Omit<UsageRow, 'date' | 'agent_id' | 'model'> }> {
  requirePermission(ctx.principal, 'usage:read');
  const today = deps.clock.now().toISOString().slice(0, 10);
  const to = query.to ?? today;
  const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 6 * DAY_MS).toISOString().slice(0, 10);
  const items = await deps.usage.list(ctx.principal.tenantId, {
    days: datesBetween(from, to),
    ...(query.agent_id ? { agentId: query.agent_id } : {}),
  });
  const totals = {
    calls: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cost_usd: 0,
  };
  for (const r of items) {
    totals.calls += r.calls;
    totals.input_tokens += r.input_tokens;
    totals.output_tokens += r.output_tokens;
    totals.cache_creation_input_tokens += r.cache_creation_input_tokens;
    totals.cache_read_input_tokens += r.cache_read_input_tokens;
    totals.cost_usd += r.cost_usd;
  }
  totals.cost_usd = Math.round(totals.cost_usd * 1e6) / 1e6;
  return { from, to, items, totals };
}
