import type { Passage } from '../../../../schemas/agents.js';

/**
 * Retrieval from a tenant's knowledge base: the passages that best answer a query, best first, each with its source
 * (`<knowledge base id>/<document id>#<chunk>`) so the prompt can cite it and the answer can show it. The platform's
 * implementation ranks with BM25 (bm25-index.ts, stored by knowledge-index-store.ts); a vector store of seed 004
 * (pinecone, weaviate, qdrant, chroma) would implement the same port. A knowledge base that does not exist in the
 * tenant, or holds no document, gives no passage.
 */
export interface KnowledgeIndex {
  retrieve(tenantId: string, knowledgeBaseId: string, query: string, k: number): Promise<Passage[]>;
}
