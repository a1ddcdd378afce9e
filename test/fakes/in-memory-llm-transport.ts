import type { LlmResponse } from '../../functions/domain/agents/llm.js';
import {
  LlmCallError,
  type LlmTransport,
  type LlmTransportAnswer,
  type LlmTransportCall,
} from '../../functions/domain/agents/llm-transport.js';
import type { LlmFailureKind } from '../../functions/domain/agents/llm.js';

/** What one scripted call does: answer, fail with a kind, or throw something that is not a classified failure. */
export type ScriptedOutcome =
  | { answer: Partial<LlmTransportAnswer>; streamText?: string[] }
  | { fail: LlmFailureKind; retryAfterMs?: number; httpStatus?: number; streamText?: string[] }
  | { throws: unknown };

/**
 * An LlmTransport whose calls follow a script per model (the last outcome of a model repeats; a model without
 * a script answers "ok"). Records every call with its timeout; `onAttempt` runs before each outcome (tests
 * advance their clock there to stand for the call's duration).
 */
export class InMemoryLlmTransport implements LlmTransport {
  readonly calls: Array<{ model: string; timeoutMs: number; streaming: boolean }> = [];
  onAttempt?: (call: LlmTransportCall) => void;

  constructor(private readonly script: Record<string, ScriptedOutcome[]> = {}) {}

  async send(call: LlmTransportCall): Promise<LlmTransportAnswer> {
    this.calls.push({ model: call.model, timeoutMs: call.timeoutMs, streaming: call.onText !== undefined });
    this.onAttempt?.(call);
    const own = this.script[call.model] ?? [];
    const made = this.calls.filter((c) => c.model === call.model).length;
    const outcome = own[Math.min(made - 1, own.length - 1)] ?? { answer: {} };
    for (const piece of 'streamText' in outcome ? (outcome.streamText ?? []) : []) call.onText?.(piece);
    if ('throws' in outcome) throw outcome.throws;
    if ('fail' in outcome) {
      throw new LlmCallError(`scripted ${outcome.fail}`, outcome.fail, {
        ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
        ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
      });
    }
    const content: LlmResponse['content'] = outcome.answer.content ?? [{ type: 'text', text: `ok from ${call.model}` }];
    return {
      content,
      stopReason: outcome.answer.stopReason ?? 'end_turn',
      usage: outcome.answer.usage ?? {
        inputTokens: 100,
        outputTokens: 20,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
      },
    };
  }
}
