/**
 * npm run bench:workflows — the safe execution runtime on the local platform:
 *  1. cost model of one run of a 3-step workflow with one approval gate: Step Functions state
 *     transitions (counted from the executor's history) and DynamoDB write requests / items;
 *  2. 100 concurrent runs, each with one gate (seed 000: max_concurrent_workflows = 100): runs started
 *     per second, time from approval to run completion, and checks that none was lost or doubled.
 * The platform runs in this process (API, tasks, state machine runtime), with DynamoDB Local beside it.
 * Options: --runs <n> (default 100).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { documentClient } from '../functions/platform/aws-clients.js';
import { startPlatform } from '../local/platform.js';
import { api, until } from './lib/api.js';
import { startWebhookReceiver } from './lib/webhook-receiver.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '100' } } });
const RUNS = Number(values.runs);

const dataDir = mkdtempSync(join(tmpdir(), 'modos-bench-wf-'));
const platform = await startPlatform({ dataDir, port: 0, inMemory: true, logLevel: 'ERROR' });
let secret: string | undefined;
const receiver = await startWebhookReceiver(() => secret);
console.log(`modos bench:workflows — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

// Count every DynamoDB write the platform's functions make (the state machine runtime's own journal
// is AWS's side in production and uses another client).
const writes = { requests: 0, items: 0, byCommand: {} as Record<string, number> };
documentClient().middlewareStack.add(
  (next, context) => async (args) => {
    const name = context.commandName ?? '?';
    if (/^(Put|Update|Delete|TransactWrite|BatchWrite)/.test(name)) {
      writes.requests += 1;
      const input = args.input as { TransactItems?: unknown[]; RequestItems?: Record<string, unknown[]> };
      const items = input.TransactItems?.length ?? Object.values(input.RequestItems ?? {}).reduce((a, v) => a + v.length, 0) ?? 0;
      writes.items += items || 1;
      writes.byCommand[name] = (writes.byCommand[name] ?? 0) + 1;
    }
    return next(args);
  },
  { step: 'initialize', name: 'benchWriteCounter' },
);
const sfn = new SFNClient({ endpoint: platform.sfnEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });

const admin = api(platform.url, await platform.token({ tenantId: 'bench', roles: ['admin'], userId: 'bench' }));
const settle = async () => {
  await platform.bus.drain();
  await new Promise((r) => setTimeout(r, 400));
  await platform.bus.drain();
};

const wf = await admin.post('/api/v1/workflows', {
  name: 'bench: echo, gated entity update, echo',
  webhook: { url: receiver.url },
  steps: [
    { id: 'prepare', tool: 'core.echo', input: { who: '$.input.who' } },
    { id: 'apply', tool: 'entity.update', input: { entityId: '$.input.entityId', attributes: { status: 'approved' } }, approval: { required: true, timeoutSeconds: 600 } },
    { id: 'report', tool: 'core.echo', input: { version: '$.steps.apply.output.version' } },
  ],
});
if (wf.status !== 201) throw new Error(`workflow not created: ${JSON.stringify(wf.body)}`);
secret = wf.body.webhookSecret;

async function newEntity(i: number): Promise<string> {
  const r = await admin.post('/api/v1/entities', { type: 'person', attributes: { n: i } });
  return r.body.id;
}
const statusOf = async (id: string) => (await admin.get(`/api/v1/workflows/executions/${id}`)).body;

// 1. Cost model.
const entity0 = await newEntity(0);
await settle();
writes.requests = 0;
writes.items = 0;
writes.byCommand = {};
const one = await admin.post('/api/v1/workflows/execute', { workflowId: wf.body.id, input: { who: 'ada', entityId: entity0 } });
const oneId: string = one.body.executionId;
await until('first run waiting', async () => (await statusOf(oneId)).status === 'WAITING_FOR_APPROVAL');
const oneApproval = await until('approval listed', async () => (await admin.get('/api/v1/approvals?status=pending')).body.items.find((a: any) => a.executionId === oneId));
await until('notification', async () => receiver.received.some((r) => r.id === `msg_${oneApproval.id}`));
const oneDecision = await admin.post(`/api/v1/approvals/${oneApproval.id}/approve`);
const oneDone = await until('first run done', async () => {
  const r = await statusOf(oneId);
  return r.status === 'SUCCEEDED' ? r : undefined;
});
await settle();
const executions = await sfn.send(new ListExecutionsCommand({ stateMachineArn: platform.stepFunctions.stateMachineArn('WorkflowRun') }));
const arn = executions.executions?.find((e) => e.name?.startsWith(oneId))?.executionArn;
const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn!, maxResults: 1000 }));
const entered = (history.events ?? []).filter((e) => e.type?.endsWith('StateEntered'));
console.log('\ncost model: one run of a 3-step workflow with one approval gate');
console.log(`  state transitions (StateEntered events in the execution history): ${entered.length}  [${entered.map((e) => e.stateEnteredEventDetails?.name).join(' → ')}]`);
console.log(`  DynamoDB write requests by the platform: ${writes.requests} (${Object.entries(writes.byCommand).map(([k, v]) => `${k} ${v}`).join(', ')}), items written: ${writes.items}`);
console.log(`  approval → run completed, this run alone: ${Date.parse(oneDone.completedAt) - Date.parse(oneDecision.body.decidedAt)} ms`);

// 2. 100 concurrent runs.
console.log(`\n${RUNS} concurrent runs, each with one gate`);
const entities = await Promise.all(Array.from({ length: RUNS }, (_, i) => newEntity(i + 1)));
const t0 = performance.now();
const started = await Promise.all(entities.map((entityId, i) => admin.post('/api/v1/workflows/execute', { workflowId: wf.body.id, input: { who: `u${i}`, entityId } })));
const startSeconds = (performance.now() - t0) / 1000;
const ids: string[] = started.map((r) => r.body.executionId);
const accepted = started.filter((r) => r.status === 202).length;
console.log(`  started: ${accepted}/${RUNS} accepted in ${startSeconds.toFixed(2)} s = ${(accepted / startSeconds).toFixed(0)} runs/s (POST /workflows/execute, ${RUNS} at once)`);

const tWait = performance.now();
const pending = await until(
  'all runs waiting for approval',
  async () => {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await admin.get(`/api/v1/approvals?status=pending&limit=100${cursor ? `&cursor=${cursor}` : ''}`)).body;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const mine = items.filter((a) => ids.includes(a.executionId));
    return mine.length === RUNS ? mine : undefined;
  },
  120_000,
  200,
);
console.log(`  all ${RUNS} waiting at their gate ${((performance.now() - tWait) / 1000 + startSeconds).toFixed(2)} s after the first start`);

const decisions = await Promise.all(pending.map((a: any) => admin.post(`/api/v1/approvals/${a.id}/approve`)));
const decidedAt = new Map<string, number>(decisions.map((d) => [d.body.executionId, Date.parse(d.body.decidedAt)]));
const decisionStatuses = decisions.reduce<Record<number, number>>((a, d) => ((a[d.status] = (a[d.status] ?? 0) + 1), a), {});
let lastSeen: any[] = [];
const finals = await until(
  'all runs finished',
  async () => {
    const runs = await Promise.all(ids.map(statusOf));
    lastSeen = runs;
    return runs.every((r) => ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED'].includes(r.status)) ? runs : undefined;
  },
  60_000,
  250,
).catch((error) => {
  const histogram = lastSeen.reduce<Record<string, number>>((a, r) => ((a[`${r.status}:${r.steps.map((s: any) => s.status[0]).join('')}`] = (a[`${r.status}:${r.steps.map((s: any) => s.status[0]).join('')}`] ?? 0) + 1), a), {});
  console.error('decisions', decisionStatuses, 'runs', histogram, JSON.stringify(lastSeen.find((r) => r.status !== 'SUCCEEDED')));
  throw error;
});
const latencies = finals.map((r) => Date.parse(r.completedAt) - decidedAt.get(r.executionId)!).sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
console.log(`  approval → run completed: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${latencies[latencies.length - 1]} ms`);

await settle();
const succeeded = finals.filter((r) => r.status === 'SUCCEEDED').length;
const doubled = finals.filter((r) => r.steps.some((s: any) => s.attempts !== 1)).length;
const entityVersions = await Promise.all(entities.map(async (id) => (await admin.get(`/api/v1/entities/${id}`)).body.version));
const notUpdatedOnce = entityVersions.filter((v) => v !== 2).length;
const notifications = new Set(receiver.received.filter((r) => ids.some((id) => r.body.includes(id))).map((r) => r.id));
const badSignatures = receiver.received.filter((r) => r.verifyError).length;
// An approval decided before its notifier ran is not notified any more (nothing left to decide).
const decidedFirst = pending.filter((a: any) => !notifications.has(`msg_${a.id}`)).length;
console.log(`  succeeded ${succeeded}/${RUNS}; lost ${RUNS - finals.length}; steps run more than once ${doubled}; entities not updated exactly once ${notUpdatedOnce}`);
console.log(`  approval webhooks: ${notifications.size} distinct for ${RUNS} runs (${decidedFirst} decided before their webhook went out), signatures refused by standardwebhooks: ${badSignatures}`);

sfn.destroy();
await receiver.close();
await platform.stop();
rmSync(dataDir, { recursive: true, force: true });
