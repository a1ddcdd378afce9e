/**
 * npm run bench:workflows — the safe execution runtime on the local platform:
 *  1. cost model of one run of a 3-step workflow with one approval gate: Step Functions state
 *     transitions (counted from the execution history) and DynamoDB write requests / items (counted on
 *     the wire, by a proxy the functions' DynamoDB endpoint points at);
 *  2. N concurrent runs, each with one gate (seed 000: max_concurrent_workflows = 100): runs started
 *     per second, time from approval to run completion, and runs lost or doubled, counted from sources
 *     independent of the list of started runs: the run items in the table and the state machine's
 *     executions, each compared with the runs requested and the runs the API accepted; the entities'
 *     versions and audit records for effects applied more than once; the receiver for webhooks.
 * The platform runs in this process (API, state machine runtime) with its functions in their sandboxes
 * and DynamoDB Local beside it. Every step uses the platform's own tools. Options: --runs <n> (default 100).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type ExecutionListItem,
} from '@aws-sdk/client-sfn';
import { keys } from '../functions/adapters/dynamodb/keys.js';
import { startPlatform } from '../local/platform.js';
import { api, until } from './lib/api.js';
import { startDynamoWriteCounter } from './lib/dynamo-write-counter.js';
import { startWebhookReceiver } from './lib/webhook-receiver.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '100' } } });
const RUNS = Number(values.runs);
const TENANT = 'bench';
const STEPS = 3;

const dataDir = mkdtempSync(join(tmpdir(), 'modos-bench-wf-'));
let counter: Awaited<ReturnType<typeof startDynamoWriteCounter>> | undefined;
const platform = await startPlatform({
  dataDir,
  port: 0,
  inMemory: true,
  logLevel: 'ERROR',
  // The figures are the runtime's, not the usage plan's: one tenant polling its runs would be throttled at
  // the default per-tenant limits (as in AWS), so they are lifted here.
  tenantLimits: { ratePerSecond: 1_000_000, burst: 1_000_000, quotaPerDay: 1_000_000_000 },
  functionsDynamoEndpoint: async (endpoint) => (counter = await startDynamoWriteCounter(endpoint)).endpoint,
});
const writes = counter!.counts;
let secret: string | undefined;
const receiver = await startWebhookReceiver(() => secret);
console.log(
  `modos bench:workflows — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);

const credentials = { accessKeyId: 'l', secretAccessKey: 'l' };
const sfn = new SFNClient({ endpoint: platform.sfnEndpoint, region: 'us-east-1', credentials });
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: platform.dynamoEndpoint, region: 'us-east-1', credentials }),
);
const stateMachineArn = platform.stepFunctions.stateMachineArn('WorkflowRun');

const admin = api(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'bench' }));
const settle = async () => {
  await platform.bus.drain();
  await new Promise((r) => setTimeout(r, 400));
  await platform.bus.drain();
};

const wf = await admin.post('/api/v1/workflows', {
  name: 'bench: entity update, gated entity update, entity update',
  webhook: { url: receiver.url },
  steps: [
    {
      id: 'prepare',
      tool: 'entity.update',
      input: { entityId: '$.input.entityId', attributes: { requestedBy: '$.input.who' } },
    },
    {
      id: 'apply',
      tool: 'entity.update',
      input: { entityId: '$.input.entityId', attributes: { status: 'approved' } },
      approval: { required: true, timeoutSeconds: 600 },
    },
    {
      id: 'report',
      tool: 'entity.update',
      input: { entityId: '$.input.entityId', attributes: { approvedAt: '$.steps.apply.output.version' } },
    },
  ],
});
if (wf.status !== 201) throw new Error(`workflow not created: ${JSON.stringify(wf.body)}`);
secret = wf.body.webhookSecret;

async function newEntity(i: number): Promise<string> {
  const r = await admin.post('/api/v1/entities', { type: 'ticket', attributes: { n: i } });
  if (r.status !== 201) throw new Error(`entity not created: ${r.status}`);
  return r.body.id;
}
const statusOf = async (id: string) => (await admin.get(`/api/v1/workflows/executions/${id}`)).body;

/** Every execution of the workflow state machine (ListExecutions, every page). */
async function allExecutions(): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
    out.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** Every run item of the tenant in the table (the runs index, every page), read directly, not through the API. */
async function runItems(): Promise<Array<{ executionId: string; status: string }>> {
  const out: Array<{ executionId: string; status: string }> = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: platform.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.runIndex(TENANT, '', '').GSI1PK },
        ProjectionExpression: 'executionId, #s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExclusiveStartKey,
      }),
    );
    out.push(...((page.Items ?? []) as Array<{ executionId: string; status: string }>));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return out;
}

/** The tenant's audit records (GET /audit, every page). */
async function auditRecords(): Promise<Array<{ action: string; resourceId: string }>> {
  const out: Array<{ action: string; resourceId: string }> = [];
  let cursor: string | null = null;
  do {
    const page: any = (
      await admin.get(`/api/v1/audit?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    ).body;
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

// 1. Cost model.
const entity0 = await newEntity(0);
await settle();
counter!.reset();
const one = await admin.post('/api/v1/workflows/execute', {
  workflowId: wf.body.id,
  input: { who: 'ada', entityId: entity0 },
});
const oneId: string = one.body.executionId;
await until('first run waiting', async () => (await statusOf(oneId)).status === 'WAITING_FOR_APPROVAL');
const oneApproval = await until('approval listed', async () =>
  (await admin.get('/api/v1/approvals?status=pending')).body.items.find((a: any) => a.executionId === oneId),
);
await until('notification', async () => receiver.received.some((r) => r.id === `msg_${oneApproval.id}`));
const oneDecision = await admin.post(`/api/v1/approvals/${oneApproval.id}/approve`);
const oneDone = await until('first run done', async () => {
  const r = await statusOf(oneId);
  return r.status === 'SUCCEEDED'
    ? r
    : r.status === 'RUNNING' || r.status === 'WAITING_FOR_APPROVAL'
      ? undefined
      : Promise.reject(new Error(`first run ${r.status}`));
});
await settle();
const oneWrites = structuredClone(writes);
const arn = (await allExecutions()).find((e) => e.name?.startsWith(oneId))?.executionArn;
const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn!, maxResults: 1000 }));
const entered = (history.events ?? []).filter((e) => e.type?.endsWith('StateEntered'));
console.log(`\ncost model: one run of a ${STEPS}-step workflow with one approval gate (every step an entity.update)`);
console.log(
  `  state transitions (StateEntered events in the execution history): ${entered.length}  [${entered.map((e) => e.stateEnteredEventDetails?.name).join(' → ')}]`,
);
console.log(
  `  DynamoDB write requests sent by the functions (counted on the wire): ${oneWrites.requests} (${Object.entries(
    oneWrites.byOperation,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}), items written: ${oneWrites.items}, refused: ${oneWrites.refused}`,
);
console.log(
  `  approval → run completed, this run alone: ${Date.parse(oneDone.completedAt) - Date.parse(oneDecision.body.decidedAt)} ms`,
);

// 2. Concurrent runs.
console.log(`\n${RUNS} concurrent runs, each with one gate`);
const entities = await Promise.all(Array.from({ length: RUNS }, (_, i) => newEntity(i + 1)));
const runsBefore = new Set((await runItems()).map((r) => r.executionId));
const executionsBefore = new Set((await allExecutions()).map((e) => e.executionArn));
const t0 = performance.now();
const started = await Promise.all(
  entities.map((entityId, i) =>
    admin.post('/api/v1/workflows/execute', { workflowId: wf.body.id, input: { who: `u${i}`, entityId } }),
  ),
);
const startSeconds = (performance.now() - t0) / 1000;
const accepted = started.filter((r) => r.status === 202 && typeof r.body?.executionId === 'string');
const ids: string[] = accepted.map((r) => r.body.executionId);
console.log(
  `  started: ${accepted.length}/${RUNS} accepted in ${startSeconds.toFixed(2)} s = ${(accepted.length / startSeconds).toFixed(0)} runs/s (POST /workflows/execute, ${RUNS} at once)`,
);

/** Pending approvals of this phase's runs, known to the client or not (runs recorded after a failed answer). */
async function pendingApprovals(): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = (
      await admin.get(
        `/api/v1/approvals?status=pending&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
    ).body;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items.filter((a) => a.executionId !== oneId);
}

/** Waits for `probe` until `timeoutMs`; on timeout returns undefined instead of failing, so the counts below still come. */
const within = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) =>
  until(what, probe, timeoutMs, 250).catch(() => {
    console.log(`  ${what}: not reached in ${timeoutMs / 1000} s; counting what there is`);
    return undefined;
  });

const tWait = performance.now();
const acceptedIds = new Set(ids);
await within(
  'all accepted runs waiting at their gate',
  async () =>
    (await pendingApprovals()).filter((a) => acceptedIds.has(a.executionId)).length === ids.length ? true : undefined,
  180_000,
);
const pending = await pendingApprovals();
console.log(
  `  ${pending.filter((a) => acceptedIds.has(a.executionId)).length} of ${ids.length} accepted runs waiting at their gate ${((performance.now() - tWait) / 1000 + startSeconds).toFixed(2)} s after the first start` +
    ` (and ${pending.filter((a) => !acceptedIds.has(a.executionId)).length} runs the API did not acknowledge)`,
);

const decisions = await Promise.all(pending.map((a: any) => admin.post(`/api/v1/approvals/${a.id}/approve`)));
const decidedAt = new Map<string, number>(
  decisions.filter((d) => d.status === 200).map((d) => [d.body.executionId, Date.parse(d.body.decidedAt)]),
);
const decisionStatuses = decisions.reduce<Record<number, number>>(
  (a, d) => ((a[d.status] = (a[d.status] ?? 0) + 1), a),
  {},
);
const TERMINAL = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED'];
await within(
  'all decided runs finished',
  async () =>
    (await Promise.all([...decidedAt.keys()].map(statusOf))).every((r) => TERMINAL.includes(r.status))
      ? true
      : undefined,
  180_000,
);
const finals = await Promise.all(ids.map(statusOf));
const latencies = finals
  .filter((r) => decidedAt.has(r.executionId) && r.status === 'SUCCEEDED')
  .map((r) => Date.parse(r.completedAt) - decidedAt.get(r.executionId)!)
  .sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
console.log(
  `  decisions: ${Object.entries(decisionStatuses)
    .map(([k, v]) => `${v} × ${k}`)
    .join(', ')}`,
);
if (latencies.length)
  console.log(
    `  approval → run completed: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${latencies[latencies.length - 1]} ms (${latencies.length} runs)`,
  );

await settle();
// Lost and doubled, from what the table and the state machine hold (not from the list of started ids).
const tableRuns = (await runItems()).filter((r) => !runsBefore.has(r.executionId));
const tableIds = new Set(tableRuns.map((r) => r.executionId));
const tableSucceeded = new Set(tableRuns.filter((r) => r.status === 'SUCCEEDED').map((r) => r.executionId));
const tableStatuses = tableRuns.reduce<Record<string, number>>(
  (a, r) => ((a[r.status] = (a[r.status] ?? 0) + 1), a),
  {},
);
const executions = (await allExecutions()).filter((e) => !executionsBefore.has(e.executionArn));
// Execution names are `<runId>-g<generation>`: one execution per run and generation.
const executionsByRun = new Map<string, ExecutionListItem[]>();
for (const e of executions) {
  const runId = e.name!.replace(/-g\d+$/, '');
  executionsByRun.set(runId, [...(executionsByRun.get(runId) ?? []), e]);
}
const sfnSucceeded = new Set(
  [...executionsByRun].filter(([, es]) => es.some((e) => e.status === 'SUCCEEDED')).map(([runId]) => runId),
);
const missing = (from: Set<string>) => ids.filter((id) => !from.has(id)).length;
console.log(`  requested ${RUNS}, accepted (202) ${ids.length}`);
console.log(
  `  table: ${tableRuns.length} runs recorded (${
    Object.entries(tableStatuses)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ') || 'none'
  }); ` +
    `accepted but not recorded ${missing(tableIds)}, accepted but not SUCCEEDED ${missing(tableSucceeded)}, recorded without a 202 ${[...tableIds].filter((id) => !acceptedIds.has(id)).length}`,
);
console.log(
  `  state machine: ${executions.length} executions for ${executionsByRun.size} runs; accepted without a SUCCEEDED execution ${missing(sfnSucceeded)}, ` +
    `runs with more than one execution ${[...executionsByRun.values()].filter((es) => es.length > 1).length}, executions of runs the table does not hold ${[...executionsByRun.keys()].filter((id) => !tableIds.has(id)).length}`,
);

// Effects: each step updates its run's entity once (the entity's version) and is audited once.
const entityVersions = await Promise.all(
  entities.map(async (id) => (await admin.get(`/api/v1/entities/${id}`)).body.version as number),
);
const updatesPerEntity = new Map<string, number>();
for (const a of await auditRecords())
  if (a.action === 'entity.update') updatesPerEntity.set(a.resourceId, (updatesPerEntity.get(a.resourceId) ?? 0) + 1);
const overUpdated = entities.filter(
  (id, i) => entityVersions[i]! > 1 + STEPS || (updatesPerEntity.get(id) ?? 0) > STEPS,
).length;
const partly = entityVersions.filter((v) => v > 1 && v < 1 + STEPS).length;
const untouched = entityVersions.filter((v) => v === 1).length;
const moreAttempts = finals.filter((r) => r.steps?.some((s: any) => s.attempts > 1)).length;
const notifications = new Set(
  receiver.received.filter((r) => tableRuns.some((t) => r.body.includes(t.executionId))).map((r) => r.id),
);
const badSignatures = receiver.received.filter((r) => r.verifyError).length;
// An approval decided before its notifier ran is not notified any more (nothing left to decide).
const decidedFirst = pending.filter((a: any) => !notifications.has(`msg_${a.id}`)).length;
console.log(
  `  entities (one per requested run): updated or audited more than once per step ${overUpdated}, partly updated ${partly}, untouched ${untouched}; ` +
    `accepted runs whose record shows a step with more than one attempt ${moreAttempts}`,
);
console.log(
  `  approval webhooks: ${notifications.size} distinct for ${pending.length} gates (${decidedFirst} decided before their webhook went out), signatures refused by standardwebhooks: ${badSignatures}`,
);

sfn.destroy();
doc.destroy();
await receiver.close();
await platform.stop();
await counter?.close();
rmSync(dataDir, { recursive: true, force: true });
