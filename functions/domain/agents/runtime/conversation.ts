/**
 * Agent sessions: a user talks with an agent; the agent answers in its persona's style from the conversation, its
 * memory and the passages its knowledge base returns, calls its skills (model tool use) and proposes outputs.
 *
 * Defence in depth against prompt injection:
 * 1. every text that reaches the model (the user's message, retrieved passages, recalled memories, skill results,
 *    which carry synced CRM fields) passes the detector first; a detection is a security event (ids, score,
 *    source, never the text), and the text is blocked (the user's message: the model is not called) or quarantined
 *    (a passage, memory or skill result: left out, and the answer says so);
 * 2. a missed injection still cannot act: a tool call is checked against the agent's own skills, its input against
 *    the skill's schema, read skills run with the session user's roles in the user's tenant, and an output skill
 *    only proposes: its output waits for a human approval, and a sensitive or non-automatable skill's output is
 *    never executed by the platform at all.
 */
import { createHash } from 'node:crypto';
import type { Message, Passage, Persona, Session } from '../../../../schemas/agents.js';
import { requirePermission } from '../../auth/authorize.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { Clock, IdGenerator, RequestContext } from '../../ports.js';
import type { LlmClient, LlmContentBlock, LlmMessage, LlmResponse, LlmTask } from '../llm.js';
import { SYSTEM_SKILLS, type SkillDefinition } from '../skills/catalogue.js';
import type {
  InjectionScreen,
  MemoryStore,
  ProposeOutput,
  SecurityEvents,
  SessionRepository,
  StoredMessage,
  StoredSession,
  UsageLedger,
} from './ports.js';
import { OFFLINE_LABEL } from '../offline-model.js';
import { buildSystemPrompt, passagesBlock, skillTools } from './prompt.js';

/** The agent as the runtime needs it (the configuration repository's StoredAgent). */
export interface RuntimeAgent {
  id: string;
  name: string;
  persona_id: string;
  system_prompt: string;
  skill_ids: string[];
  knowledge_base_id?: string;
  memory_config: { provider: string; scope: 'agent' | 'user' | 'session' | 'prospect'; retention_days?: number };
  daily_output_limit: number;
  webhook_url?: string;
  sealed_webhook_secret?: string;
  is_active: boolean;
}

export interface ConversationDeps {
  agents: {
    getAgent(tenantId: string, id: string): Promise<RuntimeAgent | undefined>;
    getPersona(tenantId: string, id: string): Promise<Persona | undefined>;
  };
  /** The skills an agent holds (system skills and the tenant's custom skills). */
  skillsOf(tenantId: string, agent: RuntimeAgent): Promise<SkillDefinition[]>;
  knowledge: { retrieve(tenantId: string, knowledgeBaseId: string, query: string, k: number): Promise<Passage[]> };
  sessions: SessionRepository;
  memory: MemoryStore;
  usage: UsageLedger;
  llm: LlmClient;
  screen: InjectionScreen;
  security: SecurityEvents;
  proposeOutput: ProposeOutput;
  /** Runs a read-only skill with the given request context (runtime/read-skills.ts). */
  readSkill(name: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  clock: Clock;
  ids: IdGenerator;
  /** The longest one model call may take, fallback included (the turn starts no round it cannot finish). */
  modelCallBudgetMs: number;
}

/** The longest a turn's model calls may take together: below API Gateway's 29 s with the turn's reads and writes. */
export const TURN_BUDGET_MS = 25_000;

/** Tool-use rounds per message: a model that keeps calling tools past this is stopped and answers with what it has. */
export const MAX_TOOL_ROUNDS = 4;
/** Messages of the conversation the model sees (the newest). */
export const HISTORY_MESSAGES = 20;
export const PASSAGES_PER_MESSAGE = 4;
export const MEMORIES_PER_MESSAGE = 5;
/** A skill result longer than this is cut (the model sees that it was). */
export const MAX_TOOL_RESULT_CHARS = 20_000;
export const DEFAULT_MEMORY_RETENTION_DAYS = 30;
const MAX_ANSWER_TOKENS = 1_024;
/** Appends of one turn when other turns of the session keep winning the race. */
const MAX_TURN_ATTEMPTS = 25;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The session, if it exists and belongs to the caller (or the caller is an admin of the tenant). */
async function ownSession(id: string, ctx: RequestContext, deps: Pick<ConversationDeps, 'sessions'>) {
  const session = await deps.sessions.get(ctx.principal.tenantId, id);
  if (!session) throw new NotFoundError(`session ${id} not found`);
  if (session.user_id !== ctx.principal.userId && !ctx.principal.roles.includes('admin'))
    throw new ForbiddenError(`session ${id} belongs to another user`, { reason: 'forbidden' });
  return session;
}

const publicSession = ({ version, ...s }: StoredSession): Session => s;
const publicMessage = ({ seq, ...m }: StoredMessage): Message => m;

/** POST /agents/{id}/sessions: starts a session of an active agent for the caller. */
export async function createSession(
  agentId: string,
  body: { metadata?: Record<string, unknown> },
  ctx: RequestContext,
  deps: Pick<ConversationDeps, 'agents' | 'sessions' | 'clock' | 'ids'>,
): Promise<Session> {
  requirePermission(ctx.principal, 'agents:read');
  const tenantId = ctx.principal.tenantId;
  const agent = await deps.agents.getAgent(tenantId, agentId);
  if (!agent) throw new NotFoundError(`agent ${agentId} not found`);
  if (!agent.is_active) throw new ConflictError(`agent ${agentId} is not active`);
  const now = deps.clock.now().toISOString();
  const session: StoredSession = {
    id: deps.ids.newId(),
    tenant_id: tenantId,
    agent_id: agentId,
    user_id: ctx.principal.userId,
    started_at: now,
    ended_at: null,
    message_count: 0,
    output_count: 0,
    metadata: body.metadata ?? {},
    version: 1,
  };
  await deps.sessions.create(tenantId, session, {
    audit: {
      action: 'session.create',
      actor: ctx.principal.userId,
      resourceType: 'session',
      resourceId: session.id,
      at: now,
      requestId: ctx.requestId,
      beforeHash: null,
      afterHash: sha256(JSON.stringify(publicSession(session))),
    },
    events: [],
  });
  return publicSession(session);
}

export async function getSession(id: string, ctx: RequestContext, deps: Pick<ConversationDeps, 'sessions'>) {
  requirePermission(ctx.principal, 'agents:read');
  return publicSession(await ownSession(id, ctx, deps));
}

export async function listMessages(
  id: string,
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<ConversationDeps, 'sessions'>,
) {
  requirePermission(ctx.principal, 'agents:read');
  await ownSession(id, ctx, deps);
  const page = await deps.sessions.listMessages(ctx.principal.tenantId, id, query);
  return { items: page.items.map(publicMessage), nextCursor: page.nextCursor };
}

/** The memory scope key of a session under its agent's memory configuration. */
export function memoryScopeKey(agent: RuntimeAgent, session: Session): string {
  switch (agent.memory_config.scope) {
    case 'agent':
      return `agent:${agent.id}`;
    case 'session':
      return `session:${session.id}`;
    case 'prospect': {
      const prospect = session.metadata.prospect_id;
      // Without a prospect in the session's context, memories stay with the session.
      return typeof prospect === 'string' && prospect ? `prospect:${agent.id}:${prospect}` : `session:${session.id}`;
    }
    default:
      return `user:${agent.id}:${session.user_id}`;
  }
}

/**
 * How the routing table should pick a model for a message: the type by what the agent can do (drafting outputs, or
 * conversing), the complexity by the message's size as a proxy, and the caller's preference when it states one.
 */
function taskOf(content: string, skills: readonly SkillDefinition[], preference?: LlmTask['preference']): LlmTask {
  const complexity = content.length < 500 ? 'low' : content.length < 4_000 ? 'medium' : 'high';
  return {
    type: skills.some((s) => s.kind === 'output') ? 'draft' : 'chat',
    complexity,
    ...(preference ? { preference } : {}),
  };
}

/** A user message the detector blocked: kept in the session for the record, never shown to a model again. */
const wasBlocked = (m: StoredMessage) => m.role === 'user' && !!m.quarantined?.some((q) => q.source === 'user_message');

type Quarantine = NonNullable<Message['quarantined']>[number];
type SkillCall = NonNullable<Message['skill_calls']>[number];

/**
 * POST /sessions/{id}/messages: one turn. The user's message and the agent's answer are stored together with the
 * session's counters in one transaction after the answer is complete; a failure before (the model unavailable, the
 * daily output limit reached) stores no message. `onText` receives the answer's text as it streams.
 */
export async function postMessage(
  sessionId: string,
  body: { content: string; model_preference?: LlmTask['preference'] },
  ctx: RequestContext,
  deps: ConversationDeps,
  options: { onText?: (delta: string) => void } = {},
): Promise<Message> {
  requirePermission(ctx.principal, 'agents:read');
  const tenantId = ctx.principal.tenantId;
  const session = await ownSession(sessionId, ctx, deps);
  if (session.ended_at) throw new ConflictError(`session ${sessionId} has ended`);
  const agent = await deps.agents.getAgent(tenantId, session.agent_id);
  if (!agent) throw new NotFoundError(`agent ${session.agent_id} of session ${sessionId} not found`);
  if (!agent.is_active) throw new ConflictError(`agent ${agent.id} is not active`);
  const persona = await deps.agents.getPersona(tenantId, agent.persona_id);
  const held = await deps.skillsOf(tenantId, agent);
  const now = deps.clock.now();
  const trace = { tenantId, agentId: agent.id, sessionId };
  const quarantined: Quarantine[] = [];
  const screened = (source: string, text: string, action: 'blocked' | 'quarantined'): boolean => {
    const verdict = deps.screen(text);
    if (!verdict.injection) return true;
    deps.security.promptInjection({ ...trace, source, score: verdict.score, signals: verdict.signals, action });
    quarantined.push({ source, score: verdict.score, reason: verdict.signals });
    return false;
  };

  const assistantId = `msg_${deps.ids.newId()}`;
  const userMessage: StoredMessage = {
    id: `msg_${deps.ids.newId()}`,
    seq: session.message_count + 1,
    session_id: sessionId,
    role: 'user',
    content: body.content,
    created_at: now.toISOString(),
  };

  let answer: Omit<StoredMessage, 'id' | 'seq' | 'session_id' | 'role' | 'created_at'>;
  const outputIds: string[] = [];
  // A tenant's own skills carry text it wrote (description, input schema) into the model's tools: screened too.
  const skills = held.filter(
    (s) =>
      SYSTEM_SKILLS.includes(s) ||
      screened(`skill:${s.name}`, `${s.description}\n${JSON.stringify(skillTools([s]))}`, 'quarantined'),
  );
  if (!screened('user_message', body.content, 'blocked')) {
    userMessage.quarantined = quarantined.filter((q) => q.source === 'user_message');
    answer = {
      content:
        "This message was not passed to the model: it reads as an attempt to override the agent's instructions. Rephrase it as a request, and it will be answered.",
      model: 'none',
      offline: false,
      quarantined,
    };
  } else {
    const passages: Passage[] = [];
    if (agent.knowledge_base_id) {
      for (const p of await deps.knowledge.retrieve(
        tenantId,
        agent.knowledge_base_id,
        body.content,
        PASSAGES_PER_MESSAGE,
      ))
        if (screened(`passage:${p.source}`, p.text, 'quarantined')) passages.push(p);
    }
    const scopeKey = memoryScopeKey(agent, session);
    const memories = (await deps.memory.recall(tenantId, scopeKey, MEMORIES_PER_MESSAGE, now)).filter((m) =>
      screened(`memory:${m.id}`, m.text, 'quarantined'),
    );
    const stored = await deps.sessions.recentMessages(tenantId, sessionId, HISTORY_MESSAGES);
    // A blocked message and the refusal that answered it stay out of the conversation the model sees.
    const history = stored.filter(
      (m, i) => !wasBlocked(m) && !(m.role === 'assistant' && stored[i - 1] && wasBlocked(stored[i - 1]!)),
    );
    const messages: LlmMessage[] = [
      ...history.map((m) => ({ role: m.role, content: [{ type: 'text' as const, text: m.content }] })),
      {
        role: 'user',
        content: [
          { type: 'text', text: passages.length ? `${body.content}\n\n${passagesBlock(passages)}` : body.content },
        ],
      },
    ];
    const system = buildSystemPrompt({ agent, persona, memories, quarantinedCount: quarantined.length });
    const tools = skillTools(skills);
    const task = taskOf(body.content, skills, body.model_preference);
    const skillCalls: SkillCall[] = [];
    const texts: string[] = [];
    let last: LlmResponse | undefined;
    const totals = { input_tokens: 0, output_tokens: 0, cost_usd: 0 };
    const started = deps.clock.now().getTime();
    for (let round = 1; round <= MAX_TOOL_ROUNDS; round++) {
      // A round starts only when a whole model call still fits the turn's budget (API Gateway answers at 29 s).
      if (round > 1 && deps.clock.now().getTime() - started > TURN_BUDGET_MS - deps.modelCallBudgetMs) {
        texts.push('Stopped before another round of skill calls: the answer ran out of time.');
        break;
      }
      last = await deps.llm.complete({
        task,
        system,
        messages,
        tools,
        maxTokens: MAX_ANSWER_TOKENS,
        ...(options.onText ? { onText: options.onText } : {}),
        trace,
      });
      totals.input_tokens +=
        last.usage.inputTokens + last.usage.cacheCreationInputTokens + last.usage.cacheReadInputTokens;
      totals.output_tokens += last.usage.outputTokens;
      totals.cost_usd += last.costUsd;
      await deps.usage.record(tenantId, {
        date: now.toISOString().slice(0, 10),
        agentId: agent.id,
        model: last.model,
        usage: last.usage,
        costUsd: last.costUsd,
      });
      for (const block of last.content) if (block.type === 'text' && block.text.trim()) texts.push(block.text);
      const calls = last.content.filter((b) => b.type === 'tool_use');
      if (last.stopReason !== 'tool_use' || calls.length === 0) break;
      if (round === MAX_TOOL_ROUNDS) {
        // The model would see no result of these calls: none runs, so none acts unseen.
        for (const call of calls)
          skillCalls.push({ skill: call.name, outcome: 'refused', reason: `more than ${MAX_TOOL_ROUNDS} tool rounds` });
        texts.push(`Stopped after ${MAX_TOOL_ROUNDS} rounds of skill calls.`);
        break;
      }
      messages.push({ role: 'assistant', content: last.content });
      const results: LlmContentBlock[] = [];
      for (const call of calls) {
        const result = await callSkill(call, {
          skills,
          agent,
          session,
          ctx,
          deps,
          skillCalls,
          outputIds,
          screened,
          offline: last.offline,
        });
        results.push({ type: 'tool_result', tool_use_id: call.id, content: result.content, is_error: result.isError });
      }
      messages.push({ role: 'user', content: results });
    }
    const offline = last?.offline ?? false;
    let content = texts.join('\n\n').trim() || 'No answer text was produced.';
    if (offline && !content.startsWith(OFFLINE_LABEL)) content = `${OFFLINE_LABEL}${content}`;
    answer = {
      content,
      model: last?.model ?? 'none',
      offline,
      ...(passages.length ? { passages } : {}),
      ...(skillCalls.length ? { skill_calls: skillCalls } : {}),
      ...(outputIds.length ? { output_ids: outputIds } : {}),
      ...(quarantined.length ? { quarantined } : {}),
      usage: { ...totals, cost_usd: Math.round(totals.cost_usd * 1e6) / 1e6 },
    };
    await deps.memory.remember(tenantId, {
      id: `mem_${deps.ids.newId()}`,
      scopeKey,
      text: `User: ${body.content.slice(0, 400)}\nAgent: ${content.slice(0, 400)}`,
      createdAt: now.toISOString(),
      expiresAt: new Date(
        now.getTime() + (agent.memory_config.retention_days ?? DEFAULT_MEMORY_RETENTION_DAYS) * 86_400_000,
      ).toISOString(),
    });
  }
  const createdAt = deps.clock.now().toISOString();
  // Turns of one session may race (two tabs, a retried request): the loser re-reads the session and appends after
  // the winner, so an answer whose output was accepted is never lost to a version conflict.
  let current = session;
  for (let attempt = 1; ; attempt++) {
    const turn = [
      { ...userMessage, seq: current.message_count + 1 },
      {
        id: assistantId,
        seq: current.message_count + 2,
        session_id: sessionId,
        role: 'assistant' as const,
        created_at: createdAt,
        ...answer,
      },
    ];
    const next: StoredSession = {
      ...current,
      message_count: current.message_count + 2,
      output_count: current.output_count + outputIds.length,
      version: current.version + 1,
    };
    try {
      await deps.sessions.appendTurn(tenantId, next, current.version, turn, {
        audit: {
          action: 'session.message',
          actor: ctx.principal.userId,
          resourceType: 'session',
          resourceId: sessionId,
          at: createdAt,
          requestId: ctx.requestId,
          beforeHash: sha256(JSON.stringify(publicSession(current))),
          afterHash: sha256(JSON.stringify(publicSession(next))),
        },
        events: [],
      });
      return publicMessage(turn[1]!);
    } catch (error) {
      const latest =
        error instanceof ConflictError && attempt < MAX_TURN_ATTEMPTS
          ? await deps.sessions.get(tenantId, sessionId)
          : undefined;
      if (!latest) throw error;
      current = latest;
    }
  }
}

interface CallContext {
  skills: readonly SkillDefinition[];
  agent: RuntimeAgent;
  session: StoredSession;
  ctx: RequestContext;
  deps: ConversationDeps;
  skillCalls: SkillCall[];
  outputIds: string[];
  screened: (source: string, text: string, action: 'blocked' | 'quarantined') => boolean;
  /** The model asking is the offline model: its outputs are labelled as such. */
  offline: boolean;
}

/**
 * One tool call of the model, checked before anything runs: the skill must be one of the agent's, its input must
 * pass the skill's schema. A read skill runs with the session user's roles; its result is screened like any text
 * that reaches the model. An output skill proposes its output (gated; DailyLimitExceededError propagates: 429).
 */
async function callSkill(
  call: Extract<LlmContentBlock, { type: 'tool_use' }>,
  c: CallContext,
): Promise<{ content: string; isError: boolean }> {
  const { deps, ctx, agent, session } = c;
  const refuse = (reason: string) => {
    deps.security.refusedToolCall({
      tenantId: ctx.principal.tenantId,
      agentId: agent.id,
      sessionId: session.id,
      skill: call.name,
      reason,
    });
    c.skillCalls.push({ skill: call.name, outcome: 'refused', reason });
    return { content: `Refused: ${reason}`, isError: true };
  };
  const skill = c.skills.find((s) => s.name === call.name);
  if (!skill) return refuse(`${call.name} is not a skill of this agent`);
  const parsed = skill.input.safeParse(call.input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    return refuse(`invalid input for ${skill.name}: ${issues}`);
  }
  if (skill.kind === 'read') {
    const result = await deps.readSkill(skill.name, parsed.data, ctx);
    let text = JSON.stringify(result);
    if (text.length > MAX_TOOL_RESULT_CHARS)
      text = `${text.slice(0, MAX_TOOL_RESULT_CHARS)}… [cut at ${MAX_TOOL_RESULT_CHARS} characters]`;
    c.skillCalls.push({ skill: skill.name, outcome: 'executed' });
    if (!c.screened(`tool_result:${skill.name}`, text, 'quarantined'))
      return {
        content: 'Withheld: the result was flagged as a possible prompt injection and not shown.',
        isError: true,
      };
    return { content: text, isError: false };
  }
  const output = await deps.proposeOutput({
    tenantId: ctx.principal.tenantId,
    agent: {
      id: agent.id,
      daily_output_limit: agent.daily_output_limit,
      ...(agent.webhook_url ? { webhook_url: agent.webhook_url } : {}),
      ...(agent.sealed_webhook_secret ? { sealed_webhook_secret: agent.sealed_webhook_secret } : {}),
    },
    sessionId: session.id,
    proposer: { userId: ctx.principal.userId, roles: ctx.principal.roles },
    skill,
    skillInput: parsed.data,
    offline: c.offline,
    requestId: ctx.requestId,
  });
  c.outputIds.push(output.id);
  c.skillCalls.push({ skill: skill.name, outcome: 'output', output_id: output.id });
  return {
    content: JSON.stringify({
      output_id: output.id,
      status: output.status,
      note: 'Stored for human approval; nothing has been sent or changed yet.',
    }),
    isError: false,
  };
}
