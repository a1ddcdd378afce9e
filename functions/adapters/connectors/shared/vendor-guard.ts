/**
 * The resilience every vendor call goes through, in this order:
 *
 * 1. the connector's circuit breaker (shared across processes): open → CircuitOpenError, no request sent;
 * 2. per request: the rate limiter, the access token, a timeout, the request (one attempt), the vendor's answer
 *    classified (vendor-specific `Classifier`);
 * 3. 429 / 5xx / timeout / network error → retry after a full-jitter backoff (never shorter than Retry-After), at most
 *    `maxRetries` requests after the first in total; a Retry-After too long to sleep in a Lambda, or a spent quota,
 *    → SourceRateLimitedError for the state machine to wait; 401 → one token refresh, then the same request again;
 * 4. the call's outcome back to the breaker: exhausted retries and malformed pages count as failures; an answer, even
 *    a refusal, proves the vendor is up.
 *
 * One `run` is one SourceClient call (a page); it may send several requests (HubSpot search + associations), which
 * share its CallStats.
 */
import {
  CircuitOpenError,
  ConnectorError,
  CursorExpiredError,
  MalformedPageError,
  SourceRateLimitedError,
} from '../../../domain/connectors/errors.js';
import type { AccessToken, CallStats, TokenProvider } from '../../../domain/connectors/ports.js';
import type { ConnectorSystem } from '../../../domain/connectors/registry.js';
import type { Clock } from '../../../domain/ports.js';
import { AttemptTimeoutError, VendorNetworkError } from './http-exchange.js';
import type { CallOutcome, CircuitBreaker, ConnectorLog, RateLimiter, RawResponse, Sleep } from './ports.js';
import { redact } from './redact.js';
import { type RetryOptions, retryDelay } from './retry-policy.js';

/** What a vendor's answer means for the guard. Messages are the vendor's, not yet redacted. */
export type Verdict =
  | { kind: 'ok' }
  /** Too many requests: wait (Retry-After when given) and retry. */
  | { kind: 'rate'; retryAfterMs?: number; code?: string; message: string }
  /** A spent quota that does not come back in seconds: the state machine waits `retryAfterSeconds`. */
  | { kind: 'quota'; retryAfterSeconds: number; code: string; message: string }
  /** The vendor failed (5xx, Workday's throttling 500): retry. */
  | { kind: 'server'; code?: string; message: string }
  /** The access token was refused (expired, revoked): refresh once and retry. */
  | { kind: 'token'; code?: string; message: string }
  /** A server-side cursor the vendor no longer honours. */
  | { kind: 'cursor'; code: string; message: string }
  /** Anything else (4xx, a redirect): final. */
  | { kind: 'fail'; code?: string; message: string };

export type Classifier = (response: RawResponse, nowMs: number) => Verdict;

/** One request attempt with this token; resolves with the answer whatever its status, rejects on network errors. */
export type Attempt = (token: AccessToken, signal: AbortSignal) => Promise<RawResponse>;

export interface CallContext {
  readonly stats: CallStats;
  /** Sends one request with retries; resolves with the accepted (2xx) answer and the token it was sent with. */
  send(what: string, attempt: Attempt): Promise<{ response: RawResponse; token: AccessToken }>;
}

export interface VendorGuardDeps {
  connectorId: string;
  system: ConnectorSystem;
  tokens: TokenProvider;
  breaker: CircuitBreaker;
  limiter: RateLimiter;
  classify: Classifier;
  retry: RetryOptions;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  log: ConnectorLog;
}

export const emptyStats = (): CallStats => ({ rateLimitWaits: 0, retries: 0, waitedMs: 0, tokenRefreshes: 0 });

const DISPLAY: Record<ConnectorSystem, string> = { salesforce: 'Salesforce', hubspot: 'HubSpot', workday: 'Workday' };

export class VendorGuard {
  constructor(private readonly deps: VendorGuardDeps) {}

  get system(): ConnectorSystem {
    return this.deps.system;
  }

  /** Runs one SourceClient call under the breaker. */
  async run<T>(operation: (context: CallContext) => Promise<T>): Promise<T> {
    const permit = await this.deps.breaker.acquire();
    const stats = emptyStats();
    // The budget is the call's: a page that needs several requests (search + associations) shares it.
    const started = this.deps.clock.now().getTime();
    const context: CallContext = { stats, send: (what, attempt) => this.send(stats, started, what, attempt) };
    let outcome: CallOutcome = 'success';
    let failure: string | undefined;
    try {
      return await operation(context);
    } catch (error) {
      outcome = outcomeOf(error);
      failure = failureLabel(error);
      throw error;
    } finally {
      try {
        await this.deps.breaker.release(permit, outcome, failure);
      } catch (error) {
        // The call's own result matters more than the breaker's bookkeeping; the next call reads the state again.
        this.deps.log('warn', 'circuit breaker state not recorded', {
          connectorId: this.deps.connectorId,
          system: this.deps.system,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
  }

  private async send(stats: CallStats, started: number, what: string, attempt: Attempt) {
    const { retry, clock, log, connectorId, system } = this.deps;
    const name = DISPLAY[system];
    let token = await this.deps.tokens.get();
    let retries = 0;
    let refreshed = false;

    for (;;) {
      await this.deps.limiter.take();
      let response: RawResponse | undefined;
      let verdict: Verdict | { kind: 'timeout' } | { kind: 'network'; code?: string };
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new AttemptTimeoutError(`${name} did not answer within ${retry.timeoutMs} ms`)),
        retry.timeoutMs,
      );
      try {
        response = await attempt(token, controller.signal);
        verdict = this.deps.classify(response, clock.now().getTime());
      } catch (error) {
        if (error instanceof AttemptTimeoutError) verdict = { kind: 'timeout' };
        else if (error instanceof VendorNetworkError) verdict = { kind: 'network', code: error.code };
        else throw error;
      } finally {
        clearTimeout(timer);
      }

      const status = response?.status ?? null;
      const secrets = [token.accessToken];
      const fields = { connectorId, system, what, status, retry: retries };
      switch (verdict.kind) {
        case 'ok':
          return { response: response!, token };
        case 'quota':
          log('warn', 'vendor quota spent', { ...fields, vendorCode: verdict.code });
          throw new SourceRateLimitedError(
            `${name} quota spent: ${redact(verdict.message, secrets)}`,
            verdict.retryAfterSeconds,
            { vendorCode: verdict.code, ...(status !== null ? { httpStatus: status } : {}) },
          );
        case 'cursor':
          throw new CursorExpiredError(`${name} paging cursor expired: ${redact(verdict.message, secrets)}`, {
            vendorCode: verdict.code,
            ...(status !== null ? { httpStatus: status } : {}),
          });
        case 'fail':
          log('warn', 'vendor refused the request', { ...fields, vendorCode: verdict.code ?? null });
          throw new ConnectorError(`${name} refused ${what}: ${redact(verdict.message, secrets)}`, {
            ...(verdict.code ? { vendorCode: verdict.code } : {}),
            ...(status !== null ? { httpStatus: status } : {}),
            retryable: false,
          });
        case 'token':
          if (refreshed || retries >= retry.maxRetries) {
            throw new ConnectorError(`${name} refused the access token: ${redact(verdict.message, secrets)}`, {
              ...(verdict.code ? { vendorCode: verdict.code } : {}),
              httpStatus: status ?? 401,
              retryable: false,
            });
          }
          log('info', 'access token refused, refreshing', { ...fields, vendorCode: verdict.code ?? null });
          token = await this.deps.tokens.refresh(token.accessToken);
          refreshed = true;
          stats.tokenRefreshes++;
          retries++;
          continue;
      }

      // Retryable: rate, server, timeout, network.
      const isRate = verdict.kind === 'rate';
      const retryAfterMs = verdict.kind === 'rate' ? verdict.retryAfterMs : undefined;
      const code = 'code' in verdict ? verdict.code : undefined;
      const reason =
        verdict.kind === 'timeout'
          ? `no answer within ${retry.timeoutMs} ms`
          : verdict.kind === 'network'
            ? `network error${code ? ` ${code}` : ''}`
            : redact(verdict.message, secrets);
      if (isRate && retryAfterMs !== undefined && retryAfterMs > retry.maxInCallWaitMs) {
        log('warn', 'vendor asked for a long wait', { ...fields, vendorCode: code ?? null, retryAfterMs });
        throw rateLimited(name, reason, retryAfterMs, code, status);
      }
      const delay = retryDelay(retries + 1, retryAfterMs, retry, this.deps.random);
      const elapsed = clock.now().getTime() - started;
      if (retries >= retry.maxRetries || elapsed + delay + retry.timeoutMs > retry.callBudgetMs) {
        log('warn', 'vendor request given up', { ...fields, vendorCode: code ?? null, kind: verdict.kind });
        if (isRate) throw rateLimited(name, reason, Math.max(delay, retryAfterMs ?? 0), code, status);
        throw new ConnectorError(`${name} ${what} failed after ${retries + 1} attempts: ${reason}`, {
          ...(code ? { vendorCode: code } : {}),
          ...(status !== null ? { httpStatus: status } : {}),
          retryable: true,
        });
      }
      log('info', 'retrying vendor request', {
        ...fields,
        vendorCode: code ?? null,
        kind: verdict.kind,
        delayMs: delay,
      });
      await this.deps.sleep(delay);
      stats.waitedMs += delay;
      if (isRate) stats.rateLimitWaits++;
      else stats.retries++;
      retries++;
    }
  }
}

function rateLimited(
  name: string,
  reason: string,
  waitMs: number,
  code: string | undefined,
  status: number | null,
): SourceRateLimitedError {
  return new SourceRateLimitedError(`${name} rate limit: ${reason}`, Math.max(1, Math.ceil(waitMs / 1000)), {
    ...(code ? { vendorCode: code } : {}),
    ...(status !== null ? { httpStatus: status } : {}),
  });
}

/** Vendor failures open the breaker; answers (refusals, rate limits, bad requests) and our own errors do not. */
export function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof MalformedPageError) return 'failure';
  if (error instanceof SourceRateLimitedError || error instanceof CircuitOpenError) return 'neutral';
  if (error instanceof ConnectorError && error.retryable) return 'failure';
  return 'neutral';
}

function failureLabel(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = error instanceof ConnectorError && error.vendorCode ? `:${error.vendorCode}` : '';
  return `${error.name}${code}`;
}
