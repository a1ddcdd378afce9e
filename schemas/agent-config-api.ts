// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import {
  AgentList,
  AgentWithSecret,
  Agent,
  ConfigIdPath,
  CreateAgentRequest,
  CreateKnowledgeBaseRequest,
  CreatePersonaRequest,
  CreateSkillRequest,
  DeleteConfigQuery,
  KnowledgeBase,
  KnowledgeBaseList,
  KnowledgeDocument,
  KnowledgeDocumentList,
  KnowledgeDocumentPath,
  ListConfigQuery,
  ListSkillsQuery,
  MAX_KNOWLEDGE_DOCUMENT_BYTES,
  Persona,
  PersonaList,
  Skill,
  SkillList,
  UpdateAgentRequest,
  UpdatePersonaRequest,
  UploadDocumentRequest,
} from './agents.js';
import { routeContract, type RouteContract } from './route-contract.js';

/*
 * Example bodies of the configuration routes, shown in the OpenAPI document. Typed by their schemas, and a unit test
 * parses each with its route's contract (test/unit/openapi-document.test.ts), so they cannot drift.
 */
const PERSONA_ID = '5f0c6a2e-8b1d-4c3e-9a7f-1d2b3c4d5e6f';
const KB_ID = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const AGENT_ID = '2c4e6a8b-0d2f-4b6d-8f0a-2c4e6a8b0d2f';
const AT = '2026-11-30T09:00:00.000Z';

export const CREATE_PERSONA_EXAMPLE = {
  name: 'Enterprise Sales Rep',
  role: 'Senior Account Executive',
  communication_style: 'professional, consultative',
  tone: 'friendly but formal',
  target_audience: 'C-level executives',
  signature_elements: ['Best regards, Ada'],
} satisfies z.input<typeof CreatePersonaRequest>;

export const PERSONA_EXAMPLE = {
  ...CREATE_PERSONA_EXAMPLE,
  id: PERSONA_ID,
  tenant_id: 'acme',
  version: 1,
  created_at: AT,
  updated_at: AT,
} satisfies z.output<typeof Persona>;

export const CREATE_AGENT_EXAMPLE = {
  name: 'Account assistant',
  description: 'Summarises what changed for an account and drafts the follow-up',
  persona_id: PERSONA_ID,
  system_prompt: 'You help account executives keep up with their accounts. Be brief and cite your sources.',
  // get_entity_changes and draft_email (skillIdOf)
  skill_ids: ['24c9cbed-0eca-5826-b556-2bdd5130c243', 'ff311a60-00fc-51be-ac5b-5f9383132e77'],
  knowledge_base_id: KB_ID,
  memory_config: { provider: 'in-memory', scope: 'user', retention_days: 30 },
  daily_output_limit: 50,
  webhook_url: 'https://hooks.example.com/modos/approvals',
} satisfies z.input<typeof CreateAgentRequest>;

export const AGENT_EXAMPLE = {
  ...CREATE_AGENT_EXAMPLE,
  memory_config: { provider: 'in-memory', scope: 'user', retention_days: 30 },
  is_active: true,
  id: AGENT_ID,
  tenant_id: 'acme',
  webhook_secret_configured: true,
  version: 1,
  created_at: AT,
  updated_at: AT,
  webhook_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
} satisfies z.output<typeof AgentWithSecret>;

export const UPLOAD_DOCUMENT_EXAMPLE = {
  title: 'Pricing FAQ',
  content: '# Pricing\n\nThe Team plan costs 20 EUR per seat and month, billed yearly.\n\n## Discounts\n\n...',
  source: 'https://intranet.example.com/pricing-faq',
} satisfies z.input<typeof UploadDocumentRequest>;

export const DOCUMENT_EXAMPLE = {
  id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
  knowledge_base_id: KB_ID,
  title: UPLOAD_DOCUMENT_EXAMPLE.title,
  source: UPLOAD_DOCUMENT_EXAMPLE.source,
  content_type: 'text/markdown',
  size_bytes: 92,
  sha256: '3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea',
  chunk_count: 1,
  s3_key: `${KB_ID}/documents/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a.md`,
  created_by: 'user-ada',
  created_at: AT,
} satisfies z.output<typeof KnowledgeDocument>;

/** The body of a 204: none (the document describes no content for it). */
const NoContent = z.undefined();

/**
 * A document's JSON body: its content (at most 1 MiB of UTF-8) escaped as a JSON string may take up to 6 bytes a
 * character for control characters; twice the content's limit and a margin leaves every valid document readable, so
 * an oversized one is refused naming `content`, not the body.
 */
export const MAX_DOCUMENT_UPLOAD_BYTES = 2 * MAX_KNOWLEDGE_DOCUMENT_BYTES + 64 * 1024;

type AreaContract = Omit<RouteContract, 'errors' | 'function' | 'auth'>;
/** A route of the configuration function (personas, skills, agents); its own operationId, as one function serves all. */
const config = <C extends AreaContract>(c: C) =>
  routeContract({ function: 'AgentConfigApi' as const, auth: 'jwt' as const, ...c });
/** A route of the knowledge function (knowledge bases and their documents). */
const knowledge = <C extends AreaContract>(c: C) =>
  routeContract({ function: 'KnowledgeApi' as const, auth: 'jwt' as const, ...c });

/** API contracts of the configuration routes (merged into ROUTE_CONTRACTS in routes.ts). */
export const AGENT_CONFIG_ROUTE_CONTRACTS = {
  'POST /api/v1/personas': config({
    operationId: 'createPersona',
    summary: 'Create a persona, the sales representative an agent writes as (name unique in the tenant)',
    permission: 'agents:write',
    body: CreatePersonaRequest,
    status: 201,
    response: Persona,
    examples: { request: CREATE_PERSONA_EXAMPLE, response: PERSONA_EXAMPLE },
  }),
  'GET /api/v1/personas': config({
    operationId: 'listPersonas',
    summary: "The tenant's personas, newest first",
    permission: 'agents:read',
    query: ListConfigQuery,
    status: 200,
    response: PersonaList,
  }),
  'GET /api/v1/personas/{id}': config({
    operationId: 'getPersona',
    summary: 'A persona',
    permission: 'agents:read',
    params: ConfigIdPath,
    status: 200,
    response: Persona,
  }),
  'PATCH /api/v1/personas/{id}': config({
    operationId: 'updatePersona',
    summary: 'Change a persona with the version read (409 if it changed or the new name is taken)',
    permission: 'agents:write',
    params: ConfigIdPath,
    body: UpdatePersonaRequest,
    status: 200,
    response: Persona,
  }),
  'DELETE /api/v1/personas/{id}': config({
    operationId: 'deletePersona',
    summary: 'Delete a persona no agent uses (409 naming the agents that do; with ?version=, 409 if it changed)',
    permission: 'agents:write',
    params: ConfigIdPath,
    query: DeleteConfigQuery,
    status: 204,
    response: NoContent,
  }),
  'GET /api/v1/skills': config({
    operationId: 'listSkills',
    summary:
      "The skills an agent may hold: the system skills (first page), then the tenant's custom skills; filters category, is_automatable",
    permission: 'agents:read',
    query: ListSkillsQuery,
    status: 200,
    response: SkillList,
  }),
  'POST /api/v1/skills': config({
    operationId: 'createSkill',
    summary:
      'Create a custom skill (category custom, never automatable: its approved outputs end manual), its input as a flat JSON Schema object',
    permission: 'agents:write',
    body: CreateSkillRequest,
    status: 201,
    response: Skill,
  }),
  'GET /api/v1/skills/{id}': config({
    operationId: 'getSkill',
    summary: 'A system or custom skill',
    permission: 'agents:read',
    params: ConfigIdPath,
    status: 200,
    response: Skill,
  }),
  'DELETE /api/v1/skills/{id}': config({
    operationId: 'deleteSkill',
    summary: 'Delete a custom skill no agent holds (409 for a system skill, or naming the agents that hold it)',
    permission: 'agents:write',
    params: ConfigIdPath,
    status: 204,
    response: NoContent,
  }),
  'POST /api/v1/agents': config({
    operationId: 'createAgent',
    summary:
      'Create an agent: persona, skills and knowledge base must exist; a webhook without a secret gets one, returned this once',
    permission: 'agents:write',
    body: CreateAgentRequest,
    status: 201,
    response: AgentWithSecret,
    examples: { request: CREATE_AGENT_EXAMPLE, response: AGENT_EXAMPLE },
  }),
  'GET /api/v1/agents': config({
    operationId: 'listAgents',
    summary: "The tenant's agents, newest first (no webhook secrets)",
    permission: 'agents:read',
    query: ListConfigQuery,
    status: 200,
    response: AgentList,
  }),
  'GET /api/v1/agents/{id}': config({
    operationId: 'getAgent',
    summary: 'An agent (no webhook secret: webhook_secret_configured says whether one is stored)',
    permission: 'agents:read',
    params: ConfigIdPath,
    status: 200,
    response: Agent,
  }),
  'PATCH /api/v1/agents/{id}': config({
    operationId: 'updateAgent',
    summary: 'Change an agent with the version read (409 if it changed); null removes an optional field',
    permission: 'agents:write',
    params: ConfigIdPath,
    body: UpdateAgentRequest,
    status: 200,
    response: AgentWithSecret,
  }),
  'DELETE /api/v1/agents/{id}': config({
    operationId: 'deleteAgent',
    summary: 'Delete an agent; its sessions and outputs stay (with ?version=, 409 if it changed)',
    permission: 'agents:write',
    params: ConfigIdPath,
    query: DeleteConfigQuery,
    status: 204,
    response: NoContent,
  }),
  'POST /api/v1/knowledge-bases': knowledge({
    operationId: 'createKnowledgeBase',
    summary: "Create a knowledge base (provider bm25: the platform's own index, per tenant)",
    permission: 'agents:write',
    body: CreateKnowledgeBaseRequest,
    status: 201,
    response: KnowledgeBase,
  }),
  'GET /api/v1/knowledge-bases': knowledge({
    operationId: 'listKnowledgeBases',
    summary: "The tenant's knowledge bases, newest first",
    permission: 'agents:read',
    query: ListConfigQuery,
    status: 200,
    response: KnowledgeBaseList,
  }),
  'GET /api/v1/knowledge-bases/{id}': knowledge({
    operationId: 'getKnowledgeBase',
    summary: 'A knowledge base, with its document and passage counts',
    permission: 'agents:read',
    params: ConfigIdPath,
    status: 200,
    response: KnowledgeBase,
  }),
  'DELETE /api/v1/knowledge-bases/{id}': knowledge({
    operationId: 'deleteKnowledgeBase',
    summary: 'Delete a knowledge base no agent uses, with its documents and index (409 naming the agents that do)',
    permission: 'agents:write',
    params: ConfigIdPath,
    query: DeleteConfigQuery,
    status: 204,
    response: NoContent,
  }),
  'POST /api/v1/knowledge-bases/{id}/documents': knowledge({
    operationId: 'uploadKnowledgeDocument',
    summary:
      'Add a document (Markdown or plain text, at most 1 MiB): stored in S3, cut into passages and indexed (BM25)',
    permission: 'agents:write',
    params: ConfigIdPath,
    body: UploadDocumentRequest,
    status: 201,
    response: KnowledgeDocument,
    maxBodyBytes: MAX_DOCUMENT_UPLOAD_BYTES,
    examples: { request: UPLOAD_DOCUMENT_EXAMPLE, response: DOCUMENT_EXAMPLE },
  }),
  'GET /api/v1/knowledge-bases/{id}/documents': knowledge({
    operationId: 'listKnowledgeDocuments',
    summary: 'The documents of a knowledge base, newest first',
    permission: 'agents:read',
    params: ConfigIdPath,
    query: ListConfigQuery,
    status: 200,
    response: KnowledgeDocumentList,
  }),
  'DELETE /api/v1/knowledge-bases/{id}/documents/{docId}': knowledge({
    operationId: 'deleteKnowledgeDocument',
    summary: 'Remove a document from its knowledge base: its passages leave the index, its text the bucket',
    permission: 'agents:write',
    params: KnowledgeDocumentPath,
    status: 204,
    response: NoContent,
  }),
};
