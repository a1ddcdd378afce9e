import type { Message, Output, Session, UsageRow } from '../../../../schemas/agents.js';
import type { MutationRecord, Page } from '../../ports.js';
import type { SkillDefinition } from '../skills/catalogue.js';
import type { LlmUsage } from '../llm.js';

export interface StoredSession extends Session {
  /** Optimistic lock: every turn replaces the session item conditioned on it. */
  version: number;
}

/** A message with its position in the session (messages are kept in order by it). */
export interface StoredMessage extends Message {
  seq: number;
}

/** Sessions and their messages. Every method is scoped to one tenant. */
export interface SessionRepository {
  /** Stores a new session; ConflictError if the id exists. */
  create(tenantId: string, session: StoredSession, mutation: MutationRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<StoredSession | undefined>;
  /**
   * One turn in one transaction: the messages are added and the session replaced if its stored version is
   * `expectedVersion` (ConflictError otherwise: another turn of the same session won; nothing is written).
   */
  appendTurn(
    tenantId: string,
    session: StoredSession,
    expectedVersion: number,
    messages: readonly StoredMessage[],
    mutation: MutationRecord,
  ): Promise<void>;
  /** Messages in order (oldest first), paged. */
  listMessages(
    tenantId: string,
    sessionId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<StoredMessage>>;
  /** The newest `limit` messages, oldest first (the conversation the model sees). */
  recentMessages(tenantId: string, sessionId: string, limit: number): Promise<StoredMessage[]>;
}

/** What an agent remembers between conversations, per the scope of its memory configuration (seed 004). */
export interface MemoryItem {
  id: string;
  /** `agent:<id>`, `user:<agentId>:<userId>`, `session:<id>` or `prospect:<agentId>:<entityId>`. */
  scopeKey: string;
  text: string;
  createdAt: string;
  /** Past it the item is not recalled (and the table's TTL removes it). */
  expiresAt: string;
}

export interface MemoryStore {
  /** The newest unexpired items of a scope, newest first. */
  recall(tenantId: string, scopeKey: string, limit: number, now: Date): Promise<MemoryItem[]>;
  remember(tenantId: string, item: MemoryItem): Promise<void>;
}

/** Token and cost accounting per tenant, agent, model and UTC day, from the `usage` the model API returns. */
export interface UsageLedger {
  record(
    tenantId: string,
    entry: { date: string; agentId: string; model: string; usage: LlmUsage; costUsd: number },
  ): Promise<void>;
  /** Rows of the given UTC days (YYYY-MM-DD), of one agent or all. */
  list(tenantId: string, query: { days: readonly string[]; agentId?: string }): Promise<UsageRow[]>;
}

/** A verdict of the prompt-injection detector (functions/domain/security/injection). */
export interface InjectionScreen {
  (text: string): { score: number; injection: boolean; signals: string[] };
}

/** Where security events go (one log line each: ids, score, source; never the text). */
export interface SecurityEvents {
  promptInjection(event: {
    tenantId: string;
    agentId: string;
    sessionId: string;
    /** What the text was: `user_message`, `passage:<source>`, `tool_result:<skill>`, `memory:<scope>`. */
    source: string;
    score: number;
    signals: readonly string[];
    action: 'blocked' | 'quarantined';
  }): void;
  refusedToolCall(event: { tenantId: string; agentId: string; sessionId: string; skill: string; reason: string }): void;
}

/** Proposes an output of an output skill (functions/domain/agents/outputs): stored, gated, limited per day. */
export type ProposeOutput = (input: {
  tenantId: string;
  agent: { id: string; daily_output_limit: number; webhook_url?: string; sealed_webhook_secret?: string };
  sessionId: string;
  proposer: { userId: string; roles: readonly string[] };
  skill: SkillDefinition;
  skillInput: Record<string, unknown>;
  offline: boolean;
  requestId: string;
}) => Promise<Output>;
