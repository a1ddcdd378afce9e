/**
 * The retry policy of every vendor request: at most `maxRetries` requests after the first (whatever made them
 * necessary: 429, 5xx, timeouts, network errors, an expired token), exponential backoff with full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter": a uniform wait in [0, min(cap, base·2^n)) spreads the
 * retries of many clients best), never shorter than the vendor's Retry-After. A Retry-After longer than
 * `maxInCallWaitMs` is not slept in the Lambda: the call ends with SourceRateLimitedError and the state machine waits.
 */
export interface RetryOptions {
  /** Requests after the first one, in total (the issue: "exponential backoff, max 5 retries"). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After (or rate wait) slept within a call; longer ones end the call for the state machine to wait. */
  maxInCallWaitMs: number;
  /** Per-request timeout (connect to last byte). */
  timeoutMs: number;
  /**
   * Whole call (one page, all its requests): a retry whose wait and timeout would end after this budget is not
   * started. The sync task reads pages for 120 s of its 300 s, so a page begun at the end of that still fits.
   */
  callBudgetMs: number;
  /**
   * Seconds the state machine waits after a spent daily quota (Salesforce 403 REQUEST_LIMIT_EXCEEDED on TotalRequests,
   * HubSpot's daily policy). Salesforce counts requests over a rolling 24 hours, so capacity comes back gradually as
   * old requests age out: five minutes frees some without probing a spent quota every minute.
   */
  quotaRetryAfterSeconds: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = Object.freeze({
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxInCallWaitMs: 20_000,
  timeoutMs: 30_000,
  callBudgetMs: 120_000,
  quotaRetryAfterSeconds: 300,
});

/** Full-jitter delay before retry `n` (1-based): uniform in [0, min(max, base·2^(n-1))). */
export function backoffDelay(retry: number, options: RetryOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** The wait before a retry: the jittered backoff, but never less than what the vendor asked for. */
export function retryDelay(
  retry: number,
  retryAfterMs: number | undefined,
  options: RetryOptions,
  random: () => number,
): number {
  return Math.max(retryAfterMs ?? 0, backoffDelay(retry, options, random));
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d{1,10}(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
