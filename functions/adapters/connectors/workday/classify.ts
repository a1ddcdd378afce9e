/**
 * What a Workday answer means for the guard. Workday throttles with 429 (REST, RaaS) or 500, without rate-limit or
 * Retry-After headers, so both are retried with backoff. Errors are `{ error, errors: [{ error }] }`; a refused
 * token is 401 `{ error: "invalid_token" }`.
 */
import { parseRetryAfterMs } from '../shared/retry-policy.js';
import { vendorCode } from '../shared/redact.js';
import type { Classifier, Verdict } from '../shared/vendor-guard.js';

export function workdayError(body: string): { code?: string; message?: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  const { error, errors } = json as Record<string, unknown>;
  const detail = Array.isArray(errors) ? (errors[0] as Record<string, unknown> | undefined)?.error : undefined;
  const code = vendorCode(error);
  const message = typeof detail === 'string' ? detail : typeof error === 'string' ? error : undefined;
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

/** An error body sent with a success status: `{ error }` without the envelope's data. */
export function workdayErrorBody(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const body = json as Record<string, unknown>;
  if (typeof body.error !== 'string' || 'data' in body || 'Report_Entry' in body) return undefined;
  return vendorCode(body.error) ?? 'error';
}

export const workdayClassifier: Classifier = (response, nowMs): Verdict => {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const { code, message: vendorMessage } = workdayError(response.body);
  const message = vendorMessage ?? `HTTP ${status}`;
  const withCode = code ? { code } : {};
  if (status === 401) return { kind: 'token', ...withCode, message };
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], nowMs);
    return { kind: 'rate', ...withCode, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (status >= 500) return { kind: 'server', ...withCode, message };
  if (status >= 300 && status < 400) return { kind: 'fail', message: `redirect ${status} not followed` };
  return { kind: 'fail', ...withCode, message };
};
