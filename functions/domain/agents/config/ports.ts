/**
 * Ports of the agent configuration (seed 004): personas, the tenant's own skills, agents and knowledge bases. The agent
 * runtime reads them through `AgentConfigRepository`; the configuration API changes them through `AgentConfigStore`.
 */
import type { Agent, KnowledgeBase, KnowledgeDocument, Persona, Skill } from '../../../../schemas/agents.js';
import type { MutationRecord, Page } from '../../ports.js';

/** An agent as stored: the public view and its webhook signing secret sealed with the tenant's key (never returned). */
export type StoredAgent = Agent & { sealed_webhook_secret?: string };

/** A tenant's own skill (`is_system: false`, category `custom`, never automatable). */
export type StoredCustomSkill = Skill;

/** A knowledge base as stored: the public view and the object key of its current BM25 index (null: no document). */
export type StoredKnowledgeBase = KnowledgeBase & { index_key: string | null };

/** What the agent runtime reads of the configuration. Every method is scoped to one tenant. */
export interface AgentConfigRepository {
  getAgent(tenantId: string, id: string): Promise<StoredAgent | undefined>;
  getPersona(tenantId: string, id: string): Promise<Persona | undefined>;
  getKnowledgeBase(tenantId: string, id: string): Promise<StoredKnowledgeBase | undefined>;
  getCustomSkill(tenantId: string, id: string): Promise<StoredCustomSkill | undefined>;
}

/** The kinds of configuration whose names are unique in a tenant (each kind on its own). */
export type ConfigKind = 'persona' | 'skill' | 'agent' | 'kb';

/** A resource an agent refers to. Its item records the agents that do, in the agent's own transaction. */
export interface ConfigRef {
  kind: 'persona' | 'skill' | 'kb';
  id: string;
}

type ListQuery = { limit: number; cursor?: string };

/**
 * The configuration as the API changes it. Every write is one transaction with its audit record: the resource, the
 * claim of its name (unique per tenant and kind, compared in its normalised form, `nameKeyOf`) and, for agents, the
 * references they hold. A condition that fails (a name taken, a stale version, a resource referred to that is gone,
 * or one still in use) is a ConflictError and nothing is written; the use cases find out which and say so.
 */
export interface AgentConfigStore extends AgentConfigRepository {
  /** The id of the resource of this kind that holds the name, if any. */
  nameOwner(tenantId: string, kind: ConfigKind, name: string): Promise<string | undefined>;
  /** The agents that refer to the resource; undefined when the resource does not exist. */
  usersOf(tenantId: string, ref: ConfigRef): Promise<string[] | undefined>;

  createPersona(tenantId: string, persona: Persona, mutation: MutationRecord): Promise<void>;
  /** Replaces the persona if its stored version is `previous.version` (moving its name claim if the name changed). */
  updatePersona(tenantId: string, persona: Persona, previous: Persona, mutation: MutationRecord): Promise<void>;
  /** Deletes the persona if its stored version is `persona.version` and no agent refers to it. */
  deletePersona(tenantId: string, persona: Persona, mutation: MutationRecord): Promise<void>;
  /** Newest first. */
  listPersonas(tenantId: string, query: ListQuery): Promise<Page<Persona>>;

  createCustomSkill(tenantId: string, skill: StoredCustomSkill, mutation: MutationRecord): Promise<void>;
  /** Deletes the skill if no agent refers to it. */
  deleteCustomSkill(tenantId: string, skill: StoredCustomSkill, mutation: MutationRecord): Promise<void>;
  /** Newest first. */
  listCustomSkills(tenantId: string, query: ListQuery): Promise<Page<StoredCustomSkill>>;

  /** Stores a new agent and records it on every resource of `refs` (each must exist). */
  createAgent(
    tenantId: string,
    agent: StoredAgent,
    refs: readonly ConfigRef[],
    mutation: MutationRecord,
  ): Promise<void>;
  /**
   * Replaces the agent if its stored version is `previous.version`: its name claim follows a new name, the resources
   * of `added` (each must exist) record it, those of `removed` no longer do.
   */
  updateAgent(
    tenantId: string,
    agent: StoredAgent,
    previous: StoredAgent,
    refs: { added: readonly ConfigRef[]; removed: readonly ConfigRef[] },
    mutation: MutationRecord,
  ): Promise<void>;
  /** Deletes the agent if its stored version is `agent.version`; the resources of `refs` no longer record it. */
  deleteAgent(
    tenantId: string,
    agent: StoredAgent,
    refs: readonly ConfigRef[],
    mutation: MutationRecord,
  ): Promise<void>;
  /** Newest first. */
  listAgents(tenantId: string, query: ListQuery): Promise<Page<StoredAgent>>;

  createKnowledgeBase(tenantId: string, kb: StoredKnowledgeBase, mutation: MutationRecord): Promise<void>;
  /** Deletes the knowledge base if its stored version is `kb.version` and no agent refers to it. */
  deleteKnowledgeBase(tenantId: string, kb: StoredKnowledgeBase, mutation: MutationRecord): Promise<void>;
  /** Newest first. */
  listKnowledgeBases(tenantId: string, query: ListQuery): Promise<Page<StoredKnowledgeBase>>;

  /**
   * One change of a knowledge base's documents, in one transaction: the knowledge base replaced if its stored version
   * is `expectedVersion` (its counts and index key), and the document's item put (`put`) or deleted (`delete`, which
   * must exist).
   */
  changeDocuments(
    tenantId: string,
    kb: StoredKnowledgeBase,
    expectedVersion: number,
    change: { put: KnowledgeDocument } | { delete: KnowledgeDocument },
    mutation: MutationRecord,
  ): Promise<void>;
  getDocument(tenantId: string, knowledgeBaseId: string, documentId: string): Promise<KnowledgeDocument | undefined>;
  /** Newest first. */
  listDocuments(tenantId: string, knowledgeBaseId: string, query: ListQuery): Promise<Page<KnowledgeDocument>>;
  /** Removes the document items of a deleted knowledge base (bookkeeping: no audit, the deletion was audited). */
  purgeDocuments(tenantId: string, knowledgeBaseId: string): Promise<number>;
}
