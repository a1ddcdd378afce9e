/**
 * Where a knowledge base's BM25 index is kept: one JSON object per version of the knowledge base in its area of the
 * bucket (`<kbId>/index/<version>-<nonce>.json`), named by the knowledge base item. A version's object is written
 * once and never replaced, so an index cached under its key can never be stale: each Lambda instance keeps the
 * indexes it loaded (the most recently used, up to a size), and reads S3 again only for a key it has not seen. The key
 * stands for the object's ETag, without a HEAD request per retrieval.
 */
import { NotFoundError } from '../../errors.js';
import type { BlobStore } from '../../ports.js';
import type { AgentConfigRepository } from '../config/ports.js';
import { Bm25Index } from './bm25-index.js';
import type { KnowledgeIndex } from './ports.js';

const pad = (n: number) => String(n).padStart(6, '0');

/** The object key of a knowledge base's index at a version; the nonce keeps two writers' attempts apart. */
export const indexKeyOf = (knowledgeBaseId: string, version: number, nonce: string) =>
  `${knowledgeBaseId}/index/${pad(version)}-${nonce}.json`;

/** The object key of a document's text. */
export const documentKeyOf = (knowledgeBaseId: string, documentId: string, contentType: string) =>
  `${knowledgeBaseId}/documents/${documentId}.${contentType === 'text/plain' ? 'txt' : 'md'}`;

interface Cached {
  index: Bm25Index;
  chars: number;
}

export class KnowledgeIndexStore {
  private readonly cache = new Map<string, Cached>();
  private cachedChars = 0;

  /**
   * `maxCachedChars`: the JSON characters of the indexes kept in memory (default 64 million: about four knowledge
   * bases of the largest size, whose parsed index takes about 57 MB of heap for its 18 MB of JSON).
   */
  constructor(
    private readonly blobs: BlobStore,
    private readonly maxCachedChars = 64_000_000,
  ) {}

  /**
   * The index stored under `key`, for searching: shared with later calls, so never to be changed. NotFoundError if
   * there is none (a version since replaced and removed).
   */
  async load(tenantId: string, key: string): Promise<Bm25Index> {
    const id = `${tenantId}/${key}`;
    const hit = this.cache.get(id);
    if (hit) {
      // Most recently used last: Map keeps insertion order.
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit.index;
    }
    const json = await (await this.blobs.get(tenantId, key)).text();
    const index = Bm25Index.fromJson(json);
    this.remember(id, index, json.length);
    return index;
  }

  /** The index stored under `key`, read from the store, for a change: the caller's own copy. */
  async loadCopy(tenantId: string, key: string): Promise<Bm25Index> {
    return Bm25Index.fromJson(await (await this.blobs.get(tenantId, key)).text());
  }

  /** Writes an index under a new key (never an existing one: versions are immutable). */
  async save(tenantId: string, key: string, index: Bm25Index): Promise<void> {
    await this.blobs.put(tenantId, key, index.toJson(), { contentType: 'application/json' });
  }

  /** Removes a version no longer named (replaced, or an attempt that lost its race); a missing one is fine. */
  async remove(tenantId: string, key: string): Promise<void> {
    const id = `${tenantId}/${key}`;
    const hit = this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cachedChars -= hit.chars;
    }
    await this.blobs.delete(tenantId, key);
  }

  private remember(id: string, index: Bm25Index, chars: number) {
    if (chars > this.maxCachedChars) return;
    this.cache.set(id, { index, chars });
    this.cachedChars += chars;
    for (const [oldest, entry] of this.cache) {
      if (this.cachedChars <= this.maxCachedChars) break;
      this.cache.delete(oldest);
      this.cachedChars -= entry.chars;
    }
  }
}

/**
 * Retrieval from the stored BM25 indexes (the KnowledgeIndex of this deployment). The knowledge base item, read in
 * the tenant's partition, names the current index; an index removed between that read and its own (a newer version
 * replaced it) is found again through a second read of the item.
 */
export class Bm25KnowledgeIndex implements KnowledgeIndex {
  constructor(
    private readonly deps: {
      config: Pick<AgentConfigRepository, 'getKnowledgeBase'>;
      indexes: KnowledgeIndexStore;
    },
  ) {}

  async retrieve(tenantId: string, knowledgeBaseId: string, query: string, k: number) {
    for (let attempt = 1; ; attempt++) {
      const kb = await this.deps.config.getKnowledgeBase(tenantId, knowledgeBaseId);
      if (!kb?.index_key) return [];
      try {
        const index = await this.deps.indexes.load(tenantId, kb.index_key);
        return index.search(query, k).map((hit) => ({
          source: `${knowledgeBaseId}/${hit.documentId}#${hit.chunk}`,
          document_title: hit.title,
          text: hit.text,
          score: hit.score,
        }));
      } catch (error) {
        if (!(error instanceof NotFoundError) || attempt >= 2) throw error;
      }
    }
  }
}
