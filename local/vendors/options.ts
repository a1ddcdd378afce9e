/**
 * Options of the fake vendors and their defaults. Every limit a test may need to reach quickly is a setting, with
 * the vendor's own value (or one generous enough for demos) as the default; docs/fake-vendors.md lists them.
 */

export const VENDOR_SYSTEMS = ['salesforce', 'hubspot', 'workday'] as const;
export type VendorSystem = (typeof VENDOR_SYSTEMS)[number];

export const isVendorSystem = (s: unknown): s is VendorSystem =>
  typeof s === 'string' && (VENDOR_SYSTEMS as readonly string[]).includes(s);

export interface SalesforceSettings {
  /** Requests per day the org may make (`Sforce-Limit-Info: api-usage=used/limit`). */
  dailyLimit: number;
  /** A query locator unused for this long answers INVALID_QUERY_LOCATOR (Salesforce: 15 minutes). */
  locatorTtlMs: number;
  /** Smallest batch `Sforce-Query-Options: batchSize` may ask for (Salesforce: 200). */
  minBatchSize: number;
  /** Session timeout of the tokens the token endpoint issues; each call extends it (Salesforce: 2 hours). */
  sessionLifetimeMs: number;
}

export interface HubSpotSettings {
  /** The rolling limit per app: `max` requests per `intervalMs` (HubSpot: 100 or more per 10 s). */
  rateLimit: { max: number; intervalMs: number };
  /** Search requests per second (HubSpot: 5); 0 turns the search limiter off. */
  searchPerSecond: number;
  /** The most results one search query reaches (HubSpot: 10,000). */
  searchCap: number;
  /** `expires_in` of issued access tokens, in seconds (HubSpot: 1800). */
  tokenExpiresInSeconds: number;
}

export interface WorkdaySettings {
  tenant: string;
  /** `<owner>/<report>` of the workers report served by RaaS. */
  reportPath: string;
  /** Requests per second before the tenant throttles; 0 turns throttling off. */
  requestsPerSecond: number;
  /** How the throttle answers: 429 (REST and RaaS) or 500. */
  throttleStatus: 429 | 500;
  /** `expires_in` of issued access tokens, in seconds (Workday: 3600). */
  tokenExpiresInSeconds: number;
}

export interface FaultSettings {
  /** How long a `timeout` fault holds the connection before dropping it (the client may give up first). */
  holdMs: number;
  /** Retry-After (seconds) of an injected HubSpot 429. */
  retryAfterSeconds: number;
}

export interface VendorSettings {
  salesforce: SalesforceSettings;
  hubspot: HubSpotSettings;
  workday: WorkdaySettings;
  faults: FaultSettings;
  /** Lifetime of the ready tokens printed at start (and returned by `credentials`). */
  printedTokenLifetimeMs: number;
}

/** Deep-partial settings, as `startFakeVendors` and `PATCH /_control/settings` take them. */
export type VendorSettingsPatch = {
  [K in keyof VendorSettings]?: VendorSettings[K] extends object ? Partial<VendorSettings[K]> : VendorSettings[K];
};

export interface FakeVendorOptions extends VendorSettingsPatch {
  /** 0 picks a free port. Default 8990 (the local platform reaches loopback ports 8900-8999 only). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed of the generated data (integer in [0, 2^32)). Default 1. */
  seed?: number;
  /** Vendor records in all (contacts, accounts, opportunities, companies, deals, workers). Default 300. */
  records?: number;
  /**
   * The instant the generated history ends: every seeded record was created and last modified before it, so the
   * data is the same whatever the day. Default 2026-11-01T00:00:00Z.
   */
  dataEpoch?: string | number;
  /** The wall clock (tests pass their own); `POST /_control/clock` shifts it further. Default Date.now. */
  now?: () => number;
}

export const DEFAULT_PORT = 8990;
export const DEFAULT_SEED = 1;
export const DEFAULT_RECORDS = 300;
export const MIN_RECORDS = 50;
export const MAX_RECORDS = 1_000_000;
export const DEFAULT_DATA_EPOCH = Date.parse('2026-11-01T00:00:00.000Z');

export function defaultSettings(): VendorSettings {
  return {
    salesforce: { dailyLimit: 100_000, locatorTtlMs: 15 * 60_000, minBatchSize: 200, sessionLifetimeMs: 2 * 3_600_000 },
    hubspot: {
      rateLimit: { max: 100, intervalMs: 10_000 },
      searchPerSecond: 0,
      searchCap: 10_000,
      tokenExpiresInSeconds: 1800,
    },
    workday: {
      tenant: 'modos_demo',
      reportPath: 'ISU_Modos/Worker_Sync',
      requestsPerSecond: 10,
      throttleStatus: 429,
      tokenExpiresInSeconds: 3600,
    },
    faults: { holdMs: 30_000, retryAfterSeconds: 1 },
    printedTokenLifetimeMs: 2 * 3_600_000,
  };
}

export class VendorOptionsError extends Error {
  override readonly name = 'VendorOptionsError';
  readonly code = 'VENDOR_OPTIONS_INVALID';
}

const positive = (name: string, v: unknown, min = 1): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new VendorOptionsError(`${name} must be ≥ ${min}`);
  return v;
};

/** Merges a patch into settings in place after checking every value; throws VendorOptionsError. */
export function applySettings(settings: VendorSettings, patch: VendorSettingsPatch): VendorSettings {
  const known: Record<keyof VendorSettings, true> = {
    salesforce: true,
    hubspot: true,
    workday: true,
    faults: true,
    printedTokenLifetimeMs: true,
  };
  for (const key of Object.keys(patch)) {
    if (!(key in known)) throw new VendorOptionsError(`unknown setting "${key}"`);
  }
  const next: VendorSettings = structuredClone(settings);
  const merge = <K extends 'salesforce' | 'hubspot' | 'workday' | 'faults'>(k: K) => {
    const part = patch[k];
    if (part === undefined) return;
    if (typeof part !== 'object' || part === null) throw new VendorOptionsError(`${k} must be an object`);
    for (const f of Object.keys(part)) {
      if (!(f in next[k])) throw new VendorOptionsError(`unknown setting "${k}.${f}"`);
    }
    Object.assign(next[k], part);
  };
  merge('salesforce');
  merge('hubspot');
  merge('workday');
  merge('faults');
  if (patch.printedTokenLifetimeMs !== undefined) next.printedTokenLifetimeMs = patch.printedTokenLifetimeMs;

  const s = next.salesforce;
  positive('salesforce.dailyLimit', s.dailyLimit);
  positive('salesforce.locatorTtlMs', s.locatorTtlMs);
  positive('salesforce.minBatchSize', s.minBatchSize);
  if (s.minBatchSize > 2000) throw new VendorOptionsError('salesforce.minBatchSize must be ≤ 2000');
  positive('salesforce.sessionLifetimeMs', s.sessionLifetimeMs);
  const h = next.hubspot;
  if (typeof h.rateLimit !== 'object' || h.rateLimit === null) throw new VendorOptionsError('hubspot.rateLimit');
  positive('hubspot.rateLimit.max', h.rateLimit.max);
  positive('hubspot.rateLimit.intervalMs', h.rateLimit.intervalMs);
  positive('hubspot.searchPerSecond', h.searchPerSecond, 0);
  positive('hubspot.searchCap', h.searchCap);
  positive('hubspot.tokenExpiresInSeconds', h.tokenExpiresInSeconds);
  const w = next.workday;
  if (typeof w.tenant !== 'string' || !/^[A-Za-z0-9_]+$/.test(w.tenant))
    throw new VendorOptionsError('workday.tenant must be letters, digits and underscores');
  if (typeof w.reportPath !== 'string' || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(w.reportPath))
    throw new VendorOptionsError('workday.reportPath must be <owner>/<report>');
  positive('workday.requestsPerSecond', w.requestsPerSecond, 0);
  if (w.throttleStatus !== 429 && w.throttleStatus !== 500)
    throw new VendorOptionsError('workday.throttleStatus must be 429 or 500');
  positive('workday.tokenExpiresInSeconds', w.tokenExpiresInSeconds);
  positive('faults.holdMs', next.faults.holdMs, 0);
  positive('faults.retryAfterSeconds', next.faults.retryAfterSeconds, 0);
  positive('printedTokenLifetimeMs', next.printedTokenLifetimeMs);
  Object.assign(settings, next);
  return settings;
}
