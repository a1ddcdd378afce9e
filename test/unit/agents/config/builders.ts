import { randomBytes } from 'node:crypto';
import { AesSecretBox } from '../../../../functions/adapters/crypto/aes-secret-box.js';
import type { AgentDeps } from '../../../../functions/domain/agents/config/agents.js';
import type { KnowledgeDeps } from '../../../../functions/domain/agents/knowledge/knowledge-bases.js';
import { KnowledgeIndexStore } from '../../../../functions/domain/agents/knowledge/knowledge-index-store.js';
import { skillIdOf } from '../../../../functions/domain/agents/skills/catalogue.js';
import type { RequestContext } from '../../../../functions/domain/ports.js';
import { PRODUCTION_URL_POLICY } from '../../../../functions/domain/webhooks/url-policy.js';
import {
  CreateAgentRequest,
  CreatePersonaRequest,
  CreateSkillRequest,
  type CreateAgentRequest as AgentBody,
} from '../../../../schemas/agents.js';
import { fixedClock } from '../../../fakes/clock-and-ids.js';
import { InMemoryAgentConfigStore, uuidIds } from '../../../fakes/in-memory-agent-config.js';
import { InMemoryBytesStore } from '../../../fakes/in-memory-mining.js';

export const ctxOf = (tenantId = 'tenant-a', roles: string[] = ['admin'], userId = 'ada'): RequestContext => ({
  principal: { tenantId, userId, roles },
  requestId: 'req-1',
});
export const admin = ctxOf();

/** The configuration use cases over fakes: one store, one bucket area, a real SecretBox, production URL policy. */
export function configWorld() {
  const config = new InMemoryAgentConfigStore();
  const blobs = new InMemoryBytesStore();
  const secrets = new AesSecretBox(async () => randomBytes(48));
  const clock = fixedClock('2026-11-30T09:00:00.000Z');
  const ids = uuidIds();
  const agentDeps: AgentDeps = { config, secrets, urlPolicy: PRODUCTION_URL_POLICY, clock, ids };
  const knowledgeDeps: KnowledgeDeps = {
    config,
    blobs,
    indexes: new KnowledgeIndexStore(blobs),
    clock,
    ids,
    sleep: async () => undefined,
  };
  return { config, blobs, secrets, clock, ids, agentDeps, knowledgeDeps };
}

export const aPersonaBody = (overrides: Record<string, unknown> = {}) =>
  CreatePersonaRequest.parse({
    name: 'Enterprise Sales Rep',
    role: 'Senior Account Executive',
    communication_style: 'professional, consultative',
    tone: 'friendly but formal',
    target_audience: 'C-level executives',
    ...overrides,
  });

export const SUMMARY_SKILL = skillIdOf('write_summary');
export const CHANGES_SKILL = skillIdOf('get_entity_changes');

/** An agent body as the edge parses it (defaults applied). */
export const anAgentBody = (personaId: string, overrides: Partial<Record<keyof AgentBody, unknown>> = {}) =>
  CreateAgentRequest.parse({
    name: 'Account assistant',
    persona_id: personaId,
    system_prompt: 'Summarise what changed for an account.',
    skill_ids: [CHANGES_SKILL, SUMMARY_SKILL],
    ...overrides,
  });

export const aSkillBody = (overrides: Record<string, unknown> = {}) =>
  CreateSkillRequest.parse({
    name: 'open_ticket',
    display_name: 'Open a support ticket',
    description: 'Proposes a ticket in the support desk for a person to file.',
    input_schema: {
      type: 'object',
      properties: {
        title: { type: 'string', maxLength: 120, description: 'one line' },
        priority: { enum: ['low', 'normal', 'high'] },
        estimate_hours: { type: 'integer', minimum: 0, maximum: 100 },
        urgent: { type: 'boolean' },
      },
      required: ['title', 'priority'],
    },
    ...overrides,
  });
