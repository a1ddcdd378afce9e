import { describe, expect, it } from 'vitest';
import { entityUpdate } from '../../../functions/domain/tools/builtin.js';
import type { ToolContext, ToolDeps } from '../../../functions/domain/tools/tool.js';
import { createEntity } from '../../../functions/domain/entities/entity-use-cases.js';
import { aContext, fixedClock, sequentialIds } from '../../support/builders.js';
import { InMemoryEntityRepository } from '../../support/in-memory-entity-repository.js';

function setup() {
  const repo = new InMemoryEntityRepository();
  const deps = { entities: repo, clock: fixedClock(), idempotency: repo, webhooks: { send: async () => { throw new Error('unused'); } } } as unknown as ToolDeps;
  const ctx: ToolContext = { tenantId: 'tenant-a', runId: 'run_1', stepId: 'promote', actor: 'user-1', effectKey: 'run_1:promote:0', attempt: 1 };
  return { repo, deps, ctx };
}

describe('entity.update tool', () => {
  it('returns the values it replaced, the same on a retried step, so compensation restores them', async () => {
    const { repo, deps, ctx } = setup();
    const e = await createEntity({ type: 'person', attributes: { tier: 'basic' } }, aContext(), { entities: repo, clock: fixedClock(), ids: sequentialIds() });
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
    const e = await createEntity({ type: 'person', attributes: { tier: 'basic' } }, aContext(), { entities: repo, clock: fixedClock(), ids: sequentialIds() });
    const input = { entityId: e.id, attributes: { tier: 'premium' } };
    const out = await entityUpdate.execute(input, ctx, deps);
    await entityUpdate.execute({ entityId: e.id, attributes: { tier: 'gold' } }, { ...ctx, stepId: 'other', effectKey: 'run_2:other:0' }, deps);

    await expect(entityUpdate.compensate!(input, out, ctx, deps)).rejects.toThrow(/cannot compensate/);
  });
});
