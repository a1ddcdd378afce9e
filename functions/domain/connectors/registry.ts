/**
 * The connector registry as data: every system the platform can sync, its objects (in sync order), how it
 * authenticates, the scopes it asks for and the rate limits it publishes. The API validates configs against it,
 * the sync engine walks its objects, the clients (functions/adapters/connectors/) read their object names from it
 * and the fake vendors (local/vendors/) serve the same objects.
 */
import type { EntityType } from '../../../schemas/entity.js';

export const CONNECTOR_SYSTEMS = ['salesforce', 'hubspot', 'workday'] as const;
export type ConnectorSystem = (typeof CONNECTOR_SYSTEMS)[number];

/**
 * How a connector proves who it is.
 * - `client_credentials`: OAuth 2.0 client credentials grant (client id + secret → access token).
 * - `refresh_token`: OAuth 2.0 refresh token grant (client id + secret + refresh token → access token; the
 *   vendor may rotate the refresh token, which is stored sealed again).
 * - `access_token`: a static bearer token (HubSpot private apps); no refresh possible.
 */
export const AUTH_KINDS = ['client_credentials', 'refresh_token', 'access_token'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

/** How deletions at the source are found. */
export type DeletionFeed =
  /** Salesforce `sobjects/{T}/deleted/?start&end` (looks back 15 days; an older gap forces a full resync). */
  | 'getDeleted'
  /** HubSpot `archived=true` listing of the object. */
  | 'archived'
  /** No feed: records missing from a completed full pass are deletions (Workday). */
  | 'fullPassDiff';

export interface ConnectorObjectSpec {
  /** The vendor's own object name (`Contact`, `contacts`, `workers`). */
  name: string;
  /**
   * The namespace of its records' ids (EntityRef.namespace): the object name, except where two objects read the same
   * records (Workday's REST `workers` and report `workerReport` both read workers: `worker`).
   */
  namespace: string;
  /** Canonical entity types one record of it yields. */
  yields: readonly EntityType[];
  /**
   * The vendor field that orders changes (`SystemModstamp`, `lastmodifieddate`), or null when the object can only be
   * read in full (every sync is a full pass).
   */
  modifiedField: string | null;
  deletions: DeletionFeed;
}

export interface RateLimitSpec {
  /** What the vendor publishes, for the docs and the limiter's defaults. */
  description: string;
  /** Requests per second the client's own limiter allows itself (below the vendor's burst limit). */
  requestsPerSecond: number;
}

export interface ConnectorSpec {
  system: ConnectorSystem;
  displayName: string;
  authKinds: readonly AuthKind[];
  scopes: readonly string[];
  rateLimits: RateLimitSpec;
  /** Largest page the vendor serves (Salesforce batches ≤ 2000, HubSpot ≤ 100, Workday REST ≤ 100). */
  maxPageSize: number;
  /** Smallest page the vendor honours (Salesforce raises a batchSize below 200 to 200). */
  minPageSize: number;
  objects: readonly ConnectorObjectSpec[];
  /** Objects synced when the connector's config names none. */
  defaultObjects: readonly string[];
}

export const CONNECTOR_REGISTRY: Readonly<Record<ConnectorSystem, ConnectorSpec>> = {
  salesforce: {
    system: 'salesforce',
    displayName: 'Salesforce',
    authKinds: ['client_credentials', 'refresh_token'],
    scopes: ['api', 'refresh_token'],
    rateLimits: {
      description:
        'Daily API request allocation per org (Sforce-Limit-Info: api-usage=used/limit); 403 REQUEST_LIMIT_EXCEEDED when spent',
      requestsPerSecond: 20,
    },
    maxPageSize: 2000,
    minPageSize: 200,
    objects: [
      {
        name: 'Account',
        namespace: 'Account',
        yields: ['organization'],
        modifiedField: 'SystemModstamp',
        deletions: 'getDeleted',
      },
      {
        name: 'Contact',
        namespace: 'Contact',
        yields: ['person'],
        modifiedField: 'SystemModstamp',
        deletions: 'getDeleted',
      },
      {
        name: 'Opportunity',
        namespace: 'Opportunity',
        yields: ['deal'],
        modifiedField: 'SystemModstamp',
        deletions: 'getDeleted',
      },
    ],
    defaultObjects: ['Account', 'Contact', 'Opportunity'],
  },
  hubspot: {
    system: 'hubspot',
    displayName: 'HubSpot',
    authKinds: ['refresh_token', 'access_token'],
    scopes: ['crm.objects.contacts.read', 'crm.objects.companies.read', 'crm.objects.deals.read'],
    rateLimits: {
      description:
        '100-190 requests per 10 s per app (X-HubSpot-RateLimit-Max / -Remaining / -Interval-Milliseconds), search ~4-5 requests/s; 429 with Retry-After',
      requestsPerSecond: 8,
    },
    maxPageSize: 100,
    minPageSize: 1,
    objects: [
      {
        name: 'companies',
        namespace: 'companies',
        yields: ['organization'],
        modifiedField: 'hs_lastmodifieddate',
        deletions: 'archived',
      },
      {
        name: 'contacts',
        namespace: 'contacts',
        yields: ['person'],
        modifiedField: 'lastmodifieddate',
        deletions: 'archived',
      },
      {
        name: 'deals',
        namespace: 'deals',
        yields: ['deal'],
        modifiedField: 'hs_lastmodifieddate',
        deletions: 'archived',
      },
    ],
    defaultObjects: ['companies', 'contacts', 'deals'],
  },
  workday: {
    system: 'workday',
    displayName: 'Workday',
    authKinds: ['refresh_token', 'client_credentials'],
    scopes: ['Staffing', 'Tenant Non-Configurable'],
    rateLimits: {
      description:
        'Unpublished; throttles with 429 (REST, RaaS) or 500 (SOAP) and no rate-limit or Retry-After headers',
      requestsPerSecond: 5,
    },
    maxPageSize: 100,
    minPageSize: 1,
    objects: [
      // REST workers collection ({ data, total }, limit <= 100 + offset): the default.
      {
        name: 'workers',
        namespace: 'worker',
        yields: ['person', 'employee'],
        modifiedField: null,
        deletions: 'fullPassDiff',
      },
      // A RaaS custom report of workers ({ Report_Entry: [...] }, one response), for tenants that expose one.
      {
        name: 'workerReport',
        namespace: 'worker',
        yields: ['person', 'employee'],
        modifiedField: null,
        deletions: 'fullPassDiff',
      },
    ],
    defaultObjects: ['workers'],
  },
};

export function objectSpec(system: ConnectorSystem, object: string): ConnectorObjectSpec | undefined {
  return CONNECTOR_REGISTRY[system].objects.find((o) => o.name === object);
}
