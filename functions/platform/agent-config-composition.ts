import { DynamoAgentConfigStore } from '../adapters/dynamodb/agent-config-repository.js';
import type { AgentDeps } from '../domain/agents/config/agents.js';
import { skillsOfAgent } from '../domain/agents/config/skills.js';
import { Bm25KnowledgeIndex, KnowledgeIndexStore } from '../domain/agents/knowledge/knowledge-index-store.js';
import type { KnowledgeDeps } from '../domain/agents/knowledge/knowledge-bases.js';
import type { KnowledgeIndex } from '../domain/agents/knowledge/ports.js';
import type { SkillDefinition } from '../domain/agents/skills/catalogue.js';
import type { StoredAgent } from '../domain/agents/config/ports.js';
import type { SecretBox } from '../domain/ports.js';
import { documentClient } from './aws-clients.js';
import { blobStore } from './blob-composition.js';
import type { FunctionName } from './manifest.js';
import { mutationWriter, systemClock, uuidIds } from './composition.js';
import { config } from './config.js';

/**
 * Composition of the agent configuration: the table-backed store of personas, skills, agents and knowledge bases, and
 * the knowledge bases' BM25 indexes in the `agent-knowledge/` area. One store and one index cache per process (a
 * Lambda instance keeps the indexes it loaded). The platform key, which only the agent routes need to seal webhook
 * secrets, is passed in by that handler (callback-key.ts), so the knowledge function bundles no Secrets Manager client.
 */
let store: DynamoAgentConfigStore | undefined;
const indexStores = new Map<FunctionName, KnowledgeIndexStore>();

export function agentConfigStore(): DynamoAgentConfigStore {
  store ??= new DynamoAgentConfigStore(documentClient(), config().TABLE_NAME, mutationWriter());
  return store;
}

/** The webhook URL policy of this stage: https only in AWS, the development loopback receivers locally. */
const urlPolicy = () => ({
  allowHttpLoopback: config().ALLOW_HTTP_LOOPBACK_WEBHOOKS,
  loopbackPorts: config().LOOPBACK_WEBHOOK_PORTS,
});

/** Deps of the persona, skill and agent routes. */
export function agentConfigDeps(secrets: SecretBox): AgentDeps {
  return {
    config: agentConfigStore(),
    secrets,
    get urlPolicy() {
      return urlPolicy();
    },
    clock: systemClock,
    ids: uuidIds,
  };
}

/** The index store of a function bound to the `agent-knowledge/` area (KnowledgeApi writes, AgentSessions reads). */
export function knowledgeIndexStore(fn: FunctionName): KnowledgeIndexStore {
  let indexes = indexStores.get(fn);
  if (!indexes) {
    indexes = new KnowledgeIndexStore(blobStore(fn, 'agent-knowledge/'));
    indexStores.set(fn, indexes);
  }
  return indexes;
}

/** Deps of the knowledge base and document routes (KnowledgeApi). */
export function knowledgeDeps(): KnowledgeDeps {
  return {
    config: agentConfigStore(),
    blobs: blobStore('KnowledgeApi', 'agent-knowledge/'),
    indexes: knowledgeIndexStore('KnowledgeApi'),
    clock: systemClock,
    ids: uuidIds,
  };
}

/** What the agent runtime of a function reads of the configuration: the store, the agent's skills, retrieval. */
export function agentRuntimeConfig(fn: FunctionName): {
  config: DynamoAgentConfigStore;
  skillsOf: (tenantId: string, agent: Pick<StoredAgent, 'skill_ids'>) => Promise<SkillDefinition[]>;
  knowledge: KnowledgeIndex;
} {
  const configStore = agentConfigStore();
  return {
    config: configStore,
    skillsOf: (tenantId, agent) => skillsOfAgent(tenantId, agent, { config: configStore }),
    knowledge: new Bm25KnowledgeIndex({ config: configStore, indexes: knowledgeIndexStore(fn) }),
  };
}

export function resetAgentConfigComposition(): void {
  store = undefined;
  indexStores.clear();
}
