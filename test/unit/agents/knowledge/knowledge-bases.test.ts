/**
 * Knowledge bases and their documents over fakes (the in-memory configuration store, an in-memory bucket area): a
 * document is stored, chunked and indexed; concurrent uploads all land in the index; deletions leave the index and
 * the bucket; retrieval is confined to the tenant; a knowledge base an agent uses cannot be deleted.
 */
import { describe, expect, it } from 'vitest';
import { createAgent, deleteAgent } from '../../../../functions/domain/agents/config/agents.js';
import { createPersona } from '../../../../functions/domain/agents/config/personas.js';
import {
  createKnowledgeBase,
  deleteDocument,
  deleteKnowledgeBase,
  getKnowledgeBase,
  listDocuments,
  MAX_CHUNKS_PER_KNOWLEDGE_BASE,
  uploadDocument,
} from '../../../../functions/domain/agents/knowledge/knowledge-bases.js';
import {
  Bm25KnowledgeIndex,
  KnowledgeIndexStore,
} from '../../../../functions/domain/agents/knowledge/knowledge-index-store.js';
import type { BlobStore } from '../../../../functions/domain/ports.js';
import { CreateKnowledgeBaseRequest, UploadDocumentRequest } from '../../../../schemas/agents.js';
import { admin, aPersonaBody, anAgentBody, configWorld, ctxOf } from '../config/builders.js';

const kbBody = (overrides: Record<string, unknown> = {}) =>
  CreateKnowledgeBaseRequest.parse({ name: 'Product FAQ', ...overrides });
const docBody = (title: string, content: string) => UploadDocumentRequest.parse({ title, content });

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { details?: { field?: string }[] };
  }
  throw new Error('expected a failure');
}

const retrieval = (w: ReturnType<typeof configWorld>) =>
  new Bm25KnowledgeIndex({ config: w.config, indexes: new KnowledgeIndexStore(w.blobs) });

describe('knowledge bases', () => {
  it('creates an empty bm25 knowledge base and refuses the vector stores of this deployment', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    expect(kb).toMatchObject({ provider: 'bm25', document_count: 0, chunk_count: 0, last_synced_at: null, version: 1 });
    expect(kb).not.toHaveProperty('index_key');
    const refused = await failure(
      createKnowledgeBase(kbBody({ name: 'Vec', provider: 'pinecone' }), admin, w.knowledgeDeps),
    );
    expect(refused.name).toBe('ValidationError');
    expect(refused.details?.map((d) => d.field)).toEqual(['provider']);
    expect(refused.message).toContain('not available in this deployment');
    expect((await failure(createKnowledgeBase(kbBody({ name: 'product faq' }), admin, w.knowledgeDeps))).name).toBe(
      'NameTakenError',
    );
  });

  it('stores, chunks and indexes a document, and retrieval cites it by knowledge base, document and chunk', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    const doc = await uploadDocument(
      kb.id,
      docBody('Returns', '# Returns\n\nParcels may be returned within 30 days for a full refund.'),
      admin,
      w.knowledgeDeps,
    );
    expect(doc).toMatchObject({
      knowledge_base_id: kb.id,
      chunk_count: 1,
      created_by: 'ada',
      content_type: 'text/markdown',
    });
    expect(w.blobs.objects.has(`tenant-a/${doc.s3_key}`)).toBe(true);
    expect(await getKnowledgeBase(kb.id, admin, w.knowledgeDeps)).toMatchObject({
      document_count: 1,
      chunk_count: 1,
      version: 2,
      last_synced_at: '2026-11-30T09:00:00.000Z',
    });
    const passages = await retrieval(w).retrieve('tenant-a', kb.id, 'how long can I return a parcel for a refund', 3);
    expect(passages).toEqual([
      {
        source: `${kb.id}/${doc.id}#0`,
        document_title: 'Returns',
        text: expect.stringContaining('returned within 30 days'),
        score: expect.any(Number),
      },
    ]);
    expect(w.config.mutations.at(-1)?.audit).toMatchObject({
      action: 'knowledge_document.create',
      resourceId: `${kb.id}/${doc.id}`,
    });
  });

  it('keeps every chunk of twelve documents uploaded at once, and only the index the last change names', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    const topics = Array.from({ length: 12 }, (_, i) => `topic${String.fromCharCode(97 + i)}zeta`);
    const docs = await Promise.all(
      topics.map((t) => uploadDocument(kb.id, docBody(t, `${t} is explained here in detail.`), admin, w.knowledgeDeps)),
    );
    const after = await w.config.getKnowledgeBase('tenant-a', kb.id);
    expect(after).toMatchObject({ document_count: 12, chunk_count: 12, version: 13 });
    const index = retrieval(w);
    for (const [i, t] of topics.entries()) {
      const [hit] = await index.retrieve('tenant-a', kb.id, t, 1);
      expect(hit?.source, t).toBe(`${kb.id}/${docs[i]!.id}#0`);
    }
    const indexObjects = [...w.blobs.objects.keys()].filter((k) => k.includes('/index/'));
    expect(indexObjects).toEqual([`tenant-a/${after!.index_key}`]);
    expect((await listDocuments(kb.id, { limit: 50 }, admin, w.knowledgeDeps)).items.length).toBe(12);
  });

  it('gives up with a 409 after the attempts when other changes keep winning, leaving no object behind', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    // Another change commits before each of this upload's attempts.
    w.config.beforeWrite = async () => {
      const current = (await w.config.getKnowledgeBase('tenant-a', kb.id))!;
      w.config.items.get(`tenant-a/kb/${kb.id}`)!.value = { ...current, version: current.version + 1 };
    };
    const error = await failure(
      uploadDocument(kb.id, docBody('t', 'some text'), admin, { ...w.knowledgeDeps, maxAttempts: 3 }),
    );
    expect(error.name).toBe('ConflictError');
    expect([...w.blobs.objects.keys()]).toEqual([]);
  });

  it('builds again when the index it read is replaced and removed by another change before it is loaded', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    await uploadDocument(kb.id, docBody('first', 'alpha'), admin, w.knowledgeDeps);
    // The slow upload's first read of the index waits until another upload has replaced (and removed) it.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let held = false;
    const blobs: BlobStore = Object.assign(Object.create(w.blobs) as BlobStore, {
      get: async (t: string, k: string) => {
        if (k.includes('/index/') && !held) {
          held = true;
          await gate;
        }
        return w.blobs.get(t, k);
      },
    });
    const slow = uploadDocument(kb.id, docBody('slow', 'gamma'), admin, {
      ...w.knowledgeDeps,
      blobs,
      indexes: new KnowledgeIndexStore(blobs),
    });
    await new Promise((r) => setTimeout(r, 5));
    await uploadDocument(kb.id, docBody('fast', 'beta'), admin, w.knowledgeDeps);
    release();
    await slow;
    const index = retrieval(w);
    for (const term of ['alpha', 'beta', 'gamma'])
      expect((await index.retrieve('tenant-a', kb.id, term, 1)).length, term).toBe(1);
    expect(await w.config.getKnowledgeBase('tenant-a', kb.id)).toMatchObject({ document_count: 3, version: 4 });
  });

  it('removes a deleted document from the index and the bucket', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    const keep = await uploadDocument(kb.id, docBody('keep', 'Invoices are sent monthly.'), admin, w.knowledgeDeps);
    const drop = await uploadDocument(
      kb.id,
      docBody('drop', 'Invoices can be disputed by phone.'),
      admin,
      w.knowledgeDeps,
    );
    await deleteDocument(kb.id, drop.id, admin, w.knowledgeDeps);
    const hits = await retrieval(w).retrieve('tenant-a', kb.id, 'invoices disputed phone', 5);
    expect(hits.map((h) => h.source)).toEqual([`${kb.id}/${keep.id}#0`]);
    expect(w.blobs.objects.has(`tenant-a/${drop.s3_key}`)).toBe(false);
    expect(await w.config.getKnowledgeBase('tenant-a', kb.id)).toMatchObject({ document_count: 1, chunk_count: 1 });
    expect((await failure(deleteDocument(kb.id, drop.id, admin, w.knowledgeDeps))).name).toBe('NotFoundError');
  });

  it("confines retrieval and documents to the tenant: another tenant's knowledge base id gives nothing", async () => {
    const w = configWorld();
    const kbA = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    await uploadDocument(
      kbA.id,
      docBody('secret', 'The acquisition of Initech closes in March.'),
      admin,
      w.knowledgeDeps,
    );
    const b = ctxOf('tenant-b');
    const kbB = await createKnowledgeBase(kbBody(), b, w.knowledgeDeps);
    await uploadDocument(kbB.id, docBody('public', 'Our office closes at six.'), b, w.knowledgeDeps);
    const index = retrieval(w);
    expect(await index.retrieve('tenant-b', kbA.id, 'acquisition Initech', 5)).toEqual([]);
    const own = await index.retrieve('tenant-b', kbB.id, 'acquisition Initech closes', 5);
    expect(own.every((p) => p.source.startsWith(kbB.id) && !p.text.includes('Initech'))).toBe(true);
    expect((await failure(getKnowledgeBase(kbA.id, b, w.knowledgeDeps))).name).toBe('NotFoundError');
    expect((await failure(uploadDocument(kbA.id, docBody('x', 'y'), b, w.knowledgeDeps))).name).toBe('NotFoundError');
    expect((await failure(listDocuments(kbA.id, { limit: 5 }, b, w.knowledgeDeps))).name).toBe('NotFoundError');
  });

  it('refuses a document without text, or one that would pass the passages a knowledge base holds', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    const blank = await failure(uploadDocument(kb.id, docBody('blank', ' \n\n '), admin, w.knowledgeDeps));
    expect(blank.details?.map((d) => d.field)).toEqual(['content']);
    const item = w.config.items.get(`tenant-a/kb/${kb.id}`)!;
    item.value = { ...item.value, chunk_count: MAX_CHUNKS_PER_KNOWLEDGE_BASE } as typeof item.value;
    const full = await failure(uploadDocument(kb.id, docBody('one more', 'text'), admin, w.knowledgeDeps));
    expect(full.details?.map((d) => d.field)).toEqual(['content']);
    expect([...w.blobs.objects.keys()]).toEqual([]);
  });

  it('refuses to delete a knowledge base an agent uses, and deletes it with its documents once unused', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    await uploadDocument(kb.id, docBody('a', 'alpha text'), admin, w.knowledgeDeps);
    const p = await createPersona(aPersonaBody(), admin, w.agentDeps);
    const agent = await createAgent(anAgentBody(p.id, { knowledge_base_id: kb.id }), admin, w.agentDeps);
    const inUse = await failure(deleteKnowledgeBase(kb.id, {}, admin, w.knowledgeDeps));
    expect(inUse.name).toBe('ResourceInUseError');
    expect(inUse.message).toContain(agent.id);
    await deleteAgent(agent.id, {}, admin, w.agentDeps);
    expect((await failure(deleteKnowledgeBase(kb.id, { version: 1 }, admin, w.knowledgeDeps))).name).toBe(
      'ConflictError',
    );
    await deleteKnowledgeBase(kb.id, { version: 2 }, admin, w.knowledgeDeps);
    expect(w.config.documents.size).toBe(0);
    expect([...w.blobs.objects.keys()]).toEqual([]);
    expect(await retrieval(w).retrieve('tenant-a', kb.id, 'alpha', 3)).toEqual([]);
  });
});

describe('the index store', () => {
  /** A bucket area that counts its reads. */
  const counting = (inner: BlobStore) => {
    const reads: string[] = [];
    const store: BlobStore = {
      ...inner,
      put: inner.put.bind(inner),
      head: inner.head.bind(inner),
      delete: inner.delete.bind(inner),
      list: inner.list.bind(inner),
      get: (t, k) => {
        reads.push(k);
        return inner.get(t, k);
      },
    };
    return { store, reads };
  };

  it('reads an index version from the bucket once per instance, then answers from memory', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    await uploadDocument(kb.id, docBody('a', 'alpha beta gamma'), admin, w.knowledgeDeps);
    const { store, reads } = counting(w.blobs);
    const index = new Bm25KnowledgeIndex({ config: w.config, indexes: new KnowledgeIndexStore(store) });
    for (let i = 0; i < 3; i++) expect((await index.retrieve('tenant-a', kb.id, 'alpha', 1)).length).toBe(1);
    expect(reads.length).toBe(1);
    // A new version is a new key: read once more.
    await uploadDocument(kb.id, docBody('b', 'delta epsilon'), admin, w.knowledgeDeps);
    expect((await index.retrieve('tenant-a', kb.id, 'delta', 1)).length).toBe(1);
    expect(reads.length).toBe(2);
  });

  it('reads the knowledge base again when the version it named was replaced and removed meanwhile', async () => {
    const w = configWorld();
    const kb = await createKnowledgeBase(kbBody(), admin, w.knowledgeDeps);
    await uploadDocument(kb.id, docBody('a', 'alpha'), admin, w.knowledgeDeps);
    const stale = await w.config.getKnowledgeBase('tenant-a', kb.id);
    await uploadDocument(kb.id, docBody('b', 'alpha again'), admin, w.knowledgeDeps);
    let first = true;
    const config = {
      getKnowledgeBase: async (t: string, id: string) => {
        if (!first) return w.config.getKnowledgeBase(t, id);
        first = false;
        return stale;
      },
    };
    const index = new Bm25KnowledgeIndex({ config, indexes: new KnowledgeIndexStore(w.blobs) });
    expect((await index.retrieve('tenant-a', kb.id, 'alpha', 5)).length).toBe(2);
  });

  it('keeps the cached indexes within its size, the least recently used leaving first', async () => {
    const w = configWorld();
    const kbs = await Promise.all(
      ['one', 'two'].map((name) => createKnowledgeBase(kbBody({ name }), admin, w.knowledgeDeps)),
    );
    for (const kb of kbs) await uploadDocument(kb.id, docBody('d', 'alpha'), admin, w.knowledgeDeps);
    const { store, reads } = counting(w.blobs);
    const size = (await w.blobs.get('tenant-a', (await w.config.getKnowledgeBase('tenant-a', kbs[0]!.id))!.index_key!))
      .size;
    // Room for one index only.
    const index = new Bm25KnowledgeIndex({ config: w.config, indexes: new KnowledgeIndexStore(store, size + 10) });
    await index.retrieve('tenant-a', kbs[0]!.id, 'alpha', 1);
    await index.retrieve('tenant-a', kbs[1]!.id, 'alpha', 1);
    await index.retrieve('tenant-a', kbs[1]!.id, 'alpha', 1);
    await index.retrieve('tenant-a', kbs[0]!.id, 'alpha', 1);
    expect(reads.length).toBe(3);
  });
});
