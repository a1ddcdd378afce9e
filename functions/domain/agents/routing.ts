/**
 * Model routing (seed 002): which model answers a task, which one stands in when it cannot, and what a call
 * cost. Pure functions over a routing table that lives in configuration (functions/platform/model-routing.json,
 * parsed by functions/platform/model-routing.ts), so model ids and prices change without a code change.
 */
import type { LlmTask, LlmUsage } from './llm.js';

/** Prices in US dollars per million tokens. */
export interface TokenPrices {
  input: number;
  output: number;
  /** Prompt-cache writes (`cache_creation_input_tokens`), at the default 5-minute cache lifetime. */
  cacheWrite: number;
  /** Prompt-cache reads (`cache_read_input_tokens`). */
  cacheRead: number;
}

export interface ModelSpec {
  id: string;
  provider: 'anthropic';
  contextWindow: number;
  prices: TokenPrices;
  /**
   * Some models bill every token of a request at other rates once its prompt (input, cache writes and cache
   * reads together) is longer than `aboveTokens`.
   */
  longPrompt?: { aboveTokens: number; prices: TokenPrices };
  /** The day the prices were last checked against the provider's pricing page (YYYY-MM-DD). */
  checkedOn: string;
  /** Where they were checked. */
  source: string;
}

/** A routing rule: the fields of `when` that are set must equal the task's; an empty `when` matches every task. */
export interface RouteRule {
  when: Partial<Required<LlmTask>>;
  primary: string;
  fallback: string;
}

export interface RoutingTable {
  models: ModelSpec[];
  /** Read top-down: the first rule whose `when` matches the task decides. The last rule matches every task. */
  routes: RouteRule[];
}

/** What a task that does not state a preference is routed as. */
export const DEFAULT_PREFERENCE = 'balanced' as const;

/** Thrown when a routing table refers to a model it does not define or leaves a task without a route. */
export class RoutingTableError extends Error {
  override readonly name = 'RoutingTableError';
}

const matches = (when: RouteRule['when'], task: Required<LlmTask>): boolean =>
  (when.type === undefined || when.type === task.type) &&
  (when.complexity === undefined || when.complexity === task.complexity) &&
  (when.preference === undefined || when.preference === task.preference);

/** The model with this id in the table; throws RoutingTableError when there is none. */
export function modelById(table: RoutingTable, id: string): ModelSpec {
  const model = table.models.find((m) => m.id === id);
  if (!model) throw new RoutingTableError(`the routing table has no model ${id}`);
  return model;
}

/**
 * The primary and fallback models for a task: the first rule of the table that matches it (a task without a
 * preference is `balanced`). Throws RoutingTableError when no rule matches (a table parsed by the platform
 * always ends with a catch-all rule).
 */
export function routeModels(task: LlmTask, table: RoutingTable): [ModelSpec, ModelSpec] {
  const full: Required<LlmTask> = { ...task, preference: task.preference ?? DEFAULT_PREFERENCE };
  const rule = table.routes.find((r) => matches(r.when, full));
  if (!rule) throw new RoutingTableError(`no route for ${full.type}/${full.complexity}/${full.preference}`);
  return [modelById(table, rule.primary), modelById(table, rule.fallback)];
}

/**
 * What a call cost in US dollars: every kind of token at its own price (uncached input, output, cache writes,
 * cache reads; the API reports them separately, so none is counted twice), at the long-prompt rates when the
 * model has them and the prompt is longer than their threshold.
 */
export function costOf(usage: LlmUsage, model: ModelSpec): number {
  const prompt = usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
  const p = model.longPrompt && prompt > model.longPrompt.aboveTokens ? model.longPrompt.prices : model.prices;
  const microDollars =
    usage.inputTokens * p.input +
    usage.outputTokens * p.output +
    usage.cacheCreationInputTokens * p.cacheWrite +
    usage.cacheReadInputTokens * p.cacheRead;
  // Rounded to a billionth of a dollar so sums of many calls do not carry binary-fraction noise.
  return Math.round(microDollars * 1000) / 1e9;
}
