import { describe, expect, it } from 'vitest';
import { ensureOutputGate, requestOutputApproval } from '../../../../functions/domain/agents/outputs/gate.js';
import { outputApprovalIdOf, outputExecutionNameOf } from '../../../../functions/domain/agents/outputs/naming.js';
import { proposeOutput } from '../../../../functions/domain/agents/outputs/propose.js';
import { hashOf } from '../../../../functions/domain/shared/hash.js';
import { publicApproval } from '../../../../functions/domain/workflows/approvals.js';
import { WorkflowFailedError } from '../../../../functions/domain/workflows/errors.js';
import { ApprovalRequestedPayload } from '../../../../schemas/events.js';
import { Approval, ApprovalIdPath } from '../../../../schemas/workflow.js';
import { aProposal, anAccountUpdate, anOutputWorld, skill, TENANT } from './builders.js';

describe("an output's gate", () => {
  it('records one approval per output, with its subject, the task token kept server-side, and approval.requested', async () => {
    const world = await anOutputWorld({ approvalTimeoutSeconds: 3600 });
    const output = await proposeOutput(anAccountUpdate(world), world.propose);
    const { approvalId } = await requestOutputApproval(
      { tenantId: TENANT, outputId: output.id, taskToken: 'token-1' },
      world.gate,
    );
    expect(approvalId).toBe(outputApprovalIdOf(output.id));
    expect(ApprovalIdPath.parse({ id: approvalId })).toEqual({ id: approvalId });
    const approval = world.approvals.items.get(approvalId)!;
    expect(approval).toMatchObject({
      status: 'pending',
      executionId: outputExecutionNameOf(output.id),
      workflowId: output.agent_id,
      tool: 'update_account',
      roles: ['approver'],
      notification: 'none',
      taskToken: 'token-1',
      subject: { kind: 'agent_output', outputId: output.id, agentId: output.agent_id },
      requestedBy: 'ada',
      action: { tool: 'update_account', description: skill('update_account').description },
    });
    // The approval expires before the gate times out (a decision the API takes still finds its gate): 1 h - 1 min.
    expect(Date.parse(approval.expiresAt) - Date.parse(approval.requestedAt)).toBe(3600_000 - 60_000);
    const { tenantId, generation, taskToken, callbackNonce, version, ...visible } = approval;
    expect(Approval.parse(visible)).toEqual(visible);
  });

  it('is for the user whose session proposed it, and names its skill and its description, no input', async () => {
    const world = await anOutputWorld();
    const brief = {
      ...skill('write_summary'),
      name: 'brief_account',
      description: 'A brief of the account for sales.',
    };
    const output = await proposeOutput(
      aProposal(
        world,
        'write_summary',
        { title: 'Acme', body: 'Renewal due.' },
        {
          skill: brief,
          proposer: { userId: 'uma', roles: ['operator'] },
        },
      ),
      world.propose,
    );
    await requestOutputApproval({ tenantId: TENANT, outputId: output.id, taskToken: 't' }, world.gate);

    const approval = world.approvals.items.get(outputApprovalIdOf(output.id))!;
    expect(approval.requestedBy).toBe('uma');
    expect(approval.action).toEqual({ tool: 'brief_account', description: 'A brief of the account for sales.' });
    // The audit record's hash is of the approval as the API shows it, new fields included.
    const visible = publicApproval(approval);
    expect(world.approvals.created[0]!.audit.afterHash).toBe(hashOf(visible));
    const { action, requestedBy, ...older } = visible;
    expect(world.approvals.created[0]!.audit.afterHash).not.toBe(hashOf(older));
  });

  it('emits approval.requested saying who asked and what approving does, as the approval records them', async () => {
    const world = await anOutputWorld();
    const output = await proposeOutput(
      aProposal(
        world,
        'write_summary',
        { title: 'Acme', body: 'Renewal due.' },
        {
          proposer: { userId: 'uma', roles: ['operator'] },
        },
      ),
      world.propose,
    );
    await requestOutputApproval({ tenantId: TENANT, outputId: output.id, taskToken: 't' }, world.gate);

    const approval = world.approvals.items.get(outputApprovalIdOf(output.id))!;
    const [event] = world.approvals.created[0]!.events;
    expect(event!.name).toBe('approval.requested');
    expect(ApprovalRequestedPayload.parse(event!.payload)).toEqual({
      approvalId: approval.id,
      executionId: outputExecutionNameOf(output.id),
      workflowId: output.agent_id,
      stepId: 'output',
      tool: 'write_summary',
      expiresAt: approval.expiresAt,
      roles: ['approver'],
      requestedBy: 'uma',
      action: { tool: 'write_summary', description: skill('write_summary').description },
    });
    // Not a copy of the content: the approval's action names the skill only.
    expect(JSON.stringify(event)).not.toContain('Renewal due.');
  });

  it('names only the skill for an output stored before skill descriptions were kept', async () => {
    const world = await anOutputWorld();
    const output = await proposeOutput(anAccountUpdate(world), world.propose);
    const key = `${TENANT}/${output.id}`;
    const { skill_description, ...older } = world.outputs.items.get(key)!;
    expect(skill_description).toBe(skill('update_account').description);
    world.outputs.items.set(key, older);
    await requestOutputApproval({ tenantId: TENANT, outputId: output.id, taskToken: 't' }, world.gate);

    expect(world.approvals.items.get(outputApprovalIdOf(output.id))!.action).toEqual({ tool: 'update_account' });
  });

  it('asks for a notification only when the output carries a webhook target', async () => {
    const world = await anOutputWorld();
    const sealed = await world.secrets.seal(TENANT, 's'.repeat(40));
    const output = await proposeOutput(
      anAccountUpdate(world, {
        agent: {
          id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f',
          daily_output_limit: 9,
          webhook_url: 'https://h.example/x',
          sealed_webhook_secret: sealed,
        },
      }),
      world.propose,
    );
    await requestOutputApproval({ tenantId: TENANT, outputId: output.id, taskToken: 't' }, world.gate);
    expect(world.approvals.items.get(outputApprovalIdOf(output.id))!.notification).toBe('pending');
  });

  it('a retried gate refreshes the token of a pending approval, and completes at once with a decision taken meanwhile', async () => {
    const world = await anOutputWorld();
    const output = await proposeOutput(anAccountUpdate(world), world.propose);
    const ref = { tenantId: TENANT, outputId: output.id };
    await requestOutputApproval({ ...ref, taskToken: 'token-1' }, world.gate);
    await requestOutputApproval({ ...ref, taskToken: 'token-2' }, world.gate);
    const id = outputApprovalIdOf(output.id);
    expect(world.approvals.items.get(id)!.taskToken).toBe('token-2');
    expect(world.approvals.items.size).toBe(1);

    world.approvals.items.set(id, { ...world.approvals.items.get(id)!, status: 'rejected', decidedBy: 'arthur' });
    await requestOutputApproval({ ...ref, taskToken: 'token-3' }, world.gate);
    expect(world.callbacks.calls).toEqual(['fail:token-3:ApprovalRejectedError']);
  });

  it('fails for an output that does not exist', async () => {
    const world = await anOutputWorld();
    await expect(
      requestOutputApproval({ tenantId: TENANT, outputId: 'missing', taskToken: 't' }, world.gate),
    ).rejects.toBeInstanceOf(WorkflowFailedError);
  });
});

describe('the launcher', () => {
  it('starts the gate of an undecided output with the input the proposal used, and skips decided or unknown ones', async () => {
    const world = await anOutputWorld();
    const output = await proposeOutput(anAccountUpdate(world), world.propose);
    const first = world.starter.started[0];
    expect(await ensureOutputGate({ tenantId: TENANT, outputId: output.id }, world.propose)).toBe('started');
    expect(world.starter.started[1]).toEqual(first);

    const stored = world.outputs.items.get(`${TENANT}/${output.id}`)!;
    world.outputs.items.set(`${TENANT}/${output.id}`, { ...stored, status: 'rejected' });
    expect(await ensureOutputGate({ tenantId: TENANT, outputId: output.id }, world.propose)).toBe('skipped');
    expect(await ensureOutputGate({ tenantId: TENANT, outputId: 'missing' }, world.propose)).toBe('skipped');
    expect(world.starter.started).toHaveLength(2);
  });
});
