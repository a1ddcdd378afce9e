/**
 * Knowledge bases (seed 004) and their documents. A document's text is stored in the tenant's `agent-knowledge/`
 * area, cut into passages (chunking.ts) and added to the knowledge base's BM25 index, itself an object of the same
 * area (knowledge-index-store.ts). Every change of documents moves the knowledge base item to a new version that
 * names a new index object, conditioned on the version it was built from: of two uploads at once, the second to
 * commit finds the version moved, builds again from the index the first wrote and retries, so neither loses the
 * other's chunks. The seed's vector stores are refused here ("not available in this deployment"): the retrieval
 * port allows one to be added.
 */
import type {
  CreateKnowledgeBaseRequest,
  KnowledgeBase,
  KnowledgeDocument,
  UploadDocumentRequest,
} from '../../../../schemas/agents.js';
import { changeAuditOf } from '../../audit/audit-actor.js';
import { requirePermission } from '../../auth/authorize.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { BlobStore, Clock, IdGenerator, Page, RequestContext } from '../../ports.js';
import { sha256Hex } from '../../shared/hash.js';
import { explainConflict, nameTaken, staleVersion } from '../config/conflicts.js';
import { ResourceInUseError } from '../config/errors.js';
import type { AgentConfigStore, StoredKnowledgeBase } from '../config/ports.js';
import { Bm25Index } from './bm25-index.js';
import { chunkDocument } from './chunking.js';
import { documentKeyOf, indexKeyOf, type KnowledgeIndexStore } from './knowledge-index-store.js';

export interface KnowledgeDeps {
  config: AgentConfigStore;
  /** The tenant's `agent-knowledge/` area: document texts and indexes. */
  blobs: BlobStore;
  indexes: KnowledgeIndexStore;
  clock: Clock;
  ids: IdGenerator;
  /**
   * Attempts of a document change racing others on the same knowledge base (default 16: of n changes at once, one
   * commits per round, so the last needs n; the jittered waits between attempts spread them out).
   */
  maxAttempts?: number;
  /** Waits between attempts (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Passages one knowledge base holds: 6-10 MB of text at the chunk size. A query loads the whole index, so it is
 * bounded: at this size its JSON is about 18 MB, parses in about 0.4 s once per instance and index version, takes
 * about 57 MB of heap, and a query of six words takes 3 ms (p50), 20 ms (p95) (`npm run -s bench:knowledge`).
 */
export const MAX_CHUNKS_PER_KNOWLEDGE_BASE = 10_000;

/** The knowledge base as the API returns it (without the key of its index object). */
export function publicKnowledgeBase(kb: StoredKnowledgeBase): KnowledgeBase {
  const { index_key: _key, ...view } = kb;
  return view;
}

const kbAudit = (
  action: 'knowledge_base.create' | 'knowledge_base.delete',
  kb: StoredKnowledgeBase,
  before: unknown,
  after: unknown,
  at: string,
  ctx: RequestContext,
) =>
  changeAuditOf(ctx, {
    action,
    resourceType: 'knowledge_base',
    resourceId: kb.id,
    before,
    after,
    at,
  });

const documentAudit = (
  action: 'knowledge_document.create' | 'knowledge_document.delete',
  doc: KnowledgeDocument,
  before: unknown,
  after: unknown,
  at: string,
  ctx: RequestContext,
) =>
  changeAuditOf(ctx, {
    action,
    resourceType: 'knowledge_document',
    resourceId: `${doc.knowledge_base_id}/${doc.id}`,
    before,
    after,
    at,
  });

async function requireFreeName(deps: Pick<KnowledgeDeps, 'config'>, tenantId: string, name: string) {
  if (await deps.config.nameOwner(tenantId, 'kb', name)) throw nameTaken('knowledge base', name);
}

/** Creates a knowledge base (version 1, empty). Only the platform's own BM25 index is available here. */
export async function createKnowledgeBase(
  input: CreateKnowledgeBaseRequest,
  ctx: RequestContext,
  deps: Pick<KnowledgeDeps, 'config' | 'clock' | 'ids'>,
): Promise<KnowledgeBase> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  if (input.provider !== 'bm25')
    throw new ValidationError(`knowledge base provider ${input.provider} is not available in this deployment`, {
      details: [
        {
          field: 'provider',
          message: `${input.provider} is not available in this deployment: use bm25 (the platform's own index)`,
        },
      ],
    });
  await requireFreeName(deps, tenantId, input.name);
  const at = deps.clock.now().toISOString();
  const kb: StoredKnowledgeBase = {
    ...input,
    id: deps.ids.newId(),
    tenant_id: tenantId,
    document_count: 0,
    chunk_count: 0,
    last_synced_at: null,
    index_key: null,
    version: 1,
    created_at: at,
    updated_at: at,
  };
  await deps.config
    .createKnowledgeBase(tenantId, kb, { audit: kbAudit('knowledge_base.create', kb, null, kb, at, ctx), events: [] })
    .catch((error: unknown) => explainConflict(error, () => requireFreeName(deps, tenantId, input.name)));
  return publicKnowledgeBase(kb);
}

async function requireKnowledgeBase(tenantId: string, id: string, deps: Pick<KnowledgeDeps, 'config'>) {
  const kb = await deps.config.getKnowledgeBase(tenantId, id);
  if (!kb) throw new NotFoundError(`knowledge base ${id} not found`);
  return kb;
}

/** The tenant's knowledge base, or NotFoundError (also for another tenant's id). */
export async function getKnowledgeBase(id: string, ctx: RequestContext, deps: Pick<KnowledgeDeps, 'config'>) {
  requirePermission(ctx.principal, 'agents:read');
  return publicKnowledgeBase(await requireKnowledgeBase(ctx.principal.tenantId, id, deps));
}

/** The tenant's knowledge bases, newest first. */
export async function listKnowledgeBases(
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<KnowledgeDeps, 'config'>,
): Promise<Page<KnowledgeBase>> {
  requirePermission(ctx.principal, 'agents:read');
  const page = await deps.config.listKnowledgeBases(ctx.principal.tenantId, query);
  return { items: page.items.map(publicKnowledgeBase), nextCursor: page.nextCursor };
}

/**
 * Deletes a knowledge base no agent uses (ResourceInUseError names those that do), then its documents' items and
 * objects. With `version`, a stale one is refused (ConflictError). The deletion is what is audited; the clean-up
 * after it only removes what nothing names any more, so one cut short leaves unreachable objects, never a knowledge
 * base without its documents.
 */
export async function deleteKnowledgeBase(
  id: string,
  query: { version?: number },
  ctx: RequestContext,
  deps: Pick<KnowledgeDeps, 'config' | 'blobs' | 'clock'>,
): Promise<void> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  const kb = await requireKnowledgeBase(tenantId, id, deps);
  if (query.version !== undefined && query.version !== kb.version)
    throw staleVersion(`knowledge base ${id}`, kb.version, query.version);
  const users = (await deps.config.usersOf(tenantId, { kind: 'kb', id })) ?? [];
  if (users.length) throw new ResourceInUseError(`knowledge base ${id}`, users);
  const at = deps.clock.now().toISOString();
  await deps.config
    .deleteKnowledgeBase(tenantId, kb, { audit: kbAudit('knowledge_base.delete', kb, kb, null, at, ctx), events: [] })
    .catch((error: unknown) =>
      explainConflict(error, async () => {
        const now = await deps.config.usersOf(tenantId, { kind: 'kb', id });
        if (now === undefined) throw new NotFoundError(`knowledge base ${id} not found`);
        if (now.length) throw new ResourceInUseError(`knowledge base ${id}`, now);
        const current = await deps.config.getKnowledgeBase(tenantId, id);
        if (current && current.version !== kb.version)
          throw staleVersion(`knowledge base ${id}`, current.version, kb.version);
      }),
    );
  await deps.config.purgeDocuments(tenantId, id);
  for (let cursor: string | undefined; ; ) {
    const page = await deps.blobs.list(tenantId, { prefix: `${id}/`, limit: 1000, ...(cursor ? { cursor } : {}) });
    await Promise.all(page.items.map((o) => deps.blobs.delete(tenantId, o.key)));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Commits one change of a knowledge base's documents against concurrent ones: reads the knowledge base, builds the
 * next index from the current one (`change` adds or removes chunks), writes it under a new key and moves the item to
 * it, conditioned on the version read. A refused condition (another change won), or the index of the version read
 * gone (another change won and removed it), discards what was written and starts again from the new version. `check`
 * runs on every read (it may throw: the document is gone, the knowledge base full). Returns the committed knowledge
 * base.
 */
async function changeIndex(
  tenantId: string,
  kbId: string,
  deps: KnowledgeDeps,
  step: {
    check(kb: StoredKnowledgeBase): Promise<void> | void;
    change(index: Bm25Index, kb: StoredKnowledgeBase): { documents: number; chunks: number };
    commit(next: StoredKnowledgeBase, expectedVersion: number): Promise<void>;
  },
): Promise<StoredKnowledgeBase> {
  const attempts = deps.maxAttempts ?? 16;
  const sleep = deps.sleep ?? defaultSleep;
  const retry = async (attempt: number, cause: unknown) => {
    if (attempt >= attempts)
      throw new ConflictError(`knowledge base ${kbId} changed ${attempt} times while this change was made: retry`, {
        cause,
      });
    await sleep(Math.min(1000, 10 * 2 ** attempt) * Math.random());
  };
  for (let attempt = 1; ; attempt++) {
    const kb = await requireKnowledgeBase(tenantId, kbId, deps);
    await step.check(kb);
    let index: Bm25Index;
    try {
      index = kb.index_key ? await deps.indexes.loadCopy(tenantId, kb.index_key) : Bm25Index.empty();
    } catch (error) {
      // The version read was replaced (and its index removed) since: another change won this round.
      if (!(error instanceof NotFoundError)) throw error;
      await retry(attempt, error);
      continue;
    }
    const delta = step.change(index, kb);
    const key = indexKeyOf(kbId, kb.version + 1, deps.ids.newId());
    await deps.indexes.save(tenantId, key, index);
    const at = deps.clock.now().toISOString();
    const next: StoredKnowledgeBase = {
      ...kb,
      document_count: kb.document_count + delta.documents,
      chunk_count: kb.chunk_count + delta.chunks,
      last_synced_at: at,
      index_key: key,
      version: kb.version + 1,
      updated_at: at,
    };
    try {
      await step.commit(next, kb.version);
    } catch (error) {
      await deps.indexes.remove(tenantId, key);
      if (!(error instanceof ConflictError)) throw error;
      await retry(attempt, error);
      continue;
    }
    // The replaced version is no longer named; a reader that still holds its key reads the item again.
    if (kb.index_key) await deps.indexes.remove(tenantId, kb.index_key).catch(() => undefined);
    return next;
  }
}

/**
 * Adds a document: its text stored, chunked and indexed (the knowledge base's version moves). A document without a
 * passage of text, or one that would take the knowledge base past MAX_CHUNKS_PER_KNOWLEDGE_BASE, is refused (400
 * `content`). If the change cannot be committed, the stored text is removed again.
 */
export async function uploadDocument(
  kbId: string,
  input: UploadDocumentRequest,
  ctx: RequestContext,
  deps: KnowledgeDeps,
): Promise<KnowledgeDocument> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  await requireKnowledgeBase(tenantId, kbId, deps);
  const chunks = chunkDocument(input.content, { markdown: input.content_type === 'text/markdown' });
  if (chunks.length === 0)
    throw new ValidationError('the document has no text', { details: [{ field: 'content', message: 'no text' }] });
  const id = deps.ids.newId();
  const key = documentKeyOf(kbId, id, input.content_type);
  const stored = await deps.blobs.put(tenantId, key, input.content, {
    contentType: `${input.content_type}; charset=utf-8`,
    metadata: { 'document-id': id },
  });
  const doc: KnowledgeDocument = {
    id,
    knowledge_base_id: kbId,
    title: input.title,
    ...(input.source ? { source: input.source } : {}),
    content_type: input.content_type,
    size_bytes: stored.size,
    sha256: stored.sha256 || sha256Hex(input.content),
    chunk_count: chunks.length,
    s3_key: key,
    created_by: ctx.principal.userId,
    created_at: deps.clock.now().toISOString(),
  };
  try {
    await changeIndex(tenantId, kbId, deps, {
      check: (kb) => {
        if (kb.chunk_count + chunks.length > MAX_CHUNKS_PER_KNOWLEDGE_BASE)
          throw new ValidationError('the knowledge base would hold too many passages', {
            details: [
              {
                field: 'content',
                message: `${chunks.length} passages; the knowledge base holds ${kb.chunk_count} of at most ${MAX_CHUNKS_PER_KNOWLEDGE_BASE}`,
              },
            ],
          });
      },
      change: (index) => {
        index.addDocument(id, doc.title, chunks);
        return { documents: 1, chunks: chunks.length };
      },
      commit: (next, expectedVersion) =>
        deps.config.changeDocuments(
          tenantId,
          next,
          expectedVersion,
          { put: doc },
          {
            audit: documentAudit('knowledge_document.create', doc, null, doc, next.updated_at, ctx),
            events: [],
          },
        ),
    });
  } catch (error) {
    await deps.blobs.delete(tenantId, key).catch(() => undefined);
    throw error;
  }
  return doc;
}

/** The documents of a knowledge base, newest first. */
export async function listDocuments(
  kbId: string,
  query: { limit: number; cursor?: string },
  ctx: RequestContext,
  deps: Pick<KnowledgeDeps, 'config'>,
): Promise<Page<KnowledgeDocument>> {
  requirePermission(ctx.principal, 'agents:read');
  const tenantId = ctx.principal.tenantId;
  await requireKnowledgeBase(tenantId, kbId, deps);
  return deps.config.listDocuments(tenantId, kbId, query);
}

/** Removes a document from its knowledge base's index, then its text (NotFoundError if either is not there). */
export async function deleteDocument(
  kbId: string,
  documentId: string,
  ctx: RequestContext,
  deps: KnowledgeDeps,
): Promise<void> {
  requirePermission(ctx.principal, 'agents:write');
  const tenantId = ctx.principal.tenantId;
  let doc: KnowledgeDocument | undefined;
  await changeIndex(tenantId, kbId, deps, {
    check: async () => {
      doc = await deps.config.getDocument(tenantId, kbId, documentId);
      if (!doc) throw new NotFoundError(`document ${documentId} of knowledge base ${kbId} not found`);
    },
    change: (index) => {
      const removed = index.removeDocument(documentId, doc!.chunk_count);
      return { documents: -1, chunks: -removed };
    },
    commit: (next, expectedVersion) =>
      deps.config.changeDocuments(
        tenantId,
        next,
        expectedVersion,
        { delete: doc! },
        {
          audit: documentAudit('knowledge_document.delete', doc!, doc, null, next.updated_at, ctx),
          events: [],
        },
      ),
  });
  await deps.blobs.delete(tenantId, doc!.s3_key).catch(() => undefined);
}
