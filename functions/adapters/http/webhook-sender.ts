/**
 * Outbound Standard Webhooks over node:http/node:https, safe against SSRF.
 *
 * Per attempt: check the URL against the policy → resolve the host ONCE (`dns.lookup`, all
 * addresses) → refuse if any address is not allowed → connect to the checked address only (the
 * socket's `lookup` is replaced by one that returns it, so no second resolution can be rebound)
 * → signed POST with a fresh timestamp and the same webhook-id → classify the response.
 * Redirects are never followed. Retries: network errors, timeouts, 429 and 5xx, with exponential
 * backoff and jitter, honouring Retry-After. See docs/webhooks.md.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { ValidationError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports.js';
import { buildWebhookBody } from '../../domain/webhooks/payload.js';
import type {
  WebhookDelivery,
  WebhookFailure,
  WebhookSender,
  WebhookSendRequest,
} from '../../domain/webhooks/ports.js';
import {
  assertValidMessageId,
  newWebhookMessageId,
  parseWebhookSecret,
  signWebhook,
  type WebhookHeaders,
} from '../../domain/webhooks/signing.js';
import {
  checkResolvedAddresses,
  checkWebhookUrl,
  type ResolvedAddress,
  type UrlPolicy,
  type WebhookTarget,
} from '../../domain/webhooks/url-policy.js';

/** Resolves a host name to every address it has (the system resolver, like a normal connect). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, order: 'verbatim' })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

export interface HttpWebhookSenderOptions {
  policy: UrlPolicy;
  /** Whole attempt: DNS, connect, TLS, request and response (default 5000 ms). */
  timeoutMs?: number;
  /** Attempts in this call, first included (default 4). Longer schedules belong to the caller's queue. */
  maxAttempts?: number;
  /** Backoff before retry n is base·2^(n-1), capped, with "equal jitter" (half fixed, half random). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this ends the call (the failure carries `retryAfterMs` for the caller to schedule). */
  maxRetryAfterMs?: number;
  /** Response bytes read before the connection is dropped; the outcome depends on the status only. */
  maxResponseBytes?: number;
  /** Refuse bodies larger than this (Standard Webhooks recommends small payloads). */
  maxRequestBytes?: number;
  userAgent?: string;
  resolve?: Resolver;
  sleep?: (ms: number) => Promise<void>;
  clock?: Clock;
  /** In [0, 1); injectable so backoff is deterministic in tests. */
  random?: () => number;
}

export const WEBHOOK_SENDER_DEFAULTS = {
  timeoutMs: 5_000,
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 30_000,
  maxResponseBytes: 64 * 1024,
  maxRequestBytes: 256 * 1024,
  userAgent: 'modos-webhooks/1.0',
} as const;

type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; failure: WebhookFailure; retryable: boolean; retryAfterMs?: number };

/** Errors whose retry cannot help: the name does not exist. */
const PERMANENT_DNS_CODES = new Set(['ENOTFOUND', 'ENODATA']);

class AttemptTimeout extends Error {
  override readonly name = 'AttemptTimeout';
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HttpWebhookSender implements WebhookSender {
  private readonly options: Required<Omit<HttpWebhookSenderOptions, 'policy'>> & { policy: UrlPolicy };

  constructor(options: HttpWebhookSenderOptions) {
    this.options = {
      ...WEBHOOK_SENDER_DEFAULTS,
      resolve: systemResolver,
      sleep: realSleep,
      clock: { now: () => new Date() },
      random: Math.random,
      ...stripUndefined(options),
      policy: options.policy,
    };
    if (this.options.maxAttempts < 1) throw new ValidationError('maxAttempts must be at least 1');
  }

  async send(request: WebhookSendRequest): Promise<WebhookDelivery> {
    const { policy, clock, maxAttempts, maxRequestBytes } = this.options;
    // Caller defects throw before anything is sent.
    const id = request.id ?? newWebhookMessageId();
    assertValidMessageId(id);
    if (request.secrets.length === 0) throw new ValidationError('at least one webhook secret is required');
    request.secrets.forEach(parseWebhookSecret);
    let body: string;
    try {
      body = buildWebhookBody({
        type: request.eventType,
        occurredAt: request.occurredAt ?? clock.now(),
        data: request.payload,
      });
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw new ValidationError('webhook payload is not JSON-serializable', { cause: error });
    }
    if (Buffer.byteLength(body) > maxRequestBytes)
      throw new ValidationError(`webhook body exceeds ${maxRequestBytes} bytes`);

    const decision = checkWebhookUrl(request.url, policy);
    if (!decision.allowed)
      return { delivered: false, id, attempts: 0, lastError: { kind: 'refused', ...decision.refusal } };

    let lastError: WebhookFailure | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const headers = signWebhook({ id, timestamp: clock.now(), body, secrets: request.secrets });
      const outcome = await this.attempt(decision.target, headers, body);
      if (outcome.ok) return { delivered: true, id, attempts: attempt, status: outcome.status };
      lastError = outcome.failure;
      if (!outcome.retryable || attempt === maxAttempts) return { delivered: false, id, attempts: attempt, lastError };
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.options.maxRetryAfterMs) {
        return { delivered: false, id, attempts: attempt, lastError };
      }
      await this.options.sleep(Math.max(outcome.retryAfterMs ?? 0, this.backoff(attempt)));
    }
    /* c8 ignore next */
    throw new Error('unreachable');
  }

  /** Delay after failed attempt n (1-based): equal jitter over min(max, base·2^(n-1)). */
  backoff(attempt: number): number {
    const ceiling = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + this.options.random() * (ceiling / 2));
  }

  private async attempt(target: WebhookTarget, signed: WebhookHeaders, body: string): Promise<AttemptOutcome> {
    const deadline = Date.now() + this.options.timeoutMs;
    let pinned: ResolvedAddress;
    if (target.ipLiteral !== null) {
      pinned = { address: target.ipLiteral, family: target.ipLiteral.includes(':') ? 6 : 4 };
    } else {
      let addresses: ResolvedAddress[];
      try {
        addresses = await withDeadline(this.options.resolve(target.hostname), deadline);
      } catch (error) {
        if (error instanceof AttemptTimeout)
          return { ok: false, retryable: true, failure: { kind: 'timeout', message: 'DNS resolution timed out' } };
        const code = errorCode(error);
        return {
          ok: false,
          retryable: !PERMANENT_DNS_CODES.has(code ?? ''),
          failure: {
            kind: 'network',
            ...(code ? { code } : {}),
            message: `DNS resolution failed${code ? `: ${code}` : ''}`,
          },
        };
      }
      const checked = checkResolvedAddresses(target, addresses);
      if (!checked.allowed) return { ok: false, retryable: false, failure: { kind: 'refused', ...checked.refusal } };
      pinned = checked.address;
    }

    let response: { status: number; headers: http.IncomingHttpHeaders };
    try {
      response = await this.post(target, pinned, signed, body, deadline);
    } catch (error) {
      if (error instanceof AttemptTimeout)
        return {
          ok: false,
          retryable: true,
          failure: { kind: 'timeout', message: `no response within ${this.options.timeoutMs} ms` },
        };
      const code = errorCode(error);
      return {
        ok: false,
        retryable: true,
        failure: {
          kind: 'network',
          ...(code ? { code } : {}),
          message: error instanceof Error ? error.message : String(error),
        },
      };
    }
    return this.classify(response);
  }

  private classify({ status, headers }: { status: number; headers: http.IncomingHttpHeaders }): AttemptOutcome {
    if (status >= 200 && status < 300) return { ok: true, status };
    if (status >= 300 && status < 400) {
      const location = typeof headers.location === 'string' ? headers.location.slice(0, 512) : undefined;
      return {
        ok: false,
        retryable: false,
        failure: {
          kind: 'redirect',
          status,
          ...(location ? { location } : {}),
          message: `redirect ${status} not followed; update the endpoint URL`,
        },
      };
    }
    const retryable = status === 429 || status >= 500;
    const retryAfterMs = retryable ? parseRetryAfter(headers['retry-after'], this.options.clock.now()) : undefined;
    return {
      ok: false,
      retryable,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      failure: {
        kind: 'http_status',
        status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        message: `receiver answered ${status}`,
      },
    };
  }

  /** One POST over a fresh connection to `pinned`. Resolves with the status once the body is read, capped, or the deadline passes. */
  private post(target: WebhookTarget, pinned: ResolvedAddress, signed: WebhookHeaders, body: string, deadline: number) {
    const { url } = target;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      let settled = false;
      let response: http.IncomingMessage | undefined;
      const done = (error: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        response?.destroy();
        if (response) resolve({ status: response.statusCode ?? 0, headers: response.headers });
        else reject(error ?? new Error('connection closed before a response'));
      };
      const req = transport.request({
        protocol: url.protocol,
        hostname: target.hostname,
        port: target.port,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        // A fresh socket per attempt: a pooled one may have been opened for an earlier resolution.
        agent: false,
        lookup: pinnedLookup(target.hostname, pinned),
        headers: {
          // As the URL wrote it (brackets for IPv6, port when not the default), whatever address we dial.
          host: url.host,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': this.options.userAgent,
          connection: 'close',
          ...signed,
        },
      });
      const timer = setTimeout(() => done(new AttemptTimeout()), Math.max(0, deadline - Date.now()));
      req.on('error', (error) => done(error));
      req.on('response', (res) => {
        response = res;
        let received = 0;
        // Only the status matters; the body is read (and dropped) so the receiver sees a clean end, up to a cap.
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > this.options.maxResponseBytes) done(null);
        });
        res.on('end', () => done(null));
        res.on('error', () => done(null));
        res.on('close', () => done(null));
      });
      req.end(body);
    });
  }
}

/** A `lookup` for the socket that can only return the address we checked. */
function pinnedLookup(hostname: string, pinned: ResolvedAddress): LookupFunction {
  return ((
    name: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    if (name !== hostname) {
      callback(Object.assign(new Error(`unexpected lookup of ${name}`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as LookupFunction;
}

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeout()), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
