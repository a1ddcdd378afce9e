// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';

/**
 * Agents, personas, skills, knowledge bases, sessions, messages and outputs at the API edge (seed 004's data
 * model, its field names and validation rules). These resources keep the seed's snake_case field names, as its
 * integrations expect them; the rest of the API is camelCase.
 */

const Uuid = z.uuid();
const Timestamp = z.string();

/** 1–100 characters: letters, digits, spaces and hyphens (seed 004: "alphanumeric with spaces/hyphens"). */
export const AgentName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} -]*$/u, 'letters, digits, spaces and hyphens, starting with a letter or digit');

export const SKILL_CATEGORIES = [
  'contact',
  'intelligence',
  'segment',
  'playbook',
  'analytics',
  'external',
  'workflow',
  'custom',
] as const;
export const SkillCategory = z.enum(SKILL_CATEGORIES);
export type SkillCategory = z.infer<typeof SkillCategory>;

// ---------------------------------------------------------------------------------------------------- personas

export const PersonaFields = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.string().min(1).max(500),
  communication_style: z.string().min(1).max(500),
  tone: z.string().min(1).max(500),
  target_audience: z.string().min(1).max(500),
  signature_elements: z.array(z.string().max(200)).max(10).optional(),
  example_messages: z.array(z.string().max(1000)).max(5).optional(),
});
export const Persona = PersonaFields.extend({
  id: Uuid,
  tenant_id: z.string(),
  version: z.number().int().min(1),
  created_at: Timestamp,
  updated_at: Timestamp,
}).meta({ id: 'Persona' });
export type Persona = z.infer<typeof Persona>;

// ---------------------------------------------------------------------------------------------------- skills

export const Skill = z
  .object({
    id: Uuid,
    /** snake_case tool name, unique. */
    name: z.string().regex(/^[a-z][a-z0-9_]*$/),
    display_name: z.string(),
    description: z.string(),
    category: SkillCategory,
    /** Can execute without human action once its output is approved. */
    is_automatable: z.boolean(),
    /** Runs at once in a conversation and changes nothing (reads the tenant's graph); no output, no approval. */
    is_read_only: z.boolean(),
    /** Sensitive (reaches outside the tenant or writes): its outputs always wait for a human. */
    is_sensitive: z.boolean(),
    /** JSON Schema of the skill's input (the tool definition the model sees). */
    input_schema: z.record(z.string(), z.unknown()),
    required_config: z.record(z.string(), z.unknown()).optional(),
    is_system: z.boolean(),
    created_at: Timestamp,
  })
  .meta({ id: 'Skill' });
export type Skill = z.infer<typeof Skill>;

// ---------------------------------------------------------------------------------------------------- knowledge

/** `bm25`: the platform's own per-tenant index. The vector stores of seed 004 plug in behind the same port. */
export const KNOWLEDGE_PROVIDERS = ['bm25', 'pinecone', 'weaviate', 'qdrant', 'chroma'] as const;
export const KnowledgeBaseFields = z.strictObject({
  name: z.string().trim().min(1).max(100),
  provider: z.enum(KNOWLEDGE_PROVIDERS).default('bm25'),
  connection_config: z.record(z.string(), z.unknown()).default({}),
  namespace: z.string().max(200).optional(),
  embedding_model: z.string().min(1).max(200).default('none'),
});
export const KnowledgeBase = KnowledgeBaseFields.extend({
  id: Uuid,
  tenant_id: z.string(),
  document_count: z.number().int().min(0),
  chunk_count: z.number().int().min(0),
  last_synced_at: Timestamp.nullable(),
  version: z.number().int().min(1),
  created_at: Timestamp,
  updated_at: Timestamp,
}).meta({ id: 'KnowledgeBase' });
export type KnowledgeBase = z.infer<typeof KnowledgeBase>;

/** A passage retrieved for a prompt, shown with the answer. */
export const Passage = z
  .object({
    /** `<knowledge base id>/<document id>#<chunk>` */
    source: z.string(),
    document_title: z.string(),
    text: z.string(),
    score: z.number(),
  })
  .meta({ id: 'Passage' });
export type Passage = z.infer<typeof Passage>;

// ---------------------------------------------------------------------------------------------------- agents

export const MEMORY_SCOPES = ['agent', 'user', 'session', 'prospect'] as const;
/** `in-memory`: the platform's own store (kept in the table with its retention); `mem0` plugs in behind the port. */
export const MemoryConfig = z
  .strictObject({
    provider: z.enum(['mem0', 'in-memory']).default('in-memory'),
    scope: z.enum(MEMORY_SCOPES).default('user'),
    retention_days: z.number().int().min(1).max(365).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'MemoryConfig' });
export type MemoryConfig = z.infer<typeof MemoryConfig>;

export const AgentFields = z.strictObject({
  name: AgentName,
  description: z.string().max(500).optional(),
  persona_id: Uuid,
  system_prompt: z.string().min(1).max(10000),
  skill_ids: z.array(Uuid).min(1).max(50),
  knowledge_base_id: Uuid.optional(),
  memory_config: MemoryConfig.default({ provider: 'in-memory', scope: 'user' }),
  daily_output_limit: z.number().int().min(1).max(1000).default(100),
  webhook_url: z
    .url({ protocol: /^https$/ })
    .max(2048)
    .optional(),
  /** Write-only: sealed with the tenant's key at rest, never returned. */
  webhook_secret: z.string().min(32).max(256).optional(),
  is_active: z.boolean().default(true),
});
export const Agent = AgentFields.omit({ webhook_secret: true })
  .extend({
    id: Uuid,
    tenant_id: z.string(),
    /** True when a webhook secret is stored (the secret itself is never returned). */
    webhook_secret_configured: z.boolean(),
    version: z.number().int().min(1),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Agent' });
export type Agent = z.infer<typeof Agent>;

// ---------------------------------------------------------------------------------------------------- sessions

export const Session = z
  .object({
    id: Uuid,
    tenant_id: z.string(),
    agent_id: Uuid,
    user_id: z.string(),
    started_at: Timestamp,
    ended_at: Timestamp.nullable(),
    message_count: z.number().int().min(0),
    output_count: z.number().int().min(0),
    /** Session context, e.g. `prospect_id` (the entity discussed: the `prospect` memory scope). */
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Session' });
export type Session = z.infer<typeof Session>;

/** A text that the injection detector held back from the model (quarantined), without its content. */
export const Quarantined = z
  .object({ source: z.string(), score: z.number(), reason: z.array(z.string()) })
  .meta({ id: 'Quarantined' });

export const SkillCall = z
  .object({
    skill: z.string(),
    /** `executed`: a read-only skill ran; `output`: an output was proposed (pending approval); `refused`: why not. */
    outcome: z.enum(['executed', 'output', 'refused']),
    output_id: Uuid.optional(),
    reason: z.string().optional(),
  })
  .meta({ id: 'SkillCall' });

export const Message = z
  .object({
    id: z.string(),
    session_id: Uuid,
    role: z.enum(['user', 'assistant']),
    content: z.string(),
    created_at: Timestamp,
    /** Assistant messages: the model that answered, and whether it was the offline model. */
    model: z.string().optional(),
    offline: z.boolean().optional(),
    passages: z.array(Passage).optional(),
    skill_calls: z.array(SkillCall).optional(),
    output_ids: z.array(Uuid).optional(),
    quarantined: z.array(Quarantined).optional(),
    usage: z
      .object({ input_tokens: z.number().int(), output_tokens: z.number().int(), cost_usd: z.number() })
      .optional(),
  })
  .meta({ id: 'Message' });
export type Message = z.infer<typeof Message>;

// ---------------------------------------------------------------------------------------------------- outputs

export const OUTPUT_STATUSES = [
  'pending',
  'approved',
  'rejected',
  'executed',
  'manual',
  'notification_failed',
] as const;
export const OutputStatus = z.enum(OUTPUT_STATUSES);
export type OutputStatus = z.infer<typeof OutputStatus>;
/** Terminal states: immutable once reached. */
export const TERMINAL_OUTPUT_STATUSES: readonly OutputStatus[] = ['rejected', 'executed', 'manual'];

export const Output = z
  .object({
    id: Uuid,
    tenant_id: z.string(),
    agent_id: Uuid,
    session_id: Uuid,
    content_type: z.enum(['text', 'json', 'file']),
    content_preview: z.string().max(500).optional(),
    s3_key: z.string(),
    status: OutputStatus,
    skill_used: z.string().optional(),
    is_automatable: z.boolean(),
    /** Written by the offline model (labelled as such wherever it is shown). */
    offline: z.boolean(),
    /** The approval gating it (one per output; GET /approvals/{id}, its callback links decide it). */
    approval_id: z.string().nullable(),
    webhook_attempts: z.number().int().min(0),
    webhook_last_error: z.string().optional(),
    /** What executing the skill returned (executed), or why it went to a human (manual). */
    result: z.record(z.string(), z.unknown()).optional(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Output' });
export type Output = z.infer<typeof Output>;

/** The human decision on an output (seed 004 ApprovalRecord), one per output. */
export const ApprovalRecord = z
  .object({
    id: z.string(),
    output_id: Uuid,
    decision: z.enum(['approved', 'rejected']),
    decided_by: z.string(),
    decided_at: Timestamp,
    notes: z.string().optional(),
    auto_execute: z.boolean(),
  })
  .meta({ id: 'ApprovalRecord' });
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

// ---------------------------------------------------------------------------------------------------- usage

export const UsageRow = z
  .object({
    date: z.string(),
    agent_id: z.string(),
    model: z.string(),
    calls: z.number().int(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cache_creation_input_tokens: z.number().int(),
    cache_read_input_tokens: z.number().int(),
    cost_usd: z.number(),
  })
  .meta({ id: 'UsageRow' });
export type UsageRow = z.infer<typeof UsageRow>;

// ---- outputs API
// Paths, queries and lists of the output routes; schemas/agent-outputs-api.ts holds their route contracts and the
// detail view (which carries the approval), schemas/agent-output-events.ts the events of an output's life.

export const OutputIdPath = z.strictObject({ id: Uuid });
/** `agent_id` and `status` in any combination; newest first. */
export const ListOutputsQuery = z.strictObject({
  agent_id: Uuid.optional(),
  status: OutputStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});
export type ListOutputsQuery = z.infer<typeof ListOutputsQuery>;
export const OutputList = z
  .object({ items: z.array(Output), nextCursor: z.string().nullable() })
  .meta({ id: 'OutputList' });
