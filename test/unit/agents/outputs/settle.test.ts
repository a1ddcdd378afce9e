import { describe, expect, it } from 'vitest';
import { requestOutputApproval } from '../../../../functions/domain/agents/outputs/gate.js';
import { outputApprovalIdOf } from '../../../../functions/domain/agents/outputs/naming.js';
import type { ProposeOutputInput } from '../../../../functions/domain/agents/outputs/propose.js';
import { proposeOutput } from '../../../../functions/domain/agents/outputs/propose.js';
import { settleOutput } from '../../../../functions/domain/agents/outputs/settle.js';
import { SYSTEM_SKILLS, type SkillDefinition } from '../../../../functions/domain/agents/skills/catalogue.js';
import { ConflictError, TransientError } from '../../../../functions/domain/errors.js';
import { BUILTIN_TOOLS } from '../../../../functions/domain/tools/builtin.js';
import { ToolRegistry } from '../../../../functions/domain/tools/registry.js';
import type { Tool } from '../../../../functions/domain/tools/tool.js';
import { decideApproval } from '../../../../functions/domain/workflows/approvals.js';
import { ToolRetryableError } from '../../../../functions/domain/workflows/errors.js';
import { publicOutput } from '../../../../functions/domain/agents/outputs/view.js';
import { Output } from '../../../../schemas/agents.js';
import { aPrincipal } from '../../../support/builders.js';
import { anAccountUpdate, anOutputWorld, aProposal, TENANT, type OutputWorld } from './builders.js';

/** Proposes, runs the gate, and returns the output's id and a way to read it back. */
async function gated(world: OutputWorld, input: ProposeOutputInput = anAccountUpdate(world)) {
  const output = await proposeOutput(input, world.propose);
  await requestOutputApproval({ tenantId: TENANT, outputId: output.id, taskToken: `token-${output.id}` }, world.gate);
  const stored = () => world.outputs.items.get(`${TENANT}/${output.id}`)!;
  const decide = (decision: 'approve' | 'reject', userId = 'arthur', comment?: string) =>
    decideApproval(
      outputApprovalIdOf(output.id),
      decision,
      { kind: 'user', principal: aPrincipal({ tenantId: TENANT, userId, roles: ['approver'] }), requestId: 'r-decide' },
      comment,
      world.decide,
    );
  const settle = (outcome: 'approved' | 'rejected' | 'timed_out') =>
    settleOutput({ tenantId: TENANT, outputId: output.id, outcome }, world.settle);
  return { id: output.id, stored, decide, settle };
}

/** The entity.update audit records written for the world's account. */
const accountUpdates = (world: OutputWorld) =>
  world.entities.mutations.filter((m) => m.audit.action === 'entity.update' && m.audit.resourceId === world.account.id);

describe('an approved output', () => {
  it('executes its skill once, as the proposer via the agent, and ends executed with the tool result', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    await o.decide('approve');
    expect(world.callbacks.calls).toContain(`succeed:token-${o.id}`);
    expect(await o.settle('approved')).toEqual({ status: 'executed' });

    expect((await world.entities.get(TENANT, world.account.id))!.attributes.tier).toBe('gold');
    const [update] = accountUpdates(world);
    expect(update!.audit).toMatchObject({ actor: 'ada', via: `system:agent:${o.stored().agent_id}`, runId: o.id });
    expect(o.stored()).toMatchObject({
      status: 'executed',
      result: { tool: 'entity.update', output: { entityId: world.account.id, version: 2, before: { tier: 'basic' } } },
    });
    const actions = world.outputs.mutations.map((m) => m.audit.action);
    expect(actions).toEqual(['agent.output.propose', 'agent.output.approve', 'agent.output.execute']);
    expect(world.outputs.events().map((e) => e.name)).toEqual([
      'agent.output.proposed',
      'agent.output.decided',
      'agent.output.completed',
    ]);
    expect(world.outputs.events('agent.output.decided')[0]!.payload).toMatchObject({
      decision: 'approved',
      decidedBy: 'arthur',
      reason: 'decision',
    });
  });

  it('changes the entity exactly once when the task is retried after the tool ran but before the output recorded it', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    await o.decide('approve');
    world.outputs.failSavesTo = { status: 'executed', times: 2 };
    await expect(o.settle('approved')).rejects.toBeInstanceOf(TransientError);
    await expect(o.settle('approved')).rejects.toBeInstanceOf(TransientError);
    expect(o.stored().status).toBe('approved');
    expect(await o.settle('approved')).toEqual({ status: 'executed' });
    // A re-delivered task after the end changes nothing either.
    expect(await o.settle('approved')).toEqual({ status: 'executed' });
    expect(accountUpdates(world)).toHaveLength(1);
    expect((await world.entities.get(TENANT, world.account.id))!.version).toBe(2);
    expect(world.outputs.events('agent.output.completed')).toHaveLength(1);
    // The first result is the one recorded: the values the update replaced, not the state after it.
    expect(o.stored().result).toMatchObject({ output: { before: { tier: 'basic' } } });
  });

  it('ends manual for a skill no tool executes (a person carries it out)', async () => {
    const world = await anOutputWorld();
    const o = await gated(world, aProposal(world, 'write_summary', { title: 'Acme', body: 'A quiet week.' }));
    await o.decide('approve');
    expect(await o.settle('approved')).toEqual({ status: 'manual' });
    expect(o.stored().result).toMatchObject({ reason: 'not_automatable' });
    expect(world.outputs.events('agent.output.completed')[0]!.payload).toMatchObject({
      status: 'manual',
      reason: 'not_automatable',
    });
  });

  it('never executes a sensitive skill, whatever its record says', async () => {
    const world = await anOutputWorld();
    const o = await gated(
      world,
      aProposal(world, 'send_webhook', { url: 'https://collector.example/x', payload: { a: 1 } }),
    );
    // Even a record tampered to name a tool and claim automation goes to a person: the skill's definition decides.
    world.outputs.items.set(`${TENANT}/${o.id}`, { ...o.stored(), tool: 'entity.update', is_automatable: true });
    await o.decide('approve');
    expect(await o.settle('approved')).toEqual({ status: 'manual' });
    expect(o.stored().result).toMatchObject({ reason: 'not_automatable' });
    expect(world.webhooks.sent).toEqual([]);
  });

  it('goes to a person when the skill definition no longer executes on its own', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    await o.decide('approve');
    const demoted: SkillDefinition[] = SYSTEM_SKILLS.map((s) =>
      s.name === 'update_account' ? { ...s, is_sensitive: true } : s,
    );
    const out = await settleOutput(
      { tenantId: TENANT, outputId: o.id, outcome: 'approved' },
      { ...world.settle, skills: demoted },
    );
    expect(out.status).toBe('manual');
    expect(accountUpdates(world)).toHaveLength(0);
  });

  it('goes to a person with the error when the tool refuses for good (the proposer may not write entities)', async () => {
    const world = await anOutputWorld();
    const o = await gated(world, anAccountUpdate(world, { proposer: { userId: 'ann', roles: ['analyst'] } }));
    await o.decide('approve');
    expect(await o.settle('approved')).toEqual({ status: 'manual' });
    expect(o.stored().result).toMatchObject({
      reason: 'execution_failed',
      error: { name: 'ToolFailedError', code: 'FORBIDDEN' },
    });
    expect((await world.entities.get(TENANT, world.account.id))!.attributes.tier).toBe('basic');
  });

  it('does not run content that changed after it was proposed', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    await o.decide('approve');
    const key = `${TENANT}/${o.stored().s3_key}`;
    const object = world.blobs.objects.get(key)!;
    const forged = JSON.stringify({ entityId: world.account.id, attributes: { tier: 'platinum', owner: 'mallory' } });
    world.blobs.objects.set(key, { ...object, bytes: new TextEncoder().encode(forged) });
    expect(await o.settle('approved')).toEqual({ status: 'manual' });
    expect(o.stored().result).toMatchObject({ reason: 'invalid_content' });
    expect(accountUpdates(world)).toHaveLength(0);
  });

  it('lets the state machine retry a transient tool failure, and hands over with the error when retries run out', async () => {
    const world = await anOutputWorld();
    let calls = 0;
    const flaky: Tool = {
      ...BUILTIN_TOOLS.find((t) => t.name === 'entity.update')!,
      execute: async () => {
        calls++;
        throw new ToolRetryableError('upstream 503');
      },
    };
    const settle = { ...world.settle, tools: new ToolRegistry([flaky]) };
    const o = await gated(world);
    await o.decide('approve');
    const step = (outcome: 'approved' | 'failed') =>
      settleOutput(
        outcome === 'failed'
          ? {
              tenantId: TENANT,
              outputId: o.id,
              outcome,
              error: {
                Error: 'ToolRetryableError',
                Cause: JSON.stringify({ errorType: 'ToolRetryableError', errorMessage: 'upstream 503' }),
              },
            }
          : { tenantId: TENANT, outputId: o.id, outcome },
        settle,
      );
    await expect(step('approved')).rejects.toBeInstanceOf(ToolRetryableError);
    await expect(step('approved')).rejects.toBeInstanceOf(ToolRetryableError);
    expect(o.stored().status).toBe('approved');
    expect(await step('failed')).toEqual({ status: 'manual' });
    expect(o.stored().result).toEqual({
      reason: 'execution_failed',
      error: { name: 'ToolRetryableError', message: 'upstream 503' },
    });
    expect(calls).toBe(2);
  });

  it('refuses to execute when the gate completed without an approved approval', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    await expect(o.settle('approved')).rejects.toThrow(/is not approved/);
    expect(o.stored().status).toBe('pending');
  });
});

describe('a rejected or expired output', () => {
  it('ends rejected with who decided and their note, and never runs its tool', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    await o.decide('reject', 'arthur', 'wrong account');
    expect(world.callbacks.calls).toContain(`fail:token-${o.id}:ApprovalRejectedError`);
    expect(await o.settle('rejected')).toEqual({ status: 'rejected' });
    expect(o.stored().result).toEqual({ reason: 'rejected', decided_by: 'arthur', notes: 'wrong account' });
    expect(accountUpdates(world)).toHaveLength(0);
    // Terminal: a late approval task changes nothing.
    expect(await o.settle('approved')).toEqual({ status: 'rejected' });
    expect(o.stored().version).toBe(2);
  });

  it('ends rejected as timed out when nobody decided, and a decision after that is refused', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    expect(await o.settle('timed_out')).toEqual({ status: 'rejected' });
    expect(o.stored().result).toMatchObject({ reason: 'timed_out' });
    expect(world.approvals.items.get(outputApprovalIdOf(o.id))!.status).toBe('timed_out');
    expect(world.outputs.events('agent.output.decided')[0]!.payload).toMatchObject({
      decision: 'rejected',
      reason: 'timed_out',
    });
    await expect(o.decide('approve')).rejects.toBeInstanceOf(ConflictError);
  });

  it('honours a decision recorded in time whose delivery to the gate was lost', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    await o.decide('approve');
    expect(await o.settle('timed_out')).toEqual({ status: 'executed' });
    expect(accountUpdates(world)).toHaveLength(1);
  });

  it('keeps every terminal state: no task moves an executed, manual or rejected output', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    await o.decide('approve');
    await o.settle('approved');
    const before = structuredClone(o.stored());
    for (const outcome of ['approved', 'rejected', 'timed_out'] as const) {
      expect(await o.settle(outcome)).toEqual({ status: 'executed' });
    }
    expect(await settleOutput({ tenantId: TENANT, outputId: o.id, outcome: 'failed' }, world.settle)).toEqual({
      status: 'executed',
    });
    expect(o.stored()).toEqual(before);
  });
});

describe('a decision racing the notifier', () => {
  it('decides again on the output it reads after a concurrent change, and keeps the other change', async () => {
    const world = await anOutputWorld();
    const o = await gated(world);
    await o.decide('approve');
    // The notifier records its attempts between the step's read and its write.
    world.outputs.beforeSave = () => {
      const s = o.stored();
      world.outputs.items.set(`${TENANT}/${o.id}`, { ...s, webhook_attempts: 3, version: s.version + 1 });
    };
    expect(await o.settle('approved')).toEqual({ status: 'executed' });
    expect(o.stored()).toMatchObject({ status: 'executed', webhook_attempts: 3 });
  });
});

it('leaves every output in a shape the API schema accepts, at every step', async () => {
  const world = await anOutputWorld();
  const o = await gated(world);
  expect(Output.parse(publicOutput(o.stored()))).toEqual(publicOutput(o.stored()));
  await o.decide('approve');
  await o.settle('approved');
  expect(Output.parse(publicOutput(o.stored()))).toEqual(publicOutput(o.stored()));
  expect(JSON.parse(JSON.stringify(o.stored().result))).toEqual(o.stored().result);
});
