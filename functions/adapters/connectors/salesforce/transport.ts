/**
 * jsforce's HTTP transport, replaced for a connection: its requests go through the vendor guard (breaker, limiter,
 * retries, token refresh) and the guarded exchange (URL policy, pinned lookup, timeout) instead of jsforce's own
 * undici fetch. jsforce's built-in retries (GETs on 420/429/5xx, 5 times, ignoring Retry-After; see
 * @jsforce/jsforce-node lib/request.js) live in that default transport, so they never run: our policy is the only one
 * in force and a call sends at most 1 + maxRetries requests. jsforce still builds the URLs, sets the session header,
 * reads Sforce-Limit-Info into `conn.limitInfo` and parses the answers it is handed (only accepted ones).
 */
import { PassThrough } from 'node:stream';
import type { HttpRequest as JsforceRequest, HttpResponse as JsforceResponse } from '@jsforce/jsforce-node';
import { Transport } from '@jsforce/jsforce-node/lib/transport.js';
import { StreamPromise } from '@jsforce/jsforce-node/lib/util/promise.js';
import { guardedExchange } from '../shared/http-exchange.js';
import type { RawResponse } from '../shared/ports.js';
import type { ClientRuntime } from '../shared/runtime.js';
import type { CallContext } from '../shared/vendor-guard.js';

export class GuardedJsforceTransport extends Transport {
  /** The last accepted answer, as received (the page body is kept as the vendor sent it). */
  last: RawResponse | undefined;

  constructor(
    private readonly runtime: ClientRuntime,
    private readonly context: CallContext,
    private readonly what: string,
    /** The instance URL the connection was made with (jsforce prefixes every path with it). */
    private readonly instanceUrl: string,
  ) {
    super();
  }

  override httpRequest(request: JsforceRequest): StreamPromise<JsforceResponse> {
    return StreamPromise.create(() => {
      // jsforce pipes a response stream only for callers that ask for one; ours read the parsed body.
      const stream = new PassThrough();
      const promise = this.context
        .send(this.what, (token, signal) =>
          guardedExchange(
            {
              method: request.method === 'POST' ? 'POST' : 'GET',
              url: rebase(request.url, this.instanceUrl, token.instanceUrl),
              headers: {
                ...(request.headers ?? {}),
                Authorization: `Bearer ${token.accessToken}`,
                accept: 'application/json',
              },
              ...(typeof request.body === 'string' ? { body: request.body } : {}),
            },
            {
              policy: this.runtime.policy,
              agents: this.runtime.agents,
              system: 'Salesforce',
              signal,
              maxResponseBytes: this.runtime.maxResponseBytes,
            },
          ),
        )
        .then(({ response }) => {
          this.last = response;
          stream.end();
          return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
        });
      promise.catch(() => stream.destroy());
      return { stream, promise };
    });
  }
}

/** The request's URL on the instance the (maybe refreshed) token names, if it moved. */
export function rebase(url: string, from: string, to: string | undefined): string {
  if (!to || to === from || !url.startsWith(from)) return url;
  return `${to.replace(/\/+$/, '')}${url.slice(from.replace(/\/+$/, '').length)}`;
}
