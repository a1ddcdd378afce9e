/**
 * The vendor clients' factory.
 *
 * For the composition root (one connector of one tenant, read from the table, credentials opened):
 *
 * ```ts
 * const { tokens, breaker } = connectorResilience({
 *   doc, tableName, secretBox, tenantId, connector, credentials, urlPolicy, // + optional log, clock
 * });
 * const client: SourceClient = sourceClientFor(connector, { tokens, breaker, urlPolicy });
 * // or both at once: connectorSourceClient({ doc, tableName, secretBox, tenantId, connector, credentials, urlPolicy })
 * ```
 *
 * - `connector`: `{ id, system, baseUrl, settings }` of the stored connector (ConnectorRecord has them).
 * - `credentials`: the decrypted ConnectorCredentials (`client_credentials`, `refresh_token` or `access_token`).
 * - `urlPolicy`: the outbound URL policy (functions/domain/webhooks/url-policy.ts): PRODUCTION_URL_POLICY in AWS;
 *   on the local platform `{ allowHttpLoopback: ALLOW_HTTP_LOOPBACK_WEBHOOKS, loopbackPorts: LOOPBACK_WEBHOOK_PORTS }`,
 *   which lets the clients reach the fake vendors on http://127.0.0.1:<port>.
 * - the token and breaker state are the table items `keys.connectorToken` / `keys.connectorBreaker` of the
 *   connector; the access token (and a rotated refresh token) are sealed with `secretBox` for `tenantId`.
 *
 * Errors thrown by the clients (names are API, see functions/domain/connectors/errors.ts): ConnectorError (with
 * `retryable`, `vendorCode`, `httpStatus`), MalformedPageError, SourceRateLimitedError and CircuitOpenError (with
 * `retryAfterSeconds` to wait), CursorExpiredError (restart the pass); TransientError from the table.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConnectorCredentials } from '../../../schemas/connectors.js';
import type { SourceClient, TokenProvider } from '../../domain/connectors/ports.js';
import { CONNECTOR_REGISTRY } from '../../domain/connectors/registry.js';
import type { Clock, IdGenerator, SecretBox } from '../../domain/ports.js';
import type { UrlPolicy } from '../../domain/webhooks/url-policy.js';
import { DynamoBreakerStore, DynamoTokenStore } from '../dynamodb/connector-state.js';
import { HUBSPOT_SEARCH_RESULT_CAP, HubspotClient } from './hubspot/client.js';
import { hubspotClassifier } from './hubspot/classify.js';
import { SalesforceClient } from './salesforce/client.js';
import { salesforceClassifier } from './salesforce/classify.js';
import { type BreakerOptions, StoredCircuitBreaker } from './shared/circuit-breaker.js';
import { DEFAULT_MAX_RESPONSE_BYTES, guardedAgents, type Resolver, systemResolver } from './shared/http-exchange.js';
import { tokenEndpointFor } from './shared/oauth.js';
import {
  type CircuitBreaker,
  type ConnectorLog,
  type ConnectorRef,
  type RateLimiter,
  realSleep,
  type Sleep,
  silentLog,
} from './shared/ports.js';
import { registryLimiter } from './shared/rate-limiter.js';
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from './shared/retry-policy.js';
import type { ClientRuntime } from './shared/runtime.js';
import { StaticTokenProvider, StoredTokenProvider, type TokenProviderOptions } from './shared/token-provider.js';
import { type Classifier, VendorGuard } from './shared/vendor-guard.js';
import { WorkdayClient } from './workday/client.js';
import { workdayClassifier } from './workday/classify.js';

export type { ConnectorLog, ConnectorRef } from './shared/ports.js';

export interface SourceClientDeps {
  tokens: TokenProvider;
  breaker: CircuitBreaker;
  urlPolicy: UrlPolicy;
  /** Default: a token bucket at the registry's `requestsPerSecond` for the system. */
  limiter?: RateLimiter;
  /** Retry policy and per-request timeout (`timeoutMs`, default 30 s); defaults in DEFAULT_RETRY_OPTIONS. */
  retry?: Partial<RetryOptions>;
  /** Answers larger than this are refused (default 64 MiB). */
  maxResponseBytes?: number;
  /** HubSpot's search result cap (default 10,000, HubSpot's own; a fake may be set lower to test the restart). */
  hubspotSearchCap?: number;
  clock?: Clock;
  sleep?: Sleep;
  /** In [0, 1): the backoff jitter (injectable so tests can bound it). */
  random?: () => number;
  /** DNS for the guarded connections (default: the system resolver). */
  resolve?: Resolver;
  log?: ConnectorLog;
}

const systemClock: Clock = { now: () => new Date() };
const DISPLAY = { salesforce: 'Salesforce', hubspot: 'HubSpot', workday: 'Workday' } as const;

/** The SourceClient of a connector. */
export function sourceClientFor(connector: ConnectorRef, deps: SourceClientDeps): SourceClient {
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? realSleep;
  const retry: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...deps.retry };
  const log = deps.log ?? silentLog;
  const resolve = deps.resolve ?? systemResolver;
  const classify: Classifier =
    connector.system === 'salesforce'
      ? salesforceClassifier(retry)
      : connector.system === 'hubspot'
        ? hubspotClassifier(retry)
        : workdayClassifier;
  const guard = new VendorGuard({
    connectorId: connector.id,
    system: connector.system,
    tokens: deps.tokens,
    breaker: deps.breaker,
    limiter: deps.limiter ?? registryLimiter(connector.system, clock, sleep),
    classify,
    retry,
    clock,
    sleep,
    random: deps.random ?? Math.random,
    log,
  });
  const runtime: ClientRuntime = {
    connector,
    guard,
    tokens: deps.tokens,
    policy: deps.urlPolicy,
    agents: guardedAgents(deps.urlPolicy, resolve),
    resolve,
    retry,
    log,
    maxResponseBytes: deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    hubspotSearchCap: deps.hubspotSearchCap ?? HUBSPOT_SEARCH_RESULT_CAP,
  };
  switch (connector.system) {
    case 'salesforce':
      return new SalesforceClient(runtime);
    case 'hubspot':
      return new HubspotClient(runtime);
    case 'workday':
      return new WorkdayClient(runtime);
  }
}

export interface ConnectorResilienceInput {
  doc: DynamoDBDocumentClient;
  tableName: string;
  secretBox: SecretBox;
  tenantId: string;
  connector: ConnectorRef;
  /** Decrypted. */
  credentials: ConnectorCredentials;
  urlPolicy: UrlPolicy;
  log?: ConnectorLog;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  resolve?: Resolver;
  ids?: IdGenerator;
  breakerOptions?: Partial<BreakerOptions>;
  tokenOptions?: Partial<TokenProviderOptions>;
}

/** The TokenProvider and circuit breaker of a tenant's connector, their state in the table. */
export function connectorResilience(input: ConnectorResilienceInput): {
  tokens: TokenProvider;
  breaker: CircuitBreaker;
} {
  const { doc, tableName, tenantId, connector, credentials } = input;
  const clock = input.clock ?? systemClock;
  const sleep = input.sleep ?? realSleep;
  const log = input.log ?? silentLog;
  const ids = input.ids ?? { newId: () => randomUUID() };
  const now = () => clock.now();
  if (!CONNECTOR_REGISTRY[connector.system].authKinds.includes(credentials.kind)) {
    log('warn', 'credentials kind not in the registry for this system', {
      connectorId: connector.id,
      kind: credentials.kind,
    });
  }
  const breaker = new StoredCircuitBreaker(new DynamoBreakerStore(doc, tableName, tenantId, connector.id, now), {
    connectorId: connector.id,
    clock,
    ids,
    log,
    ...(input.breakerOptions ? { options: input.breakerOptions } : {}),
  });
  const vendor = DISPLAY[connector.system];
  const tokens: TokenProvider =
    credentials.kind === 'access_token'
      ? new StaticTokenProvider(credentials.accessToken, vendor)
      : new StoredTokenProvider({
          tenantId,
          connectorId: connector.id,
          vendor,
          credentials,
          store: new DynamoTokenStore(doc, tableName, tenantId, connector.id, now),
          secretBox: input.secretBox,
          endpoint: tokenEndpointFor(connector, {
            policy: input.urlPolicy,
            agents: guardedAgents(input.urlPolicy, input.resolve ?? systemResolver),
            clock,
            sleep,
            random: input.random ?? Math.random,
          }),
          clock,
          sleep,
          ids,
          log,
          ...(input.tokenOptions ? { options: input.tokenOptions } : {}),
        });
  return { tokens, breaker };
}

/** Both at once: the connector's SourceClient over its table-backed tokens and breaker. */
export function connectorSourceClient(
  input: ConnectorResilienceInput & Omit<SourceClientDeps, 'tokens' | 'breaker' | 'urlPolicy'>,
): SourceClient {
  const { tokens, breaker } = connectorResilience(input);
  return sourceClientFor(input.connector, { ...input, tokens, breaker });
}
