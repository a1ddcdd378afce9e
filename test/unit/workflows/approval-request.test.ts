import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesSecretBox } from '../../../functions/adapters/crypto/aes-secret-box.js';
import { buildWebhookBody } from '../../../functions/domain/webhooks/payload.js';
import { generateWebhookSecret } from '../../../functions/domain/webhooks/signing.js';
import { boundedInput } from '../../../functions/domain/workflows/approval-action.js';
import {
  notifyApproval,
  publicApproval,
  requestApproval,
  type NotifyDeps,
  type RequestDeps,
} from '../../../functions/domain/workflows/approvals.js';
import type { RunState } from '../../../functions/domain/workflows/ports.js';
import { approvalIdOf } from '../../../functions/domain/workflows/runs/run-state.js';
import { hashOf } from '../../../functions/domain/shared/hash.js';
import { BUILTIN_TOOLS } from '../../../functions/domain/tools/builtin.js';
import { ToolRegistry } from '../../../functions/domain/tools/registry.js';
import { ApprovalRequestedPayload, EVENT_CATALOGUE } from '../../../schemas/events.js';
import { Approval, MAX_APPROVAL_INPUT_BYTES } from '../../../schemas/workflow.js';
import { fixedClock } from '../../fakes/clock-and-ids.js';
import {
  InMemoryApprovals,
  InMemoryRuns,
  InMemoryWorkflows,
  RecordingTaskCallbacks,
  RecordingWebhookSender,
} from '../../fakes/in-memory-workflows.js';
import { aRun, type RunStep } from './builders.js';

const SIGNING_SECRET = `whsec_${Buffer.from('a-signing-secret-of-the-step-32b').toString('base64')}`;
const tools = new ToolRegistry(BUILTIN_TOOLS);
const gate = { required: true, timeoutSeconds: 600 } as const;

/** The approver's endpoint of the workflows that have one (`gateOf(…, { webhook: true })`). */
const APPROVER_HOOK = 'https://approver.example/hooks';

/**
 * Records the gate of step `stepId` on a run of `steps` (the run stored first, as the engine stores it); with
 * `webhook`, the run's workflow has the approver's endpoint and its sealed secret, so the approval is to be notified.
 */
async function gateOf(
  steps: RunStep[],
  stepId: string,
  overrides: Partial<RunState> = {},
  options: { webhook?: boolean } = {},
) {
  const run = aRun(steps, { input: { entityId: 'e-7', tier: 'gold' }, ...overrides });
  const secrets = new AesSecretBox(async () => PLATFORM_KEY);
  const deps = {
    runs: new InMemoryRuns(),
    approvals: new InMemoryApprovals(),
    workflows: new InMemoryWorkflows(),
    callbacks: new RecordingTaskCallbacks(),
    clock: fixedClock('2026-02-03T04:00:00.000Z'),
    tools,
  } satisfies RequestDeps;
  if (options.webhook) {
    deps.workflows.versions.set(run.workflowId, [
      {
        id: run.workflowId,
        name: 'promote',
        version: run.workflowVersion,
        steps: run.definition,
        webhook: { url: APPROVER_HOOK, secretConfigured: true },
        sealedWebhookSecret: await secrets.seal(run.tenantId, APPROVER_SECRET),
        createdAt: run.startedAt,
        updatedAt: run.startedAt,
        createdBy: 'ada',
      },
    ]);
  }
  await deps.runs.create(run.tenantId, run);
  const ref = { tenantId: run.tenantId, runId: run.executionId, generation: 1, stepId, taskToken: 'token-1' };
  const { approvalId } = await requestApproval(ref, deps);
  expect(approvalId).toBe(approvalIdOf(run.executionId, stepId, 1));
  const mutation = deps.approvals.created[0]!;
  return { approval: deps.approvals.items.get(approvalId)!, mutation, event: mutation.events[0]!, deps, secrets };
}

const PLATFORM_KEY = randomBytes(48);
const APPROVER_SECRET = generateWebhookSecret();

/** Sends the webhook of a gate recorded by `gateOf(…, { webhook: true })`; returns what the sender was given. */
async function webhookOf(gate: Awaited<ReturnType<typeof gateOf>>) {
  const webhooks = new RecordingWebhookSender();
  const deps: NotifyDeps = {
    ...gate.deps,
    webhooks,
    secrets: gate.secrets,
    callbackKey: randomBytes(32),
    publicBaseUrl: 'https://api.example',
  };
  expect(await notifyApproval({ tenantId: 'tenant-a', approvalId: gate.approval.id }, deps)).toBe('delivered');
  expect(webhooks.sent).toHaveLength(1);
  const sent = webhooks.sent[0]!;
  const body = buildWebhookBody({ type: sent.eventType, occurredAt: sent.occurredAt!, data: sent.payload });
  return { sent, body };
}

describe("a workflow step's approval", () => {
  it('says who started the run and what approving runs: the tool, its description and the resolved input', async () => {
    const { approval, mutation } = await gateOf(
      [
        { id: 'read', tool: 'entity.update', status: 'SUCCEEDED', output: { entityId: 'e-7', version: 4 } },
        {
          id: 'promote',
          tool: 'entity.update',
          input: {
            entityId: '$.input.entityId',
            attributes: { tier: '$.input.tier', seenAt: '$.steps.read.output.version', note: '$$.input is literal' },
          },
          approval: gate,
        },
      ],
      'promote',
    );

    expect(approval.requestedBy).toBe('ada');
    expect(approval.action).toEqual({
      tool: 'entity.update',
      description: tools.get('entity.update')!.description,
      input: { entityId: 'e-7', attributes: { tier: 'gold', seenAt: 4, note: '$.input is literal' } },
    });
    const visible = publicApproval(approval);
    expect(Approval.parse(visible)).toEqual(visible);
    // The audit record's hash is of the approval as the API shows it, new fields included.
    expect(mutation.audit.afterHash).toBe(hashOf(visible));
    const { action, requestedBy, ...older } = visible;
    expect(mutation.audit.afterHash).not.toBe(hashOf(older));
  });

  it('emits approval.requested saying who asked and what approving does, as the approval records them', async () => {
    const { approval, event } = await gateOf(
      [
        {
          id: 'promote',
          tool: 'entity.update',
          input: { entityId: '$.input.entityId', attributes: { tier: '$.input.tier' } },
          approval: gate,
        },
      ],
      'promote',
    );

    expect(event.name).toBe('approval.requested');
    expect(ApprovalRequestedPayload.parse(event.payload)).toEqual({
      approvalId: approval.id,
      executionId: 'run_1',
      workflowId: 'wf_1',
      stepId: 'promote',
      tool: 'entity.update',
      expiresAt: approval.expiresAt,
      roles: ['approver'],
      requestedBy: 'ada',
      action: {
        tool: 'entity.update',
        description: tools.get('entity.update')!.description,
        input: { entityId: 'e-7', attributes: { tier: 'gold' } },
      },
    });
    expect((event.payload as { action: unknown }).action).toEqual(approval.action);
    // The whole detail, as the outbox publishes it, matches the catalogue's schema.
    const detail = { tenantId: 'tenant-a', eventId: 'evt_1', occurredAt: approval.requestedAt, schemaVersion: 1 };
    expect(EVENT_CATALOGUE['approval.requested'].detail.safeParse({ ...detail, payload: event.payload }).success).toBe(
      true,
    );
  });

  it('carries a sealed secret input as "[secret]" and never its sealed value', async () => {
    const { approval, mutation } = await gateOf(
      [
        {
          id: 'notify',
          tool: 'http.webhook',
          input: { url: 'https://hooks.example/in', eventType: 'deal.won', payload: { entity: '$.input.entityId' } },
          approval: gate,
        },
      ],
      'notify',
      {
        definition: [
          {
            id: 'notify',
            tool: 'http.webhook',
            input: { url: 'https://hooks.example/in', eventType: 'deal.won', payload: { entity: '$.input.entityId' } },
            approval: gate,
            sealed: { secret: 'enc1.sealed-value-of-the-secret' },
          },
        ],
      },
    );

    expect(approval.action).toEqual({
      tool: 'http.webhook',
      description: tools.get('http.webhook')!.description,
      input: { url: 'https://hooks.example/in', eventType: 'deal.won', payload: { entity: 'e-7' }, secret: '[secret]' },
    });
    expect(JSON.stringify({ approval, mutation })).not.toContain('enc1.');
  });

  it('carries a secret of the step input as "[secret]" in approval.requested and the webhook, never its value', async () => {
    const definition = {
      id: 'notify',
      tool: 'http.webhook',
      input: { url: 'https://hooks.example/in', secret: SIGNING_SECRET, payload: { entity: '$.input.entityId' } },
      approval: gate,
    };
    const sealed = { ...definition, input: { url: 'https://hooks.example/in' }, sealed: { secret: 'enc1.sealed' } };
    // A secret in clear (a definition stored before sealing) and a sealed one.
    for (const step of [definition, sealed]) {
      const recorded = await gateOf([definition], 'notify', { definition: [step] }, { webhook: true });
      const { sent, body } = await webhookOf(recorded);

      const action = (recorded.event.payload as { action?: { input?: Record<string, unknown> } }).action;
      expect(action?.input).toMatchObject({ url: 'https://hooks.example/in', secret: '[secret]' });
      expect(sent.payload).toMatchObject({ requestedBy: 'ada', action: recorded.approval.action });
      expect((sent.payload as { action: { input: unknown } }).action.input).toMatchObject({ secret: '[secret]' });
      for (const text of [JSON.stringify(recorded.event), body]) {
        expect(text).not.toContain(SIGNING_SECRET);
        expect(text).not.toContain('whsec_');
        expect(text).not.toContain('enc1.');
      }
    }
  });

  it('carries a secret stored in clear (a definition from before sealing) as "[secret]", never its value', async () => {
    const { approval, mutation } = await gateOf(
      [
        {
          id: 'notify',
          tool: 'http.webhook',
          input: { url: 'https://hooks.example/in', secret: SIGNING_SECRET },
          approval: gate,
        },
      ],
      'notify',
    );

    expect(approval.action?.input).toEqual({ url: 'https://hooks.example/in', secret: '[secret]' });
    expect(JSON.stringify({ approval, mutation })).not.toContain(SIGNING_SECRET);
    expect(JSON.stringify({ approval, mutation })).not.toContain('whsec_');
  });

  it('keeps the template as written, with the reason, when a reference does not resolve on the run', async () => {
    const input = { entityId: '$.input.account', attributes: { tier: 'gold' } };
    const { approval } = await gateOf([{ id: 'promote', tool: 'entity.update', input, approval: gate }], 'promote');

    expect(approval.action).toMatchObject({
      tool: 'entity.update',
      input,
      unresolved: expect.stringMatching(/account/),
    });
  });

  it('carries only the size of an input whose JSON exceeds 8 KB', async () => {
    const input = { entityId: 'e-7', attributes: { notes: 'n'.repeat(MAX_APPROVAL_INPUT_BYTES) } };
    const { approval } = await gateOf([{ id: 'promote', tool: 'entity.update', input, approval: gate }], 'promote');

    expect(approval.action?.input).toEqual({ truncated: true, bytes: Buffer.byteLength(JSON.stringify(input)) });
    expect(JSON.stringify(approval).length).toBeLessThan(2 * 1024);
  });

  it('bounds the input approval.requested and the webhook carry as the approval does: over 8 KB, its size', async () => {
    const input = { entityId: 'e-7', attributes: { notes: 'n'.repeat(200 * 1024) } };
    const recorded = await gateOf(
      [{ id: 'promote', tool: 'entity.update', input, approval: gate }],
      'promote',
      {},
      { webhook: true },
    );
    const { sent, body } = await webhookOf(recorded);

    const truncated = { truncated: true, bytes: Buffer.byteLength(JSON.stringify(input)) };
    expect(recorded.event.payload).toMatchObject({ action: { input: truncated } });
    expect(sent.payload).toMatchObject({ action: { input: truncated } });
    // Far below EventBridge's 256 KB per event and the sender's 256 KiB body.
    expect(Buffer.byteLength(JSON.stringify(recorded.event))).toBeLessThan(2 * 1024);
    expect(Buffer.byteLength(body)).toBeLessThan(3 * 1024);
  });

  it('bounds an input at 8 KB of JSON: one byte more is carried as its size', () => {
    const sized = (bytes: number) => ({ s: 'x'.repeat(bytes - JSON.stringify({ s: '' }).length) });
    expect(boundedInput(sized(MAX_APPROVAL_INPUT_BYTES))).toEqual(sized(MAX_APPROVAL_INPUT_BYTES));
    expect(boundedInput(sized(MAX_APPROVAL_INPUT_BYTES + 1))).toEqual({
      truncated: true,
      bytes: MAX_APPROVAL_INPUT_BYTES + 1,
    });
  });
});

describe("a workflow step's approval webhook", () => {
  it('says who asked and what approving does, as the approval records them, beside the callback links', async () => {
    const recorded = await gateOf(
      [
        {
          id: 'promote',
          tool: 'entity.update',
          input: { entityId: '$.input.entityId', attributes: { tier: '$.input.tier' } },
          approval: gate,
        },
      ],
      'promote',
      {},
      { webhook: true },
    );
    const { sent } = await webhookOf(recorded);

    expect(sent).toMatchObject({ url: APPROVER_HOOK, eventType: 'approval.requested', secrets: [APPROVER_SECRET] });
    expect(sent.payload).toEqual({
      approvalId: recorded.approval.id,
      executionId: 'run_1',
      workflowId: 'wf_1',
      stepId: 'promote',
      tool: 'entity.update',
      expiresAt: recorded.approval.expiresAt,
      requestedBy: 'ada',
      action: {
        tool: 'entity.update',
        description: tools.get('entity.update')!.description,
        input: { entityId: 'e-7', attributes: { tier: 'gold' } },
      },
      callbacks: {
        approve: expect.stringContaining(`/api/v1/approvals/${recorded.approval.id}/callback/approve?credential=`),
        reject: expect.stringContaining(`/api/v1/approvals/${recorded.approval.id}/callback/reject?credential=`),
      },
    });
  });
});
