/**
 * Per-tenant API limits: the same numbers in both runtimes. In AWS an API Gateway usage plan throttles
 * and sets a daily quota per tenant, keyed on the verified tenant (the authorizer returns the tenant's
 * usage identifier, `apiKeySource: AUTHORIZER`; a client cannot pick another tenant's key, since an
 * `x-api-key` header is ignored). Locally the gateway applies the same token bucket and quota per tenant.
 */
export interface TenantLimits {
  /** Steady-state requests per second per tenant. */
  ratePerSecond: number;
  /** Requests a tenant may send at once above the steady rate. */
  burst: number;
  /** Requests per tenant per UTC day. */
  quotaPerDay: number;
}

export const DEFAULT_TENANT_LIMITS: TenantLimits = { ratePerSecond: 25, burst: 50, quotaPerDay: 1_000_000 };

/**
 * The API key value that identifies a tenant to its stage's usage plan. Not a secret: with the AUTHORIZER
 * key source only the authorizer (after verifying the token) names it; it is derived so that the stack
 * (which creates one key per tenant) and the authorizer (which returns it) agree without a lookup.
 */
export function tenantUsageKey(stage: string, tenantId: string): string {
  return `modos-usage-${stage}-${tenantId}`.padEnd(20, '-');
}
