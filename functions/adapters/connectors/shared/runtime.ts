/**
 * What every vendor client is built with (the factory, functions/adapters/connectors/index.ts, assembles it).
 */
import { ConnectorError } from '../../../domain/connectors/errors.js';
import type { TokenProvider } from '../../../domain/connectors/ports.js';
import { type ConnectorObjectSpec, type ConnectorSystem, objectSpec } from '../../../domain/connectors/registry.js';
import type { UrlPolicy } from '../../../domain/webhooks/url-policy.js';
import type { GuardedAgents, Resolver } from './http-exchange.js';
import type { ConnectorLog, ConnectorRef } from './ports.js';
import type { RetryOptions } from './retry-policy.js';
import type { VendorGuard } from './vendor-guard.js';

export interface ClientRuntime {
  connector: ConnectorRef;
  /** Breaker, limiter, retries and token refresh around every request. */
  guard: VendorGuard;
  tokens: TokenProvider;
  policy: UrlPolicy;
  agents: GuardedAgents;
  resolve: Resolver;
  retry: RetryOptions;
  log: ConnectorLog;
  maxResponseBytes: number;
  /** HubSpot: the most results one search query reaches (10,000 at HubSpot; smaller in tests of the restart). */
  hubspotSearchCap: number;
}

/** The engine's page size within the vendor's bounds. */
export function clampPageSize(requested: number, min: number, max: number): number {
  if (!Number.isFinite(requested)) return max;
  return Math.min(max, Math.max(min, Math.floor(requested)));
}

/** An ISO instant from the engine, checked (it is written into queries). */
export function parseInstant(value: string, what: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) {
    throw new ConnectorError(`${what} is not an ISO instant`, { vendorCode: 'INVALID_REQUEST', retryable: false });
  }
  return at;
}

/** The registry's spec of the object; ConnectorError if the system has no such object. */
export function requireObject(system: ConnectorSystem, object: string): ConnectorObjectSpec {
  const spec = objectSpec(system, object);
  if (!spec) {
    throw new ConnectorError(`${system} has no object ${JSON.stringify(object.slice(0, 64))}`, {
      vendorCode: 'UNKNOWN_OBJECT',
      retryable: false,
    });
  }
  return spec;
}
