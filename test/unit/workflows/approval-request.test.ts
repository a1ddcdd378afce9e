import { describe, expect, it } from 'vitest';
import { boundedInput } from '../../../functions/domain/workflows/approval-action.js';
import { publicApproval, requestApproval, type RequestDeps } from '../../../functions/domain/workflows/approvals.js';
import type { RunState } from '../../../functions/domain/workflows/ports.js';
import { approvalIdOf } from '../../../functions/domain/workflows/runs/run-state.js';
import { hashOf } from '../../../functions/domain/shared/hash.js';
import { BUILTIN_TOOLS } from '../../../functions/domain/tools/builtin.js';
import { ToolRegistry } from '../../../functions/domain/tools/registry.js';
import { Approval, MAX_APPROVAL_INPUT_BYTES } from '../../../schemas/workflow.js';
import { fixedClock } from '../../fakes/clock-and-ids.js';
import {
  InMemoryApprovals,
  InMemoryRuns,
  InMemoryWorkflows,
  RecordingTaskCallbacks,
} from '../../fakes/in-memory-workflows.js';
import { aRun, type RunStep } from './builders.js';

const SIGNING_SECRET = `whsec_${Buffer.from('a-signing-secret-of-the-step-32b').toString('base64')}`;
const tools = new ToolRegistry(BUILTIN_TOOLS);
const gate = { required: true, timeoutSeconds: 600 } as const;

/** Records the gate of step `stepId` on a run of `steps` (the run stored first, as the engine stores it). */
async function gateOf(steps: RunStep[], stepId: string, overrides: Partial<RunState> = {}) {
  const run = aRun(steps, { input: { entityId: 'e-7', tier: 'gold' }, ...overrides });
  const deps = {
    runs: new InMemoryRuns(),
    approvals: new InMemoryApprovals(),
    workflows: new InMemoryWorkflows(),
    callbacks: new RecordingTaskCallbacks(),
    clock: fixedClock('2026-02-03T04:00:00.000Z'),
    tools,
  } satisfies RequestDeps;
  await deps.runs.create(run.tenantId, run);
  const ref = { tenantId: run.tenantId, runId: run.executionId, generation: 1, stepId, taskToken: 'token-1' };
  const { approvalId } = await requestApproval(ref, deps);
  expect(approvalId).toBe(approvalIdOf(run.executionId, stepId, 1));
  return { approval: deps.approvals.items.get(approvalId)!, mutation: deps.approvals.created[0]!, deps };
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

  it('bounds an input at 8 KB of JSON: one byte more is carried as its size', () => {
    const sized = (bytes: number) => ({ s: 'x'.repeat(bytes - JSON.stringify({ s: '' }).length) });
    expect(boundedInput(sized(MAX_APPROVAL_INPUT_BYTES))).toEqual(sized(MAX_APPROVAL_INPUT_BYTES));
    expect(boundedInput(sized(MAX_APPROVAL_INPUT_BYTES + 1))).toEqual({
      truncated: true,
      bytes: MAX_APPROVAL_INPUT_BYTES + 1,
    });
  });
});
