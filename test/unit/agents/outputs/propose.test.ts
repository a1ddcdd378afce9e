import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DailyLimitExceededError } from '../../../../functions/domain/agents/outputs/errors.js';
import { outputApprovalIdOf } from '../../../../functions/domain/agents/outputs/naming.js';
import {
  DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  OFFLINE_LABEL,
  PREVIEW_CHARS,
  previewOf,
  proposeOutput,
} from '../../../../functions/domain/agents/outputs/propose.js';
import { executableInputOf, isExecutable } from '../../../../functions/domain/agents/outputs/view.js';
import { SYSTEM_SKILLS, type SkillDefinition } from '../../../../functions/domain/agents/skills/catalogue.js';
import { TransientError, ValidationError } from '../../../../functions/domain/errors.js';
import { Output } from '../../../../schemas/agents.js';
import { EVENT_CATALOGUE } from '../../../../schemas/events.js';
import { anAccountUpdate, anOutputWorld, aProposal, TENANT } from './builders.js';

describe('proposing an output', () => {
  it('stores the content under the agent in S3, the metadata with its audit record and event, and starts the gate', async () => {
    const world = await anOutputWorld();
    const input = anAccountUpdate(world);
    const output = await proposeOutput(input, world.propose);

    expect(Output.parse(output)).toEqual(output);
    expect(output).toMatchObject({
      tenant_id: TENANT,
      agent_id: input.agent.id,
      session_id: input.sessionId,
      status: 'pending',
      content_type: 'json',
      skill_used: 'update_account',
      is_automatable: true,
      offline: false,
      approval_id: outputApprovalIdOf(output.id),
      webhook_attempts: 0,
      s3_key: `${input.agent.id}/${output.id}.json`,
    });
    const object = world.blobs.objects.get(`${TENANT}/${output.s3_key}`)!;
    expect(JSON.parse(new TextDecoder().decode(object.bytes))).toEqual(input.skillInput);
    expect(object.contentType).toBe('application/json');
    const stored = world.outputs.items.get(`${TENANT}/${output.id}`)!;
    expect(stored.content_sha256).toBe(createHash('sha256').update(object.bytes).digest('hex'));
    expect(stored).toMatchObject({ proposer: { userId: 'ada', roles: ['admin'] }, tool: 'entity.update', version: 1 });

    const [mutation] = world.outputs.mutations;
    expect(mutation!.audit).toMatchObject({
      action: 'agent.output.propose',
      actor: 'ada',
      via: `system:agent:${input.agent.id}`,
      resourceType: 'agent_output',
      resourceId: output.id,
      beforeHash: null,
    });
    const [event] = mutation!.events;
    expect(event!.name).toBe('agent.output.proposed');
    expect(EVENT_CATALOGUE['agent.output.proposed'].detail.shape.payload.parse(event!.payload)).toMatchObject({
      outputId: output.id,
      day: '2026-02-03',
    });
    expect(world.starter.started).toEqual([
      { tenantId: TENANT, outputId: output.id, timeoutSeconds: DEFAULT_APPROVAL_TIMEOUT_SECONDS },
    ]);
  });

  it('keeps a text skill as .txt, and an output no tool executes as not automatable', async () => {
    const world = await anOutputWorld();
    const summary = await proposeOutput(
      aProposal(world, 'write_summary', { title: 'Acme this week', body: 'Two new contacts.' }),
      world.propose,
    );
    expect(summary).toMatchObject({ content_type: 'text', is_automatable: false });
    expect(summary.s3_key.endsWith(`${summary.id}.txt`)).toBe(true);
    expect(world.outputs.items.get(`${TENANT}/${summary.id}`)!.tool).toBeUndefined();
    const email = await proposeOutput(
      aProposal(world, 'draft_email', { to: 'cfo@acme.example', subject: 'Renewal', body: 'Hello' }),
      world.propose,
    );
    expect(email.is_automatable).toBe(false);
  });

  it('records the webhook target only when both the agent URL and its sealed secret are given', async () => {
    const world = await anOutputWorld();
    const sealed = await world.secrets.seal(TENANT, 'a-webhook-secret-of-at-least-32-chars!');
    const withHook = await proposeOutput(
      anAccountUpdate(world, {
        agent: {
          id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f',
          daily_output_limit: 10,
          webhook_url: 'https://hooks.example/a',
          sealed_webhook_secret: sealed,
        },
      }),
      world.propose,
    );
    const urlOnly = await proposeOutput(
      anAccountUpdate(world, {
        agent: {
          id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f',
          daily_output_limit: 10,
          webhook_url: 'https://hooks.example/a',
        },
      }),
      world.propose,
    );
    expect(world.outputs.items.get(`${TENANT}/${withHook.id}`)).toMatchObject({
      webhook_url: 'https://hooks.example/a',
      sealed_webhook_secret: sealed,
    });
    expect(world.outputs.items.get(`${TENANT}/${urlOnly.id}`)!.webhook_url).toBeUndefined();
    // The public view never carries the endpoint's secret, sealed or not.
    expect(JSON.stringify(withHook)).not.toContain(sealed);
  });

  it('labels the preview of an offline output, and cuts every preview at 500 characters', async () => {
    const world = await anOutputWorld();
    const long = 'x'.repeat(3 * PREVIEW_CHARS);
    const offline = await proposeOutput(
      aProposal(world, 'write_summary', { title: 'T', body: long }, { offline: true }),
      world.propose,
    );
    expect(offline.offline).toBe(true);
    expect(offline.content_preview!.startsWith(OFFLINE_LABEL)).toBe(true);
    expect(offline.content_preview).toHaveLength(PREVIEW_CHARS);
    expect(world.blobs.objects.get(`${TENANT}/${offline.s3_key}`)!.metadata.offline).toBe('true');
    // Characters outside the BMP are never cut in half.
    const emoji = previewOf('😀'.repeat(600), false);
    expect(Array.from(emoji)).toHaveLength(PREVIEW_CHARS);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('refuses the proposal over the daily limit with DailyLimitExceededError (429) and leaves nothing written', async () => {
    const world = await anOutputWorld();
    const limited = { id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f', daily_output_limit: 2 };
    await proposeOutput(anAccountUpdate(world, { agent: limited }), world.propose);
    await proposeOutput(anAccountUpdate(world, { agent: limited }), world.propose);
    const before = {
      items: world.outputs.items.size,
      objects: world.blobs.objects.size,
      mutations: world.outputs.mutations.length,
    };

    const refused = await proposeOutput(anAccountUpdate(world, { agent: limited }), world.propose).catch((e) => e);
    expect(refused).toBeInstanceOf(DailyLimitExceededError);
    expect(refused).toMatchObject({ name: 'DailyLimitExceededError', code: 'DAILY_LIMIT_EXCEEDED', status: 429 });
    expect(refused.resetAt).toBe('2026-02-04T00:00:00.000Z');
    expect(refused.details).toEqual([expect.objectContaining({ field: 'daily_output_limit' })]);
    expect({
      items: world.outputs.items.size,
      objects: world.blobs.objects.size,
      mutations: world.outputs.mutations.length,
    }).toEqual(before);
    expect(world.starter.started).toHaveLength(2);
  });

  it('counts each agent and each UTC day apart', async () => {
    const world = await anOutputWorld();
    const a = { id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f', daily_output_limit: 1 };
    const b = { id: '1c2a3b4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', daily_output_limit: 1 };
    await proposeOutput(anAccountUpdate(world, { agent: a }), world.propose);
    await proposeOutput(anAccountUpdate(world, { agent: b }), world.propose);
    await expect(proposeOutput(anAccountUpdate(world, { agent: a }), world.propose)).rejects.toBeInstanceOf(
      DailyLimitExceededError,
    );
    world.clock.set('2026-02-04T00:00:00.000Z');
    await proposeOutput(anAccountUpdate(world, { agent: a }), world.propose);
    expect(await world.outputs.dailyCount(TENANT, a.id, '2026-02-03')).toMatchObject({ count: 1, limit: 1 });
    expect(await world.outputs.dailyCount(TENANT, a.id, '2026-02-04')).toMatchObject({
      count: 1,
      resetAt: '2026-02-05T00:00:00.000Z',
    });
  });

  it('lets exactly `limit` of 20 concurrent proposals through; the others get DailyLimitExceededError and write nothing', async () => {
    const world = await anOutputWorld();
    const agent = { id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f', daily_output_limit: 5 };
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => proposeOutput(anAccountUpdate(world, { agent }), world.propose)),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const e of refused) expect(e).toBeInstanceOf(DailyLimitExceededError);
    expect(world.outputs.items.size).toBe(5);
    expect(world.blobs.objects.size).toBe(5);
    expect(world.outputs.mutations).toHaveLength(5);
    expect(world.starter.started).toHaveLength(5);
  });

  it('retries a transaction that conflicted, and succeeds without counting twice', async () => {
    const world = await anOutputWorld();
    world.outputs.failCreates = 2;
    const output = await proposeOutput(anAccountUpdate(world), world.propose);
    expect(world.outputs.items.has(`${TENANT}/${output.id}`)).toBe(true);
    expect((await world.outputs.dailyCount(TENANT, output.agent_id, '2026-02-03'))!.count).toBe(1);
  });

  it('takes an attempt whose answer was lost for a success when its output is stored, even at the limit', async () => {
    const world = await anOutputWorld();
    world.outputs.loseCreateAnswers = 1;
    const agent = { id: '8b1e2d4f-6a3c-4e5b-9d7f-1c2a3b4d5e6f', daily_output_limit: 1 };
    const output = await proposeOutput(anAccountUpdate(world, { agent }), world.propose);
    expect(world.outputs.items.get(`${TENANT}/${output.id}`)!.status).toBe('pending');
    expect(world.blobs.objects.has(`${TENANT}/${output.s3_key}`)).toBe(true);
  });

  it('gives up after repeated transient failures and deletes the content it stored', async () => {
    const world = await anOutputWorld();
    world.outputs.failCreates = 99;
    await expect(proposeOutput(anAccountUpdate(world), world.propose)).rejects.toBeInstanceOf(TransientError);
    expect(world.blobs.objects.size).toBe(0);
    expect(world.outputs.items.size).toBe(0);
  });

  it('answers with the stored output when the gate could not be started, and leaves the start to the launcher', async () => {
    const world = await anOutputWorld();
    world.starter.failing = true;
    const output = await proposeOutput(anAccountUpdate(world), world.propose);
    expect(world.outputs.items.get(`${TENANT}/${output.id}`)!.status).toBe('pending');
    expect(world.outputs.events('agent.output.proposed')).toHaveLength(1);
    expect(world.logs.map((l) => l.message)).toContain(
      'agent output gate not started; the launcher starts it from agent.output.proposed',
    );
  });

  it('refuses a read-only skill, naming the field', async () => {
    const world = await anOutputWorld();
    const read = SYSTEM_SKILLS.find((s) => s.name === 'get_entity')!;
    const error = await proposeOutput(
      { ...anAccountUpdate(world), skill: read, skillInput: { entityId: 'x' } },
      world.propose,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details).toEqual([{ field: 'skill', message: 'not an output skill' }]);
    expect(world.blobs.objects.size).toBe(0);
  });

  it('refuses an executable skill whose stored content would not give back the input its tool runs with', async () => {
    const world = await anOutputWorld();
    const base = SYSTEM_SKILLS.find((s) => s.name === 'update_account')!;
    const lossy: SkillDefinition = {
      ...base,
      // Drops the attributes from what is stored: approving it would approve something else than what runs.
      contentOf: (input) => ({
        content_type: 'json',
        body: JSON.stringify({ entityId: input.entityId, attributes: {} }),
      }),
    };
    await expect(proposeOutput({ ...anAccountUpdate(world), skill: lossy }, world.propose)).rejects.toThrow(
      /does not give back/,
    );
    expect(world.blobs.objects.size).toBe(0);
  });
});

describe('the system output skills', () => {
  // Inputs written by hand for each skill that executes: the content stored must give them back exactly.
  const samples: Record<string, Record<string, unknown>[]> = {
    update_account: [
      { entityId: 'acc-1', attributes: { tier: 'gold' } },
      { entityId: 'a'.repeat(64), attributes: { 'nested.name': { deep: [1, 'two', null] }, removed: null, n: 0 } },
      { entityId: 'acc-é', attributes: { note: 'quotes " and \\ and \u2028 line separators' } },
    ],
  };

  it('executes only automatable, non-sensitive skills with a registry tool', () => {
    const executable = SYSTEM_SKILLS.filter(isExecutable).map((s) => s.name);
    expect(executable).toEqual(['update_account']);
    for (const s of SYSTEM_SKILLS.filter((k) => k.is_sensitive)) expect(isExecutable(s)).toBe(false);
  });

  it.each(SYSTEM_SKILLS.filter(isExecutable).map((s) => [s.name, s] as const))(
    '%s gives its tool input back from its stored content',
    (name, s) => {
      expect(samples[name]?.length).toBeGreaterThan(0);
      for (const raw of samples[name]!) {
        const input = s.input.parse(raw);
        expect(executableInputOf(s, s.contentOf!(input).body)).toEqual(s.tool!.inputOf(input));
      }
    },
  );

  it('refuses stored content that is not the skill input (unknown fields, not JSON)', () => {
    const s = SYSTEM_SKILLS.find((k) => k.name === 'update_account')!;
    expect(() => executableInputOf(s, '{"entityId":"a","attributes":{},"url":"https://evil.example"}')).toThrow(
      z.ZodError,
    );
    expect(() => executableInputOf(s, 'not json')).toThrow(SyntaxError);
  });
});
