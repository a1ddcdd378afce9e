/**
 * One HubSpot request through `@hubspot/api-client`, as one attempt of the vendor guard. The client is built per
 * attempt, with:
 * - no retries and no limiter of its own (`numberOfApiCallRetries` unset, no `limiterOptions`): its retry counts
 *   attempts, ignores Retry-After and logs through console.error; ours is the one in force. (Its decorators are a
 *   process-wide singleton that every `new Client` resets; with neither option set it resets them to none.)
 * - an `httpAgent` whose connections resolve through the guarded lookup (the client then sends with node:http), so
 *   the attempt's timeout can destroy exactly its sockets;
 * - middleware: before sending, the URL policy on the URL the client built; after, the answer as received (status,
 *   headers, body text), which the guard classifies whatever the client then makes of it.
 */
import { Client } from '@hubspot/api-client';
import { ConnectorError } from '../../../domain/connectors/errors.js';
import { assertUrlAllowed, flattenHeaders, guardedAgents, networkError } from '../shared/http-exchange.js';
import type { RawResponse } from '../shared/ports.js';
import type { ClientRuntime } from '../shared/runtime.js';
import type { Attempt } from '../shared/vendor-guard.js';

/** The slice of the generated client's request and response contexts the middleware reads. */
interface RequestContextLike {
  getUrl(): string;
}
interface ResponseContextLike {
  httpStatusCode: number;
  headers: Record<string, string>;
  body: { text(): Promise<string> };
}

/** An attempt that runs `call` on a fresh client holding the attempt's token. */
export function hubspotAttempt(runtime: ClientRuntime, call: (client: Client) => Promise<unknown>): Attempt {
  const basePath = runtime.connector.baseUrl.replace(/\/+$/, '');
  return async (token, signal) => {
    const agents = guardedAgents(runtime.policy, runtime.resolve);
    const agent = basePath.startsWith('https:') ? agents.https : agents.http;
    let captured: RawResponse | undefined;
    const client = new Client({
      accessToken: token.accessToken,
      basePath,
      httpAgent: agent,
      middleware: [
        {
          pre: async (context: unknown) => {
            assertUrlAllowed((context as RequestContextLike).getUrl(), runtime.policy, 'HubSpot');
            return context;
          },
          post: async (context: unknown) => {
            const response = context as ResponseContextLike;
            const body = await response.body.text();
            if (Buffer.byteLength(body) > runtime.maxResponseBytes) {
              throw new ConnectorError(`HubSpot answer exceeds ${runtime.maxResponseBytes} bytes`, {
                vendorCode: 'RESPONSE_TOO_LARGE',
              });
            }
            captured = { status: response.httpStatusCode, headers: flattenHeaders(response.headers), body };
            return context;
          },
        },
      ],
    });
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => {
        agents.http.destroy();
        agents.https.destroy();
        reject(signal.reason);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => {});
    try {
      await Promise.race([call(client), aborted]);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // Any answer is the guard's to judge; without one, it was the connection (or the URL policy).
      if (!captured) throw networkError(error as NodeJS.ErrnoException);
    } finally {
      agents.http.destroy();
      agents.https.destroy();
    }
    if (!captured) throw new Error('the HubSpot client resolved without an answer');
    return captured;
  };
}
