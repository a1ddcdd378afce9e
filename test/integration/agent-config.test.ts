/**
 * Agent configuration on the local platform (the real AgentConfigApi and KnowledgeApi bundles, DynamoDB Local, the
 * S3 emulator): a persona, the skill list, a custom skill, a knowledge base and its documents (ten uploaded at once,
 * none lost), an agent that refers to them; the 400s that name their field, the 404s, the 409s of names, versions and
 * resources in use; retrieval from the stored index, confined to the tenant; fuzzed bodies never make a 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../local/platform.js';
import { apiClient, startTestPlatform } from '../support/local-platform.js';
import { numberText, render, weirdString, type Doc } from '../support/fuzz-bodies.js';

const TENANT = 'agent-config-it';
const OTHER = 'agent-config-other';
let platform: LocalPlatform;
let admin: ReturnType<typeof apiClient>;
let other: ReturnType<typeof apiClient>;
let analyst: ReturnType<typeof apiClient>;

beforeAll(async () => {
  platform = await startTestPlatform();
  admin = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['admin'], userId: 'ada' }));
  other = apiClient(platform.url, await platform.token({ tenantId: OTHER, roles: ['admin'], userId: 'bob' }));
  analyst = apiClient(platform.url, await platform.token({ tenantId: TENANT, roles: ['analyst'], userId: 'ann' }));
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

const del = (client: ReturnType<typeof apiClient>, path: string) => client.raw('DELETE', path, '');
const fields = (res: { body?: { error?: { details?: { field?: string }[] } } }) =>
  (res.body?.error?.details ?? []).map((d) => d.field);
const MISSING = '00000000-0000-4000-8000-000000000000';

const persona = {
  name: 'Enterprise Sales Rep',
  role: 'Senior Account Executive',
  communication_style: 'professional, consultative',
  tone: 'friendly but formal',
  target_audience: 'C-level executives',
};

const HANDBOOK = [
  '# Renewals handbook',
  '## Uplift',
  'Renewal uplift is capped at five percent for accounts in their first three years. Larger uplifts need finance.',
  '## Approvals',
  'Multi-year renewals are approved by the regional director before the quote is sent.',
].join('\n\n');

describe('agent configuration on the local platform', () => {
  let personaId: string;
  let skillId: string;
  let kbId: string;
  let agentId: string;
  const skillIds = new Map<string, string>();

  it('creates a persona, refuses its name twice (in another case) and a body without a field, naming it', async () => {
    const created = await admin.post('/api/v1/personas', persona);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    personaId = created.body.id;
    const again = await admin.post('/api/v1/personas', { ...persona, name: 'enterprise sales REP' });
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual([{ field: 'name', message: expect.any(String) }]);
    const { tone: _tone, ...noTone } = persona;
    const missing = await admin.post('/api/v1/personas', { ...noTone, name: 'Other' });
    expect(missing.status).toBe(400);
    expect(fields(missing)).toEqual(['tone']);
    // The same name in another tenant is another persona.
    expect((await other.post('/api/v1/personas', persona)).status).toBe(201);
    const listed = await admin.get('/api/v1/personas?limit=10');
    expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([personaId]);
  });

  it('lets exactly one of eight requests at once take a name', async () => {
    const racing = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        admin.post('/api/v1/personas', { ...persona, name: `Racer${i % 2 ? '' : ' '}` }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(409)]);
    const winner = racing.find((r) => r.status === 201)!;
    expect((await del(admin, `/api/v1/personas/${winner.body.id}`)).status).toBe(204);
  });

  it('lists the system skills with their filters, and creates a custom skill that is never automatable', async () => {
    const all = await admin.get('/api/v1/skills?limit=100');
    expect(all.status).toBe(200);
    for (const s of all.body.items) skillIds.set(s.name, s.id);
    expect([...skillIds.keys()]).toEqual(
      expect.arrayContaining(['get_entity_changes', 'draft_email', 'update_account']),
    );
    const automatable = await admin.get('/api/v1/skills?is_automatable=true');
    expect(automatable.body.items.every((s: { is_automatable: boolean }) => s.is_automatable)).toBe(true);
    const bad = await admin.get('/api/v1/skills?category=sales');
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['query.category']);
    const custom = await admin.post('/api/v1/skills', {
      name: 'log_call',
      display_name: 'Log a call',
      description: 'Proposes a call note for a person to file in the CRM.',
      input_schema: {
        type: 'object',
        properties: { summary: { type: 'string', maxLength: 2000 }, outcome: { enum: ['won', 'lost', 'open'] } },
        required: ['summary'],
      },
    });
    expect(custom.status, JSON.stringify(custom.body)).toBe(201);
    expect(custom.body).toMatchObject({ category: 'custom', is_automatable: false, is_system: false });
    skillId = custom.body.id;
    expect((await admin.get(`/api/v1/skills/${skillId}`)).body).toEqual(custom.body);
    expect((await other.get(`/api/v1/skills/${skillId}`)).status).toBe(404);
  });

  it('creates a knowledge base, refuses a vector store, and keeps all of ten documents uploaded at once', async () => {
    const refused = await admin.post('/api/v1/knowledge-bases', { name: 'Vectors', provider: 'weaviate' });
    expect(refused.status).toBe(400);
    expect(fields(refused)).toEqual(['provider']);
    const kb = await admin.post('/api/v1/knowledge-bases', { name: 'Renewals' });
    expect(kb.status).toBe(201);
    kbId = kb.body.id;
    const first = await admin.post(`/api/v1/knowledge-bases/${kbId}/documents`, {
      title: 'Renewals handbook',
      content: HANDBOOK,
      source: 'https://intranet.example.com/renewals',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      chunk_count: 2,
      s3_key: expect.stringMatching(new RegExp(`^${kbId}/documents/`)),
    });
    const uploads = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        admin.post(`/api/v1/knowledge-bases/${kbId}/documents`, {
          title: `Note ${i}`,
          content: `Account note ${i}: the customer asked about term${i}x pricing.`,
          content_type: 'text/plain',
        }),
      ),
    );
    expect(uploads.map((u) => u.status)).toEqual(Array(10).fill(201));
    const after = await admin.get(`/api/v1/knowledge-bases/${kbId}`);
    expect(after.body).toMatchObject({ document_count: 11, chunk_count: 12, version: 12 });
    const docs = await admin.get(`/api/v1/knowledge-bases/${kbId}/documents?limit=100`);
    expect(docs.body.items.length).toBe(11);
  });

  it('retrieves from the stored index the passage that answers, and nothing for another tenant', async () => {
    const { agentRuntimeConfig } = await import('../../functions/platform/agent-config-composition.js');
    const { knowledge } = agentRuntimeConfig('AgentSessions');
    const [best] = await knowledge.retrieve(TENANT, kbId, 'who approves a multi-year renewal?', 3);
    expect(best).toMatchObject({
      source: expect.stringMatching(new RegExp(`^${kbId}/[0-9a-f-]{36}#1$`)),
      document_title: 'Renewals handbook',
      text: expect.stringContaining('regional director'),
    });
    for (let i = 0; i < 10; i++) {
      const [hit] = await knowledge.retrieve(TENANT, kbId, `term${i}x`, 1);
      expect(hit?.document_title).toBe(`Note ${i}`);
    }
    expect(await knowledge.retrieve(OTHER, kbId, 'regional director', 3)).toEqual([]);
  });

  it('creates an agent only on resources of its tenant, naming each missing one', async () => {
    const base = {
      name: 'Account assistant',
      persona_id: personaId,
      system_prompt: 'Summarise what changed for an account; cite the handbook.',
      skill_ids: [skillIds.get('get_entity_changes')!, skillIds.get('draft_email')!, skillId],
      knowledge_base_id: kbId,
    };
    const missing = await admin.post('/api/v1/agents', {
      ...base,
      persona_id: MISSING,
      skill_ids: [skillIds.get('write_summary')!, MISSING],
      knowledge_base_id: MISSING,
    });
    expect(missing.status).toBe(400);
    expect(fields(missing).sort()).toEqual(['knowledge_base_id', 'persona_id', 'skill_ids.1']);
    const foreign = await other.post('/api/v1/agents', { ...base, skill_ids: [skillIds.get('write_summary')!] });
    expect(fields(foreign).sort()).toEqual(['knowledge_base_id', 'persona_id']);
    const http = await admin.post('/api/v1/agents', { ...base, webhook_url: 'http://hooks.example.com/x' });
    expect(fields(http)).toEqual(['webhook_url']);
    const mem0 = await admin.post('/api/v1/agents', { ...base, memory_config: { provider: 'mem0', scope: 'agent' } });
    expect(fields(mem0)).toEqual(['memory_config.provider']);

    // The local platform lets webhooks reach its development receivers (loopback ports 8900-8999).
    const created = await admin.post('/api/v1/agents', { ...base, webhook_url: 'http://127.0.0.1:8999/approvals' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.webhook_secret).toMatch(/^whsec_/);
    agentId = created.body.id;
    const read = await admin.get(`/api/v1/agents/${agentId}`);
    expect(read.body).toMatchObject({ webhook_secret_configured: true, version: 1, daily_output_limit: 100 });
    expect(JSON.stringify(read.body)).not.toContain('whsec_');
    expect(JSON.stringify(read.body)).not.toContain('sealed');
    expect((await other.get(`/api/v1/agents/${agentId}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/agents/${MISSING}`)).status).toBe(404);
    expect((await admin.post('/api/v1/agents', { ...base, name: 'account ASSISTANT' })).status).toBe(409);
  });

  it('refuses to delete what the agent uses, naming it, and a change with a stale version', async () => {
    for (const path of [
      `/api/v1/personas/${personaId}`,
      `/api/v1/skills/${skillId}`,
      `/api/v1/knowledge-bases/${kbId}`,
    ]) {
      const res = await del(admin, path);
      expect(res.status, path).toBe(409);
      expect(res.body.error.message, path).toContain(agentId);
    }
    expect((await del(admin, `/api/v1/skills/${skillIds.get('draft_email')}`)).status).toBe(409);
    const changed = await admin.patch(`/api/v1/agents/${agentId}`, {
      version: 1,
      daily_output_limit: 5,
      knowledge_base_id: null,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, daily_output_limit: 5 });
    expect(changed.body).not.toHaveProperty('knowledge_base_id');
    const stale = await admin.patch(`/api/v1/agents/${agentId}`, { version: 1, is_active: false });
    expect(stale.status).toBe(409);
    expect(fields(stale)).toEqual(['version']);
  });

  it('deletes a document (its passages leave the index), then the knowledge base the agent no longer uses', async () => {
    const docs = await admin.get(`/api/v1/knowledge-bases/${kbId}/documents?limit=100`);
    const handbook = docs.body.items.find((d: { title: string }) => d.title === 'Renewals handbook');
    expect((await del(admin, `/api/v1/knowledge-bases/${kbId}/documents/${handbook.id}`)).status).toBe(204);
    expect((await del(admin, `/api/v1/knowledge-bases/${kbId}/documents/${handbook.id}`)).status).toBe(404);
    const { agentRuntimeConfig } = await import('../../functions/platform/agent-config-composition.js');
    const hits = await agentRuntimeConfig('AgentSessions').knowledge.retrieve(TENANT, kbId, 'regional director', 5);
    expect(hits.some((h) => h.text.includes('regional director'))).toBe(false);
    expect((await del(admin, `/api/v1/knowledge-bases/${kbId}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/knowledge-bases/${kbId}`)).status).toBe(404);
    expect((await del(admin, `/api/v1/agents/${agentId}`)).status).toBe(204);
    expect((await del(admin, `/api/v1/personas/${personaId}`)).status).toBe(204);
    const audit = await admin.get('/api/v1/audit?limit=100');
    const actions = new Set(audit.body.items.map((r: { action: string }) => r.action));
    for (const a of [
      'persona.create',
      'skill.create',
      'knowledge_base.create',
      'knowledge_document.create',
      'agent.create',
    ])
      expect(actions.has(a), a).toBe(true);
    for (const a of [
      'agent.update',
      'knowledge_document.delete',
      'knowledge_base.delete',
      'agent.delete',
      'persona.delete',
    ])
      expect(actions.has(a), a).toBe(true);
  });

  it('refuses readers without the permission', async () => {
    expect((await analyst.get('/api/v1/agents')).status).toBe(403);
    expect((await analyst.get('/api/v1/knowledge-bases')).status).toBe(403);
  });

  it('never answers a fuzzed body with a 5xx, and names a field in every 400', async () => {
    const str = (s: string): Doc => ({ t: 'str', s });
    const value = fc.oneof(
      weirdString.map(str),
      numberText.map((text): Doc => ({ t: 'num', text })),
      fc.constantFrom<Doc>({ t: 'lit', text: 'null' }, { t: 'arr', items: [str(MISSING)] }, str(MISSING)),
    );
    const routes: Array<[string, string[]]> = [
      ['/api/v1/personas', Object.keys(persona)],
      ['/api/v1/agents', ['name', 'persona_id', 'system_prompt', 'skill_ids', 'webhook_url', 'memory_config']],
      ['/api/v1/skills', ['name', 'display_name', 'description', 'input_schema']],
      ['/api/v1/knowledge-bases', ['name', 'provider', 'namespace']],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...routes)
          .chain(([path, names]) =>
            fc.tuple(fc.constant(path), fc.array(fc.tuple(fc.constantFrom(...names), value), { maxLength: 6 })),
          ),
        async ([path, entries]) => {
          const raw = render({ t: 'obj', entries }, true);
          const res = await admin.raw('POST', path, raw);
          expect(res.status, `${path} ${raw}`).toBeLessThan(500);
          if (res.status === 400) expect(fields(res).length).toBeGreaterThan(0);
        },
      ),
      { seed: 1204, numRuns: 60 },
    );
  }, 120_000);
});
