/**
 * The vendors' OAuth token endpoints (docs/connectors.md): one form POST each, sent over the same guarded transport
 * as the data requests (URL policy, pinned lookup, timeout). Not through jsforce's OAuth2 or the HubSpot client's
 * oauth API: both would send it over their own transport, outside the URL policy, and one POST needs no library.
 * Errors quote the vendor's code and description with every credential cut out.
 */
import * as z from 'zod';
import type { ConnectorCredentials } from '../../../../schemas/connectors.js';
import { ConnectorError } from '../../../domain/connectors/errors.js';
import type { Clock } from '../../../domain/ports.js';
import type { UrlPolicy } from '../../../domain/webhooks/url-policy.js';
import { AttemptTimeoutError, type GuardedAgents, guardedExchange, VendorNetworkError } from './http-exchange.js';
import type { ConnectorRef, Sleep } from './ports.js';
import { redact, vendorCode } from './redact.js';
import { backoffDelay, DEFAULT_RETRY_OPTIONS } from './retry-policy.js';

export interface EndpointToken {
  accessToken: string;
  expiresAt: number | null;
  instanceUrl: string | null;
  /** A new refresh token, when the vendor rotated it. */
  refreshToken: string | null;
}

/** Obtains an access token with the credentials (and the current refresh token, for the refresh grant). */
export type TokenEndpoint = (
  credentials: Exclude<ConnectorCredentials, { kind: 'access_token' }>,
  refreshToken: string | null,
) => Promise<EndpointToken>;

export interface TokenEndpointDeps {
  policy: UrlPolicy;
  agents: GuardedAgents;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  /** Per request (default 10 s: a token request is small). */
  timeoutMs?: number;
  /** Requests after the first on 5xx, 429 and network errors (default 2: the refresh lease must outlast them). */
  maxRetries?: number;
}

const SalesforceToken = z.object({ access_token: z.string().min(1), instance_url: z.string().url() });
const ExpiringToken = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
});

/** The token endpoint of the connector's system. */
export function tokenEndpointFor(connector: ConnectorRef, deps: TokenEndpointDeps): TokenEndpoint {
  const base = connector.baseUrl.replace(/\/+$/, '');
  return async (credentials, refreshToken) => {
    const grant = credentials.kind === 'refresh_token' ? 'refresh_token' : 'client_credentials';
    const secrets = [credentials.clientId, credentials.clientSecret, refreshToken];
    if (credentials.kind === 'refresh_token') secrets.push(credentials.refreshToken);
    const form = new URLSearchParams({ grant_type: grant });
    if (grant === 'refresh_token') form.set('refresh_token', refreshToken ?? '');
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    let url: string;
    switch (connector.system) {
      case 'salesforce':
        url = `${base}/services/oauth2/token`;
        form.set('client_id', credentials.clientId);
        form.set('client_secret', credentials.clientSecret);
        break;
      case 'hubspot':
        if (grant !== 'refresh_token') {
          throw new ConnectorError('HubSpot connectors authenticate with a refresh token or an access token', {
            vendorCode: 'UNSUPPORTED_GRANT',
          });
        }
        url = `${base}/oauth/v1/token`;
        form.set('client_id', credentials.clientId);
        form.set('client_secret', credentials.clientSecret);
        break;
      case 'workday': {
        const tenant = connector.settings.tenant;
        if (!tenant) throw new ConnectorError('Workday connectors need settings.tenant', { vendorCode: 'CONFIG' });
        url = `${base}/ccx/oauth2/${encodeURIComponent(tenant)}/token`;
        headers.authorization = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`;
        break;
      }
    }
    const name = DISPLAY[connector.system];
    const response = await postWithRetries(url, headers, form.toString(), name, connector.system, deps);
    const json = parseJson(response.body);
    if (response.status >= 200 && response.status < 300) {
      const now = deps.clock.now().getTime();
      if (connector.system === 'salesforce') {
        const parsed = SalesforceToken.safeParse(json);
        if (!parsed.success) throw malformedToken(name);
        return {
          accessToken: parsed.data.access_token,
          expiresAt: null,
          instanceUrl: parsed.data.instance_url.replace(/\/+$/, ''),
          refreshToken: null,
        };
      }
      const parsed = ExpiringToken.safeParse(json);
      if (!parsed.success) throw malformedToken(name);
      return {
        accessToken: parsed.data.access_token,
        expiresAt: parsed.data.expires_in === undefined ? null : now + parsed.data.expires_in * 1000,
        instanceUrl: null,
        refreshToken: parsed.data.refresh_token ?? null,
      };
    }
    const { code, description } = describeTokenError(json);
    const retryable = response.status === 429 || response.status >= 500;
    throw new ConnectorError(
      `${name} refused the credentials${code ? `: ${code}` : ''}${description ? ` (${redact(description, secrets)})` : ''}`,
      { httpStatus: response.status, retryable, ...(code ? { vendorCode: code } : {}) },
    );
  };
}

const DISPLAY = { salesforce: 'Salesforce', hubspot: 'HubSpot', workday: 'Workday' } as const;

async function postWithRetries(
  url: string,
  headers: Record<string, string>,
  body: string,
  name: string,
  system: string,
  deps: TokenEndpointDeps,
) {
  const maxRetries = deps.maxRetries ?? 2;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  for (let retry = 0; ; retry++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeoutError('token request timed out')), timeoutMs);
    try {
      const response = await guardedExchange(
        { method: 'POST', url, headers, body },
        { policy: deps.policy, agents: deps.agents, system, signal: controller.signal },
      );
      if (!(response.status === 429 || response.status >= 500) || retry >= maxRetries) return response;
    } catch (error) {
      if (!(error instanceof AttemptTimeoutError || error instanceof VendorNetworkError)) throw error;
      if (retry >= maxRetries) {
        const failure = error instanceof AttemptTimeoutError ? `no answer within ${timeoutMs} ms` : error.message;
        throw new ConnectorError(`${name} token endpoint unreachable: ${failure}`, {
          retryable: true,
          ...(error instanceof VendorNetworkError && error.code ? { vendorCode: error.code } : {}),
        });
      }
    } finally {
      clearTimeout(timer);
    }
    await deps.sleep(backoffDelay(retry + 1, DEFAULT_RETRY_OPTIONS, deps.random));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** OAuth's `{ error, error_description }` (Salesforce, Workday) or HubSpot's `{ status, message }`. */
function describeTokenError(json: unknown): { code?: string; description?: string } {
  if (typeof json !== 'object' || json === null) return {};
  const body = json as Record<string, unknown>;
  const code = vendorCode(body.error) ?? vendorCode(body.status) ?? vendorCode(body.category);
  const text = body.error_description ?? body.message;
  return { ...(code ? { code } : {}), ...(typeof text === 'string' ? { description: text } : {}) };
}

function malformedToken(name: string): ConnectorError {
  return new ConnectorError(`${name} token endpoint answered without a usable access token`, {
    vendorCode: 'MALFORMED_TOKEN_RESPONSE',
    retryable: true,
  });
}
