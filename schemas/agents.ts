// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';

/**
 * Agents, personas, skills, knowledge bases, sessions, messages and outputs at the API edge (seed 004's data
 * model, its field names and validation rules). These resources keep the seed's snake_case field names, as its
 * integrations expect them; the rest of the API is camelCase.
 */

const Uuid = z.uuid();
const Timestamp = z.string();

const AGENT_NAME = /^[\p{L}\p{N}][\p{L}\p{N} -]*$/u;
/**
 * 1–100 characters: letters, digits, spaces and hyphens (seed 004: "alphanumeric with spaces/hyphens"). The document's
 * pattern is the expression's source: the generator would otherwise append its `u` flag to the pattern text.
 */
export const AgentName = z
  .string()
  .min(1)
  .max(100)
  .regex(AGENT_NAME, 'letters, digits, spaces and hyphens, starting with a letter or digit')
  .meta({ pattern: AGENT_NAME.source });

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
  /**
   * https in every deployment: requests are checked with the platform's webhook URL policy (only the local platform
   * also allows http to its development loopback ports), so a stored URL may be such a local one.
   */
  webhook_url: z.url().max(2048).optional(),
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

// ---- configuration API
// Requests, lists and paths of the configuration routes (personas, skills, agents, knowledge bases and their
// documents): schemas/agent-config-api.ts holds their route contracts.

export const ConfigIdPath = z.strictObject({ id: Uuid });
export const KnowledgeDocumentPath = z.strictObject({ id: Uuid, docId: Uuid });
/** DELETE: `version` optional; when given, a stale one is refused (409) as a PATCH's is. */
export const DeleteConfigQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
const ConfigPageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});
export const ListConfigQuery = ConfigPageQuery;
const listOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });
const Version = z.number().int().min(1);

export const CreatePersonaRequest = PersonaFields.meta({ id: 'CreatePersonaRequest' });
export type CreatePersonaRequest = z.infer<typeof CreatePersonaRequest>;
/** The version read, and the fields to change; the others keep their value (`[]` empties a list). */
export const UpdatePersonaRequest = PersonaFields.partial()
  .extend({ version: Version })
  .meta({ id: 'UpdatePersonaRequest' });
export type UpdatePersonaRequest = z.infer<typeof UpdatePersonaRequest>;
export const PersonaList = listOf(Persona, 'PersonaList');

/** A property name of a custom skill's input: an identifier the model can write. */
const PropertyName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'an identifier of at most 64 characters');
const PropertyDescription = z.string().max(1000).optional();
/**
 * The JSON Schema a custom skill's input is given in: a restricted subset (an object of flat properties), checked
 * here with zod rather than by a JSON Schema validator, because the subset is all a model's tool input needs and
 * nesting, references and patterns are what make a schema expensive or unsafe to evaluate.
 */
export const SkillInputProperty = z.union([
  z.strictObject({
    type: z.literal('string'),
    enum: z.array(z.string().min(1).max(200)).min(1).max(50).optional(),
    minLength: z.number().int().min(0).max(20_000).optional(),
    maxLength: z.number().int().min(1).max(20_000).optional(),
    format: z.enum(['email', 'uri', 'date', 'date-time']).optional(),
    description: PropertyDescription,
  }),
  z.strictObject({
    type: z.enum(['number', 'integer']),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    description: PropertyDescription,
  }),
  z.strictObject({ type: z.literal('boolean'), description: PropertyDescription }),
  /** An enum without a type: a string of the listed values. */
  z.strictObject({ enum: z.array(z.string().min(1).max(200)).min(1).max(50), description: PropertyDescription }),
]);
export type SkillInputProperty = z.infer<typeof SkillInputProperty>;
export const SkillInputSchema = z
  .strictObject({
    type: z.literal('object'),
    properties: z.record(PropertyName, SkillInputProperty),
    required: z.array(PropertyName).max(50).optional(),
    /** Unknown input fields are always refused (the compiled schema is strict); `false` may say so. */
    additionalProperties: z.literal(false).optional(),
    description: PropertyDescription,
  })
  .superRefine((schema, ctx) => {
    const names = Object.keys(schema.properties);
    if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['properties'], message: 'at least one property' });
    if (names.length > 50) ctx.addIssue({ code: 'custom', path: ['properties'], message: 'at most 50 properties' });
    (schema.required ?? []).forEach((name, i) => {
      if (!Object.hasOwn(schema.properties, name))
        ctx.addIssue({ code: 'custom', path: ['required', i], message: `${name} is not a property` });
    });
    for (const [name, p] of Object.entries(schema.properties)) {
      const lo = 'minimum' in p ? p.minimum : 'minLength' in p ? p.minLength : undefined;
      const hi = 'maximum' in p ? p.maximum : 'maxLength' in p ? p.maxLength : undefined;
      if (lo !== undefined && hi !== undefined && lo > hi)
        ctx.addIssue({
          code: 'custom',
          path: ['properties', name],
          message: 'its lower bound is above its upper bound',
        });
    }
  })
  .meta({ id: 'SkillInputSchema' });
export type SkillInputSchema = z.infer<typeof SkillInputSchema>;

/** A tenant's own skill: never automatable (its approved outputs end `manual`: a person carries them out). */
export const CreateSkillRequest = z
  .strictObject({
    name: z
      .string()
      .max(64)
      .regex(/^[a-z][a-z0-9_]*$/, 'snake_case: a lower-case letter, then lower-case letters, digits and _'),
    display_name: z.string().trim().min(1).max(100),
    description: z.string().trim().min(1).max(1000),
    /** Custom skills are of category `custom`; the field may be left out. */
    category: z.literal('custom').default('custom'),
    input_schema: SkillInputSchema,
    required_config: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'CreateSkillRequest' });
export type CreateSkillRequest = z.infer<typeof CreateSkillRequest>;
export const ListSkillsQuery = ConfigPageQuery.extend({
  category: SkillCategory.optional(),
  is_automatable: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export const SkillList = listOf(Skill, 'SkillList');

/**
 * https only (in AWS stages): the use case checks it with the platform's webhook URL policy, which the local platform
 * widens to its development loopback receivers, so the schema takes any URL.
 */
const AgentWebhookUrl = z.url().max(2048);
export const CreateAgentRequest = AgentFields.extend({ webhook_url: AgentWebhookUrl.optional() }).meta({
  id: 'CreateAgentRequest',
});
export type CreateAgentRequest = z.infer<typeof CreateAgentRequest>;
/** The version read, and the fields to change; `null` removes an optional one (the webhook: URL and secret). */
export const UpdateAgentRequest = z
  .strictObject({
    version: Version,
    name: AgentFields.shape.name.optional(),
    description: z.string().max(500).nullable().optional(),
    persona_id: Uuid.optional(),
    system_prompt: AgentFields.shape.system_prompt.optional(),
    skill_ids: AgentFields.shape.skill_ids.optional(),
    knowledge_base_id: Uuid.nullable().optional(),
    memory_config: MemoryConfig.optional(),
    daily_output_limit: z.number().int().min(1).max(1000).optional(),
    webhook_url: AgentWebhookUrl.nullable().optional(),
    webhook_secret: z.string().min(32).max(256).optional(),
    is_active: z.boolean().optional(),
  })
  .meta({ id: 'UpdateAgentRequest' });
export type UpdateAgentRequest = z.infer<typeof UpdateAgentRequest>;
/** An agent as create and update return it: with `webhook_secret` only when the platform generated it (shown once). */
export const AgentWithSecret = Agent.extend({ webhook_secret: z.string().optional() }).meta({ id: 'AgentWithSecret' });
export type AgentWithSecret = z.infer<typeof AgentWithSecret>;
export const AgentList = listOf(Agent, 'AgentList');

export const CreateKnowledgeBaseRequest = KnowledgeBaseFields.meta({ id: 'CreateKnowledgeBaseRequest' });
export type CreateKnowledgeBaseRequest = z.infer<typeof CreateKnowledgeBaseRequest>;
export const KnowledgeBaseList = listOf(KnowledgeBase, 'KnowledgeBaseList');

/** Largest document content, in UTF-8 bytes. */
export const MAX_KNOWLEDGE_DOCUMENT_BYTES = 1024 * 1024;
export const UploadDocumentRequest = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    content: z
      .string()
      .min(1)
      .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_KNOWLEDGE_DOCUMENT_BYTES, 'at most 1 MiB of UTF-8 text'),
    content_type: z.enum(['text/markdown', 'text/plain']).default('text/markdown'),
    /** Where the text came from (a URL, a file name), shown with the passages. */
    source: z.string().trim().min(1).max(2048).optional(),
  })
  .meta({ id: 'UploadDocumentRequest' });
export type UploadDocumentRequest = z.infer<typeof UploadDocumentRequest>;
export const KnowledgeDocument = z
  .object({
    id: Uuid,
    knowledge_base_id: Uuid,
    title: z.string(),
    source: z.string().optional(),
    content_type: z.enum(['text/markdown', 'text/plain']),
    size_bytes: z.number().int().min(0),
    sha256: z.string(),
    chunk_count: z.number().int().min(0),
    /** The object key under the tenant's `agent-knowledge/` area. */
    s3_key: z.string(),
    created_by: z.string(),
    created_at: Timestamp,
  })
  .meta({ id: 'KnowledgeDocument' });
export type KnowledgeDocument = z.infer<typeof KnowledgeDocument>;
export const KnowledgeDocumentList = listOf(KnowledgeDocument, 'KnowledgeDocumentList');

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
