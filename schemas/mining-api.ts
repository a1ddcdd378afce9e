// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Id, PageQuery } from './common.js';
import { EntityType } from './entity.js';
import { routeContract } from './route-contract.js';

/**
 * Largest upload request body: the log travels base64 in JSON, so the log itself may be about 3/4 of it. API Gateway
 * takes 10 MB, but a synchronous Lambda invocation only 6 MB of event (headers and envelope included): 5 MiB leaves
 * room for them. A gzipped log of this size holds tens of MB of XES or CSV.
 */
export const MAX_MINING_UPLOAD_BYTES = 5 * 1024 * 1024;

/** Largest log once decompressed (what the worker holds in memory while it parses it). */
export const MAX_MINING_LOG_BYTES = 512 * 1024 * 1024;

/** At most this many cases of the platform's own traces are mined per request (the newest). */
export const MAX_PROCESS_CASES = 2_000;
export const DEFAULT_PROCESS_CASES = 500;

/** Variants listed in a result (the most frequent); `variants.total` counts them all. */
export const MAX_LISTED_VARIANTS = 100;
/** Deviating cases named in a result's fitness (`deviatingCases.total` counts them all). */
export const MAX_LISTED_DEVIATIONS = 100;
/** Variants (most frequent first) whose traces the mining result aligns on the net. */
export const MAX_ALIGNED_VARIANTS = 200;
/** States one trace's alignment search may expand in a mining result (the command line's default is 200 000). */
export const ALIGNMENT_STATE_BUDGET = 20_000;

export const MINING_LOG_FORMATS = ['xes', 'csv'] as const;
export const MINING_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

const ColumnName = z.string().min(1).max(200);

/** How a log is read: the importer's options (functions/domain/mining/import). */
export const MiningLogOptions = z
  .strictObject({
    /** CSV: the case id column (default `case:concept:name` or `case_id`). */
    caseColumn: ColumnName.optional(),
    /** CSV: the activity column (default `concept:name` or `activity`). */
    activityColumn: ColumnName.optional(),
    /** CSV: the timestamp column (default `time:timestamp` or `timestamp`). */
    timestampColumn: ColumnName.optional(),
    /** CSV: an event id column (events with the same id count once). */
    idColumn: ColumnName.optional(),
    /** CSV: a date-fns pattern for the timestamps, e.g. `dd-MM-yyyy:HH.mm` (default ISO 8601). */
    timeFormat: z.string().min(1).max(100).optional(),
    /** XES: `complete` (default) keeps complete events only; `all` keeps every lifecycle transition. */
    lifecycle: z.enum(['complete', 'all']).optional(),
  })
  .meta({ id: 'MiningLogOptions' });
export type MiningLogOptions = z.infer<typeof MiningLogOptions>;

/** What the miner is asked for. */
export const MiningSettings = z
  .strictObject({
    /** Inductive miner infrequent: share of the most frequent behaviour below which behaviour is noise (0: none). */
    noiseThreshold: z.number().min(0).max(1).default(0.2),
    /** Heuristics miner: dependencies below this value are left out of `dependencies`. */
    dependencyThreshold: z.number().min(-1).max(1).default(0.5),
  })
  .meta({ id: 'MiningSettings' });
export type MiningSettings = z.infer<typeof MiningSettings>;

export const UploadMiningLogRequest = z
  .strictObject({
    /** A name for the log (its file name), shown in listings. */
    name: z.string().min(1).max(200).optional(),
    /** Sniffed from the content when absent (XML → XES, else CSV); gzip is detected by its magic bytes. */
    format: z.enum(MINING_LOG_FORMATS).optional(),
    /** The file's bytes, base64 (RFC 4648, standard alphabet), XES or CSV, optionally gzipped. */
    content: z
      .string()
      .min(4)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 of the log (standard alphabet, no line breaks)'),
    options: MiningLogOptions.default({}),
    settings: MiningSettings.default({ noiseThreshold: 0.2, dependencyThreshold: 0.5 }),
  })
  .meta({ id: 'UploadMiningLogRequest' });
export type UploadMiningLogRequest = z.infer<typeof UploadMiningLogRequest>;

const Counts = z.record(z.string(), z.number().int());

export const MiningSummary = z
  .object({
    cases: z.number().int(),
    events: z.number().int(),
    activities: z.number().int(),
    variants: z.number().int(),
    startActivities: Counts,
    endActivities: Counts,
    /** Earliest and latest event time (ISO 8601), null without timestamps. */
    from: z.string().nullable(),
    to: z.string().nullable(),
  })
  .meta({ id: 'MiningSummary' });
export type MiningSummary = z.infer<typeof MiningSummary>;

/** Durations between the two events of a directly-follows pair, in milliseconds (null without timestamps). */
const Durations = {
  meanMs: z.number().nullable(),
  medianMs: z.number().nullable(),
  maxMs: z.number().nullable(),
};

export const DfgEdge = z
  .object({ from: z.string(), to: z.string(), count: z.number().int(), ...Durations })
  .meta({ id: 'DfgEdge' });

export const MinedNet = z
  .object({
    places: z.array(z.object({ id: z.string(), name: z.string().optional() })),
    transitions: z.array(z.object({ id: z.string(), label: z.string().nullable() })),
    arcs: z.array(z.object({ source: z.string(), target: z.string(), weight: z.number().int().optional() })),
    initialMarking: Counts,
    finalMarking: Counts,
  })
  .meta({ id: 'MinedNet' });

export const MiningModel = z
  .object({
    summary: MiningSummary,
    dfg: z.array(DfgEdge),
    variants: z.object({
      total: z.number().int(),
      /** The most frequent, at most MAX_LISTED_VARIANTS. */
      top: z.array(z.object({ activities: z.array(z.string()), count: z.number().int() })),
    }),
    /** Heuristics dependency measure of each directly-follows pair at or above the threshold. */
    dependencies: z.array(z.object({ from: z.string(), to: z.string(), value: z.number() })),
    /** The inductive miner's sound workflow net (noise threshold of the settings). */
    net: MinedNet,
    /** Token-based replay of the log on the net. */
    fitness: z.object({
      logFitness: z.number(),
      averageTraceFitness: z.number(),
      fittingTraces: z.number().int(),
      traces: z.number().int(),
      deviatingCases: z.object({ total: z.number().int(), cases: z.array(z.string()) }),
    }),
    /**
     * Optimal alignments of the log on the net (standard costs), bounded: the traces of the most frequent variants
     * (at most MAX_ALIGNED_VARIANTS), each search within a state budget; `alignedTraces` says how many traces the
     * figures cover, `timedOutTraces` how many of those ran out of budget (left out of the figures).
     */
    alignments: z.object({
      /** Null when no trace could be aligned within the budget. */
      logFitness: z.number().nullable(),
      averageTraceFitness: z.number().nullable(),
      fittingTraces: z.number().int(),
      alignedTraces: z.number().int(),
      timedOutTraces: z.number().int(),
      variantsAligned: z.number().int(),
      traces: z.number().int(),
    }),
    /** The slowest directly-follows transitions (by median waiting time), with how often each was measured. */
    bottlenecks: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        count: z.number().int(),
        medianMs: z.number(),
        meanMs: z.number(),
        maxMs: z.number(),
        totalMs: z.number(),
      }),
    ),
    /**
     * Candidates for automation: activities that, in every case where they occur, are manual (a `manual` attribute,
     * else a resource that is a person) and come between the same predecessor and successor (null: case start/end).
     */
    automationCandidates: z.array(
      z.object({
        activity: z.string(),
        predecessor: z.string().nullable(),
        successor: z.string().nullable(),
        cases: z.number().int(),
        occurrences: z.number().int(),
      }),
    ),
    settings: MiningSettings,
  })
  .meta({ id: 'MiningModel' });
export type MiningModel = z.infer<typeof MiningModel>;

export const MiningJobStatus = z.enum(MINING_JOB_STATUSES);
export type MiningJobStatus = z.infer<typeof MiningJobStatus>;

export const MiningJob = z
  .object({
    id: z.string(),
    name: z.string(),
    format: z.enum(MINING_LOG_FORMATS),
    compressed: z.boolean(),
    /** Bytes uploaded (compressed, when gzipped). */
    size: z.number().int(),
    sha256: z.string(),
    options: MiningLogOptions,
    settings: MiningSettings,
    status: MiningJobStatus,
    progress: z.object({
      phase: z.enum(['queued', 'reading', 'mining', 'storing', 'done']),
      /** Events read so far (then: of the log). */
      events: z.number().int(),
    }),
    /** Why the job failed: the importer's message for a log that cannot be read. */
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    /** Cases, events, activities and variants, once mined. */
    summary: MiningSummary.nullable(),
    uploadedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'MiningJob' });
export type MiningJob = z.infer<typeof MiningJob>;

/** A job with its mined model and the paths of its pictures, once it succeeded. */
export const MiningJobWithResult = MiningJob.extend({
  result: MiningModel.nullable(),
  links: z.object({ json: z.string(), dot: z.string(), svg: z.string(), pnml: z.string() }).nullable(),
}).meta({ id: 'MiningJobWithResult' });
export type MiningJobWithResult = z.infer<typeof MiningJobWithResult>;

export const MiningJobList = z
  .object({ items: z.array(MiningJob), nextCursor: z.string().nullable() })
  .meta({ id: 'MiningJobList' });

export const MiningJobIdPath = z.strictObject({
  id: z.string().regex(/^mlog_[A-Za-z0-9_-]{6,64}$/, 'a mining log id (mlog_…)'),
});

export const MINING_PICTURE_FORMATS = ['json', 'dot', 'svg'] as const;

export const MiningJobQuery = z.strictObject({
  /** `json` (default): the job and its model; `dot` / `svg`: the net as a picture; `pnml`: the net as PNML. */
  format: z.enum([...MINING_PICTURE_FORMATS, 'pnml']).default('json'),
});

export const MINING_SOURCES = ['workflows', 'entities'] as const;

export const MiningProcessQuery = z.strictObject({
  /** `workflows`: each workflow run is a case; `entities`: each entity's change history is a case. */
  source: z.enum(MINING_SOURCES),
  workflowId: Id.optional(),
  entityType: EntityType.optional(),
  /** Only runs started (entities changed) at or after this instant. */
  since: z.iso.datetime({ offset: true }).optional(),
  /** At most this many cases, the newest first. */
  limit: z.coerce.number().int().min(1).max(MAX_PROCESS_CASES).default(DEFAULT_PROCESS_CASES),
  noiseThreshold: z.coerce.number().min(0).max(1).default(0.2),
  format: z.enum(MINING_PICTURE_FORMATS).default('json'),
});
export type MiningProcessQuery = z.infer<typeof MiningProcessQuery>;

export const MiningProcess = z
  .object({
    source: z.enum(MINING_SOURCES),
    /** What was read: cases mined, whether older cases were left out (the limit), and the filters. */
    bounds: z.object({
      limit: z.number().int(),
      cases: z.number().int(),
      truncated: z.boolean(),
      since: z.string().nullable(),
      workflowId: z.string().nullable(),
      entityType: z.string().nullable(),
    }),
    model: MiningModel,
    /** The net as Graphviz DOT (`?format=svg` answers the rendered picture). */
    dot: z.string(),
  })
  .meta({ id: 'MiningProcess' });
export type MiningProcess = z.infer<typeof MiningProcess>;

export const ListMiningLogsQuery = PageQuery;

/** A route of uploads: the body limit raised to MAX_MINING_UPLOAD_BYTES. */
const upload = routeContract({
  function: 'UploadMiningLog',
  auth: 'jwt',
  summary:
    'Upload an event log to mine (admin, operator): XES or CSV, optionally gzipped, base64 in `content` (a body of at most 5 MiB); stored, queued and mined by a task — poll the job',
  permission: 'mining:write',
  body: UploadMiningLogRequest,
  status: 202,
  response: MiningJob,
  maxBodyBytes: MAX_MINING_UPLOAD_BYTES,
});

/** API contracts of the process-mining routes (merged into ROUTE_CONTRACTS in routes.ts). */
export const MINING_ROUTE_CONTRACTS = {
  'POST /api/v1/mining/logs': upload,
  'GET /api/v1/mining/logs': routeContract({
    function: 'ListMiningLogs',
    auth: 'jwt',
    summary: 'Uploaded logs and their mining jobs, newest first',
    permission: 'mining:read',
    query: ListMiningLogsQuery,
    status: 200,
    response: MiningJobList,
  }),
  'GET /api/v1/mining/logs/{id}': routeContract({
    function: 'GetMiningLog',
    auth: 'jwt',
    summary:
      'A mining job: status, progress, error and, once it succeeded, the model (`?format=dot|svg|pnml`: the net as a picture or PNML; 409 before)',
    permission: 'mining:read',
    params: MiningJobIdPath,
    query: MiningJobQuery,
    status: 200,
    response: MiningJobWithResult,
  }),
  'GET /api/v1/mining/processes': routeContract({
    function: 'GetMiningProcesses',
    auth: 'jwt',
    summary:
      "The process mined from the platform's own traces: workflow runs (steps and approvals) or entity change histories, the newest cases up to `limit` (`?format=svg|dot`: the picture)",
    permission: 'mining:read',
    query: MiningProcessQuery,
    status: 200,
    response: MiningProcess,
  }),
};
