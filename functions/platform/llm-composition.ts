/**
 * The language model the agent functions get: with an API key, the routed client over the Messages API (the
 * configured routing table, our retry and fallback policy, one circuit breaker per Lambda instance); without
 * one, the offline model, so every demo and test runs without a key and says so in every answer.
 */
import { AnthropicMessagesTransport, makeAnthropicMessages } from '../adapters/anthropic/messages-transport.js';
import { CircuitBreaker } from '../domain/agents/circuit-breaker.js';
import type { LlmClient } from '../domain/agents/llm.js';
import { OfflineLlmClient } from '../domain/agents/offline-model.js';
import { type LlmLog, RoutedLlmClient } from '../domain/agents/routed-llm.js';
import type { RoutingTable } from '../domain/agents/routing.js';
import type { Clock } from '../domain/ports.js';
import { modelRoutingTable } from './model-routing.js';

/** Consecutive retryable failures of a model that open its circuit, and how long it then stays open. */
export const CIRCUIT_FAILURE_THRESHOLD = 3;
export const CIRCUIT_COOL_DOWN_MS = 30_000;

export interface LlmCompositionOptions {
  /** ANTHROPIC_API_KEY: without it the offline model answers. */
  apiKey?: string;
  /** ANTHROPIC_BASE_URL: another endpoint speaking the Messages API (a proxy, the local fake). */
  baseUrl?: string;
  /** The longest one model call may take (below the Lambda's timeout). */
  timeoutMs: number;
  /** The longest one answer may take, fallback and wait included; default twice `timeoutMs`. */
  budgetMs?: number;
  clock: Clock;
  log: LlmLog;
  /** Another routing table (tests); default the configured one. */
  table?: RoutingTable;
  /** Another breaker (tests); default the one of this Lambda instance. */
  breaker?: CircuitBreaker;
}

let instanceBreaker: CircuitBreaker | undefined;

/** The LlmClient for these settings (see the module comment). */
export function makeLlmClient(options: LlmCompositionOptions): LlmClient {
  if (!options.apiKey) return new OfflineLlmClient();
  instanceBreaker ??= new CircuitBreaker({
    failureThreshold: CIRCUIT_FAILURE_THRESHOLD,
    coolDownMs: CIRCUIT_COOL_DOWN_MS,
    clock: options.clock,
  });
  const messages = makeAnthropicMessages({
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
  return new RoutedLlmClient({
    table: options.table ?? modelRoutingTable(),
    transport: new AnthropicMessagesTransport(messages),
    breaker: options.breaker ?? instanceBreaker,
    clock: options.clock,
    log: options.log,
    attemptTimeoutMs: options.timeoutMs,
    budgetMs: options.budgetMs ?? 2 * options.timeoutMs,
  });
}
