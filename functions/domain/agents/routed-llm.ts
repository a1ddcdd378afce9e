/**
 * The LlmClient the agent runtime uses when a model provider is configured: it routes the task to a primary
 * and a fallback model (routing.ts), calls them through a transport with the SDK's own retries off, and
 * applies one policy of ours, in this order:
 * - a retryable failure (429, 529, 5xx, timeout, connection) goes to the fallback model at once;
 * - when both failed and one of them asked for a short wait (`retry-after` up to `maxRetryAfterMs`), the
 *   client waits once and tries that model again, if the time left allows a whole attempt after the wait;
 * - a reached spend limit throws LlmSpendLimitError at once (no retry, no fallback: the limit is the account's,
 *   every model shares it); any other non-retryable failure throws LlmUnavailableError with its kind;
 * - a model whose circuit is open is skipped without a call;
 * - once answer text has been streamed to the caller, a failure is not retried elsewhere (the caller would
 *   see two answers run into one another): it throws LlmUnavailableError.
 * Every attempt stays within the request's time budget. Logs carry ids, model, tokens, cost, latency and
 * failure kinds, never prompt or answer text.
 */
import type { Clock } from '../ports.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import {
  type LlmClient,
  type LlmFailureKind,
  type LlmRequest,
  type LlmResponse,
  LlmSpendLimitError,
  LlmUnavailableError,
} from './llm.js';
import { LlmCallError, type LlmTransport } from './llm-transport.js';
import { type ModelSpec, type RoutingTable, costOf, routeModels } from './routing.js';

/** One structured log line: a short message and ids/figures only. */
export type LlmLog = (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;

export interface RoutedLlmOptions {
  table: RoutingTable;
  transport: LlmTransport;
  breaker: CircuitBreaker;
  clock: Clock;
  log: LlmLog;
  /** The longest one model call may take. */
  attemptTimeoutMs: number;
  /** The longest one `complete` may take, all attempts and the wait included (below the Lambda's timeout). */
  budgetMs: number;
  /** The longest `retry-after` the client waits for itself; longer ones go to the caller. Default 2 s. */
  maxRetryAfterMs?: number;
  /** An attempt is not started with less time than this left. Default 1 s. */
  minAttemptMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RoutedLlmClient implements LlmClient {
  readonly #o: Required<RoutedLlmOptions>;

  constructor(options: RoutedLlmOptions) {
    this.#o = { maxRetryAfterMs: 2000, minAttemptMs: 1000, sleep: defaultSleep, ...options };
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const o = this.#o;
    const now = () => o.clock.now().getTime();
    const deadline = now() + o.budgetMs;
    const ids = {
      tenantId: request.trace?.tenantId,
      agentId: request.trace?.agentId,
      sessionId: request.trace?.sessionId,
    };
    const [primary, fallback] = routeModels(request.task, o.table);
    const candidates = primary.id === fallback.id ? [primary] : [primary, fallback];

    const fallbacks: LlmResponse['fallbacks'] = [];
    let streamed = false;
    const onText = request.onText
      ? (delta: string) => {
          if (delta.length > 0) streamed = true;
          request.onText?.(delta);
        }
      : undefined;
    // Mutated by tryModel (a holder, so the narrowing of locals does not hide the closure's writes).
    const seen: {
      lastKind: LlmFailureKind;
      lastError?: LlmCallError;
      retry?: { model: ModelSpec; waitMs: number };
      longestRetryAfterMs?: number;
    } = { lastKind: 'circuit_open' };
    let attempt = 0;

    const tryModel = async (model: ModelSpec): Promise<LlmResponse | undefined> => {
      const remaining = deadline - now();
      if (remaining < o.minAttemptMs) {
        fallbacks.push({ model: model.id, error: 'timeout' });
        seen.lastKind = 'timeout';
        o.log('warn', 'llm call skipped: time budget spent', { ...ids, model: model.id, remainingMs: remaining });
        return undefined;
      }
      if (!o.breaker.allow(model.id)) {
        fallbacks.push({ model: model.id, error: 'circuit_open' });
        seen.lastKind = 'circuit_open';
        o.log('warn', 'llm call skipped: circuit open', { ...ids, model: model.id });
        return undefined;
      }
      attempt += 1;
      const started = now();
      try {
        const answer = await o.transport.send({
          model: model.id,
          request,
          timeoutMs: Math.min(o.attemptTimeoutMs, remaining),
          ...(onText ? { onText } : {}),
        });
        o.breaker.recordSuccess(model.id);
        const costUsd = costOf(answer.usage, model);
        o.log('info', 'llm call answered', {
          ...ids,
          model: model.id,
          attempt,
          task: `${request.task.type}/${request.task.complexity}/${request.task.preference ?? 'balanced'}`,
          latencyMs: now() - started,
          stopReason: answer.stopReason,
          ...answer.usage,
          costUsd,
          fallbacks: fallbacks.map((f) => `${f.model}:${f.error}`),
        });
        return {
          model: model.id,
          offline: false,
          content: answer.content,
          stopReason: answer.stopReason,
          usage: answer.usage,
          costUsd,
          fallbacks: [...fallbacks],
        };
      } catch (e) {
        if (!(e instanceof LlmCallError)) throw e;
        // The breaker measures availability: a refusal or a garbled answer still shows the model is up.
        if (e.retryable) o.breaker.recordFailure(model.id);
        else o.breaker.recordSuccess(model.id);
        o.log('warn', 'llm call failed', {
          ...ids,
          model: model.id,
          attempt,
          kind: e.kind,
          httpStatus: e.httpStatus,
          retryAfterMs: e.retryAfterMs,
          latencyMs: now() - started,
          circuit: o.breaker.state(model.id),
        });
        if (e.kind === 'spend_limit') {
          throw new LlmSpendLimitError(`the model spend limit is reached (${model.id})`, { cause: e });
        }
        if (!e.retryable) throw new LlmUnavailableError(`${model.id} failed: ${e.kind}`, e.kind, { cause: e });
        if (streamed) {
          throw new LlmUnavailableError(`${model.id} broke off an answer it had begun: ${e.kind}`, e.kind, {
            cause: e,
          });
        }
        fallbacks.push({ model: model.id, error: e.kind });
        seen.lastKind = e.kind;
        seen.lastError = e;
        if (e.retryAfterMs !== undefined) {
          seen.longestRetryAfterMs = Math.max(seen.longestRetryAfterMs ?? 0, e.retryAfterMs);
          if (!seen.retry && e.retryAfterMs <= o.maxRetryAfterMs) seen.retry = { model, waitMs: e.retryAfterMs };
        }
        return undefined;
      }
    };

    for (const model of candidates) {
      const answer = await tryModel(model);
      if (answer) return answer;
    }
    const retry = seen.retry;
    if (retry && deadline - now() - retry.waitMs >= o.minAttemptMs) {
      await o.sleep(retry.waitMs);
      const answer = await tryModel(retry.model);
      if (answer) return answer;
    }
    throw new LlmUnavailableError(
      `no model answered: ${fallbacks.map((f) => `${f.model} ${f.error}`).join(', ')}`,
      seen.lastKind,
      {
        cause: seen.lastError,
        ...(seen.longestRetryAfterMs !== undefined
          ? { retryAfterSeconds: Math.ceil(seen.longestRetryAfterMs / 1000) }
          : {}),
      },
    );
  }
}
