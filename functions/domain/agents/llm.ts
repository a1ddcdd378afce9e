/**
 * The language-model port the agent runtime talks to. Adapters: the Messages API through `@anthropic-ai/sdk`
 * (functions/adapters/anthropic/), and the offline model (deterministic, no network) used when no API key is
 * configured. The shapes follow the Messages API's content blocks so tool use maps one to one.
 */
import { DomainError } from '../errors.js';

export type LlmContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: LlmContentBlock[];
}

/** A tool the model may call: a skill the agent holds, with its input's JSON Schema. */
export interface LlmTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** What the routing table picks a model by (seed 002: task type, complexity, preference). */
export interface LlmTask {
  type: 'chat' | 'draft' | 'summary' | 'classification';
  complexity: 'low' | 'medium' | 'high';
  preference?: 'quality' | 'balanced' | 'cost';
}

export interface LlmRequest {
  task: LlmTask;
  system: string;
  messages: LlmMessage[];
  tools: LlmTool[];
  maxTokens: number;
  /** Called with each piece of answer text as it arrives (streaming); the whole answer is still returned. */
  onText?: (delta: string) => void;
  /** Ids for the logs (never content). */
  trace?: { tenantId: string; agentId?: string; sessionId?: string };
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

export interface LlmResponse {
  /** The model that answered (after routing and any fallback). */
  model: string;
  /** True for the offline model: its answers are labelled as offline wherever they are shown. */
  offline: boolean;
  content: Array<Extract<LlmContentBlock, { type: 'text' } | { type: 'tool_use' }>>;
  stopReason: string;
  usage: LlmUsage;
  /** Cost of this call in US dollars, from the routing table's prices. */
  costUsd: number;
  /** The models tried before the one that answered, with why each failed (empty when the first answered). */
  fallbacks: Array<{ model: string; error: string }>;
}

export interface LlmClient {
  complete(request: LlmRequest): Promise<LlmResponse>;
}

/**
 * Why a model call failed, classified by our own policy (the SDK's retries are off): `retryable` failures
 * (429 with a retry-after, 529 overloaded, 5xx, timeouts, connection errors) may be tried again or on the
 * fallback model; the others (a reached spend limit, a refused request, a malformed answer) may not.
 */
export type LlmFailureKind =
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'timeout'
  | 'connection'
  | 'spend_limit'
  | 'invalid_request'
  | 'authentication'
  | 'malformed_response'
  | 'circuit_open';

/** No model could answer now (every candidate failed or its circuit is open): 503, try again later. */
export class LlmUnavailableError extends DomainError {
  override readonly name = 'LlmUnavailableError';
  readonly code = 'INTERNAL_ERROR' as const;
  readonly status = 503;
  constructor(
    message: string,
    readonly kind: LlmFailureKind,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  readonly retryAfterSeconds?: number;
}

/** The tenant's model spend limit is reached (a 429 that retrying cannot change). */
export class LlmSpendLimitError extends DomainError {
  override readonly name = 'LlmSpendLimitError';
  readonly code = 'RATE_LIMITED' as const;
  readonly status = 429;
}
