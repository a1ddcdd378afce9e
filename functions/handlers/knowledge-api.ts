/**
 * The knowledge base routes (one function): POST/GET /knowledge-bases, GET/DELETE /knowledge-bases/{id}, and their
 * documents: POST/GET /knowledge-bases/{id}/documents, DELETE /knowledge-bases/{id}/documents/{docId}.
 * Trigger: API Gateway (JWT); routeTable picks the route by method and resource path.
 * Input: a document is `{ title, content (Markdown or plain text, at most 1 MiB), content_type?, source? }`; its text
 * goes to the tenant's `agent-knowledge/` area, its passages into the knowledge base's BM25 index.
 * Output: the resource (201 on create, 204 on delete), lists with a cursor.
 * Errors: ValidationError 400 (the field refused: `provider`, `content`…), ForbiddenError 403 (agents:read /
 * agents:write), NotFoundError 404, ConflictError 409 (stale version, or too many changes at once: retry),
 * NameTakenError 409, ResourceInUseError 409 (names the agents); mapped by httpRoute.
 */
import { AGENT_CONFIG_ROUTE_CONTRACTS } from '../../schemas/agent-config-api.js';
import {
  createKnowledgeBase,
  deleteDocument,
  deleteKnowledgeBase,
  getKnowledgeBase,
  type KnowledgeDeps,
  listDocuments,
  listKnowledgeBases,
  uploadDocument,
} from '../domain/agents/knowledge/knowledge-bases.js';
import { knowledgeDeps } from '../platform/agent-config-composition.js';
import { httpRoute, routeTable } from '../platform/http.js';

const KBS = '/api/v1/knowledge-bases';

export const makeHandler = (deps: KnowledgeDeps) =>
  routeTable({
    [`POST ${KBS}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`POST ${KBS}`], ({ body, ctx }) =>
      createKnowledgeBase(body, ctx, deps),
    ),
    [`GET ${KBS}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`GET ${KBS}`], ({ query, ctx }) =>
      listKnowledgeBases(query, ctx, deps),
    ),
    [`GET ${KBS}/{id}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`GET ${KBS}/{id}`], ({ params, ctx }) =>
      getKnowledgeBase(params.id, ctx, deps),
    ),
    [`DELETE ${KBS}/{id}`]: httpRoute(AGENT_CONFIG_ROUTE_CONTRACTS[`DELETE ${KBS}/{id}`], ({ params, query, ctx }) =>
      deleteKnowledgeBase(params.id, query, ctx, deps),
    ),
    [`POST ${KBS}/{id}/documents`]: httpRoute(
      AGENT_CONFIG_ROUTE_CONTRACTS[`POST ${KBS}/{id}/documents`],
      ({ params, body, ctx }) => uploadDocument(params.id, body, ctx, deps),
    ),
    [`GET ${KBS}/{id}/documents`]: httpRoute(
      AGENT_CONFIG_ROUTE_CONTRACTS[`GET ${KBS}/{id}/documents`],
      ({ params, query, ctx }) => listDocuments(params.id, query, ctx, deps),
    ),
    [`DELETE ${KBS}/{id}/documents/{docId}`]: httpRoute(
      AGENT_CONFIG_ROUTE_CONTRACTS[`DELETE ${KBS}/{id}/documents/{docId}`],
      ({ params, ctx }) => deleteDocument(params.id, params.docId, ctx, deps),
    ),
  });

export const handler = makeHandler(knowledgeDeps());
