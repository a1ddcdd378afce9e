/**
 * The port below the routed client: one call to one named model, no routing, no retries. The Messages API
 * adapter (functions/adapters/anthropic/messages-transport.ts) implements it; tests use in-memory ones.
 */
import { DomainError } from '../errors.js';
import type { LlmFailureKind, LlmRequest, LlmResponse, LlmUsage } from './llm.js';

export interface LlmTransportCall {
  model: string;
  request: LlmRequest;
  /** The whole call (connection, answer, and the stream to its end) must finish within this, or fail `timeout`. */
  timeoutMs: number;
  /** Answer text as it arrives, when the caller streams (the routed client's wrapper of `request.onText`). */
  onText?: (delta: string) => void;
}

export interface LlmTransportAnswer {
  content: LlmResponse['content'];
  stopReason: string;
  usage: LlmUsage;
}

export interface LlmTransport {
  /** Calls the model once; fails only with LlmCallError (already classified). */
  send(call: LlmTransportCall): Promise<LlmTransportAnswer>;
}

/** Kinds of failure that may succeed when tried again or on another model. */
export const RETRYABLE_KINDS: ReadonlySet<LlmFailureKind> = new Set<LlmFailureKind>([
  'rate_limited',
  'overloaded',
  'server_error',
  'timeout',
  'connection',
]);

/** One model call failed; `kind` says how, so the routed client's policy (not the SDK's) decides what next. */
export class LlmCallError extends DomainError {
  override readonly name = 'LlmCallError';
  readonly code = 'INTERNAL_ERROR' as const;
  readonly status = 502;
  readonly kind: LlmFailureKind;
  /** The provider's HTTP status, when it answered with one. */
  readonly httpStatus?: number;
  /** How long the provider asked to wait (`retry-after`), in milliseconds. */
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    kind: LlmFailureKind,
    options?: { cause?: unknown; httpStatus?: number; retryAfterMs?: number },
  ) {
    super(message, options);
    this.kind = kind;
    if (options?.httpStatus !== undefined) this.httpStatus = options.httpStatus;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}
