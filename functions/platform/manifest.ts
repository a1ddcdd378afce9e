/**
 * The platform as data: functions, API routes and event rules. The CDK stack (lib/) and the local
 * runtime (local/) both read this file (and api-routes.ts for the routes) and nothing else to decide what
 * exists, so they cannot drift; test/infra checks the synthesized template against it.
 */
import type { EventPattern } from '../../schemas/event-pattern.js';
import type { BlobArea } from './blob-areas.js';
import { EVENT_SOURCES, type EventName } from '../../schemas/event-names.js';

export type TableAccess = 'read' | 'write';

/**
 * Access to the platform bucket, confined to the function's own areas (key prefixes, built in
 * functions/adapters/s3/keys.ts) of every tenant: `read` lists and reads them, `write` also puts and deletes.
 */
export interface BucketBinding {
  access: TableAccess;
  prefixes: readonly BlobArea[];
}

/**
 * The platform bucket: its default encryption (lib/constructs/object-store.ts builds it from this) and the
 * server-side encryption the blob store asks for on every write. `AES256` is SSE-S3.
 */
export const OBJECT_STORE = { encryption: 'AES256' } as const;

export interface FunctionSpec {
  /** Logical name, PascalCase; also the CDK construct id. */
  name: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  entry: string;
  description: string;
  table?: TableAccess;
  /** Needs to put events on the platform bus. */
  bus?: boolean;
  bucket?: BucketBinding;
  /** JWT verification settings (the authorizer). */
  jwt?: boolean;
  /**
   * Reads the platform key (a Secrets Manager secret in AWS): approval callback credentials, secrets sealed at rest,
   * audit verification cursors.
   */
  callbackKey?: boolean;
  /** Sends webhooks to customer endpoints (outbound HTTPS). */
  webhooks?: boolean;
  /**
   * Calls the language model (Claude, Messages API): ANTHROPIC_API_KEY_SECRET_ARN, a Secrets Manager secret in AWS
   * (`-c modelApiKeySecretArn=`), ANTHROPIC_API_KEY locally (from the shell that runs `npm start`). The value
   * `offline` selects the offline model, in both runtimes (docs/models.md).
   */
  model?: boolean;
  /**
   * Writes schedules into these groups of SCHEDULE_GROUPS (EventBridge Scheduler in AWS, the local scheduler
   * locally): each group's variables and its grants (docs/local-scheduler.md).
   */
  schedules?: readonly ScheduleGroupName[];
  memoryMb?: number;
  timeoutSeconds?: number;
}

export const FUNCTIONS = {
  Authorizer: {
    name: 'Authorizer',
    entry: 'functions/handlers/authorizer.ts',
    description: 'Verifies the JWT and passes tenant, subject and roles on',
    jwt: true,
  },
  Health: { name: 'Health', entry: 'functions/handlers/health.ts', description: 'Liveness of the API' },
  GetOpenApi: {
    name: 'GetOpenApi',
    entry: 'functions/handlers/get-openapi.ts',
    description: 'OpenAPI document generated from the zod schemas',
  },
  GetEventCatalogue: {
    name: 'GetEventCatalogue',
    entry: 'functions/handlers/get-event-catalogue.ts',
    description: 'Event catalogue: a JSON Schema and a pattern per bus event',
  },
  CreateEntity: {
    name: 'CreateEntity',
    entry: 'functions/handlers/create-entity.ts',
    description: 'Creates an entity',
    table: 'write',
  },
  ListEntities: {
    name: 'ListEntities',
    entry: 'functions/handlers/list-entities.ts',
    description: 'Lists entities',
    table: 'read',
  },
  GetEntity: {
    name: 'GetEntity',
    entry: 'functions/handlers/get-entity.ts',
    description: 'Reads one entity',
    table: 'read',
  },
  UpdateEntity: {
    name: 'UpdateEntity',
    entry: 'functions/handlers/update-entity.ts',
    description: 'Patches an entity with optimistic locking',
    table: 'write',
  },
  ListAudit: {
    name: 'ListAudit',
    entry: 'functions/handlers/list-audit.ts',
    description: 'Reads the audit trail (filtered by actor, action, resource) and verifies its hash chain',
    table: 'read',
    // Verification cursors are signed with a key derived from the platform key.
    callbackKey: true,
    // A verification reads and hashes up to 16,000 records within the API's 29 s.
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  ListTools: { name: 'ListTools', entry: 'functions/handlers/list-tools.ts', description: 'Lists the tool registry' },
  CreateWorkflow: {
    name: 'CreateWorkflow',
    entry: 'functions/handlers/create-workflow.ts',
    description: 'Creates a workflow definition (version 1)',
    table: 'write',
    callbackKey: true,
  },
  ListWorkflows: {
    name: 'ListWorkflows',
    entry: 'functions/handlers/list-workflows.ts',
    description: 'Lists workflow definitions',
    table: 'read',
  },
  GetWorkflow: {
    name: 'GetWorkflow',
    entry: 'functions/handlers/get-workflow.ts',
    description: 'Reads a workflow definition version',
    table: 'read',
  },
  UpdateWorkflow: {
    name: 'UpdateWorkflow',
    entry: 'functions/handlers/update-workflow.ts',
    description: 'Stores a changed definition as version N+1',
    table: 'write',
    callbackKey: true,
  },
  ExecuteWorkflow: {
    name: 'ExecuteWorkflow',
    entry: 'functions/handlers/execute-workflow.ts',
    description: 'Starts a run of a pinned workflow version',
    table: 'write',
  },
  GetExecution: {
    name: 'GetExecution',
    entry: 'functions/handlers/get-execution.ts',
    description: "Reads a run and its steps, and lists the tenant's runs",
    table: 'read',
  },
  RedriveExecution: {
    name: 'RedriveExecution',
    entry: 'functions/handlers/redrive-execution.ts',
    description: 'Restarts a failed run from its failed step',
    table: 'write',
  },
  ListApprovals: {
    name: 'ListApprovals',
    entry: 'functions/handlers/list-approvals.ts',
    description: 'Lists approvals by status',
    table: 'read',
  },
  DecideApproval: {
    name: 'DecideApproval',
    entry: 'functions/handlers/decide-approval.ts',
    description: 'Approves or rejects a gate (approver role)',
    table: 'write',
    callbackKey: true,
  },
  ApprovalCallback: {
    name: 'ApprovalCallback',
    entry: 'functions/handlers/approval-callback.ts',
    description: 'Approves or rejects a gate through a signed callback link',
    table: 'write',
    callbackKey: true,
  },
  WorkflowStep: {
    name: 'WorkflowStep',
    entry: 'functions/handlers/workflow-step.ts',
    description: 'State machine task: runs one step',
    table: 'write',
    callbackKey: true,
    webhooks: true,
    timeoutSeconds: 180,
  },
  WorkflowFinish: {
    name: 'WorkflowFinish',
    entry: 'functions/handlers/workflow-finish.ts',
    description: 'State machine task: completes or compensates a run',
    table: 'write',
    timeoutSeconds: 120,
  },
  ApprovalRequest: {
    name: 'ApprovalRequest',
    entry: 'functions/handlers/approval-request.ts',
    description: 'State machine gate: records an approval request',
    table: 'write',
    callbackKey: true,
  },
  ApprovalNotifier: {
    name: 'ApprovalNotifier',
    entry: 'functions/handlers/approval-notifier.ts',
    description: 'Sends the signed approval webhook',
    table: 'write',
    callbackKey: true,
    webhooks: true,
    timeoutSeconds: 180,
  },
  ApprovalRelay: {
    name: 'ApprovalRelay',
    entry: 'functions/handlers/approval-relay.ts',
    description: 'Delivers a recorded decision to its gate',
    table: 'read',
  },
  WorkflowLauncher: {
    name: 'WorkflowLauncher',
    entry: 'functions/handlers/workflow-launcher.ts',
    description: 'Makes sure a recorded run has its execution',
    table: 'read',
  },
  ResolveEntity: {
    name: 'ResolveEntity',
    entry: 'functions/handlers/resolve-entity.ts',
    description: "Identity resolution of a created or updated person or organization against the tenant's entities",
    table: 'write',
    timeoutSeconds: 60,
  },
  StartResolutionRun: {
    name: 'StartResolutionRun',
    entry: 'functions/handlers/start-resolution-run.ts',
    description: 'Queues a batch identity-resolution run (admin)',
    table: 'write',
  },
  GetResolutionRun: {
    name: 'GetResolutionRun',
    entry: 'functions/handlers/get-resolution-run.ts',
    description: 'Reads a resolution run and its progress (admin)',
    table: 'read',
  },
  ResolutionRunWorker: {
    name: 'ResolutionRunWorker',
    entry: 'functions/handlers/resolution-run-worker.ts',
    description: 'Executes a batch identity-resolution run',
    table: 'write',
    memoryMb: 3008,
    timeoutSeconds: 900,
  },
  GetReviewQueue: {
    name: 'GetReviewQueue',
    entry: 'functions/handlers/get-review-queue.ts',
    description: 'Lists the pending review pairs of a type, re-scored, with the paths that answer them (admin)',
    table: 'read',
  },
  ListMatches: {
    name: 'ListMatches',
    entry: 'functions/handlers/list-matches.ts',
    description: "Lists an entity's cluster members with scores and explanations",
    table: 'read',
  },
  DecideMatch: {
    name: 'DecideMatch',
    entry: 'functions/handlers/decide-match.ts',
    description: 'Confirms (must-link) or rejects (cannot-link) a pair (admin)',
    table: 'write',
  },
  CreateConnector: {
    name: 'CreateConnector',
    entry: 'functions/handlers/create-connector.ts',
    description: 'Configures a connector; credentials sealed with the tenant key (admin)',
    table: 'write',
    callbackKey: true,
    schedules: ['connectorSyncs'],
  },
  ListConnectors: {
    name: 'ListConnectors',
    entry: 'functions/handlers/list-connectors.ts',
    description: "Lists the tenant's connectors (no credentials)",
    table: 'read',
  },
  GetConnector: {
    name: 'GetConnector',
    entry: 'functions/handlers/get-connector.ts',
    description: 'Reads one connector (no credentials)',
    table: 'read',
  },
  UpdateConnector: {
    name: 'UpdateConnector',
    entry: 'functions/handlers/update-connector.ts',
    description: 'Changes a connector with optimistic locking (admin)',
    table: 'write',
    callbackKey: true,
    schedules: ['connectorSyncs'],
  },
  DeleteConnector: {
    name: 'DeleteConnector',
    entry: 'functions/handlers/delete-connector.ts',
    description: 'Deletes a connector and its schedule; synced entities keep their history (admin)',
    table: 'write',
    schedules: ['connectorSyncs'],
  },
  StartSync: {
    name: 'StartSync',
    entry: 'functions/handlers/start-sync.ts',
    description: 'Starts a sync run of a connector (202; 409 while one runs)',
    table: 'write',
  },
  ScheduledSync: {
    name: 'ScheduledSync',
    entry: 'functions/handlers/scheduled-sync.ts',
    description: "Schedule target: starts a connector's sync run (skipped while one runs)",
    table: 'write',
  },
  ListSyncRuns: {
    name: 'ListSyncRuns',
    entry: 'functions/handlers/list-sync-runs.ts',
    description: "Lists a connector's sync runs, newest first",
    table: 'read',
  },
  GetSyncRun: {
    name: 'GetSyncRun',
    entry: 'functions/handlers/get-sync-run.ts',
    description: 'Reads a sync run with its counts, cursor and progress',
    table: 'read',
  },
  GetEntitySources: {
    name: 'GetEntitySources',
    entry: 'functions/handlers/get-entity-sources.ts',
    description: 'Provenance: the source records of an entity and its resolved cluster, with the golden record',
    table: 'read',
  },
  GetEntityRelations: {
    name: 'GetEntityRelations',
    entry: 'functions/handlers/get-entity-relations.ts',
    description: "An entity's relations (works-at, owns-deal, deal-with, reports-to, employed-as)",
    table: 'read',
  },
  SyncPages: {
    name: 'SyncPages',
    entry: 'functions/handlers/sync-pages.ts',
    description: 'State machine task: reads, keeps, normalises and upserts pages of a sync run, checkpointing each',
    table: 'write',
    bucket: { access: 'write', prefixes: ['sync-pages/'] },
    callbackKey: true,
    webhooks: true,
    memoryMb: 1024,
    timeoutSeconds: 300,
  },
  FinishSync: {
    name: 'FinishSync',
    entry: 'functions/handlers/finish-sync.ts',
    description: 'State machine task: deletions, completeness check and the final status of a sync run',
    table: 'write',
    bucket: { access: 'read', prefixes: ['sync-pages/'] },
    memoryMb: 1024,
    timeoutSeconds: 300,
  },
  UploadMiningLog: {
    name: 'UploadMiningLog',
    entry: 'functions/handlers/upload-mining-log.ts',
    description: 'Stores an uploaded event log (XES, CSV, gzip) and queues its mining job',
    table: 'write',
    bucket: { access: 'write', prefixes: ['mining-logs/'] },
    memoryMb: 1024,
  },
  ListMiningLogs: {
    name: 'ListMiningLogs',
    entry: 'functions/handlers/list-mining-logs.ts',
    description: 'Lists uploaded logs and their mining jobs',
    table: 'read',
  },
  GetMiningLog: {
    name: 'GetMiningLog',
    entry: 'functions/handlers/get-mining-log.ts',
    description: 'Reads a mining job and, once mined, its model (JSON, DOT, SVG, PNML)',
    table: 'read',
    bucket: { access: 'read', prefixes: ['mining-results/'] },
  },
  MiningWorker: {
    name: 'MiningWorker',
    entry: 'functions/handlers/mining-worker.ts',
    description: 'Mines an uploaded log: DFG, variants, heuristics, inductive-miner net, token replay, pictures',
    table: 'write',
    bucket: { access: 'write', prefixes: ['mining-logs/', 'mining-results/'] },
    memoryMb: 3008,
    timeoutSeconds: 900,
  },
  GetMiningProcesses: {
    name: 'GetMiningProcesses',
    entry: 'functions/handlers/get-mining-processes.ts',
    description: "Mines the platform's own traces (workflow runs, entity histories) into a model and a picture",
    table: 'read',
    memoryMb: 2048,
    timeoutSeconds: 29,
  },
  CreateSignalRule: {
    name: 'CreateSignalRule',
    entry: 'functions/handlers/create-signal-rule.ts',
    description: 'Creates a signal rule, checked by the rule compiler (admin, operator)',
    table: 'write',
  },
  PreviewSignalRule: {
    name: 'PreviewSignalRule',
    entry: 'functions/handlers/preview-signal-rule.ts',
    description: 'Replays an unsaved signal rule on the last 30 days of signal history; writes nothing',
    table: 'read',
    // Up to 50,000 history events (64 MB of JSON) read, parsed and replayed within the API's 29 s.
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  ListSignalRules: {
    name: 'ListSignalRules',
    entry: 'functions/handlers/list-signal-rules.ts',
    description: "Lists the tenant's signal rules",
    table: 'read',
  },
  GetSignalRule: {
    name: 'GetSignalRule',
    entry: 'functions/handlers/get-signal-rule.ts',
    description: 'Reads a signal rule (latest or a given version)',
    table: 'read',
  },
  UpdateSignalRule: {
    name: 'UpdateSignalRule',
    entry: 'functions/handlers/update-signal-rule.ts',
    description: 'Changes a signal rule with optimistic locking, as version N+1 (admin, operator)',
    table: 'write',
  },
  DeleteSignalRule: {
    name: 'DeleteSignalRule',
    entry: 'functions/handlers/delete-signal-rule.ts',
    description: 'Deletes a signal rule; its versions and signals stay (admin, operator)',
    table: 'write',
  },
  ListSignals: {
    name: 'ListSignals',
    entry: 'functions/handlers/list-signals.ts',
    description: 'Lists detected signals, newest first (by rule, entity, since)',
    table: 'read',
  },
  GetSignal: {
    name: 'GetSignal',
    entry: 'functions/handlers/get-signal.ts',
    description: 'Reads a detected signal',
    table: 'read',
  },
  SignalDetector: {
    name: 'SignalDetector',
    entry: 'functions/handlers/signal-detector.ts',
    description: "Evaluates the tenant's signal rules on each entity change; writes signals, arms deadlines",
    table: 'write',
    schedules: ['signalDeadlines'],
    timeoutSeconds: 30,
  },
  SignalDeadline: {
    name: 'SignalDeadline',
    entry: 'functions/handlers/signal-deadline.ts',
    description: "Schedule target: a signal rule's deadline for a key came (absence, inactivity)",
    table: 'write',
    schedules: ['signalDeadlines'],
    // An early fire is waited out (at most 70 s), then the key is evaluated.
    timeoutSeconds: 120,
  },
  OutboxPublisher: {
    name: 'OutboxPublisher',
    entry: 'functions/handlers/outbox-publisher.ts',
    description: 'Publishes outbox items from the table stream to the event bus',
    bus: true,
    timeoutSeconds: 60,
  },
  CaseManager: {
    name: 'CaseManager',
    entry: 'functions/handlers/case-manager.ts',
    description: "Opens the case of each detected signal's case key, or records the signal on the key's open case",
    table: 'write',
  },
  ListCases: {
    name: 'ListCases',
    entry: 'functions/handlers/list-cases.ts',
    description: 'Lists cases by status, assignee, rule and entity',
    table: 'read',
  },
  GetCase: {
    name: 'GetCase',
    entry: 'functions/handlers/get-case.ts',
    description: 'Reads one case with its notes and signals',
    table: 'read',
  },
  UpdateCase: {
    name: 'UpdateCase',
    entry: 'functions/handlers/update-case.ts',
    description: 'Changes a case (status, assignee, a note) with optimistic locking',
    table: 'write',
  },
  SignalWorkflowTrigger: {
    name: 'SignalWorkflowTrigger',
    entry: 'functions/handlers/signal-workflow-trigger.ts',
    description: "Starts the workflow a detected signal's rule names, once per signal",
    table: 'write',
  },
  CreateTrigger: {
    name: 'CreateTrigger',
    entry: 'functions/handlers/create-trigger.ts',
    description:
      'Creates a schedule or webhook trigger of a workflow; webhook secrets sealed with the tenant key (admin)',
    table: 'write',
    callbackKey: true,
    schedules: ['workflowTriggers'],
  },
  ListTriggers: {
    name: 'ListTriggers',
    entry: 'functions/handlers/list-triggers.ts',
    description: "Lists the tenant's workflow triggers (no secrets)",
    table: 'read',
  },
  GetTrigger: {
    name: 'GetTrigger',
    entry: 'functions/handlers/get-trigger.ts',
    description: 'Reads one workflow trigger (no secret)',
    table: 'read',
  },
  UpdateTrigger: {
    name: 'UpdateTrigger',
    entry: 'functions/handlers/update-trigger.ts',
    description: 'Changes a workflow trigger and its schedule with optimistic locking (admin)',
    table: 'write',
    schedules: ['workflowTriggers'],
  },
  DeleteTrigger: {
    name: 'DeleteTrigger',
    entry: 'functions/handlers/delete-trigger.ts',
    description: 'Deletes a workflow trigger and its schedule (admin)',
    table: 'write',
    schedules: ['workflowTriggers'],
  },
  ScheduledWorkflow: {
    name: 'ScheduledWorkflow',
    entry: 'functions/handlers/scheduled-workflow.ts',
    description: "Schedule target: starts one run of a schedule trigger's workflow per fire",
    table: 'write',
  },
  ReceiveWebhook: {
    name: 'ReceiveWebhook',
    entry: 'functions/handlers/receive-webhook.ts',
    description:
      "Verifies an inbound Standard Webhooks request on its raw body and starts the hook's workflow once per webhook-id",
    table: 'write',
    callbackKey: true,
  },
  AgentConfigApi: {
    name: 'AgentConfigApi',
    entry: 'functions/handlers/agent-config-api.ts',
    description: 'Personas, skills and agents of the tenant (create, list, read, change, delete)',
    table: 'write',
    callbackKey: true,
  },
  KnowledgeApi: {
    name: 'KnowledgeApi',
    entry: 'functions/handlers/knowledge-api.ts',
    description: 'Knowledge bases and their documents: upload to S3, chunk and index (BM25) per tenant',
    table: 'write',
    bucket: { access: 'write', prefixes: ['agent-knowledge/'] },
    memoryMb: 1024,
    timeoutSeconds: 60,
  },
  AgentSessions: {
    name: 'AgentSessions',
    entry: 'functions/handlers/agent-sessions.ts',
    description:
      'Agent sessions and messages: the agent answers (Claude or the offline model), calls skills, proposes outputs',
    table: 'write',
    bucket: { access: 'write', prefixes: ['agent-outputs/', 'agent-knowledge/'] },
    model: true,
    memoryMb: 1024,
    timeoutSeconds: 60,
  },
  AgentOutputsApi: {
    name: 'AgentOutputsApi',
    entry: 'functions/handlers/agent-outputs-api.ts',
    description: "Lists and reads agents' outputs (metadata and content) and their approval records",
    table: 'read',
    bucket: { access: 'read', prefixes: ['agent-outputs/'] },
  },
  AgentOutputGate: {
    name: 'AgentOutputGate',
    entry: 'functions/handlers/agent-output-gate.ts',
    description: "State machine gate: records an agent output's approval request with its task token",
    table: 'write',
  },
  AgentOutputStep: {
    name: 'AgentOutputStep',
    entry: 'functions/handlers/agent-output-step.ts',
    description: 'State machine task: executes an approved automatable output once, or ends it manual or rejected',
    table: 'write',
    bucket: { access: 'read', prefixes: ['agent-outputs/'] },
    // The registry's tools take a webhook sender; no automatable output skill sends webhooks today.
    webhooks: true,
    timeoutSeconds: 120,
  },
  AgentOutputLauncher: {
    name: 'AgentOutputLauncher',
    entry: 'functions/handlers/agent-output-launcher.ts',
    description: "Makes sure a proposed agent output has its approval gate's execution",
    table: 'read',
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

/** The API's token authorizer: API Gateway caches its result per token for this long; the local API does the same. */
export const AUTHORIZER = {
  function: 'Authorizer' as const,
  identityHeader: 'Authorization',
  resultsCacheTtlSeconds: 300,
  /** API Gateway refuses (401) a token not of this shape without invoking the authorizer; the local API too. */
  tokenPattern: '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*$',
};

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** API Gateway resource path, `{param}` for path parameters. */
  path: string;
  function: FunctionName;
  /** `jwt`: behind the authorizer; `none`: public. */
  auth: 'jwt' | 'none';
}

// The API routes (ROUTES) are in api-routes.ts: they are derived from the route contracts, which every bundle that
// imports them carries, and every bundle imports this file.

/** The table stream feeds the outbox publisher, filtered to inserted outbox items. */
export const STREAM_CONSUMERS = [
  {
    function: 'OutboxPublisher' as FunctionName,
    filter: { eventName: ['INSERT'], dynamodb: { NewImage: { entityType: { S: ['OutboxEvent'] } } } },
    /** Retries of a failing batch before its records go to the on-failure destination. */
    retryAttempts: 10,
  },
] as const;

/**
 * What the platform event log keeps of each event: ids and names only, never the payload (which carries
 * entity attributes, i.e. PII). Field → JSON path in the event; AWS applies it as the log target's
 * input transformer, the local bus the same way.
 */
export const EVENT_LOG_FIELDS = {
  time: '$.time',
  source: '$.source',
  detailType: '$.detail-type',
  tenantId: '$.detail.tenantId',
  eventId: '$.detail.eventId',
  correlationId: '$.detail.correlationId',
} as const;

/**
 * How every rule target is retried, in both runtimes; what gives up goes to the target's dead-letter queue
 * (AWS, one SQS queue per target with an alarm) or the dead-letter file (local bus). Delivery is at least
 * once, so every target is idempotent (consumers deduplicate on `detail.eventId`).
 *
 * - `retryPolicy`: each target's EventBridge RetryPolicy (EventBridge's own defaults, made explicit), and
 *   the local bus's policy for every failed attempt. EventBridge retries *delivery* (throttling, service
 *   errors) with it; the local bus calls the handler directly, so it retries handler errors with it too.
 * - `handlerRetry` (AWS only): function targets are invoked asynchronously, so their handler errors are
 *   retried by Lambda's asynchronous invocation (at most 2 retries, 6 hours) and then go to the same queue.
 * - `localBackoff` (local only): delay before retry n is a random value in [d/2, d], d = min(maxMs,
 *   baseMs · 2^(n-1)); EventBridge's own backoff is not published, and the cap keeps local runs usable.
 */
export const EVENT_TARGET_RETRY = {
  retryPolicy: { maximumEventAgeSeconds: 86_400, maximumRetryAttempts: 185 },
  handlerRetry: { maximumEventAgeSeconds: 21_600, maximumRetryAttempts: 2 },
  localBackoff: { baseMs: 1_000, maxMs: 60_000 },
} as const;

export interface EventRuleSpec {
  name: string;
  description: string;
  pattern: EventPattern;
  /** The catalogue event a function target receives (its handler parses `detail` with that event's schema). */
  event?: EventName;
  /** `log`: the platform event log (CloudWatch Logs in AWS, a JSON-lines file locally), EVENT_LOG_FIELDS only. */
  target: { kind: 'log' } | { kind: 'function'; function: FunctionName };
}

/**
 * A rule on one event of the catalogue: its pattern matches that event's source and detail-type (plus an
 * optional detail filter), so a rule cannot name an event the bus never carries or its wrong source.
 */
function onEvent(event: EventName, detail?: Record<string, unknown>): Pick<EventRuleSpec, 'event' | 'pattern'> {
  return {
    event,
    pattern: { source: [EVENT_SOURCES[event]], 'detail-type': [event], ...(detail ? { detail } : {}) } as EventPattern,
  };
}

export const EVENT_RULES: readonly EventRuleSpec[] = [
  {
    name: 'PlatformEventLog',
    description: 'Every modos event into the platform event log: ids and names of what was published, no payload',
    pattern: { source: [{ prefix: 'modos.' }] },
    target: { kind: 'log' },
  },
  {
    name: 'NotifyApprovalRequested',
    description: 'Sends the signed approval webhook',
    ...onEvent('approval.requested'),
    target: { kind: 'function', function: 'ApprovalNotifier' },
  },
  {
    name: 'RelayApprovalDecided',
    description: 'Completes the gate of a recorded decision (safety net of the direct SendTask call)',
    ...onEvent('approval.decided'),
    target: { kind: 'function', function: 'ApprovalRelay' },
  },
  {
    name: 'LaunchWorkflowStarted',
    description: 'Starts the execution of a recorded run (safety net of the direct StartExecution)',
    ...onEvent('workflow.started'),
    target: { kind: 'function', function: 'WorkflowLauncher' },
  },
  {
    name: 'ResolveCreatedEntity',
    description: 'Identity resolution of each created person or organization (incremental)',
    ...onEvent('entity.created', { payload: { entity: { type: ['person', 'organization'] } } }),
    target: { kind: 'function', function: 'ResolveEntity' },
  },
  {
    name: 'ResolveUpdatedEntity',
    description:
      'Identity re-resolution of each updated person or organization (acts when identifying attributes changed)',
    ...onEvent('entity.updated', { payload: { entity: { type: ['person', 'organization'] } } }),
    target: { kind: 'function', function: 'ResolveEntity' },
  },
  {
    name: 'RunResolutionBatch',
    description: 'Executes a requested batch identity-resolution run',
    ...onEvent('resolution.run.requested'),
    target: { kind: 'function', function: 'ResolutionRunWorker' },
  },
  {
    name: 'DetectSignalsOnEntityCreated',
    description: "Evaluates the tenant's signal rules on each created entity",
    ...onEvent('entity.created'),
    target: { kind: 'function', function: 'SignalDetector' },
  },
  {
    name: 'DetectSignalsOnEntityUpdated',
    description: "Evaluates the tenant's signal rules on each updated entity",
    ...onEvent('entity.updated'),
    target: { kind: 'function', function: 'SignalDetector' },
  },
  {
    name: 'DetectSignalsOnEntityMerged',
    description: "Evaluates the tenant's signal rules on each entity a merge links",
    ...onEvent('entity.merged'),
    target: { kind: 'function', function: 'SignalDetector' },
  },
  {
    name: 'DetectSignalsOnEntitySplit',
    description: "Evaluates the tenant's signal rules on each entity a split separates",
    ...onEvent('entity.split'),
    target: { kind: 'function', function: 'SignalDetector' },
  },
  {
    name: 'MineUploadedLog',
    description: 'Mines an uploaded event log (its job records the progress and the result)',
    ...onEvent('mining.log.uploaded'),
    target: { kind: 'function', function: 'MiningWorker' },
  },
  {
    name: 'OpenCaseFromSignal',
    description: "Opens the case of each detected signal's case key, or records the signal on the open one",
    ...onEvent('signal.detected'),
    target: { kind: 'function', function: 'CaseManager' },
  },
  {
    name: 'LaunchAgentOutputGate',
    description: "Starts a proposed agent output's gate execution (safety net of the proposal's StartExecution)",
    ...onEvent('agent.output.proposed'),
    target: { kind: 'function', function: 'AgentOutputLauncher' },
  },
  {
    name: 'StartWorkflowFromSignal',
    description: "Starts the workflow a detected signal names (its rule's then.startWorkflow), once per signal",
    ...onEvent('signal.detected', { payload: { action: { startWorkflow: [{ exists: true }] } } }),
    target: { kind: 'function', function: 'SignalWorkflowTrigger' },
  },
];

export interface StateMachineSpec {
  name: string;
  /** ASL (JSONPath), relative to the project root; `${Name}` placeholders name functions. */
  definitionFile: string;
  /** Placeholder → function: CDK substitutes the function ARN, the local runtime its name. */
  functions: Record<string, FunctionName>;
  /** The variable that holds the machine's ARN in the functions that start it (set with the grant). */
  arnVariable: string;
  /** Functions that start executions of it (states:StartExecution on this machine only). */
  startedBy: readonly FunctionName[];
  /** Functions that complete its task tokens (SendTaskSuccess / Failure / Heartbeat). */
  callbacksFrom: readonly FunctionName[];
}

export const STATE_MACHINES: readonly StateMachineSpec[] = [
  {
    name: 'WorkflowRun',
    definitionFile: 'statemachines/workflow-run.asl.json',
    functions: {
      ApprovalRequestFunction: 'ApprovalRequest',
      WorkflowStepFunction: 'WorkflowStep',
      WorkflowFinishFunction: 'WorkflowFinish',
    },
    arnVariable: 'WORKFLOW_STATE_MACHINE_ARN',
    startedBy: [
      'ExecuteWorkflow',
      'RedriveExecution',
      'WorkflowLauncher',
      'SignalWorkflowTrigger',
      'ScheduledWorkflow',
      'ReceiveWebhook',
    ],
    callbacksFrom: ['DecideApproval', 'ApprovalCallback', 'ApprovalRequest', 'ApprovalNotifier', 'ApprovalRelay'],
  },
  {
    name: 'ConnectorSync',
    definitionFile: 'statemachines/connector-sync.asl.json',
    functions: { SyncPagesFunction: 'SyncPages', FinishSyncFunction: 'FinishSync' },
    arnVariable: 'SYNC_STATE_MACHINE_ARN',
    startedBy: ['StartSync', 'ScheduledSync'],
    callbacksFrom: [],
  },
  {
    name: 'AgentOutput',
    definitionFile: 'statemachines/agent-output.asl.json',
    functions: { AgentOutputGateFunction: 'AgentOutputGate', AgentOutputStepFunction: 'AgentOutputStep' },
    arnVariable: 'AGENT_OUTPUT_STATE_MACHINE_ARN',
    startedBy: ['AgentSessions', 'AgentOutputLauncher'],
    // The approval machinery decides and relays an output's approval as any other; the gate may complete its own.
    callbacksFrom: ['DecideApproval', 'ApprovalCallback', 'ApprovalNotifier', 'ApprovalRelay', 'AgentOutputGate'],
  },
];

/**
 * A named group of schedules (EventBridge Scheduler in AWS, the local scheduler on the local platform). Each group
 * is one schedule group per stage with its own execution role (which may invoke `target` only), dead-letter queue
 * and alarm; every schedule in it invokes `target` with its own input. The functions whose `schedules` name the
 * group write its schedules at run time (functions/platform/scheduler-composition.ts `scheduleGroup(name)`).
 */
export interface ScheduleGroupSpec {
  /** The stage's group name: 1-64 characters of [0-9A-Za-z-_.] for every stage (test/infra checks the longest). */
  groupName: (stage: string) => string;
  /**
   * The function of FUNCTIONS every schedule of the group invokes (asynchronously, with the schedule's input as its
   * event). Typed `string` here only to keep FUNCTIONS and this record from referring to each other's types;
   * `scheduleGroupOf` makes a target that is not a function of the manifest a compile error.
   */
  target: string;
  /**
   * Each schedule's target RetryPolicy: how long and how often Scheduler retries delivering a fire (throttling,
   * service errors; handler errors are retried by Lambda's asynchronous invocation, EVENT_TARGET_RETRY.handlerRetry).
   * Locally, MaximumEventAgeInSeconds also bounds the fires caught up after a restart (docs/local-scheduler.md).
   */
  retry: { MaximumEventAgeInSeconds: number; MaximumRetryAttempts: number };
  description: string;
}

/**
 * The schedule groups. Adding one is one entry here (and `schedules: ['<key>']` on the functions that write it):
 * both runtimes build the group, role, queue and bindings from it.
 */
export const SCHEDULE_GROUPS = {
  connectorSyncs: {
    /** `modos-<stage>-connector-syncs` (at most 43 characters). */
    groupName: (stage: string) => `modos-${stage}-connector-syncs`,
    target: 'ScheduledSync',
    /**
     * Six hours, the horizon of Lambda's own asynchronous retries: a daily sync delivered late is still wanted, and
     * a late fire of a frequent schedule is harmless (a fire while a run holds the connector is skipped).
     */
    retry: { MaximumEventAgeInSeconds: 21_600, MaximumRetryAttempts: 185 },
    description: "Connector syncs: one recurring schedule per connector, starting the connector's sync run",
  },
  signalDeadlines: {
    /** `modos-<stage>-signal-deadlines` (at most 44 characters). */
    groupName: (stage: string) => `modos-${stage}-signal-deadlines`,
    target: 'SignalDeadline',
    /**
     * A day, Scheduler's own default: a deadline fired late still writes its signal (at its deadline's time), and
     * one fired twice writes nothing twice.
     */
    retry: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
    description: 'Signal deadlines: one one-shot schedule per rule, key and deadline (absence, inactivity)',
  },
  workflowTriggers: {
    /** `modos-<stage>-workflow-triggers` (at most 45 characters). */
    groupName: (stage: string) => `modos-${stage}-workflow-triggers`,
    target: 'ScheduledWorkflow',
    /**
     * One hour: a scheduled workflow is about its time, and a fire delivered later than that goes to the dead-letter
     * queue (whose alarm tells the operator) rather than starting a run long after it was due.
     */
    retry: { MaximumEventAgeInSeconds: 3_600, MaximumRetryAttempts: 185 },
    description: 'Workflow triggers: one recurring schedule per schedule trigger, starting a run of its workflow',
  },
} as const satisfies Record<string, ScheduleGroupSpec>;

export type ScheduleGroupName = keyof typeof SCHEDULE_GROUPS;

/** A schedule group with its target as a function name. */
export type ScheduleGroup = Omit<ScheduleGroupSpec, 'target'> & { name: ScheduleGroupName; target: FunctionName };

/** One schedule group of the manifest (a target that is not a function of FUNCTIONS does not compile here). */
export function scheduleGroupOf(name: ScheduleGroupName): ScheduleGroup {
  const spec = SCHEDULE_GROUPS[name];
  const target: FunctionName = spec.target;
  return { ...spec, name, target };
}

/** Every schedule group, in the manifest's order. */
export function scheduleGroups(): ScheduleGroup[] {
  return (Object.keys(SCHEDULE_GROUPS) as ScheduleGroupName[]).map(scheduleGroupOf);
}

/** What a function may do with the state machines: which it starts, and whether it completes task tokens. */
export function stateMachineAccessOf(fn: string): { starts: StateMachineSpec[]; callbacks: boolean } {
  return {
    starts: STATE_MACHINES.filter((m) => (m.startedBy as readonly string[]).includes(fn)),
    callbacks: STATE_MACHINES.some((m) => (m.callbacksFrom as readonly string[]).includes(fn)),
  };
}
