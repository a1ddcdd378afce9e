import type { UsageRow } from '../../schemas/agents.js';
import type {
  MemoryItem,
  MemoryStore,
  SessionRepository,
  StoredMessage,
  StoredSession,
  UsageLedger,
} from '../../functions/domain/agents/runtime/ports.js';
import type { LlmUsage } from '../../functions/domain/agents/llm.js';
import { ConflictError } from '../../functions/domain/errors.js';
import type { MutationRecord, Page } from '../../functions/domain/ports.js';

/** Sessions, messages, memories and usage in memory, with the Dynamo store's conditions (version, unique ids). */
export class InMemoryAgentSessionStore implements SessionRepository, MemoryStore, UsageLedger {
  readonly sessions = new Map<string, StoredSession>();
  readonly messages = new Map<string, StoredMessage[]>();
  readonly memories: Array<MemoryItem & { tenantId: string }> = [];
  readonly usage: Array<{
    tenantId: string;
    date: string;
    agentId: string;
    model: string;
    usage: LlmUsage;
    costUsd: number;
  }> = [];
  readonly mutations: MutationRecord[] = [];

  async create(tenantId: string, session: StoredSession, mutation: MutationRecord) {
    const key = `${tenantId}/${session.id}`;
    if (this.sessions.has(key)) throw new ConflictError(`session ${session.id} exists`);
    this.sessions.set(key, structuredClone(session));
    this.mutations.push(mutation);
  }
  async get(tenantId: string, id: string) {
    const s = this.sessions.get(`${tenantId}/${id}`);
    return s ? structuredClone(s) : undefined;
  }
  async appendTurn(
    tenantId: string,
    session: StoredSession,
    expectedVersion: number,
    messages: readonly StoredMessage[],
    mutation: MutationRecord,
  ) {
    const key = `${tenantId}/${session.id}`;
    if (this.sessions.get(key)?.version !== expectedVersion) throw new ConflictError('session changed');
    this.sessions.set(key, structuredClone(session));
    this.messages.set(key, [...(this.messages.get(key) ?? []), ...structuredClone(messages)]);
    this.mutations.push(mutation);
  }
  async listMessages(tenantId: string, sessionId: string, query: { limit: number; cursor?: string }) {
    const all = this.messages.get(`${tenantId}/${sessionId}`) ?? [];
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit);
    return {
      items,
      nextCursor: start + query.limit < all.length ? String(start + query.limit) : null,
    } satisfies Page<StoredMessage>;
  }
  async recentMessages(tenantId: string, sessionId: string, limit: number) {
    return (this.messages.get(`${tenantId}/${sessionId}`) ?? []).slice(-limit);
  }
  async recall(tenantId: string, scopeKey: string, limit: number, now: Date) {
    return this.memories
      .filter((m) => m.tenantId === tenantId && m.scopeKey === scopeKey && m.expiresAt > now.toISOString())
      .reverse()
      .slice(0, limit)
      .map(({ tenantId: _t, ...m }) => m);
  }
  async remember(tenantId: string, item: MemoryItem) {
    this.memories.push({ ...item, tenantId });
  }
  async record(
    tenantId: string,
    entry: { date: string; agentId: string; model: string; usage: LlmUsage; costUsd: number },
  ) {
    this.usage.push({ tenantId, ...entry });
  }
  async list(tenantId: string, query: { days: readonly string[]; agentId?: string }): Promise<UsageRow[]> {
    const rows = new Map<string, UsageRow>();
    for (const u of this.usage) {
      if (u.tenantId !== tenantId || !query.days.includes(u.date)) continue;
      if (query.agentId && u.agentId !== query.agentId) continue;
      const key = `${u.date}/${u.agentId}/${u.model}`;
      const row = rows.get(key) ?? {
        date: u.date,
        agent_id: u.agentId,
        model: u.model,
        calls: 0,
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cost_usd: 0,
      };
      row.calls += 1;
      row.input_tokens += u.usage.inputTokens;
      row.output_tokens += u.usage.outputTokens;
      row.cache_creation_input_tokens += u.usage.cacheCreationInputTokens;
      row.cache_read_input_tokens += u.usage.cacheReadInputTokens;
      row.cost_usd += u.costUsd;
      rows.set(key, row);
    }
    return [...rows.values()];
  }
}
