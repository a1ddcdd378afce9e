// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Id, PageQuery } from './common.js';

/**
 * Connectors and their sync runs at the API edge. The registry (functions/domain/connectors/registry.ts) says what
 * each system supports; the API validates against it and answers 400 naming the field.
 */
export const ConnectorSystem = z.enum(['salesforce', 'hubspot', 'workday']).meta({ id: 'ConnectorSystem' });
export type ConnectorSystem = z.infer<typeof ConnectorSystem>;

const Secret = z.string().min(1).max(4096);

/** Credentials, by how the vendor authenticates. Sealed with the tenant's key at rest; never returned or logged. */
export const ConnectorCredentials = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('client_credentials'),
      clientId: Secret,
      clientSecret: Secret,
    }),
    z.strictObject({
      kind: z.literal('refresh_token'),
      clientId: Secret,
      clientSecret: Secret,
      refreshToken: Secret,
    }),
    z.strictObject({ kind: z.literal('access_token'), accessToken: Secret }),
  ])
  .meta({ id: 'ConnectorCredentials' });
export type ConnectorCredentials = z.infer<typeof ConnectorCredentials>;

/**
 * A schedule in EventBridge Scheduler's syntax: `rate(15 minutes)`, `rate(1 hour)`, `cron(0 2 * * ? *)`. Checked
 * in full by the scheduler module (functions/domain/connectors/schedule.ts).
 */
export const ScheduleExpression = z
  .string()
  .max(256)
  .regex(/^(rate|cron)\(.+\)$/, 'a schedule is rate(<n> <unit>) or cron(<6 fields>)');

/** System-specific settings. */
export const ConnectorSettings = z
  .strictObject({
    /** Objects to sync (the registry's names, in its order); default: the registry's defaultObjects. */
    objects: z.array(z.string().min(1).max(64)).min(1).max(10).optional(),
    /** Records per page asked of the vendor (clamped to its maximum). */
    pageSize: z.number().int().min(1).max(2000).optional(),
    /** Salesforce REST API version, e.g. `v62.0`. */
    apiVersion: z
      .string()
      .regex(/^v\d{2}\.0$/, 'like v62.0')
      .optional(),
    /** Workday tenant name (path segment of every Workday URL). */
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, '1-64 characters of A-Z, a-z, 0-9, _ or -')
      .optional(),
    /** The company the source system belongs to (Workday: every worker's employer). */
    companyName: z.string().min(1).max(256).optional(),
    /** ISO 3166-1 alpha-2 country for phone numbers of records that name none (the company's home country). */
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as US')
      .optional(),
    /** Workday RaaS report path `<owner>/<report>` (object `workerReport`). */
    reportPath: z
      .string()
      .regex(/^[A-Za-z0-9_.@-]{1,128}\/[A-Za-z0-9_.-]{1,128}$/, '<owner>/<report>')
      .optional(),
  })
  .meta({ id: 'ConnectorSettings' });
export type ConnectorSettings = z.infer<typeof ConnectorSettings>;

export const CreateConnectorRequest = z
  .strictObject({
    system: ConnectorSystem,
    name: z.string().min(1).max(128),
    /** The vendor's API root (https; on the local platform also the fake vendors' http://127.0.0.1:<port>/<system>). */
    baseUrl: z.string().url().max(2048),
    credentials: ConnectorCredentials,
    settings: ConnectorSettings.default({}),
    schedule: ScheduleExpression.nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'CreateConnectorRequest' });
export type CreateConnectorRequest = z.infer<typeof CreateConnectorRequest>;

/** A partial change; `version` is the one read (optimistic locking). `credentials` replaces the stored ones. */
export const UpdateConnectorRequest = z
  .strictObject({
    version: z.number().int().min(1),
    name: z.string().min(1).max(128).optional(),
    baseUrl: z.string().url().max(2048).optional(),
    credentials: ConnectorCredentials.optional(),
    settings: ConnectorSettings.optional(),
    schedule: ScheduleExpression.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: 'UpdateConnectorRequest' });
export type UpdateConnectorRequest = z.infer<typeof UpdateConnectorRequest>;

/** A connector as the API returns it: no credentials, only their kind. */
export const Connector = z
  .object({
    id: Id,
    system: ConnectorSystem,
    name: z.string(),
    baseUrl: z.string(),
    credentialsKind: z.enum(['client_credentials', 'refresh_token', 'access_token']),
    settings: ConnectorSettings,
    schedule: z.string().nullable(),
    enabled: z.boolean(),
    /** The run in progress, if one is. */
    activeRunId: z.string().nullable(),
    lastRun: z.object({ runId: z.string(), status: z.string(), finishedAt: z.string().nullable() }).nullable(),
    version: z.number().int().min(1),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Connector' });
export type Connector = z.infer<typeof Connector>;

export const ConnectorList = z
  .object({ items: z.array(Connector), nextCursor: z.string().nullable() })
  .meta({ id: 'ConnectorList' });

export const ConnectorIdPath = z.strictObject({ id: Id });
export const SyncRunIdPath = z.strictObject({ runId: Id });
export const ListConnectorsQuery = PageQuery;
export const ListSyncRunsQuery = PageQuery;

export const StartSyncRequest = z.strictObject({ full: z.boolean().default(false) }).meta({ id: 'StartSyncRequest' });

export const SYNC_RUN_STATUSES = [
  'queued',
  'running',
  /** Waiting out a vendor's rate limit or an open circuit. */
  'waiting',
  'succeeded',
  /** Finished, but fewer records were read than the vendor says it holds, or deletions were held back: see `gaps`. */
  'completed_with_gaps',
  'failed',
] as const;
/** The statuses a run ends in. */
export const FINAL_SYNC_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'completed_with_gaps', 'failed']);
export const SyncRunStatus = z.enum(SYNC_RUN_STATUSES).meta({ id: 'SyncRunStatus' });
export type SyncRunStatus = z.infer<typeof SyncRunStatus>;

export const SyncCounts = z.object({
  pages: z.number().int(),
  /** Source records read from the vendor. */
  read: z.number().int(),
  /** Entities created, changed, left unchanged, marked deleted, and records that failed. */
  created: z.number().int(),
  changed: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
  failed: z.number().int(),
  rateLimitWaits: z.number().int(),
  retries: z.number().int(),
});
export type SyncCounts = z.infer<typeof SyncCounts>;

export const SyncObjectProgress = SyncCounts.extend({
  object: z.string(),
  mode: z.enum(['full', 'incremental']),
  status: z.enum(['pending', 'running', 'done', 'failed']),
  /** Incremental lower bound of this pass (ISO), null for a full pass. */
  since: z.string().nullable(),
  /** The vendor's count of records in this pass, where it gives one. */
  total: z.number().int().nullable(),
  /** The vendor's quota as its last answer stated it (Salesforce api-usage, X-HubSpot-RateLimit-*). */
  quota: z
    .object({ used: z.number().optional(), limit: z.number().optional(), remaining: z.number().optional() })
    .optional(),
  /** The committed position in the pass (where a resumed run goes on), opaque; null before the first page and at the end. */
  cursor: z.string().nullable(),
});
export type SyncObjectProgress = z.infer<typeof SyncObjectProgress>;

export const SyncRun = z
  .object({
    runId: z.string(),
    connectorId: z.string(),
    system: ConnectorSystem,
    status: SyncRunStatus,
    full: z.boolean(),
    trigger: z.enum(['api', 'schedule']),
    requestedBy: z.string(),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
    counts: SyncCounts,
    objects: z.array(SyncObjectProgress),
    /** Share of the work done, 0..1 (objects done plus the current object's read / total). */
    progress: z.number().min(0).max(1),
    /** Why the run is not a clean success (records missing against the vendor's count, deletions held back). */
    gaps: z.array(z.string()),
    error: z.object({ code: z.string(), name: z.string(), message: z.string() }).nullable(),
  })
  .meta({ id: 'SyncRun' });
export type SyncRun = z.infer<typeof SyncRun>;

export const SyncRunList = z
  .object({ items: z.array(SyncRun), nextCursor: z.string().nullable() })
  .meta({ id: 'SyncRunList' });

export const SyncStarted = z
  .object({ runId: z.string(), connectorId: z.string(), status: SyncRunStatus })
  .meta({ id: 'SyncStarted' });

/** Provenance: the source records an entity (and the entities resolved to the same thing) were built from. */
export const EntitySource = z.object({
  entityId: z.string(),
  connectorId: z.string(),
  system: ConnectorSystem,
  object: z.string(),
  sourceId: z.string(),
  syncedAt: z.string(),
  /** The record's modification instant at the vendor, where it has one. */
  modifiedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  /** The canonical attributes this record gave, as normalised. */
  attributes: z.record(z.string(), z.unknown()),
});
export type EntitySource = z.infer<typeof EntitySource>;

export const GoldenRecordView = z.object({
  clusterId: z.string().nullable(),
  entityIds: z.array(z.string()),
  attributes: z.record(z.string(), z.unknown()),
  /** Per attribute, the source record that gave the winning value and why it won. */
  provenance: z.record(
    z.string(),
    z.object({
      entityId: z.string(),
      system: z.string().nullable(),
      sourceId: z.string().nullable(),
      syncedAt: z.string().nullable(),
      decidedBy: z.string(),
    }),
  ),
});

/** At most this many entities of a cluster are read for its sources and golden record (the asked one first). */
export const MAX_SOURCE_MEMBERS = 100;
/** At most this many source records are read per entity. */
export const MAX_SOURCES_PER_ENTITY = 25;

export const EntitySources = z
  .object({
    items: z.array(EntitySource),
    golden: GoldenRecordView,
    /** Entities of the cluster (1 when the entity is in none), and how many of them were read. */
    members: z.object({ total: z.number().int().min(1), read: z.number().int().min(1) }),
    /**
     * True when not everything was read: the cluster has more than MAX_SOURCE_MEMBERS entities, or an entity more
     * than MAX_SOURCES_PER_ENTITY source records. The golden record is then built from what was read.
     */
    truncated: z.boolean(),
  })
  .meta({ id: 'EntitySources' });

export const EntityRelation = z.object({
  kind: z.string(),
  direction: z.enum(['out', 'in']),
  entityId: z.string(),
  /** The connector whose record stated the relation. */
  connectorId: z.string(),
  syncedAt: z.string(),
});
export const EntityRelations = z
  .object({ items: z.array(EntityRelation), nextCursor: z.string().nullable() })
  .meta({ id: 'EntityRelations' });

/** The relation kinds connectors state (functions/domain/connectors/ports.ts RELATION_KINDS; a test ties them). */
export const RelationKind = z
  .enum(['works-at', 'owns-deal', 'deal-with', 'reports-to', 'employed-as'])
  .meta({ id: 'RelationKind' });
export const EntityRelationsQuery = PageQuery.extend({
  kind: RelationKind.optional(),
  /** `out`: relations the entity states (person works-at …); `in`: relations naming it. Both when absent. */
  direction: z.enum(['out', 'in']).optional(),
});
