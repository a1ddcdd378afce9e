/**
 * The configuration use cases over the in-memory store: personas, skills and agents with seed 004's rules — names
 * unique per tenant (normalised), optimistic versions, references that must exist in the tenant (400 naming the
 * field), resources in use that cannot be deleted (409 naming the agents), webhook URLs under the platform's policy,
 * secrets sealed and never returned, and every change audited.
 */
import { describe, expect, it } from 'vitest';
import {
  createAgent,
  deleteAgent,
  getAgent,
  listAgents,
  updateAgent,
} from '../../../../functions/domain/agents/config/agents.js';
import {
  createPersona,
  deletePersona,
  getPersona,
  listPersonas,
  updatePersona,
} from '../../../../functions/domain/agents/config/personas.js';
import {
  createSkill,
  deleteSkill,
  getSkill,
  listSkills,
  skillsOfAgent,
} from '../../../../functions/domain/agents/config/skills.js';
import { createKnowledgeBase } from '../../../../functions/domain/agents/knowledge/knowledge-bases.js';
import { SYSTEM_SKILLS, skillIdOf } from '../../../../functions/domain/agents/skills/catalogue.js';
import { isValidWebhookSecret } from '../../../../functions/domain/webhooks/signing.js';
import { CreateKnowledgeBaseRequest, UpdateAgentRequest } from '../../../../schemas/agents.js';
import {
  admin,
  aPersonaBody,
  anAgentBody,
  aSkillBody,
  CHANGES_SKILL,
  configWorld,
  ctxOf,
  SUMMARY_SKILL,
} from './builders.js';

const fieldsOf = (error: unknown) => ((error as { details?: { field?: string }[] }).details ?? []).map((d) => d.field);

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { status: number; details?: { field?: string; message: string }[] };
  }
  throw new Error('expected a failure');
}

describe('personas', () => {
  it('creates version 1, reads it back, lists it and audits the creation', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    expect(p).toMatchObject({ name: 'Enterprise Sales Rep', version: 1, tenant_id: 'tenant-a' });
    await expect(getPersona(p.id, admin, w.agentDeps)).resolves.toEqual(p);
    expect((await listPersonas({ limit: 10 }, admin, w.agentDeps)).items.map((x) => x.id)).toEqual([p.id]);
    expect(w.config.mutations.map((m) => [m.audit.action, m.audit.actor, m.audit.resourceId])).toEqual([
      ['persona.create', 'ada', p.id],
    ]);
  });

  it('refuses a second persona whose name differs only in case, spacing or compatibility forms', async () => {
    const w = configWorld();
    await createPersona(aPersonaBody({ name: 'Field Rep' }), admin, w.agentDeps);
    for (const name of ['field rep', 'FIELD   REP', 'Ｆｉｅｌｄ Rep']) {
      const error = await failure(createPersona(aPersonaBody({ name }), admin, w.agentDeps));
      expect(error).toMatchObject({ name: 'NameTakenError', status: 409 });
      expect(fieldsOf(error)).toEqual(['name']);
    }
    await expect(
      createPersona(aPersonaBody({ name: 'Field Rep' }), ctxOf('tenant-b'), w.agentDeps),
    ).resolves.toBeDefined();
  });

  it('refuses the name when another request claims it between the check and the write', async () => {
    const w = configWorld();
    w.config.beforeWrite = async () => {
      w.config.beforeWrite = undefined;
      await createPersona(aPersonaBody({ name: 'Racer' }), admin, w.agentDeps);
    };
    const error = await failure(createPersona(aPersonaBody({ name: 'Racer' }), admin, w.agentDeps));
    expect(error.name).toBe('NameTakenError');
  });

  it('changes the fields given with the version read, keeps the others and moves the name claim', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody({ name: 'Old name' }), admin, w.agentDeps);
    const next = await updatePersona(p.id, { version: 1, name: 'New name', tone: 'warm' }, admin, w.agentDeps);
    expect(next).toMatchObject({ name: 'New name', tone: 'warm', role: p.role, version: 2 });
    // The old name is free again, the new one taken.
    await expect(createPersona(aPersonaBody({ name: 'Old name' }), admin, w.agentDeps)).resolves.toBeDefined();
    expect((await failure(createPersona(aPersonaBody({ name: 'new NAME' }), admin, w.agentDeps))).name).toBe(
      'NameTakenError',
    );
  });

  it('refuses a stale version with 409 naming version, and a missing persona with 404', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    await updatePersona(p.id, { version: 1, tone: 'warm' }, admin, w.agentDeps);
    const stale = await failure(updatePersona(p.id, { version: 1, tone: 'cold' }, admin, w.agentDeps));
    expect(stale).toMatchObject({ name: 'ConflictError', status: 409 });
    expect(fieldsOf(stale)).toEqual(['version']);
    const other = await failure(getPersona(p.id, ctxOf('tenant-b'), w.agentDeps));
    expect(other).toMatchObject({ name: 'NotFoundError', status: 404 });
  });

  it('refuses to delete a persona an agent uses, naming the agent, and deletes it once the agent is gone', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const agent = await createAgent(anAgentBody(p.id), admin, w.agentDeps);
    const inUse = await failure(deletePersona(p.id, {}, admin, w.agentDeps));
    expect(inUse).toMatchObject({ name: 'ResourceInUseError', status: 409 });
    expect(inUse.message).toContain(agent.id);
    await deleteAgent(agent.id, {}, admin, w.agentDeps);
    await deletePersona(p.id, { version: 1 }, admin, w.agentDeps);
    expect((await failure(getPersona(p.id, admin, w.agentDeps))).name).toBe('NotFoundError');
  });

  it('refuses a delete when an agent starts using the persona between the check and the write', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    let agentId = '';
    w.config.beforeWrite = async () => {
      w.config.beforeWrite = undefined;
      agentId = (await createAgent(anAgentBody(p.id), admin, w.agentDeps)).id;
    };
    const error = await failure(deletePersona(p.id, {}, admin, w.agentDeps));
    expect(error.name).toBe('ResourceInUseError');
    expect(error.message).toContain(agentId);
  });

  it('lets operators read but not write, and analysts neither', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    await expect(getPersona(p.id, ctxOf('tenant-a', ['operator']), w.agentDeps)).resolves.toBeDefined();
    expect(
      (await failure(createPersona(aPersonaBody({ name: 'x' }), ctxOf('tenant-a', ['operator']), w.agentDeps))).name,
    ).toBe('ForbiddenError');
    expect((await failure(getPersona(p.id, ctxOf('tenant-a', ['analyst']), w.agentDeps))).name).toBe('ForbiddenError');
  });
});

describe('skills', () => {
  it('lists the system skills first, filtered by category and automatability, then the custom ones', async () => {
    const w = configWorld();
    const custom = await createSkill(aSkillBody(), admin, w.agentDeps);
    const all = await listSkills({ limit: 25 }, admin, w.agentDeps);
    expect(all.items.map((s) => s.name)).toEqual([...SYSTEM_SKILLS.map((s) => s.name), 'open_ticket']);
    const contact = await listSkills({ category: 'contact', limit: 25 }, admin, w.agentDeps);
    expect(contact.items.every((s) => s.category === 'contact' && s.is_system)).toBe(true);
    expect(contact.items.length).toBe(SYSTEM_SKILLS.filter((s) => s.category === 'contact').length);
    const manual = await listSkills({ is_automatable: false, limit: 25 }, admin, w.agentDeps);
    expect(manual.items.map((s) => s.name)).toEqual([
      ...SYSTEM_SKILLS.filter((s) => !s.is_automatable).map((s) => s.name),
      'open_ticket',
    ]);
    const customs = await listSkills({ category: 'custom', limit: 25 }, admin, w.agentDeps);
    expect(customs.items).toEqual([custom]);
  });

  it('shows a system skill with its deterministic id and the JSON Schema of its input', async () => {
    const w = configWorld();
    const s = await getSkill(skillIdOf('draft_email'), admin, w.agentDeps);
    expect(s).toMatchObject({ name: 'draft_email', is_system: true, is_sensitive: true, is_automatable: false });
    expect(s.input_schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['to', 'subject']) });
  });

  it('creates a custom skill that is never automatable, refusing a system skill name and a duplicate', async () => {
    const w = configWorld();
    const s = await createSkill(aSkillBody(), admin, w.agentDeps);
    expect(s).toMatchObject({ category: 'custom', is_automatable: false, is_system: false, is_read_only: false });
    expect((await failure(createSkill(aSkillBody(), admin, w.agentDeps))).name).toBe('NameTakenError');
    const system = await failure(createSkill(aSkillBody({ name: 'draft_email' }), admin, w.agentDeps));
    expect(system.name).toBe('NameTakenError');
    expect(fieldsOf(system)).toEqual(['name']);
  });

  it('refuses to delete a system skill or a custom one an agent holds', async () => {
    const w = configWorld();
    const s = await createSkill(aSkillBody(), admin, w.agentDeps);
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const agent = await createAgent(anAgentBody(p.id, { skill_ids: [s.id] }), admin, w.agentDeps);
    expect((await failure(deleteSkill(SUMMARY_SKILL, admin, w.agentDeps))).name).toBe('SystemSkillImmutableError');
    const inUse = await failure(deleteSkill(s.id, admin, w.agentDeps));
    expect(inUse.name).toBe('ResourceInUseError');
    expect(inUse.message).toContain(agent.id);
    await updateAgent(
      agent.id,
      UpdateAgentRequest.parse({ version: 1, skill_ids: [SUMMARY_SKILL] }),
      admin,
      w.agentDeps,
    );
    await deleteSkill(s.id, admin, w.agentDeps);
    expect((await failure(getSkill(s.id, admin, w.agentDeps))).name).toBe('NotFoundError');
  });

  it("gives the runtime an agent's skills in order, a custom one as a strict, non-automatable output skill", async () => {
    const w = configWorld();
    const s = await createSkill(aSkillBody(), admin, w.agentDeps);
    const defs = await skillsOfAgent('tenant-a', { skill_ids: [CHANGES_SKILL, s.id] }, { config: w.config });
    expect(defs.map((d) => [d.name, d.kind, d.is_automatable])).toEqual([
      ['get_entity_changes', 'read', true],
      ['open_ticket', 'output', false],
    ]);
    const input = defs[1]!.input;
    expect(input.safeParse({ title: 'Printer on fire', priority: 'high', urgent: true }).success).toBe(true);
    expect(input.safeParse({ title: 'x', priority: 'someday' }).success).toBe(false);
    expect(input.safeParse({ priority: 'low' }).success).toBe(false);
    expect(input.safeParse({ title: 'x', priority: 'low', forward_to: 'attacker@example.com' }).success).toBe(false);
    expect(input.safeParse({ title: 'x', priority: 'low', estimate_hours: 1.5 }).success).toBe(false);
    // Another tenant's id resolves to nothing: the model is offered no skill.
    expect(await skillsOfAgent('tenant-b', { skill_ids: [s.id] }, { config: w.config })).toEqual([]);
  });
});

describe('agents', () => {
  it('creates an agent whose persona, skills and knowledge base exist, with the seed defaults', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const kb = await createKnowledgeBase(CreateKnowledgeBaseRequest.parse({ name: 'FAQ' }), admin, w.knowledgeDeps);
    const a = await createAgent(anAgentBody(p.id, { knowledge_base_id: kb.id }), admin, w.agentDeps);
    expect(a).toMatchObject({
      persona_id: p.id,
      knowledge_base_id: kb.id,
      daily_output_limit: 100,
      is_active: true,
      memory_config: { provider: 'in-memory', scope: 'user' },
      webhook_secret_configured: false,
      version: 1,
    });
    expect(await w.config.usersOf('tenant-a', { kind: 'kb', id: kb.id })).toEqual([a.id]);
    expect((await listAgents({ limit: 5 }, admin, w.agentDeps)).items.map((x) => x.id)).toEqual([a.id]);
  });

  it('names every missing reference in one 400: persona_id, skill_ids.N and knowledge_base_id', async () => {
    const w = configWorld();
    const missing = '00000000-0000-4000-8000-000000000000';
    const error = await failure(
      createAgent(
        anAgentBody(missing, { skill_ids: [CHANGES_SKILL, missing], knowledge_base_id: missing }),
        admin,
        w.agentDeps,
      ),
    );
    expect(error).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(fieldsOf(error).sort()).toEqual(['knowledge_base_id', 'persona_id', 'skill_ids.1']);
  });

  it("refuses another tenant's persona as missing", async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const error = await failure(createAgent(anAgentBody(p.id), ctxOf('tenant-b'), w.agentDeps));
    expect(fieldsOf(error)).toEqual(['persona_id']);
  });

  it('refuses duplicate skills, mem0 memory, and webhooks the URL policy refuses, naming each field', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ skill_ids: [SUMMARY_SKILL, SUMMARY_SKILL] }, 'skill_ids.1'],
      [{ memory_config: { provider: 'mem0', scope: 'user' } }, 'memory_config.provider'],
      [{ webhook_url: 'http://hooks.example.com/x' }, 'webhook_url'],
      [{ webhook_url: 'https://10.0.0.7/hook' }, 'webhook_url'],
      [{ webhook_url: 'https://169.254.169.254/latest' }, 'webhook_url'],
      [{ webhook_url: 'https://localhost/x' }, 'webhook_url'],
      [{ webhook_secret: `whsec_${'A'.repeat(32)}` }, 'webhook_secret'],
      [{ webhook_url: 'https://hooks.example.com/x', webhook_secret: 'x'.repeat(40) }, 'webhook_secret'],
    ];
    for (const [overrides, field] of cases) {
      const error = await failure(createAgent(anAgentBody(p.id, overrides), admin, w.agentDeps));
      expect(error.name, JSON.stringify(overrides)).toBe('ValidationError');
      expect(fieldsOf(error), JSON.stringify(overrides)).toEqual([field]);
    }
    expect(w.config.mutations.filter((m) => m.audit.action === 'agent.create')).toEqual([]);
  });

  it('allows the development loopback receivers only under the local policy', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const body = anAgentBody(p.id, { webhook_url: 'http://127.0.0.1:8901/hook' });
    expect(fieldsOf(await failure(createAgent(body, admin, w.agentDeps)))).toEqual(['webhook_url']);
    const local = { ...w.agentDeps, urlPolicy: { allowHttpLoopback: true, loopbackPorts: new Set([8901]) } };
    await expect(createAgent(body, admin, local)).resolves.toMatchObject({ webhook_url: 'http://127.0.0.1:8901/hook' });
  });

  it('seals a given webhook secret, never returns it, and opens it for the tenant only', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const a = await createAgent(
      anAgentBody(p.id, { webhook_url: 'https://hooks.example.com/x', webhook_secret: secret }),
      admin,
      w.agentDeps,
    );
    expect(a).toMatchObject({ webhook_secret_configured: true });
    expect(JSON.stringify(a)).not.toContain(secret.slice(6));
    expect(JSON.stringify(await getAgent(a.id, admin, w.agentDeps))).not.toContain('sealed');
    const stored = await w.config.getAgent('tenant-a', a.id);
    expect(stored?.sealed_webhook_secret).toMatch(/^enc1\./);
    await expect(w.secrets.open('tenant-a', stored!.sealed_webhook_secret!)).resolves.toBe(secret);
    await expect(w.secrets.open('tenant-b', stored!.sealed_webhook_secret!)).rejects.toThrow();
  });

  it('generates a secret for a webhook given without one and shows it once', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const a = await createAgent(anAgentBody(p.id, { webhook_url: 'https://hooks.example.com/x' }), admin, w.agentDeps);
    expect(isValidWebhookSecret(a.webhook_secret!)).toBe(true);
    const stored = await w.config.getAgent('tenant-a', a.id);
    await expect(w.secrets.open('tenant-a', stored!.sealed_webhook_secret!)).resolves.toBe(a.webhook_secret);
    expect(await getAgent(a.id, admin, w.agentDeps)).not.toHaveProperty('webhook_secret');
    // A change that keeps the webhook keeps its secret and shows none.
    const next = await updateAgent(
      a.id,
      UpdateAgentRequest.parse({ version: 1, daily_output_limit: 5 }),
      admin,
      w.agentDeps,
    );
    expect(next).not.toHaveProperty('webhook_secret');
    expect((await w.config.getAgent('tenant-a', a.id))?.sealed_webhook_secret).toBe(stored?.sealed_webhook_secret);
  });

  it('moves its references on a change: the old persona becomes deletable, the new one is held', async () => {
    const w = configWorld();
    const p1 = await createPersona(aPersonaBody({ name: 'One' }), admin, w.agentDeps);
    const p2 = await createPersona(aPersonaBody({ name: 'Two' }), admin, w.agentDeps);
    const a = await createAgent(anAgentBody(p1.id), admin, w.agentDeps);
    const next = await updateAgent(
      a.id,
      UpdateAgentRequest.parse({ version: 1, persona_id: p2.id }),
      admin,
      w.agentDeps,
    );
    expect(next).toMatchObject({ persona_id: p2.id, version: 2 });
    expect(await w.config.usersOf('tenant-a', { kind: 'persona', id: p1.id })).toEqual([]);
    expect(await w.config.usersOf('tenant-a', { kind: 'persona', id: p2.id })).toEqual([a.id]);
    await deletePersona(p1.id, {}, admin, w.agentDeps);
    expect((await failure(deletePersona(p2.id, {}, admin, w.agentDeps))).name).toBe('ResourceInUseError');
  });

  it('removes optional fields given as null: the knowledge base, the description, the webhook with its secret', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const kb = await createKnowledgeBase(CreateKnowledgeBaseRequest.parse({ name: 'FAQ' }), admin, w.knowledgeDeps);
    const a = await createAgent(
      anAgentBody(p.id, { knowledge_base_id: kb.id, description: 'd', webhook_url: 'https://hooks.example.com/x' }),
      admin,
      w.agentDeps,
    );
    const next = await updateAgent(
      a.id,
      UpdateAgentRequest.parse({ version: 1, knowledge_base_id: null, description: null, webhook_url: null }),
      admin,
      w.agentDeps,
    );
    expect(next).not.toHaveProperty('knowledge_base_id');
    expect(next).not.toHaveProperty('description');
    expect(next).not.toHaveProperty('webhook_url');
    expect(next.webhook_secret_configured).toBe(false);
    expect((await w.config.getAgent('tenant-a', a.id))?.sealed_webhook_secret).toBeUndefined();
    expect(await w.config.usersOf('tenant-a', { kind: 'kb', id: kb.id })).toEqual([]);
  });

  it('refuses a stale version, a taken name and a missing new reference, changing nothing', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const a = await createAgent(anAgentBody(p.id), admin, w.agentDeps);
    await createAgent(anAgentBody(p.id, { name: 'Other agent' }), admin, w.agentDeps);
    const stale = await failure(
      updateAgent(a.id, UpdateAgentRequest.parse({ version: 3, is_active: false }), admin, w.agentDeps),
    );
    expect(fieldsOf(stale)).toEqual(['version']);
    const taken = await failure(
      updateAgent(a.id, UpdateAgentRequest.parse({ version: 1, name: 'other AGENT' }), admin, w.agentDeps),
    );
    expect(taken.name).toBe('NameTakenError');
    const gone = await failure(
      updateAgent(
        a.id,
        UpdateAgentRequest.parse({ version: 1, skill_ids: ['00000000-0000-4000-8000-000000000001'] }),
        admin,
        w.agentDeps,
      ),
    );
    expect(fieldsOf(gone)).toEqual(['skill_ids.0']);
    expect((await w.config.getAgent('tenant-a', a.id))?.version).toBe(1);
  });

  it('answers 400 persona_id when the persona is deleted between the check and the write', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    w.config.beforeWrite = async () => {
      w.config.beforeWrite = undefined;
      await deletePersona(p.id, {}, admin, w.agentDeps);
    };
    const error = await failure(createAgent(anAgentBody(p.id), admin, w.agentDeps));
    expect(error.name).toBe('ValidationError');
    expect(fieldsOf(error)).toEqual(['persona_id']);
    expect(await w.config.listAgents('tenant-a', { limit: 5 })).toEqual({ items: [], nextCursor: null });
  });

  it('refuses more custom skills than one transaction can reference', async () => {
    const w = configWorld();
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const ids = Array.from({ length: 41 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const error = await failure(createAgent(anAgentBody(p.id, { skill_ids: ids }), admin, w.agentDeps));
    expect(fieldsOf(error)).toContain('skill_ids');
  });
});
