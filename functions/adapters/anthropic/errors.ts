/**
 * SDK errors of the Messages API translated into LlmCallError with our own failure kinds. The SDK's retries are
 * off (maxRetries: 0), so this classification is the whole retry decision's input: it reads the HTTP status,
 * the error body's `type` and its stable code (`error.details.error_code`, the SDK's `errorCode`), never the
 * human-readable message, except for the one spend limit the API reports without a code (below).
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AnthropicError,
} from '@anthropic-ai/sdk';
import type { LlmFailureKind } from '../../domain/agents/llm.js';
import { LlmCallError } from '../../domain/agents/llm-transport.js';

/**
 * The wait a response asks for, in milliseconds: `retry-after-ms`, else `retry-after` in seconds or as an HTTP
 * date. Undefined when absent, unreadable or not in the future.
 */
export function retryAfterMsOf(headers: Headers | undefined, nowMs = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms) {
    const v = Number.parseFloat(ms);
    if (Number.isFinite(v) && v > 0) return Math.ceil(v);
  }
  const after = headers?.get('retry-after');
  if (!after) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) {
    const v = Number.parseFloat(after) * 1000;
    return v > 0 ? Math.ceil(v) : undefined;
  }
  const at = Date.parse(after);
  return Number.isFinite(at) && at > nowMs ? at - nowMs : undefined;
}

// Error types the API also sends inside a stream (an SSE `error` event carries no status).
const KIND_OF_TYPE: Record<string, LlmFailureKind> = {
  overloaded_error: 'overloaded',
  rate_limit_error: 'rate_limited',
  api_error: 'server_error',
  timeout_error: 'timeout',
  authentication_error: 'authentication',
  permission_error: 'authentication',
  billing_error: 'spend_limit',
  invalid_request_error: 'invalid_request',
  not_found_error: 'invalid_request',
  request_too_large: 'invalid_request',
};

function kindOfStatus(e: APIError): LlmFailureKind {
  const status = e.status;
  // Every spend-limit code of the API ends so (enforced_ and contract_spend_limit_reached are 429s,
  // linked_organization_spend_limit_reached a 402): retrying cannot change any of them.
  if (e.errorCode?.endsWith('_spend_limit_reached')) return 'spend_limit';
  if (status === undefined) return KIND_OF_TYPE[e.type ?? ''] ?? 'server_error';
  if (status === 402) return 'spend_limit';
  if (status === 429) return 'rate_limited';
  if (status === 529 || e.type === 'overloaded_error') return 'overloaded';
  if (status === 408 || status === 504) return 'timeout';
  // 409 is a lock timeout on the API's side: the SDK itself would retry it.
  if (status === 409 || status >= 500) return 'server_error';
  if (status === 401 || status === 403) return 'authentication';
  // A spend limit set in the Console comes back as a 400 without a code; its message is the only sign.
  if (status === 400 && /reached your specified (workspace )?API usage limits/i.test(e.apiMessage ?? '')) {
    return 'spend_limit';
  }
  return 'invalid_request';
}

const NETWORK_CODES = /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR)/;

/** Whether an error (or one of its causes) is the network failing under a response: a reset, a cut socket. */
function isNetworkFailure(e: unknown, depth = 0): boolean {
  if (depth > 5 || !(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.test(code)) return true;
  if (e.name === 'TypeError' && /terminated|fetch failed|socket/i.test(e.message)) return true;
  return isNetworkFailure(e.cause, depth + 1);
}

/**
 * Classifies what a Messages API call threw. `timedOut` says our own deadline aborted the call (the SDK then
 * reports an abort, not a timeout). Errors that are not the SDK's or the network's are returned unchanged:
 * they are defects, not provider failures, and must not be retried as such.
 */
export function classifyAnthropicError(e: unknown, timedOut: boolean): LlmCallError | unknown {
  if (e instanceof LlmCallError) return e;
  if (e instanceof APIConnectionTimeoutError || (timedOut && (e instanceof APIUserAbortError || isAbort(e)))) {
    return new LlmCallError('the model call timed out', 'timeout', { cause: e });
  }
  if (e instanceof APIUserAbortError) return new LlmCallError('the model call was aborted', 'connection', { cause: e });
  if (e instanceof APIConnectionError)
    return new LlmCallError('no connection to the model', 'connection', { cause: e });
  if (e instanceof APIError) {
    const kind = kindOfStatus(e);
    const retryAfterMs = retryAfterMsOf(e.headers);
    return new LlmCallError(`the model call failed: ${e.status ?? 'stream'} ${e.type ?? ''}`.trim(), kind, {
      cause: e,
      ...(e.status !== undefined ? { httpStatus: e.status } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (isNetworkFailure(e))
    return new LlmCallError('the connection broke during the answer', 'connection', { cause: e });
  // An answer the SDK could not read (a body that is not JSON, a stream out of order or without a message).
  if (e instanceof SyntaxError || e instanceof AnthropicError) {
    return new LlmCallError('the model answer could not be read', 'malformed_response', { cause: e });
  }
  return e;
}

const isAbort = (e: unknown) => e instanceof Error && (e.name === 'AbortError' || e.name === 'APIUserAbortError');
