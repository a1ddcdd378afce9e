/**
 * The system skills every tenant's agents may hold (seed 004 Skill, `is_system: true`). A skill is either
 * read-only (it runs at once inside a conversation, with the session user's roles, and changes nothing) or it
 * produces an output: the proposal is stored, gated by a human approval, and only then, if the skill is
 * automatable, executed exactly once through the tool registry (functions/domain/tools). Whatever a model asks,
 * a sensitive or non-automatable skill's output waits for a human and ends `manual` (a person carries it out).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { SkillCategory } from '../../../../schemas/agents.js';

export interface SkillDefinition {
  /** snake_case, unique: the tool name the model sees. */
  name: string;
  display_name: string;
  description: string;
  category: SkillCategory;
  /** Validates (and documents, as JSON Schema) the model's input. Strict: unknown fields are refused. */
  input: z.ZodType<Record<string, unknown>>;
  /** `read`: runs at once, returns data to the model. `output`: proposes an output that waits for approval. */
  kind: 'read' | 'output';
  /** Output skills: executed without human action once approved (through `tool`). */
  is_automatable: boolean;
  /** Reaches outside the tenant, or sends on the user's behalf: never automatable, always a human. */
  is_sensitive: boolean;
  /** Output skills that execute: the registry tool run once on approval, and how its input is built. */
  tool?: { name: string; inputOf(input: Record<string, unknown>): Record<string, unknown> };
  /** Output skills: the content stored in S3 and shown for approval. */
  contentOf?(input: Record<string, unknown>): { content_type: 'text' | 'json'; body: string };
}

const EntityId = z.string().min(1).max(64).describe('id of an entity of the graph');
const Since = z.iso.datetime({ offset: true }).describe('ISO 8601 instant; default: 7 days ago');

export const SYSTEM_SKILLS: readonly SkillDefinition[] = [
  {
    name: 'search_entities',
    display_name: 'Search entities',
    description: 'Lists entities of the graph (people, organizations, deals), newest first, optionally of one type.',
    category: 'contact',
    input: z.strictObject({
      type: z.enum(['person', 'organization', 'deal']).optional(),
      limit: z.number().int().min(1).max(50).default(20),
    }),
    kind: 'read',
    is_automatable: true,
    is_sensitive: false,
  },
  {
    name: 'get_entity',
    display_name: 'Read an entity',
    description: 'Reads one entity of the graph with its attributes and version.',
    category: 'contact',
    input: z.strictObject({ entityId: EntityId }),
    kind: 'read',
    is_automatable: true,
    is_sensitive: false,
  },
  {
    name: 'get_entity_changes',
    display_name: 'What changed for an entity',
    description:
      'Summarises what changed for an entity (an account, a person, a deal) since an instant: its attribute changes, merges, signals detected and cases opened.',
    category: 'analytics',
    input: z.strictObject({ entityId: EntityId, since: Since.optional() }),
    kind: 'read',
    is_automatable: true,
    is_sensitive: false,
  },
  {
    name: 'list_entity_matches',
    display_name: 'Identity matches of an entity',
    description:
      'Lists the entities identity resolution found to be the same person or organization as this one (its cluster in other sources), with the decisions recorded on them.',
    category: 'intelligence',
    input: z.strictObject({ entityId: EntityId }),
    kind: 'read',
    is_automatable: true,
    is_sensitive: false,
  },
  {
    name: 'list_signals',
    display_name: 'Signals of an entity',
    description: 'Lists the signals detected for an entity, newest first.',
    category: 'intelligence',
    input: z.strictObject({ entityId: EntityId, limit: z.number().int().min(1).max(50).default(20) }),
    kind: 'read',
    is_automatable: true,
    is_sensitive: false,
  },
  {
    name: 'list_cases',
    display_name: 'Cases of an entity',
    description: 'Lists the cases opened for an entity, newest first.',
    category: 'workflow',
    input: z.strictObject({ entityId: EntityId, limit: z.number().int().min(1).max(50).default(20) }),
    kind: 'read',
    is_automatable: true,
    is_sensitive: false,
  },
  {
    name: 'draft_email',
    display_name: 'Draft an e-mail',
    description:
      'Drafts an e-mail for the user to review and send: the draft is an output that a person approves and sends.',
    category: 'playbook',
    input: z.strictObject({
      to: z.email().max(320),
      subject: z.string().min(1).max(200),
      body: z.string().min(1).max(20_000),
    }),
    kind: 'output',
    is_automatable: false,
    is_sensitive: true,
    contentOf: (input) => ({ content_type: 'json', body: JSON.stringify(input) }),
  },
  {
    name: 'update_account',
    display_name: 'Update an account',
    description:
      "Proposes a change to an entity's attributes (an account update); once approved it is applied once, audited as the user.",
    category: 'contact',
    input: z.strictObject({
      entityId: EntityId,
      attributes: z.record(z.string().min(1).max(100), z.unknown()),
    }),
    kind: 'output',
    is_automatable: true,
    is_sensitive: false,
    tool: {
      name: 'entity.update',
      inputOf: (input) => ({ entityId: input.entityId, attributes: input.attributes }),
    },
    contentOf: (input) => ({ content_type: 'json', body: JSON.stringify(input) }),
  },
  {
    name: 'write_summary',
    display_name: 'Write a summary',
    description: 'Writes a summary document for the user (an account brief, a history digest) to review and keep.',
    category: 'analytics',
    input: z.strictObject({ title: z.string().min(1).max(200), body: z.string().min(1).max(50_000) }),
    kind: 'output',
    is_automatable: false,
    is_sensitive: false,
    contentOf: (input) => ({ content_type: 'text', body: `# ${input.title}\n\n${input.body}` }),
  },
  {
    name: 'send_webhook',
    display_name: 'Send to an external system',
    description: 'Sends data to an external https endpoint. Always reviewed and carried out by a person.',
    category: 'external',
    input: z.strictObject({
      url: z.url({ protocol: /^https$/ }).max(2048),
      payload: z.record(z.string(), z.unknown()),
    }),
    kind: 'output',
    is_automatable: false,
    is_sensitive: true,
    contentOf: (input) => ({ content_type: 'json', body: JSON.stringify(input) }),
  },
];

/** Deterministic skill ids: the same skill has the same id in every tenant and stage (UUID v5-shaped, from its name). */
export function skillIdOf(name: string): string {
  const h = createHash('sha1').update(`modos-skill:${name}`).digest('hex');
  const variant = ((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
