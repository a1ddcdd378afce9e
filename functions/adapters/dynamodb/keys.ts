/**
 * Every key of the single table is built here and nowhere else.
 *
 * Rule: every partition key, of the table and of every index, begins with `T#<tenantId>#`, so an IAM
 * policy with `dynamodb:LeadingKeys` = `T#${tenant}#*` confines a principal to its tenant.
 *
 * Access patterns
 * | pattern                        | index | key condition                                        | used by                     |
 * |--------------------------------|-------|------------------------------------------------------|-----------------------------|
 * | get entity by id               | table | PK = T#t#ENTITY#<id>, SK = ENTITY                    | get/update entity           |
 * | list a tenant's entities       | GSI1  | GSI1PK = T#t#ENTITIES, GSI1SK desc (<createdAt>#<id>) | GET /entities               |
 * | list a tenant's entities by type| GSI2 | GSI2PK = T#t#ENTITIES#<type>, GSI2SK desc             | GET /entities?type=         |
 * | audit trail, newest first      | table | PK = T#t#AUDIT, SK desc (<at>#<id>) [filter actor, action, resource] | GET /audit[?actor=…] |
 * | audit lane in chain order      | GSI1  | GSI1PK = T#t#AUDITLANE#<lane>, GSI1SK asc (<seq>) [between] | GET /audit/verification |
 * | audit lane head(s)             | table | PK = T#t#AUDITHEAD, SK = LANE#<lane>                  | every mutation, verification |
 * | outbox event                   | table | PK = T#t#OUTBOX, SK = <eventId> (TTL expiresAt)       | stream → bus publisher      |
 * | idempotency marker             | table | PK = T#t#IDEMPOTENCY#<key>, SK = MARKER (TTL)         | idempotent mutations        |
 * | workflow (latest)              | table | PK = T#t#WORKFLOW#<id>, SK = META                     | get/update workflow         |
 * | workflow version N             | table | PK = T#t#WORKFLOW#<id>, SK = V#<000N>                 | run pinning a version       |
 * | list workflows                 | GSI1  | GSI1PK = T#t#WORKFLOWS, GSI1SK desc (<createdAt>#<id>)| GET /workflows              |
 * | run (execution)                | table | PK = T#t#RUN#<id>, SK = RUN                           | engine tasks, GET execution |
 * | list runs                      | GSI1  | GSI1PK = T#t#RUNS, GSI1SK desc (<startedAt>#<id>) [filter workflowId, status] | GET /workflows/executions |
 * | approval                       | table | PK = T#t#APPROVAL#<id>, SK = APPROVAL                 | decide, notify              |
 * | approvals by status            | GSI1  | GSI1PK = T#t#APPROVALS#<status>, GSI1SK desc          | GET /approvals?status=      |
 * | resolution candidates by key   | table | PK = T#t#ERKEY#<type>#<keyHash>, SK = <entityId>      | incremental resolution      |
 * | resolution model               | table | PK = T#t#ERMODEL#<type>, SK = MODEL                   | incremental, matches, batch |
 * | cluster head (version, count)  | table | PK = T#t#ERCLUSTER#<clusterId>, SK = CLUSTER          | every cluster change        |
 * | cluster head + member pages    | table | PK = T#t#ERCLUSTER#<clusterId> (SK CLUSTER, PAGE#<n>) | clusterOf, every change     |
 * | clusters of a type (+ pages)   | GSI1  | GSI1PK = T#t#ERCLUSTERS#<type>, GSI1SK = <clusterId>[#PAGE#<n>] | batch diff        |
 * | entity → cluster pointer       | table | PK = T#t#ERMEMBER#<entityId>, SK = CLUSTER            | matches, decisions          |
 * | entity's blocking-key set      | table | PK = T#t#ERMEMBER#<entityId>, SK = KEYS               | re-indexing (update, batch) |
 * | pair decisions of an entity    | table | PK = T#t#ERDECISION#<entityId>, SK = <otherId>        | decisions, incremental      |
 * | pair decisions of a type       | GSI1  | GSI1PK = T#t#ERDECISIONS#<type>, GSI1SK = <a>#<b>     | batch constraints           |
 * | resolution run                 | table | PK = T#t#ERRUN#<id>, SK = RUN                         | POST/GET resolution runs    |
 * | review queue of a type         | table | PK = T#t#ERREVIEW#<type>, SK = QUEUE                  | batch run, GET review queue |
 * | connector                      | table | PK = T#t#CONNECTOR#<id>, SK = CONNECTOR               | connector API, syncs        |
 * | list connectors                | GSI1  | GSI1PK = T#t#CONNECTORS, GSI1SK desc (<createdAt>#<id>)| GET /connectors            |
 * | connector's access token       | table | PK = T#t#CONNECTOR#<id>, SK = TOKEN                   | vendor clients (sealed)     |
 * | connector's circuit breaker    | table | PK = T#t#CONNECTOR#<id>, SK = BREAKER                 | vendor clients              |
 * | connector's cursor of an object| table | PK = T#t#CONNECTOR#<id>, SK = CURSOR#<object>         | sync start / finish         |
 * | sync run                       | table | PK = T#t#SYNCRUN#<runId>, SK = RUN                    | sync tasks, GET run         |
 * | sync runs of a connector       | GSI1  | GSI1PK = T#t#SYNCRUNS#<connectorId>, GSI1SK desc      | GET /connectors/{id}/runs   |
 * | source records of an entity    | table | PK = T#t#ENTITY#<id>, SK begins SOURCE#               | GET /entities/{id}/sources  |
 * | source records of a connector  | GSI1  | GSI1PK = T#t#SOURCES#<connectorId>#<ns>, GSI1SK = <sourceId>#<role> | deletions (full pass diff) |
 * | relations of an entity         | table | PK = T#t#ENTITY#<id>, SK begins REL#OUT# / REL#IN#    | GET /entities/{id}/relations|
 * | signal rule set: head, rules   | table | PK = T#t#SIGRULES, SK = HEAD / RULE#<ruleId> (asc)   | detector, GET /signal-rules |
 * | signal rule version N          | table | PK = T#t#SIGRULE#<ruleId>, SK = V#<000N>              | GET /signal-rules/{id}?version= |
 * | deleted signal rule's last version | table | PK = T#t#SIGRULE#<ruleId>, SK = GONE              | re-creating a deleted id    |
 * | a signal rule's state of a key | table | PK = T#t#SIGSTATE#<ruleId>#<keyHash>, SK = STATE (TTL) | detector, deadline fires  |
 * | signal                         | table | PK = T#t#SIGNAL#<signalId>, SK = SIGNAL               | GET /signals/{id}, dedup    |
 * | signals, newest first          | GSI1  | GSI1PK = T#t#SIGNALS, GSI1SK desc (<detectedAt>#<id>) | GET /signals[?since=]       |
 * | signals of a rule              | GSI2  | GSI2PK = T#t#SIGNALS#RULE#<ruleId>, GSI2SK desc       | GET /signals?rule=          |
 * | signals of an entity or key    | table | PK = T#t#SIGNALSOF#<subjectHash>, SK desc (<detectedAt>#<id>) | GET /signals?entity= |
 * | signal history of a UTC day    | table | PK = T#t#SIGHIST#<yyyy-mm-dd>, SK = <time ISO>#<eventId> (TTL) | detector, POST /signal-rules/preview |
 * | mining job (an uploaded log)   | table | PK = T#t#MINEJOB#<id>, SK = JOB (TTL expiresAt)       | mining upload, worker, GET  |
 * | mining jobs, newest first      | GSI1  | GSI1PK = T#t#MINEJOBS, GSI1SK desc (<createdAt>#<id>) | GET /mining/logs            |
 * | runs, newest first [since]     | GSI1  | GSI1PK = T#t#RUNS, GSI1SK desc [>= <since>]           | GET /mining/processes       |
 * | audit trail [since], of entities| table | PK = T#t#AUDIT, SK desc [>= <since>]; resourceType entity | GET /mining/processes |
 * | outbox: entity.updated (changed)| table | PK = T#t#OUTBOX; detailType entity.updated (while kept) | GET /mining/processes |
 * | case                           | table | PK = T#t#CASE#<id>, SK = CASE                         | case manager, case API      |
 * | cases of a status              | GSI1  | GSI1PK = T#t#CASES#STATUS#<status>, GSI1SK desc (<openedAt>#<id>) | GET /cases?status= |
 * | every case                     | GSI2  | GSI2PK = T#t#CASES, GSI2SK desc (<openedAt>#<id>)     | GET /cases                  |
 * | cases of an entity, rule, assignee | GSI1 | GSI1PK = T#t#CASES#<ENTITY/RULE/ASSIGNEE>#<value>, GSI1SK desc (item: PK = T#t#CASE#<id>, SK = FACET#<facet>) | GET /cases?entity=&rule=&assignee= |
 * | the open case of a case key    | table | PK = T#t#CASEKEY#<sha256(caseKey)>, SK = OPEN         | case manager, reopen        |
 * | the case that holds a signal   | table | PK = T#t#SIGNALCASE#<signalId>, SK = CASE             | GET /cases?signal=          |
 * | trigger                        | table | PK = T#t#TRIGGER#<id>, SK = TRIGGER                   | trigger API, fires, hooks   |
 * | list triggers                  | GSI1  | GSI1PK = T#t#TRIGGERS, GSI1SK desc (<createdAt>#<id>) | GET /triggers               |
 * | webhook rate window of a hook  | table | PK = T#t#HOOKRATE#<triggerId>, SK = W#<minute> (TTL)  | POST /hooks/{hookId}        |
 * | agent session                  | table | PK = T#t#SESSION#<id>, SK = SESSION                   | sessions API, messages      |
 * | sessions of an agent           | GSI1  | GSI1PK = T#t#AGENT#<agentId>#SESSIONS, GSI1SK (<startedAt>#<id>) | (listing by agent)   |
 * | messages of a session, in order| table | PK = T#t#SESSION#<id>, SK begins_with MSG# (MSG#<seq>) | GET /sessions/{id}/messages |
 * | memories of a scope            | table | PK = T#t#MEMORY#<scopeKey>, SK desc (<createdAt>#<id>) (TTL) | a session's turn    |
 * | model usage of a day           | table | PK = T#t#USAGE#<date>, SK = AGENT#<agentId>#MODEL#<model> | GET /usage, each call |
 * | agent outputs, newest first    | table | PK = T#t#OUTPUTS, SK desc (OUTPUT#<createdAt>#<id>)   | GET /outputs                |
 * | an agent's outputs of a status | GSI1  | GSI1PK = T#t#AGENT#<agentId>, GSI1SK desc begins STATUS#<status># | GET /outputs?agent_id=[&status=] |
 * | the tenant's outputs of a status | GSI2 | GSI2PK = T#t#OUTPUTS#STATUS#<status>, GSI2SK desc (<createdAt>#<id>) | GET /outputs?status= |
 * | where an output is, by id      | table | PK = T#t#OUTPUT#<id>, SK = REF (its createdAt)        | gate, step, notifier, GET   |
 * | an agent's outputs of a UTC day| table | PK = T#t#AGENT#<agentId>, SK = DATE#<YYYY-MM-DD> (TTL) | daily output limit          |
 * | persona                        | table | PK = T#t#PERSONA#<id>, SK = PERSONA                   | config API, agent sessions  |
 * | list personas                  | GSI1  | GSI1PK = T#t#PERSONAS, GSI1SK desc (<createdAt>#<id>) | GET /personas               |
 * | custom skill                   | table | PK = T#t#SKILL#<id>, SK = SKILL                       | config API, agent sessions  |
 * | list custom skills             | GSI1  | GSI1PK = T#t#SKILLS, GSI1SK desc (<createdAt>#<id>)   | GET /skills                 |
 * | agent                          | table | PK = T#t#AGENT#<id>, SK = AGENT                       | config API, sessions, outputs |
 * | list agents                    | GSI1  | GSI1PK = T#t#AGENTS, GSI1SK desc (<createdAt>#<id>)   | GET /agents                 |
 * | knowledge base                 | table | PK = T#t#KB#<id>, SK = KB                             | knowledge API, retrieval    |
 * | list knowledge bases           | GSI1  | GSI1PK = T#t#KBS, GSI1SK desc (<createdAt>#<id>)      | GET /knowledge-bases        |
 * | document of a knowledge base   | table | PK = T#t#KB#<kbId>, SK = DOC#<docId>                  | knowledge API               |
 * | documents of a knowledge base  | GSI1  | GSI1PK = T#t#KBDOCS#<kbId>, GSI1SK desc (<createdAt>#<docId>) | GET …/documents     |
 * | a configuration name's claim   | table | PK = T#t#CFGNAME#<kind>#<sha256(name)>, SK = NAME     | unique names (config API)   |
 */
export const tenantPrefix = (tenantId: string): string => `T#${tenantId}#`;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export const keys = {
  entity: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}ENTITY#${id}`, SK: 'ENTITY' }),
  entityIndexes: (tenantId: string, type: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}ENTITIES`,
    GSI1SK: `${createdAt}#${id}`,
    GSI2PK: `${tenantPrefix(tenantId)}ENTITIES#${type}`,
    GSI2SK: `${createdAt}#${id}`,
  }),
  entitiesPartition: (tenantId: string) => `${tenantPrefix(tenantId)}ENTITIES`,
  entitiesOfTypePartition: (tenantId: string, type: string) => `${tenantPrefix(tenantId)}ENTITIES#${type}`,

  audit: (tenantId: string, at: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}AUDIT`, SK: `${at}#${id}` }),
  auditPartition: (tenantId: string) => `${tenantPrefix(tenantId)}AUDIT`,
  auditLaneIndex: (tenantId: string, lane: number, seq: number) => ({
    GSI1PK: `${tenantPrefix(tenantId)}AUDITLANE#${pad(lane, 3)}`,
    GSI1SK: pad(seq, 12),
  }),
  auditLanePartition: (tenantId: string, lane: number) => `${tenantPrefix(tenantId)}AUDITLANE#${pad(lane, 3)}`,
  auditHeadsPartition: (tenantId: string) => `${tenantPrefix(tenantId)}AUDITHEAD`,
  auditHead: (tenantId: string, lane: number) => ({
    PK: `${tenantPrefix(tenantId)}AUDITHEAD`,
    SK: `LANE#${pad(lane, 3)}`,
  }),

  outbox: (tenantId: string, eventId: string) => ({ PK: `${tenantPrefix(tenantId)}OUTBOX`, SK: eventId }),
  idempotency: (tenantId: string, key: string) => ({ PK: `${tenantPrefix(tenantId)}IDEMPOTENCY#${key}`, SK: 'MARKER' }),

  workflow: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}WORKFLOW#${id}`, SK: 'META' }),
  workflowVersion: (tenantId: string, id: string, version: number) => ({
    PK: `${tenantPrefix(tenantId)}WORKFLOW#${id}`,
    SK: `V#${pad(version, 6)}`,
  }),
  workflowIndex: (tenantId: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}WORKFLOWS`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  workflowsPartition: (tenantId: string) => `${tenantPrefix(tenantId)}WORKFLOWS`,

  run: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}RUN#${id}`, SK: 'RUN' }),
  runIndex: (tenantId: string, startedAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}RUNS`,
    GSI1SK: `${startedAt}#${id}`,
  }),

  approval: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}APPROVAL#${id}`, SK: 'APPROVAL' }),
  approvalIndex: (tenantId: string, status: string, requestedAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}APPROVALS#${status}`,
    GSI1SK: `${requestedAt}#${id}`,
  }),
  approvalsPartition: (tenantId: string, status: string) => `${tenantPrefix(tenantId)}APPROVALS#${status}`,

  /** An agent session; its messages share its partition, in order (SK MSG#<seq>). */
  agentSession: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}SESSION#${id}`, SK: 'SESSION' }),
  agentSessionIndex: (tenantId: string, agentId: string, startedAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}AGENT#${agentId}#SESSIONS`,
    GSI1SK: `${startedAt}#${id}`,
  }),
  sessionMessage: (tenantId: string, sessionId: string, seq: number) => ({
    PK: `${tenantPrefix(tenantId)}SESSION#${sessionId}`,
    SK: `MSG#${pad(seq, 8)}`,
  }),
  sessionPartition: (tenantId: string, sessionId: string) => `${tenantPrefix(tenantId)}SESSION#${sessionId}`,
  /** One remembered item of a memory scope (TTL at its expiry), newest last in the partition. */
  agentMemory: (tenantId: string, scopeKey: string, createdAt: string, id: string) => ({
    PK: `${tenantPrefix(tenantId)}MEMORY#${scopeKey}`,
    SK: `${createdAt}#${id}`,
  }),
  memoryPartition: (tenantId: string, scopeKey: string) => `${tenantPrefix(tenantId)}MEMORY#${scopeKey}`,
  /** Model usage of one UTC day: one counter item per agent and model. */
  modelUsage: (tenantId: string, date: string, agentId: string, model: string) => ({
    PK: `${tenantPrefix(tenantId)}USAGE#${date}`,
    SK: `AGENT#${agentId}#MODEL#${model}`,
  }),
  usagePartition: (tenantId: string, date: string) => `${tenantPrefix(tenantId)}USAGE#${date}`,

  /** Blocking-key index: the key is a hash (no attribute values in keys); one item per entity filed under it. */
  resolutionKeyPartition: (tenantId: string, type: string, keyHash: string) =>
    `${tenantPrefix(tenantId)}ERKEY#${type}#${keyHash}`,
  resolutionKey: (tenantId: string, type: string, keyHash: string, entityId: string) => ({
    PK: `${tenantPrefix(tenantId)}ERKEY#${type}#${keyHash}`,
    SK: entityId,
  }),
  resolutionModel: (tenantId: string, type: string) => ({
    PK: `${tenantPrefix(tenantId)}ERMODEL#${type}`,
    SK: 'MODEL',
  }),
  cluster: (tenantId: string, clusterId: string) => ({
    PK: `${tenantPrefix(tenantId)}ERCLUSTER#${clusterId}`,
    SK: 'CLUSTER',
  }),
  clusterIndex: (tenantId: string, type: string, clusterId: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}ERCLUSTERS#${type}`,
    GSI1SK: clusterId,
  }),
  /** The cluster's partition: its head (SK = CLUSTER) and its member pages (SK = PAGE#<n>). */
  clusterPartition: (tenantId: string, clusterId: string) => `${tenantPrefix(tenantId)}ERCLUSTER#${clusterId}`,
  clusterPage: (tenantId: string, clusterId: string, page: number) => ({
    PK: `${tenantPrefix(tenantId)}ERCLUSTER#${clusterId}`,
    SK: `PAGE#${pad(page, 6)}`,
  }),
  /** Pages are listed with their head on GSI1, right after it (`<clusterId>` < `<clusterId>#PAGE#…`). */
  clusterPageIndex: (tenantId: string, type: string, clusterId: string, page: number) => ({
    GSI1PK: `${tenantPrefix(tenantId)}ERCLUSTERS#${type}`,
    GSI1SK: `${clusterId}#PAGE#${pad(page, 6)}`,
  }),
  clustersPartition: (tenantId: string, type: string) => `${tenantPrefix(tenantId)}ERCLUSTERS#${type}`,
  clusterPointer: (tenantId: string, entityId: string) => ({
    PK: `${tenantPrefix(tenantId)}ERMEMBER#${entityId}`,
    SK: 'CLUSTER',
  }),
  /** The blocking keys an entity is filed under, so a re-index can delete those that no longer apply. */
  resolutionKeySet: (tenantId: string, entityId: string) => ({
    PK: `${tenantPrefix(tenantId)}ERMEMBER#${entityId}`,
    SK: 'KEYS',
  }),
  pairDecision: (tenantId: string, entityId: string, otherId: string) => ({
    PK: `${tenantPrefix(tenantId)}ERDECISION#${entityId}`,
    SK: otherId,
  }),
  pairDecisionsPartition: (tenantId: string, entityId: string) => `${tenantPrefix(tenantId)}ERDECISION#${entityId}`,
  /** Only on the item of the smaller id, so each pair is listed once. */
  pairDecisionIndex: (tenantId: string, type: string, a: string, b: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}ERDECISIONS#${type}`,
    GSI1SK: `${a}#${b}`,
  }),
  pairDecisionsOfTypePartition: (tenantId: string, type: string) => `${tenantPrefix(tenantId)}ERDECISIONS#${type}`,
  resolutionRun: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}ERRUN#${id}`, SK: 'RUN' }),
  /** The pairs the last batch run proposed for review (one item per type, replaced by each run). */
  resolutionReviewQueue: (tenantId: string, type: string) => ({
    PK: `${tenantPrefix(tenantId)}ERREVIEW#${type}`,
    SK: 'QUEUE',
  }),

  connector: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}CONNECTOR#${id}`, SK: 'CONNECTOR' }),
  connectorIndex: (tenantId: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}CONNECTORS`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  connectorsPartition: (tenantId: string) => `${tenantPrefix(tenantId)}CONNECTORS`,
  connectorToken: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}CONNECTOR#${id}`, SK: 'TOKEN' }),
  connectorBreaker: (tenantId: string, id: string) => ({
    PK: `${tenantPrefix(tenantId)}CONNECTOR#${id}`,
    SK: 'BREAKER',
  }),
  connectorCursor: (tenantId: string, id: string, object: string) => ({
    PK: `${tenantPrefix(tenantId)}CONNECTOR#${id}`,
    SK: `CURSOR#${object}`,
  }),
  connectorPartition: (tenantId: string, id: string) => `${tenantPrefix(tenantId)}CONNECTOR#${id}`,
  syncRun: (tenantId: string, runId: string) => ({ PK: `${tenantPrefix(tenantId)}SYNCRUN#${runId}`, SK: 'RUN' }),
  syncRunIndex: (tenantId: string, connectorId: string, startedAt: string, runId: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}SYNCRUNS#${connectorId}`,
    GSI1SK: `${startedAt}#${runId}`,
  }),
  syncRunsPartition: (tenantId: string, connectorId: string) => `${tenantPrefix(tenantId)}SYNCRUNS#${connectorId}`,
  /** The source record an entity was built from (provenance), in the entity's partition. */
  sourceRecord: (tenantId: string, entityId: string, connectorId: string, namespace: string, sourceId: string) => ({
    PK: `${tenantPrefix(tenantId)}ENTITY#${entityId}`,
    SK: `SOURCE#${connectorId}#${namespace}#${sourceId}`,
  }),
  sourceRecordIndex: (tenantId: string, connectorId: string, namespace: string, sourceId: string, role: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}SOURCES#${connectorId}#${namespace}`,
    GSI1SK: `${sourceId}#${role}`,
  }),
  sourceRecordsOfConnector: (tenantId: string, connectorId: string, namespace: string) =>
    `${tenantPrefix(tenantId)}SOURCES#${connectorId}#${namespace}`,
  entityPartition: (tenantId: string, entityId: string) => `${tenantPrefix(tenantId)}ENTITY#${entityId}`,
  /** A relation, stored twice: outgoing in the `from` entity's partition, incoming in the `to` entity's. */
  relationOut: (tenantId: string, from: string, kind: string, to: string) => ({
    PK: `${tenantPrefix(tenantId)}ENTITY#${from}`,
    SK: `REL#OUT#${kind}#${to}`,
  }),
  relationIn: (tenantId: string, to: string, kind: string, from: string) => ({
    PK: `${tenantPrefix(tenantId)}ENTITY#${to}`,
    SK: `REL#IN#${kind}#${from}`,
  }),

  /** The tenant's signal rules in one partition, with the head whose version every rule change moves. */
  signalRulesPartition: (tenantId: string) => `${tenantPrefix(tenantId)}SIGRULES`,
  signalRuleSetHead: (tenantId: string) => ({ PK: `${tenantPrefix(tenantId)}SIGRULES`, SK: 'HEAD' }),
  signalRule: (tenantId: string, ruleId: string) => ({ PK: `${tenantPrefix(tenantId)}SIGRULES`, SK: `RULE#${ruleId}` }),
  signalRuleVersion: (tenantId: string, ruleId: string, version: number) => ({
    PK: `${tenantPrefix(tenantId)}SIGRULE#${ruleId}`,
    SK: `V#${pad(version, 6)}`,
  }),
  signalRuleTombstone: (tenantId: string, ruleId: string) => ({
    PK: `${tenantPrefix(tenantId)}SIGRULE#${ruleId}`,
    SK: 'GONE',
  }),
  /** A key's state under a rule: the key as a hash (keys are attribute values, which stay out of keys). */
  signalKeyState: (tenantId: string, ruleId: string, keyHash: string) => ({
    PK: `${tenantPrefix(tenantId)}SIGSTATE#${ruleId}#${keyHash}`,
    SK: 'STATE',
  }),
  signal: (tenantId: string, signalId: string) => ({ PK: `${tenantPrefix(tenantId)}SIGNAL#${signalId}`, SK: 'SIGNAL' }),
  signalIndexes: (tenantId: string, ruleId: string, detectedAt: string, signalId: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}SIGNALS`,
    GSI1SK: `${detectedAt}#${signalId}`,
    GSI2PK: `${tenantPrefix(tenantId)}SIGNALS#RULE#${ruleId}`,
    GSI2SK: `${detectedAt}#${signalId}`,
  }),
  signalsPartition: (tenantId: string) => `${tenantPrefix(tenantId)}SIGNALS`,
  signalsOfRulePartition: (tenantId: string, ruleId: string) => `${tenantPrefix(tenantId)}SIGNALS#RULE#${ruleId}`,
  /** A copy of a signal filed under its entity or key (hashed), newest first. */
  signalOfSubject: (tenantId: string, subjectHash: string, detectedAt: string, signalId: string) => ({
    PK: `${tenantPrefix(tenantId)}SIGNALSOF#${subjectHash}`,
    SK: `${detectedAt}#${signalId}`,
  }),
  signalsOfSubjectPartition: (tenantId: string, subjectHash: string) =>
    `${tenantPrefix(tenantId)}SIGNALSOF#${subjectHash}`,
  /** An entity change event as the rules saw it, in the partition of its event time's UTC day. */
  signalHistoryEvent: (tenantId: string, day: string, timeIso: string, eventId: string) => ({
    PK: `${tenantPrefix(tenantId)}SIGHIST#${day}`,
    SK: `${timeIso}#${eventId}`,
  }),
  signalHistoryPartition: (tenantId: string, day: string) => `${tenantPrefix(tenantId)}SIGHIST#${day}`,

  miningJob: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}MINEJOB#${id}`, SK: 'JOB' }),
  miningJobIndex: (tenantId: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}MINEJOBS`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  miningJobsPartition: (tenantId: string) => `${tenantPrefix(tenantId)}MINEJOBS`,
  /** The GSI1 partition of a tenant's runs (keys.runIndex), newest first. */
  runsPartition: (tenantId: string) => `${tenantPrefix(tenantId)}RUNS`,
  outboxPartition: (tenantId: string) => `${tenantPrefix(tenantId)}OUTBOX`,
  case: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}CASE#${id}`, SK: 'CASE' }),
  /** GSI1: the cases of a status; GSI2: every case; both newest opened first. */
  caseIndexes: (tenantId: string, status: string, openedAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}CASES#STATUS#${status}`,
    GSI1SK: `${openedAt}#${id}`,
    GSI2PK: `${tenantPrefix(tenantId)}CASES`,
    GSI2SK: `${openedAt}#${id}`,
  }),
  casesOfStatusPartition: (tenantId: string, status: string) => `${tenantPrefix(tenantId)}CASES#STATUS#${status}`,
  casesPartition: (tenantId: string) => `${tenantPrefix(tenantId)}CASES`,
  /** A case's index row for one filter besides its status (its entity, rule or assignee), in the case's partition. */
  caseFacet: (tenantId: string, id: string, facet: 'ENTITY' | 'RULE' | 'ASSIGNEE') => ({
    PK: `${tenantPrefix(tenantId)}CASE#${id}`,
    SK: `FACET#${facet}`,
  }),
  caseFacetIndex: (tenantId: string, facet: string, value: string, openedAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}CASES#${facet}#${value}`,
    GSI1SK: `${openedAt}#${id}`,
  }),
  caseFacetPartition: (tenantId: string, facet: string, value: string) =>
    `${tenantPrefix(tenantId)}CASES#${facet}#${value}`,
  /** The case a signal was recorded on, written with the case change that recorded it (never changes after). */
  signalCase: (tenantId: string, signalId: string) => ({
    PK: `${tenantPrefix(tenantId)}SIGNALCASE#${signalId}`,
    SK: 'CASE',
  }),
  /** The claim of the one open (or in-progress) case of a case key; the key is hashed (it may be long). */
  openCaseKey: (tenantId: string, caseKeyHash: string) => ({
    PK: `${tenantPrefix(tenantId)}CASEKEY#${caseKeyHash}`,
    SK: 'OPEN',
  }),

  trigger: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}TRIGGER#${id}`, SK: 'TRIGGER' }),
  triggerIndex: (tenantId: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}TRIGGERS`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  triggersPartition: (tenantId: string) => `${tenantPrefix(tenantId)}TRIGGERS`,
  /** Requests counted for one hook in one minute (fixed window, removed by TTL). */
  hookRateWindow: (tenantId: string, triggerId: string, minute: number) => ({
    PK: `${tenantPrefix(tenantId)}HOOKRATE#${triggerId}`,
    SK: `W#${minute}`,
  }),
  /**
   * Agent configuration (seed 004): personas, the tenant's own skills, agents, knowledge bases and their documents.
   * Personas, custom skills and knowledge bases carry `used_by` (a string set of agent ids) that every agent's
   * transaction updates, so a resource in use cannot be deleted. A name unique in the tenant is claimed by an item
   * of its own (the name hashed: names are user text), written in the same transaction as the resource.
   */
  persona: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}PERSONA#${id}`, SK: 'PERSONA' }),
  personaIndex: (tenantId: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}PERSONAS`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  personasPartition: (tenantId: string) => `${tenantPrefix(tenantId)}PERSONAS`,
  customSkill: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}SKILL#${id}`, SK: 'SKILL' }),
  customSkillIndex: (tenantId: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}SKILLS`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  customSkillsPartition: (tenantId: string) => `${tenantPrefix(tenantId)}SKILLS`,
  agent: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}AGENT#${id}`, SK: 'AGENT' }),
  agentIndex: (tenantId: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}AGENTS`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  agentsPartition: (tenantId: string) => `${tenantPrefix(tenantId)}AGENTS`,
  knowledgeBase: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}KB#${id}`, SK: 'KB' }),
  knowledgeBaseIndex: (tenantId: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}KBS`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  knowledgeBasesPartition: (tenantId: string) => `${tenantPrefix(tenantId)}KBS`,
  knowledgeDocument: (tenantId: string, knowledgeBaseId: string, documentId: string) => ({
    PK: `${tenantPrefix(tenantId)}KB#${knowledgeBaseId}`,
    SK: `DOC#${documentId}`,
  }),
  knowledgeDocumentIndex: (tenantId: string, knowledgeBaseId: string, createdAt: string, documentId: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}KBDOCS#${knowledgeBaseId}`,
    GSI1SK: `${createdAt}#${documentId}`,
  }),
  knowledgeDocumentsPartition: (tenantId: string, knowledgeBaseId: string) =>
    `${tenantPrefix(tenantId)}KBDOCS#${knowledgeBaseId}`,
  /** `kind`: persona, skill, agent or kb; `nameHash`: SHA-256 of the name's normalised form. */
  configName: (tenantId: string, kind: string, nameHash: string) => ({
    PK: `${tenantPrefix(tenantId)}CFGNAME#${kind}#${nameHash}`,
    SK: 'NAME',
  }),

  /**
   * Agent outputs (seed 004 Output, its keys with the tenant prefix): the item in the tenant's output partition, sorted
   * by creation; GSI1 the seed's (agent, status, created_at); GSI2 the tenant's outputs of one status. A status change
   * rewrites both index keys. The item's SK holds its creation time, so a small reference item finds it by id.
   */
  agentOutput: (tenantId: string, createdAt: string, id: string) => ({
    PK: `${tenantPrefix(tenantId)}OUTPUTS`,
    SK: `OUTPUT#${createdAt}#${id}`,
  }),
  agentOutputsPartition: (tenantId: string) => `${tenantPrefix(tenantId)}OUTPUTS`,
  agentOutputIndexes: (tenantId: string, agentId: string, status: string, createdAt: string, id: string) => ({
    GSI1PK: `${tenantPrefix(tenantId)}AGENT#${agentId}`,
    GSI1SK: `STATUS#${status}#${createdAt}#${id}`,
    GSI2PK: `${tenantPrefix(tenantId)}OUTPUTS#STATUS#${status}`,
    GSI2SK: `${createdAt}#${id}`,
  }),
  agentOutputsOfAgentPartition: (tenantId: string, agentId: string) => `${tenantPrefix(tenantId)}AGENT#${agentId}`,
  agentOutputsOfStatusPartition: (tenantId: string, status: string) =>
    `${tenantPrefix(tenantId)}OUTPUTS#STATUS#${status}`,
  agentOutputRef: (tenantId: string, id: string) => ({ PK: `${tenantPrefix(tenantId)}OUTPUT#${id}`, SK: 'REF' }),
  /** Seed 004 AgentDailyUsage: an agent's output count of one UTC day, beside the agent's item (TTL a day after). */
  agentDailyOutputs: (tenantId: string, agentId: string, day: string) => ({
    PK: `${tenantPrefix(tenantId)}AGENT#${agentId}`,
    SK: `DATE#${day}`,
  }),
} as const;

/** Item type tags stored in `entityType` on every item. */
export const ITEM_TYPES = {
  agentSession: 'AgentSession',
  sessionMessage: 'SessionMessage',
  agentMemory: 'AgentMemory',
  modelUsage: 'ModelUsage',
  entity: 'Entity',
  audit: 'AuditRecord',
  auditHead: 'AuditHead',
  outbox: 'OutboxEvent',
  idempotency: 'IdempotencyMarker',
  workflow: 'Workflow',
  workflowVersion: 'WorkflowVersion',
  run: 'Run',
  approval: 'Approval',
  resolutionKey: 'ResolutionKey',
  resolutionModel: 'ResolutionModel',
  cluster: 'EntityCluster',
  clusterPage: 'EntityClusterPage',
  resolutionKeySet: 'ResolutionKeySet',
  clusterPointer: 'ClusterPointer',
  pairDecision: 'PairDecision',
  resolutionRun: 'ResolutionRun',
  resolutionReviewQueue: 'ResolutionReviewQueue',
  connector: 'Connector',
  connectorToken: 'ConnectorToken',
  connectorBreaker: 'ConnectorBreaker',
  connectorCursor: 'ConnectorCursor',
  syncRun: 'SyncRun',
  sourceRecord: 'SourceRecord',
  relation: 'Relation',
  signalRuleSetHead: 'SignalRuleSetHead',
  signalRule: 'SignalRule',
  signalRuleVersion: 'SignalRuleVersion',
  signalRuleTombstone: 'SignalRuleTombstone',
  signalKeyState: 'SignalKeyState',
  signal: 'Signal',
  signalOfSubject: 'SignalOfSubject',
  signalHistoryEvent: 'SignalHistoryEvent',
  miningJob: 'MiningJob',
  case: 'Case',
  caseFacet: 'CaseFacet',
  openCaseKey: 'OpenCaseKey',
  signalCase: 'SignalCase',
  trigger: 'WorkflowTrigger',
  hookRateWindow: 'HookRateWindow',
  persona: 'Persona',
  customSkill: 'CustomSkill',
  agent: 'Agent',
  knowledgeBase: 'KnowledgeBase',
  knowledgeDocument: 'KnowledgeDocument',
  configName: 'ConfigName',
  agentOutput: 'AgentOutput',
  agentOutputRef: 'AgentOutputRef',
  agentDailyOutputs: 'AgentDailyUsage',
} as const;
