import { describe, expect, it } from 'vitest';
import { entityUpdate } from '../../../functions/domain/tools/builtin.js';
import type { ToolContext, ToolDeps } from '../../../functions/domain/tools/tool.js';
import { createEntity } from '../../../functions/domain/entities/entity-use-cases.js';
import { ToolFailedError } from '../../../functions/domain/workflows/errors.js';
import { aContext } from '../../support/builders.js';
import { fixedClock, sequentialIds } from '../../fakes/clock-and-ids.js';
import { InMemoryEntityRepository } from '../../fakes/in-memory-entity-repository.js';

function setup(roles: string[] = ['admin']) {
  const repo = new InMemoryEntityRepository();
  const deps = {
    entities: repo,
    clock: fixedClock(),
    idempotency: repo,
    webhooks: {
      send: async () => {
        throw new Error('unused');
      },
    },
  } as unknown as ToolDeps;
  const ctx: ToolContext = {
    tenantId: 'tenant-a',
    runId: 'run_1',
    stepId: 'promote',
    startedBy: { userId: 'user-1', roles },
    via: 'system:workflow-engine',
    effectKey: 'run_1:promote:0',
    attempt: 1,
  };
  return { repo, deps, ctx };
}

const aPerson = async (repo: InMemoryEntityRepository) =>
  createEntity({ type: 'person', attributes: { tier: 'basic' } }, aContext(), {
    entities: repo,
    clock: fixedClock(),
    ids: sequentialIds(),
  });

describe('entity.update tool', () => {
  it('returns the values it replaced, the same on a retried step, so compensation restores them', async () => {
    const { repo, deps, ctx } = setup();
    const e = await aPerson(repo);
    const input = { entityId: e.id, attributes: { tier: 'premium' } };

    const first = await entityUpdate.execute(input, ctx, deps);
    const retried = await entityUpdate.execute(input, { ...ctx, attempt: 2 }, deps);

    expect(first).toEqual({ entityId: e.id, version: 2, before: { tier: 'basic' } });
    expect(retried).toEqual(first);
    await entityUpdate.compensate!(input, retried, ctx, deps);
    expect((await repo.get('tenant-a', e.id))!.attributes).toEqual({ tier: 'basic' });
  });

  it('refuses to compensate over a later change by someone else', async () => {
    const { repo, deps, ctx } = setup();
    const e = await aPerson(repo);
    const input = { entityId: e.id, attributes: { tier: 'premium' } };
    const out = await entityUpdate.execute(input, ctx, deps);
    await entityUpdate.execute(
      { entityId: e.id, attributes: { tier: 'gold' } },
      { ...ctx, stepId: 'other', effectKey: 'run_2:other:0' },
      deps,
    );

    await expect(entityUpdate.compensate!(input, out, ctx, deps)).rejects.toThrow(/cannot compensate/);
  });

  it('audits the update as the user who started the run, through the engine and the run', async () => {
    const { repo, deps, ctx } = setup(['admin']);
    const e = await aPerson(repo);

    await entityUpdate.execute({ entityId: e.id, attributes: { tier: 'premium' } }, ctx, deps);

    const audit = repo.mutations.at(-1)!.audit;
    expect(audit).toMatchObject({
      action: 'entity.update',
      actor: 'user-1',
      via: 'system:workflow-engine',
      runId: 'run_1',
      requestId: 'run_1:promote',
      resourceId: e.id,
    });
  });

  it.each([[['operator']], [['analyst', 'approver']], [[]]])(
    'fails for good with FORBIDDEN when the starter has roles %j, which lack entities:write, and changes nothing',
    async (roles) => {
      const { repo, deps, ctx } = setup(roles);
      const e = await aPerson(repo);
      const writes = repo.mutations.length;

      const error = await entityUpdate
        .execute({ entityId: e.id, attributes: { tier: 'premium' } }, ctx, deps)
        .catch((x: unknown) => x);

      expect(error).toBeInstanceOf(ToolFailedError);
      expect(error).toMatchObject({
        name: 'ToolFailedError',
        code: 'FORBIDDEN',
        message: expect.stringMatching(/user-1.*entities:write/),
      });
      expect(repo.mutations.length).toBe(writes);
      expect((await repo.get('tenant-a', e.id))!.version).toBe(1);
    },
  );

  it('compensates with the starter roles too: a starter without entities:write cannot have it undone in their name', async () => {
    const { repo, deps, ctx } = setup(['admin']);
    const e = await aPerson(repo);
    const input = { entityId: e.id, attributes: { tier: 'premium' } };
    const out = await entityUpdate.execute(input, ctx, deps);

    const error = await entityUpdate.compensate!(
      input,
      out,
      { ...ctx, startedBy: { userId: 'user-1', roles: ['operator'] } },
      deps,
    ).catch((x: unknown) => x);

    expect(error).toMatchObject({ name: 'ToolFailedError', code: 'FORBIDDEN' });
    expect((await repo.get('tenant-a', e.id))!.attributes).toEqual({ tier: 'premium' });
  });
});
