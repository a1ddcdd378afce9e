/**
 * Composition of the agent sessions function: the configuration it reads (agents, personas, skills, retrieval), the
 * session store (sessions, messages, memory, usage), the model (Claude through the routed client, or the offline
 * model), the injection detector, the security log, the output proposals and the read-only skills over the graph.
 * Built once per container, on the first request (the model key may need a Secrets Manager read).
 */
import { DynamoAgentSessionStore } from '../adapters/dynamodb/agent-session-repository.js';
import type { ConversationDeps, RuntimeAgent } from '../domain/agents/runtime/conversation.js';
import type { SecurityEvents } from '../domain/agents/runtime/ports.js';
import { runReadSkill } from '../domain/agents/runtime/read-skills.js';
import { proposeOutput } from '../domain/agents/outputs/propose.js';
import { DETECTOR_VERSION, detectInjection } from '../domain/security/injection/detector.js';
import { agentRuntimeConfig } from './agent-config-composition.js';
import { proposeDeps } from './agent-output-composition.js';
import { documentClient } from './aws-clients.js';
import { caseStore } from './case-composition.js';
import { auditDeps, entityDeps, mutationWriter, readOnlyResolutionDeps, systemClock, uuidIds } from './composition.js';
import { config } from './config.js';
import { makeLlmClient } from './llm-composition.js';
import { logger } from './logger.js';
import { modelApiKey } from './model-key.js';
import { signalQueryDeps } from './signals-composition.js';

/** One model attempt's longest wait; a call (primary, then fallback) takes at most twice that. */
export const MODEL_CALL_TIMEOUT_MS = 8_000;
const MODEL_CALL_BUDGET_MS = 2 * MODEL_CALL_TIMEOUT_MS;

/** Security events: one warning line each, with ids, score and source, never the text. */
const securityLog: SecurityEvents = {
  promptInjection: (e) =>
    logger.warn('security.prompt_injection', {
      security: true,
      detector: DETECTOR_VERSION,
      ...e,
      signals: [...e.signals],
    }),
  refusedToolCall: (e) => logger.warn('security.tool_call_refused', { security: true, ...e }),
};

let deps: Promise<ConversationDeps> | undefined;

async function build(): Promise<ConversationDeps> {
  const runtime = agentRuntimeConfig('AgentSessions');
  const store = new DynamoAgentSessionStore(documentClient(), config().TABLE_NAME, mutationWriter());
  const apiKey = await modelApiKey();
  const baseUrl = config().ANTHROPIC_BASE_URL;
  const llm = makeLlmClient({
    ...(apiKey ? { apiKey } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    timeoutMs: MODEL_CALL_TIMEOUT_MS,
    budgetMs: MODEL_CALL_BUDGET_MS,
    clock: systemClock,
    log: (level, message, fields) => (level === 'warn' ? logger.warn(message, fields) : logger.info(message, fields)),
  });
  const outputs = proposeDeps('AgentSessions');
  const readDeps = {
    entities: entityDeps().entities,
    signals: signalQueryDeps().store,
    cases: caseStore(),
    resolution: readOnlyResolutionDeps(),
    audit: auditDeps().audit,
    clock: systemClock,
  };
  return {
    agents: {
      getAgent: (tenantId, id) => runtime.config.getAgent(tenantId, id) as Promise<RuntimeAgent | undefined>,
      getPersona: (tenantId, id) => runtime.config.getPersona(tenantId, id),
    },
    skillsOf: (tenantId, agent) => runtime.skillsOf(tenantId, agent),
    knowledge: runtime.knowledge,
    sessions: store,
    memory: store,
    usage: store,
    llm,
    screen: detectInjection,
    security: securityLog,
    proposeOutput: (input) => proposeOutput(input, outputs),
    readSkill: (name, input, ctx) => runReadSkill(name, input, ctx, readDeps),
    clock: systemClock,
    ids: uuidIds,
    modelCallBudgetMs: MODEL_CALL_BUDGET_MS,
  };
}

/** The deps, built on first use; a failed build (the key secret unreadable) is retried by the next request. */
export function agentSessionDeps(): Promise<ConversationDeps> {
  deps ??= build().catch((error) => {
    deps = undefined;
    throw error;
  });
  return deps;
}
