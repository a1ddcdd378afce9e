/**
 * What a HubSpot answer means for the guard. Errors are `{ status: "error", message, category | errorType,
 * policyName?, correlationId }`; 429 carries Retry-After. The daily allocation (policy `DAILY`) is a quota that does
 * not come back in seconds: the state machine waits.
 */
import { parseRetryAfterMs } from '../shared/retry-policy.js';
import { vendorCode } from '../shared/redact.js';
import type { Classifier, Verdict } from '../shared/vendor-guard.js';

export function hubspotError(body: string): { code?: string; message?: string; policy?: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  const { category, errorType, status, message, policyName } = json as Record<string, unknown>;
  const code = vendorCode(category) ?? vendorCode(errorType) ?? vendorCode(status);
  const policy = vendorCode(policyName);
  return {
    ...(code ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
    ...(policy ? { policy } : {}),
  };
}

/** The error code of an error body sent with a success status. */
export function hubspotErrorBody(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const body = json as Record<string, unknown>;
  if (body.status !== 'error' || typeof body.message !== 'string') return undefined;
  return vendorCode(body.category) ?? vendorCode(body.errorType) ?? 'error';
}

export function hubspotClassifier(options: { quotaRetryAfterSeconds: number }): Classifier {
  return (response, nowMs): Verdict => {
    const { status } = response;
    if (status >= 200 && status < 300) return { kind: 'ok' };
    const { code, message: vendorMessage, policy } = hubspotError(response.body);
    const message = vendorMessage ?? `HTTP ${status}`;
    const withCode = code ? { code } : {};
    if (status === 401) return { kind: 'token', ...withCode, message };
    if (status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], nowMs);
      if (policy === 'DAILY') {
        const seconds = Math.max(options.quotaRetryAfterSeconds, Math.ceil((retryAfterMs ?? 0) / 1000));
        return { kind: 'quota', code: code ?? 'RATE_LIMIT', message, retryAfterSeconds: seconds };
      }
      return { kind: 'rate', ...withCode, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    if (status >= 500) return { kind: 'server', ...withCode, message };
    if (status >= 300 && status < 400) return { kind: 'fail', message: `redirect ${status} not followed` };
    return { kind: 'fail', ...withCode, message };
  };
}

/** What HubSpot says of its limits: the daily allocation when given (private apps), else the rolling window. */
export function hubspotQuota(
  headers: Readonly<Record<string, string>>,
): { limit?: number; remaining?: number } | undefined {
  const num = (name: string) => {
    const value = headers[name];
    return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
  };
  const daily = num('x-hubspot-ratelimit-daily');
  const limit = daily ?? num('x-hubspot-ratelimit-max');
  const remaining =
    daily !== undefined ? num('x-hubspot-ratelimit-daily-remaining') : num('x-hubspot-ratelimit-remaining');
  if (limit === undefined && remaining === undefined) return undefined;
  return { ...(limit !== undefined ? { limit } : {}), ...(remaining !== undefined ? { remaining } : {}) };
}
