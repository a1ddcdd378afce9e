/**
 * npm run demo:approval — a run stops at an approval gate, the signed webhook arrives at a local
 * receiver (verified with the independent `standardwebhooks` package), the receiver approves through
 * the callback link in the webhook, and the run finishes. Everything runs on this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '../local/platform.js';
import { api, until } from './lib/api.js';
import { startWebhookReceiver } from './lib/webhook-receiver.js';

const say = (icon: string, text: string) => process.stdout.write(`${icon} ${text}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'modos-demo-'));
say('…', 'starting the local platform (DynamoDB Local, S3, bus, Step Functions runtime, API)');
const platform = await startPlatform({ dataDir, port: 0, inMemory: true, logLevel: 'ERROR' });
let secret: string | undefined;
const receiver = await startWebhookReceiver(() => secret);
try {
  const client = api(platform.url, await platform.token({ tenantId: 'demo', roles: ['admin'], userId: 'dana' }));
  say('✓', `platform at ${platform.url}; webhook receiver at ${receiver.url}`);

  const { body: customer } = await client.post('/api/v1/entities', {
    type: 'organization',
    attributes: { name: 'Acme Ltd', tier: 'standard' },
  });
  say('✓', `entity ${customer.id}: ${JSON.stringify(customer.attributes)}`);

  const wf = await client.post('/api/v1/workflows', {
    name: 'Upgrade a customer',
    webhook: { url: receiver.url },
    steps: [
      {
        id: 'request',
        tool: 'entity.update',
        input: { entityId: '$.input.customerId', attributes: { upgradeRequested: '$.input.reason' } },
      },
      {
        id: 'upgrade',
        tool: 'entity.update',
        input: { entityId: '$.input.customerId', attributes: { tier: 'premium' } },
        approval: { required: true, timeoutSeconds: 300 },
      },
      {
        id: 'confirm',
        tool: 'entity.update',
        input: { entityId: '$.input.customerId', attributes: { upgradedInVersion: '$.steps.upgrade.output.version' } },
      },
    ],
  });
  secret = wf.body.webhookSecret;
  say(
    '✓',
    `workflow ${wf.body.id} v${wf.body.version}: request → [approval] upgrade → confirm (webhook secret ${secret?.slice(0, 12)}…)`,
  );

  const run = await client.post('/api/v1/workflows/execute', {
    workflowId: wf.body.id,
    input: { customerId: customer.id, reason: 'annual plan' },
  });
  say('▶', `execution ${run.body.executionId}: ${run.body.status}`);

  const waiting = await until('gate', async () => {
    const r = await client.get(`/api/v1/workflows/executions/${run.body.executionId}`);
    return r.body.status === 'WAITING_FOR_APPROVAL' ? r.body : undefined;
  });
  say(
    '⏸',
    `status ${waiting.status}: ${waiting.steps.map((s: { id: string; status: string }) => `${s.id}=${s.status}`).join(', ')}`,
  );

  const hook = await until('webhook', async () =>
    receiver.received.find((r) => r.verified?.type === 'approval.requested'),
  );
  say(
    '✉',
    `webhook ${hook.headers['webhook-id']} received; signature ${hook.headers['webhook-signature']?.slice(0, 20)}… verified by standardwebhooks`,
  );
  say(
    ' ',
    `  approval ${hook.verified.data.approvalId} for step "${hook.verified.data.stepId}", expires ${hook.verified.data.expiresAt}`,
  );
  say(' ', `  approve: ${hook.verified.data.callbacks.approve.slice(0, 90)}…`);

  const decided = await fetch(hook.verified.data.callbacks.approve, { method: 'POST' });
  const approval = (await decided.json()) as { status: string; decidedBy: string };
  say('✓', `approved through the callback link: ${decided.status} ${approval.status} by ${approval.decidedBy}`);
  const replay = await fetch(hook.verified.data.callbacks.approve, { method: 'POST' });
  say('✓', `the same link again is refused: ${replay.status}`);

  const done = await until('completion', async () => {
    const r = await client.get(`/api/v1/workflows/executions/${run.body.executionId}`);
    return ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED'].includes(r.body.status) ? r.body : undefined;
  });
  say(
    done.status === 'SUCCEEDED' ? '■' : '✗',
    `execution ${done.status}: ${done.steps.map((s: { id: string; status: string }) => `${s.id}=${s.status}`).join(', ')}`,
  );
  const after = await client.get(`/api/v1/entities/${customer.id}`);
  say('✓', `entity now v${after.body.version}: ${JSON.stringify(after.body.attributes)}`);
  const audit = await client.get('/api/v1/audit?limit=10');
  say(
    '✓',
    `audit: ${audit.body.items
      .map(
        (a: { action: string; actor: string; via?: string }) =>
          `${a.action} by ${a.actor}${a.via ? ` via ${a.via}` : ''}`,
      )
      .reverse()
      .join('; ')}`,
  );
  if (done.status !== 'SUCCEEDED') process.exitCode = 1;
} finally {
  await receiver.close();
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
