/**
 * Agents (seed 004): a persona, a system prompt, skills, optionally a knowledge base, a memory configuration, a daily
 * output limit and a webhook that approval requests of its outputs are sent to. Every resource an agent names must
 * exist in the tenant (400 naming the field); the agent is recorded on each of them in its own transaction, so none
 * can be deleted while it is used. The webhook's signing secret is sealed with the tenant's key and never returned:
 * a secret the platform generates (a webhook given without one) is shown once, in the answer that created it.
 */
import type {
  Agent,
  AgentWithSecret,
  CreateAgentRequest,
  MemoryConfig,
  UpdateAgentRequest,
} from '../../../../schemas/agents.js';
import { changeAuditOf } from '../../audit/audit-actor.js';
import { requirePermission } from '../../auth/authorize.js';
import { NotFoundError, ValidationError, type ErrorDetail } from '../../errors.js';
import type { Clock, IdGenerator, Page, RequestContext, SecretBox } from '../../ports.js';
import { generateWebhookSecret, isValidWebhookSecret } from '../../webhooks/signing.js';
import { checkWebhookUrl, type UrlPolicy } from '../../webhooks/url-policy.js';
import { explainConflict, nameTaken, staleVersion } from './conflicts.js';
import { nameKeyOf } from './names.js';
import type { AgentConfigStore, ConfigRef, StoredAgent } from './ports.js';
import { systemSkillOf } from './skills.js';

export interface AgentDeps {
  config: AgentConfigStore;
  /** Seals webhook signing secrets with the tenant's key. */
  secrets: SecretBox;
  /** Where webhooks may go: https only in AWS; the local platform adds its development loopback receivers. */
  urlPolicy: UrlPolicy;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Custom skills one agent may hold. Each is a reference written in the agent's transaction (and a change may drop as
 * many as it adds), which keeps a change within DynamoDB's 100 items a transaction.
 */
export const MAX_CUSTOM_SKILLS_PER_AGENT = 40;

/** The agent as the API returns it: whether a webhook secret is stored, never the secret. */
export function publicAgent(agent: StoredAgent): Agent {
  const { sealed_webhook_secret: sealed, ...view } = agent;
  return { ...view, webhook_secret_configured: sealed !== undefined };
}

/** The resources an agent refers to (system skills are the platform's, never deleted: not references). */
export function referencesOf(agent: Pick<StoredAgent, 'persona_id' | 'skill_ids' | 'knowledge_base_id'>): ConfigRef[] {
  return [
    { kind: 'persona', id: agent.persona_id },
    ...(agent.knowledge_base_id ? [{ kind: 'kb' as const, id: agent.knowledge_base_id }] : []),
    ...agent.skill_ids.filter((id) => !systemSkillOf(id)).map((id) => ({ kind: 'skill' as const, id })),
  ];
}

const refKey = (r: ConfigRef) => `${r.kind}:${r.id}`;

function refsDiff(before: readonly ConfigRef[], after: readonly ConfigRef[]) {
  const was = new Set(before.map(refKey));
  const is = new Set(after.map(refKey));
  return { added: after.filter((r) => !was.has(refKey(r))), removed: before.filter((r) => !is.has(refKey(r))) };
}

function refuse(problems: ErrorDetail[]): void {
  if (problems.length === 0) return;
  throw new ValidationError(`invalid agent: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, {
    details: problems,
  });
}

/** Problems of the settings that need no lookup: the memory provider, the webhook, duplicate and too many skills. */
function settingProblems(
  fields: { memory_config?: MemoryConfig; skill_ids?: readonly string[] },
  webhook: { url: string | undefined; secret: string | undefined },
  urlPolicy: UrlPolicy,
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (fields.memory_config?.provider === 'mem0')
    problems.push({
      field: 'memory_config.provider',
      message: 'mem0 is not available in this deployment: use in-memory (the platform keeps memories in its table)',
    });
  if (webhook.url !== undefined) {
    const verdict = checkWebhookUrl(webhook.url, urlPolicy);
    if (!verdict.allowed) problems.push({ field: 'webhook_url', message: verdict.refusal.message });
  }
  if (webhook.secret !== undefined) {
    if (webhook.url === undefined)
      problems.push({ field: 'webhook_secret', message: 'a webhook secret needs a webhook_url' });
    else if (!isValidWebhookSecret(webhook.secret))
      problems.push({
        field: 'webhook_secret',
        message: 'a Standard Webhooks secret: whsec_ followed by canonical base64 of 24-64 bytes',
      });
  }
  const seen = new Set<string>();
  let custom = 0;
  (fields.skill_ids ?? []).forEach((id, i) => {
    if (seen.has(id)) problems.push({ field: `skill_ids.${i}`, message: `skill ${id} is listed twice` });
    seen.add(id);
    if (!systemSkillOf(id)) custom++;
  });
  if (custom > MAX_CUSTOM_SKILLS_PER_AGENT)
    problems.push({
      field: 'skill_ids',
      message: `at most ${MAX_CUSTOM_SKILLS_PER_AGENT} custom skills an agent (system skills besides)`,
    });
  return problems;
}

/** Problems of the references that must exist in the tenant: `only` limits the check to new references. */
async function referenceProblems(
  tenantId: string,
  fields: { persona_id?: string; skill_ids?: readonly string[]; knowledge_base_id?: string },
  deps: Pick<AgentDeps, 'config'>,
  only?: ReadonlySet<string>,
): Promise<ErrorDetail[]> {
  const wanted = (r: ConfigRef) => only === undefined || only.has(refKey(r));
  const checks: Array<Promise<ErrorDetail | undefined>> = [];
  if (fields.persona_id !== undefined && wanted({ kind: 'persona', id: fields.persona_id })) {
    const id = fields.persona_id;
    checks.push(
      deps.config
        .getPersona(tenantId, id)
        .then((p) => (p ? undefined : { field: 'persona_id', message: `no persona ${id}` })),
    );
  }
  if (fields.knowledge_base_id !== undefined && wanted({ kind: 'kb', id: fields.knowledge_base_id })) {
    const id = fields.knowledge_base_id;
    checks.push(
      deps.config
        .getKnowledgeBase(tenantId, id)
        .then((kb) => (kb ? undefined : { field: 'knowledge_base_id', message: `no knowledge base ${id}` })),
    );
  }
  (fields.skill_ids ?? []).forEach((id, i) => {
    if (systemSkillOf(id) || !wanted({ kind: 'skill', id })) return;
    checks.push(
      deps.config
        .getCustomSkill(tenantId, id)
        .then((s) => (s ? undefined : { field: `skill_ids.${i}`, message: `no skill ${id}` })),
    );
  });
  return (await Promise.all(checks)).filter((p): p is ErrorDetail => p !== undefined);
}

const agentAudit = (
  action: 'agent.create' | 'agent.update' | 'agent.delete',
  id: string,
  before: StoredAgent | null,
  after: StoredAgent | null,
  at: string,
  ctx: RequestContext,
) =>
  // Hashes of the record with its sealed secret: a hash of the secret in clear could be tested by guessing.
  changeAuditOf(ctx, {
    action,
    resourceType: 'agent',
    resourceId: id,
    before,
    after,
    at,
  });

async function requireFreeName(deps: Pick<AgentDeps, 'config'>, tenantId: string, name: string, self?: string) {
  const owner = await deps.config.nameOwner(tenantId, 'agent', name);
  if (owner && owner !== self) throw nameTaken('agent', name);
}

/** After a refused write: the name, then the references, then the version, whichever explains it. */
async function diagnose(
  tenantId: string,
  agent: StoredAgent,
  deps: Pick<AgentDeps, 'config'>,
  check: { name: boolean; refs: readonly ConfigRef[]; version?: number },
) {
  if (check.version !== undefined) {
    const now = await deps.config.getAgent(tenantId, agent.id);
    if (!now) throw new NotFoundError(`agent ${agent.id} not found`);
    if (now.version !== check.version) throw staleVersion(`agent ${agent.id}`, now.version, check.version);
  }
  if (check.name) await requireFreeName(deps, tenantId, agent.name, agent.id);
  refuse(await referenceProblems(tenantId, agent, deps, new Set(check.refs.map(refKey))));
}

/** Creates an agent (version 1). A webhook given without a secret gets one, returned in the answer this once. */
export async function createAgent(
  input: CreateAgentRequest,
  ctx: RequestContext,
  deps: AgentDeps,
): Promise<AgentWithSecret> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  refuse(settingProblems(input, { url: input.webhook_url, secret: input.webhook_secret }, deps.urlPolicy));
  refuse(await referenceProblems(tenantId, input, deps));
  await requireFreeName(deps, tenantId, input.name);
  const generated =
    input.webhook_url !== undefined && input.webhook_secret === undefined ? generateWebhookSecret() : undefined;
  const secret = input.webhook_secret ?? generated;
  const at = deps.clock.now().toISOString();
  const { webhook_secret: _secret, ...fields } = input;
  const agent: StoredAgent = {
    ...fields,
    id: deps.ids.newId(),
    tenant_id: tenantId,
    webhook_secret_configured: secret !== undefined,
    ...(secret ? { sealed_webhook_secret: await deps.secrets.seal(tenantId, secret) } : {}),
    version: 1,
    created_at: at,
    updated_at: at,
  };
  const refs = referencesOf(agent);
  await deps.config
    .createAgent(tenantId, agent, refs, {
      audit: agentAudit('agent.create', agent.id, null, agent, at, ctx),
      events: [],
    })
    .catch((error: unknown) => explainConflict(error, () => diagnose(tenantId, agent, deps, { name: true, refs })));
  return { ...publicAgent(agent), ...(generated ? { webhook_secret: generated } : {}) };
}

/** The tenant's agent, or NotFoundError (also for another tenant's id). */
export async function getAgent(id: string, ctx: RequestContext, deps: Pick<AgentDeps, 'config'>): Promise<Agent> {
  requirePermission(ctx.principal, 'agents:read');
  const agent = await deps.config.getAgent(ctx.principal.tenantId, id);
  if (!agent) throw new NotFoundError(`agent ${id} not found`);
  return publicAgent(agent);
}

/** The tenant's agents, newest first. */
export async function listAgents(
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<AgentDeps, 'config'>,
): Promise<Page<Agent>> {
  requirePermission(ctx.principal, 'agents:read');
  const page = await deps.config.listAgents(ctx.principal.tenantId, query);
  return { items: page.items.map(publicAgent), nextCursor: page.nextCursor };
}

/**
 * Changes an agent if `version` is the stored one (else ConflictError naming `version`). Fields left out keep their
 * value; `null` removes `description`, `knowledge_base_id` or the webhook (its URL and secret). The webhook keeps its
 * secret unless a new one is given; a first webhook without one gets a generated secret, returned this once.
 */
export async function updateAgent(
  id: string,
  input: UpdateAgentRequest,
  ctx: RequestContext,
  deps: AgentDeps,
): Promise<AgentWithSecret> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.config.getAgent(tenantId, id);
  if (!current) throw new NotFoundError(`agent ${id} not found`);
  if (current.version !== input.version) throw staleVersion(`agent ${id}`, current.version, input.version);

  const { version: _v, description, knowledge_base_id, webhook_url, webhook_secret, ...plain } = input;
  const defined = Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined)) as Partial<StoredAgent>;
  const url = webhook_url === null ? undefined : (webhook_url ?? current.webhook_url);
  refuse(settingProblems({ ...defined }, { url, secret: webhook_secret }, deps.urlPolicy));
  const next: StoredAgent = { ...current, ...defined };
  const optional = (key: 'description' | 'knowledge_base_id', value: string | null | undefined) => {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  };
  optional('description', description);
  optional('knowledge_base_id', knowledge_base_id);
  let generated: string | undefined;
  if (url === undefined) {
    delete next.webhook_url;
    delete next.sealed_webhook_secret;
  } else {
    next.webhook_url = url;
    if (webhook_secret !== undefined) next.sealed_webhook_secret = await deps.secrets.seal(tenantId, webhook_secret);
    else if (next.sealed_webhook_secret === undefined) {
      generated = generateWebhookSecret();
      next.sealed_webhook_secret = await deps.secrets.seal(tenantId, generated);
    }
  }
  next.webhook_secret_configured = next.sealed_webhook_secret !== undefined;
  const changed = JSON.stringify(publicAgent(next)) !== JSON.stringify(publicAgent(current)) || webhook_secret;
  if (!changed) return publicAgent(current);

  const diff = refsDiff(referencesOf(current), referencesOf(next));
  refuse(await referenceProblems(tenantId, next, deps, new Set(diff.added.map(refKey))));
  const renamed = nameKeyOf(next.name) !== nameKeyOf(current.name);
  if (renamed) await requireFreeName(deps, tenantId, next.name, id);
  const at = deps.clock.now().toISOString();
  next.version = current.version + 1;
  next.updated_at = at;
  await deps.config
    .updateAgent(tenantId, next, current, diff, {
      audit: agentAudit('agent.update', id, current, next, at, ctx),
      events: [],
    })
    .catch((error: unknown) =>
      explainConflict(error, () =>
        diagnose(tenantId, next, deps, { name: renamed, refs: diff.added, version: current.version }),
      ),
    );
  return { ...publicAgent(next), ...(generated ? { webhook_secret: generated } : {}) };
}

/**
 * Deletes an agent; the resources it referred to no longer record it. With `version`, a stale one is refused
 * (ConflictError). Its sessions and outputs stay, as records of what it did.
 */
export async function deleteAgent(
  id: string,
  query: { version?: number },
  ctx: RequestContext,
  deps: Pick<AgentDeps, 'config' | 'clock'>,
): Promise<void> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  const current = await deps.config.getAgent(tenantId, id);
  if (!current) throw new NotFoundError(`agent ${id} not found`);
  if (query.version !== undefined && query.version !== current.version)
    throw staleVersion(`agent ${id}`, current.version, query.version);
  const at = deps.clock.now().toISOString();
  await deps.config
    .deleteAgent(tenantId, current, referencesOf(current), {
      audit: agentAudit('agent.delete', id, current, null, at, ctx),
      events: [],
    })
    .catch((error: unknown) =>
      explainConflict(error, () =>
        diagnose(tenantId, current, deps, { name: false, refs: [], version: current.version }),
      ),
    );
}
