/**
 * Outbound HTTP to customer-configured vendor URLs, safe against SSRF: the URL text passes the platform's URL
 * policy (functions/domain/webhooks/url-policy.ts, the same rules as webhooks) before every request, and every
 * connection resolves its host through a lookup that refuses any address that is not public unicast (loopback only
 * for `localhost` under the local platform's dev policy) and hands the socket the addresses it checked, so a second
 * resolution cannot be rebound. Redirects are never followed. One attempt, no retries: the vendor guard retries.
 */
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import { ConnectorError } from '../../../domain/connectors/errors.js';
import { checkAddress, checkWebhookUrl, type UrlPolicy } from '../../../domain/webhooks/url-policy.js';
import { type Resolver, systemResolver } from '../../http/webhook-sender.js';
import type { RawResponse } from './ports.js';

export type { Resolver };
export { systemResolver };

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A network failure before or while reading an answer (reset, refused, DNS): retryable. */
export class VendorNetworkError extends Error {
  override readonly name = 'VendorNetworkError';
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The attempt's deadline passed: the request is destroyed and the guard counts a timeout. */
export class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeoutError';
}

/** Names that do not exist: retrying within the call cannot help. */
const PERMANENT_DNS_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * Throws ConnectorError (not retryable) when the policy refuses the URL. Called before every request: vendor answers
 * (Salesforce's instance_url, paging links) lead to URLs the configuration never named.
 */
export function assertUrlAllowed(url: string, policy: UrlPolicy, system: string): void {
  const decision = checkWebhookUrl(url, policy);
  if (!decision.allowed) {
    throw new ConnectorError(`${system} URL refused by the outbound URL policy: ${decision.refusal.message}`, {
      vendorCode: `URL_${decision.refusal.reason.toUpperCase()}`,
      retryable: false,
    });
  }
}

/**
 * A socket lookup that resolves every address of the host and refuses the connection if any is not allowed (an
 * attacker controlling the zone could mix a public and a private answer). IP literals never reach a lookup: the URL
 * policy has checked them.
 */
export function guardedLookup(policy: UrlPolicy, resolve: Resolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    const allowLoopback = policy.allowHttpLoopback && hostname === 'localhost';
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return callback(lookupError(`${hostname} resolved to no address`, 'ENODATA'), '');
        for (const { address } of addresses) {
          const decision = checkAddress(address, { allowLoopback });
          if (!decision.allowed) {
            return callback(
              lookupError(`${hostname} resolves to a ${decision.addressClass} address`, 'EADDRREFUSED'),
              '',
            );
          }
        }
        if (options?.all) callback(null, addresses as LookupAddress[]);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, ''),
    );
  }) as LookupFunction;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function lookupError(message: string, code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** Agents whose every connection goes through the guarded lookup (no keep-alive: each attempt owns its socket). */
export function guardedAgents(policy: UrlPolicy, resolve: Resolver = systemResolver) {
  const lookup = guardedLookup(policy, resolve);
  return {
    http: new http.Agent({ keepAlive: false, lookup }),
    https: new https.Agent({ keepAlive: false, lookup }),
  };
}
export type GuardedAgents = ReturnType<typeof guardedAgents>;

export interface ExchangeOptions {
  policy: UrlPolicy;
  agents: GuardedAgents;
  system: string;
  /** Aborting it destroys the request; the exchange rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Answers larger than this (decoded) are refused (default 64 MiB). */
  maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** One request over a guarded connection; resolves with any status, rejects on network errors and aborts. */
export async function guardedExchange(request: HttpRequest, options: ExchangeOptions): Promise<RawResponse> {
  assertUrlAllowed(request.url, options.policy, options.system);
  const url = new URL(request.url);
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const transport = url.protocol === 'https:' ? https : http;
  const agent = url.protocol === 'https:' ? options.agents.https : options.agents.http;
  const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate', ...request.headers };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));

  const {
    status,
    headers: responseHeaders,
    raw,
  } = await new Promise<{
    status: number;
    headers: Record<string, string>;
    raw: Buffer;
  }>((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) return reject(signal.reason);
    const req = transport.request(url, { method: request.method, headers, agent });
    const onAbort = () => {
      req.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    req.on('error', (error: NodeJS.ErrnoException) => {
      done();
      reject(networkError(error));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) {
          done();
          req.destroy();
          reject(tooLarge(options.system, maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error: NodeJS.ErrnoException) => {
        done();
        reject(networkError(error));
      });
      res.on('end', () => {
        done();
        resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), raw: Buffer.concat(chunks) });
      });
    });
    req.end(request.body);
  });

  const encoding = (responseHeaders['content-encoding'] ?? '').trim().toLowerCase();
  let decoded = raw;
  try {
    if (encoding === 'gzip') decoded = await gunzipAsync(raw, { maxOutputLength: maxBytes });
    else if (encoding === 'deflate') decoded = await inflateAsync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    // A cut-off compressed stream is a truncated answer: the page check reports it as such.
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(options.system, maxBytes);
    decoded = Buffer.alloc(0);
  }
  return { status, headers: responseHeaders, body: decoded.toString('utf8') };
}

function tooLarge(system: string, maxBytes: number): ConnectorError {
  return new ConnectorError(`${system} answer exceeds ${maxBytes} bytes`, { vendorCode: 'RESPONSE_TOO_LARGE' });
}

/** Node's errors as the guard classifies them: a missing name is final, anything else is retried. */
export function networkError(error: NodeJS.ErrnoException): Error {
  if (error instanceof ConnectorError || error instanceof AttemptTimeoutError) return error;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && PERMANENT_DNS_CODES.has(code)) {
    return new ConnectorError(`vendor host name does not resolve (${code})`, { vendorCode: code, cause: error });
  }
  if (code === 'EADDRREFUSED') {
    return new ConnectorError(`vendor host refused by the outbound URL policy: ${error.message}`, {
      vendorCode: 'URL_RESOLVED_ADDRESS_NOT_ALLOWED',
    });
  }
  return new VendorNetworkError(`network error${code ? ` ${code}` : ''}`, code, { cause: error });
}

export function flattenHeaders(headers: http.IncomingHttpHeaders | Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
