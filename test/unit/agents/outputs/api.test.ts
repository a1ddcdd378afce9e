import { beforeAll, describe, expect, it, vi } from 'vitest';
import { requestOutputApproval } from '../../../../functions/domain/agents/outputs/gate.js';
import { outputApprovalIdOf } from '../../../../functions/domain/agents/outputs/naming.js';
import { proposeOutput } from '../../../../functions/domain/agents/outputs/propose.js';
import { settleOutput } from '../../../../functions/domain/agents/outputs/settle.js';
import type { Principal } from '../../../../functions/domain/ports.js';
import { decideApproval } from '../../../../functions/domain/workflows/approvals.js';
import { OutputDetail } from '../../../../schemas/agent-outputs-api.js';
import { OutputList } from '../../../../schemas/agents.js';
import { anApiEvent, aPrincipal, stubHandlerSettings } from '../../../support/builders.js';
import { anAccountUpdate, anOutputWorld, aProposal, TENANT, type OutputWorld } from './builders.js';

let api: typeof import('../../../../functions/handlers/agent-outputs-api.js');
beforeAll(async () => {
  // The module builds its production handler on import, which reads the bound settings (never reached here).
  stubHandlerSettings((name, value) => vi.stubEnv(name, value));
  api = await import('../../../../functions/handlers/agent-outputs-api.js');
});

const OTHER_AGENT = '1c2a3b4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

async function call(
  world: OutputWorld,
  method: string,
  resource: string,
  over: { query?: Record<string, string>; path?: Record<string, string>; principal?: Principal } = {},
) {
  const handler = api.makeHandler({ outputs: world.outputs, approvals: world.approvals, blobs: world.blobs });
  const res = await handler(
    { ...anApiEvent({ principal: aPrincipal({ tenantId: TENANT }), ...over }), httpMethod: method, resource },
    {} as never,
  );
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

describe('the output routes', () => {
  it('lists outputs newest first, by agent and by status', async () => {
    const world = await anOutputWorld();
    const first = await proposeOutput(anAccountUpdate(world), world.propose);
    world.clock.set('2026-02-03T05:00:00.000Z');
    const second = await proposeOutput(
      aProposal(
        world,
        'write_summary',
        { title: 'T', body: 'B' },
        { agent: { id: OTHER_AGENT, daily_output_limit: 5 } },
      ),
      world.propose,
    );
    const all = await call(world, 'GET', '/api/v1/outputs');
    expect(all.status).toBe(200);
    expect(OutputList.parse(all.body).items.map((o) => o.id)).toEqual([second.id, first.id]);
    const ofAgent = await call(world, 'GET', '/api/v1/outputs', {
      query: { agent_id: OTHER_AGENT, status: 'pending' },
    });
    expect(ofAgent.body.items.map((o: { id: string }) => o.id)).toEqual([second.id]);
    // The stored server-side fields never leave.
    expect(JSON.stringify(all.body)).not.toMatch(/proposer|content_sha256|sealed_webhook_secret|"tool"/);
  });

  it('reads one output with its content from S3, its approval and its approval record once decided', async () => {
    const world = await anOutputWorld();
    const output = await proposeOutput(anAccountUpdate(world), world.propose);
    const pending = await call(world, 'GET', '/api/v1/outputs/{id}', { path: { id: output.id } });
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({ status: 'pending', approval: null, approval_record: null });
    expect(JSON.parse(pending.body.content)).toEqual({ entityId: world.account.id, attributes: { tier: 'gold' } });

    await requestOutputApproval({ tenantId: TENANT, outputId: output.id, taskToken: 'secret-task-token' }, world.gate);
    await decideApproval(
      outputApprovalIdOf(output.id),
      'approve',
      {
        kind: 'user',
        principal: aPrincipal({ tenantId: TENANT, userId: 'arthur', roles: ['approver'] }),
        requestId: 'r',
      },
      'checked with the account owner',
      world.decide,
    );
    await settleOutput({ tenantId: TENANT, outputId: output.id, outcome: 'approved' }, world.settle);
    const done = await call(world, 'GET', '/api/v1/outputs/{id}', { path: { id: output.id } });
    const detail = OutputDetail.parse(done.body);
    expect(detail).toMatchObject({
      status: 'executed',
      approval: { status: 'approved', decidedBy: 'arthur', subject: { kind: 'agent_output', outputId: output.id } },
      approval_record: {
        output_id: output.id,
        decision: 'approved',
        decided_by: 'arthur',
        notes: 'checked with the account owner',
        auto_execute: true,
      },
    });
    expect(JSON.stringify(done.body)).not.toContain('secret-task-token');
  });

  it('needs outputs:read, and answers 404 for an output of another tenant', async () => {
    const world = await anOutputWorld();
    const output = await proposeOutput(anAccountUpdate(world), world.propose);
    const analyst = aPrincipal({ tenantId: TENANT, roles: ['analyst'] });
    expect((await call(world, 'GET', '/api/v1/outputs', { principal: analyst })).status).toBe(403);
    expect(
      (await call(world, 'GET', '/api/v1/outputs/{id}', { path: { id: output.id }, principal: analyst })).status,
    ).toBe(403);
    const stranger = aPrincipal({ tenantId: 'tenant-b', roles: ['admin'] });
    expect(
      (await call(world, 'GET', '/api/v1/outputs/{id}', { path: { id: output.id }, principal: stranger })).status,
    ).toBe(404);
    expect((await call(world, 'GET', '/api/v1/outputs', { principal: stranger })).body.items).toEqual([]);
  });

  it('answers 400 naming the field for a bad filter or id', async () => {
    const world = await anOutputWorld();
    const bad = await call(world, 'GET', '/api/v1/outputs', { query: { status: 'done' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toContain('query.status');
    expect((await call(world, 'GET', '/api/v1/outputs/{id}', { path: { id: 'not-a-uuid' } })).status).toBe(400);
  });
});
