/**
 * What a Salesforce answer means for the guard (REST API status codes and error bodies `[{ message, errorCode }]`).
 * 403 REQUEST_LIMIT_EXCEEDED has two kinds: the org's daily TotalRequests allocation (a quota: no in-call retry, the
 * state machine waits) and the concurrent long-running request limit (clears in seconds: retried like a 429).
 */
import type { Classifier, Verdict } from '../shared/vendor-guard.js';
import { parseRetryAfterMs } from '../shared/retry-policy.js';
import { vendorCode } from '../shared/redact.js';

/** `[{ message, errorCode }]` as Salesforce sends errors; the first one. */
export function salesforceError(body: string): { code?: string; message?: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  const first = Array.isArray(json) ? json[0] : json;
  if (typeof first !== 'object' || first === null) return {};
  const { errorCode, message } = first as Record<string, unknown>;
  const code = vendorCode(errorCode);
  return { ...(code ? { code } : {}), ...(typeof message === 'string' ? { message } : {}) };
}

/** The error code of an error body (for a success status that carries one). */
export function salesforceErrorBody(json: unknown): string | undefined {
  if (!Array.isArray(json) || json.length === 0) return undefined;
  const first = json[0] as Record<string, unknown> | null;
  return typeof first === 'object' && first !== null ? vendorCode(first.errorCode) : undefined;
}

export function salesforceClassifier(options: { quotaRetryAfterSeconds: number }): Classifier {
  return (response, nowMs): Verdict => {
    const { status } = response;
    if (status >= 200 && status < 300) return { kind: 'ok' };
    const { code, message: vendorMessage } = salesforceError(response.body);
    const message = vendorMessage ?? `HTTP ${status}`;
    const withCode = code ? { code } : {};
    if (status === 401) return { kind: 'token', ...withCode, message };
    if (code === 'REQUEST_LIMIT_EXCEEDED') {
      if (/concurrent/i.test(message)) return { kind: 'rate', code, message };
      return { kind: 'quota', code, message, retryAfterSeconds: options.quotaRetryAfterSeconds };
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], nowMs);
      return { kind: 'rate', ...withCode, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    if (code === 'INVALID_QUERY_LOCATOR') return { kind: 'cursor', code, message };
    if (status >= 500) return { kind: 'server', ...withCode, message };
    if (status >= 300 && status < 400) return { kind: 'fail', message: `redirect ${status} not followed` };
    return { kind: 'fail', ...withCode, message };
  };
}
