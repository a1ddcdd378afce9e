import { randomUUID } from 'node:crypto';
import type { KnowledgeDocument, Persona } from '../../schemas/agents.js';
import { nameKeyOf } from '../../functions/domain/agents/config/names.js';
import type {
  AgentConfigStore,
  ConfigKind,
  ConfigRef,
  StoredAgent,
  StoredCustomSkill,
  StoredKnowledgeBase,
} from '../../functions/domain/agents/config/ports.js';
import { ConflictError } from '../../functions/domain/errors.js';
import type { IdGenerator, MutationRecord, Page } from '../../functions/domain/ports.js';

type Item = { value: { id: string; version?: number; name?: string }; usedBy: Set<string> };

/**
 * The configuration store in memory with the adapter's rules, all checked before anything is written (one transaction):
 * name claims per tenant and kind (normalised), versions, references that must exist, and resources in use that cannot
 * be deleted. `beforeWrite` runs before each write's checks, so a test can change the state in between, as a
 * concurrent request would.
 */
export class InMemoryAgentConfigStore implements AgentConfigStore {
  readonly items = new Map<string, Item>();
  readonly names = new Map<string, string>();
  readonly documents = new Map<string, KnowledgeDocument>();
  readonly mutations: Array<{ tenantId: string } & MutationRecord> = [];
  beforeWrite?: () => Promise<void> | void;

  private k = (tenantId: string, kind: string, id: string) => `${tenantId}/${kind}/${id}`;
  private nk = (tenantId: string, kind: ConfigKind, name: string) => `${tenantId}/${kind}/${nameKeyOf(name)}`;

  private get<T>(tenantId: string, kind: string, id: string): T | undefined {
    const item = this.items.get(this.k(tenantId, kind, id));
    return item ? (structuredClone(item.value) as T) : undefined;
  }

  getPersona = (t: string, id: string) => Promise.resolve(this.get<Persona>(t, 'persona', id));
  getCustomSkill = (t: string, id: string) => Promise.resolve(this.get<StoredCustomSkill>(t, 'skill', id));
  getAgent = (t: string, id: string) => Promise.resolve(this.get<StoredAgent>(t, 'agent', id));
  getKnowledgeBase = (t: string, id: string) => Promise.resolve(this.get<StoredKnowledgeBase>(t, 'kb', id));

  async nameOwner(tenantId: string, kind: ConfigKind, name: string) {
    return this.names.get(this.nk(tenantId, kind, name));
  }

  async usersOf(tenantId: string, ref: ConfigRef) {
    const item = this.items.get(this.k(tenantId, ref.kind, ref.id));
    return item ? [...item.usedBy].sort() : undefined;
  }

  private list<T>(tenantId: string, kind: string, query: { limit: number; cursor?: string }): Page<T> {
    const prefix = `${tenantId}/${kind}/`;
    const all = [...this.items.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, i]) => i.value as unknown as T)
      .reverse();
    const from = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(from, from + query.limit).map((v) => structuredClone(v) as T);
    return { items, nextCursor: from + query.limit < all.length ? String(from + query.limit) : null };
  }

  listPersonas = async (t: string, q: { limit: number; cursor?: string }) => this.list<Persona>(t, 'persona', q);
  listCustomSkills = async (t: string, q: { limit: number; cursor?: string }) =>
    this.list<StoredCustomSkill>(t, 'skill', q);
  listAgents = async (t: string, q: { limit: number; cursor?: string }) => this.list<StoredAgent>(t, 'agent', q);
  listKnowledgeBases = async (t: string, q: { limit: number; cursor?: string }) =>
    this.list<StoredKnowledgeBase>(t, 'kb', q);

  /** Checks every condition, then applies every change: all or nothing, as a transaction. */
  private async transact(
    tenantId: string,
    mutation: MutationRecord,
    checks: Array<() => boolean>,
    apply: Array<() => void>,
  ): Promise<void> {
    await this.beforeWrite?.();
    if (!checks.every((c) => c())) throw new ConflictError('the resource was changed or already exists');
    for (const a of apply) a();
    this.mutations.push({ tenantId, ...structuredClone(mutation) });
  }

  private exists = (t: string, kind: string, id: string) => () => this.items.has(this.k(t, kind, id));
  private absent = (t: string, kind: string, id: string) => () => !this.items.has(this.k(t, kind, id));
  private atVersion = (t: string, kind: string, id: string, v: number) => () =>
    this.items.get(this.k(t, kind, id))?.value.version === v;
  private unused = (t: string, kind: string, id: string) => () =>
    (this.items.get(this.k(t, kind, id))?.usedBy.size ?? 0) === 0;
  private nameFree = (t: string, kind: ConfigKind, name: string) => () => !this.names.has(this.nk(t, kind, name));
  private nameOf = (t: string, kind: ConfigKind, name: string, id: string) => () =>
    this.names.get(this.nk(t, kind, name)) === id;

  private put(t: string, kind: string, value: Item['value']) {
    return () => {
      const key = this.k(t, kind, value.id);
      const usedBy = this.items.get(key)?.usedBy ?? new Set<string>();
      this.items.set(key, { value: structuredClone(value), usedBy });
    };
  }
  private remove(t: string, kind: string, id: string) {
    return () => void this.items.delete(this.k(t, kind, id));
  }
  private claim(t: string, kind: ConfigKind, name: string, id: string) {
    return () => void this.names.set(this.nk(t, kind, name), id);
  }
  private release(t: string, kind: ConfigKind, name: string) {
    return () => void this.names.delete(this.nk(t, kind, name));
  }
  private renamed(t: string, kind: ConfigKind, before: string, after: string, id: string) {
    if (nameKeyOf(before) === nameKeyOf(after)) return { checks: [], apply: [] };
    return {
      checks: [this.nameOf(t, kind, before, id), this.nameFree(t, kind, after)],
      apply: [this.release(t, kind, before), this.claim(t, kind, after, id)],
    };
  }
  private refer(t: string, refs: readonly ConfigRef[], agentId: string, add: boolean) {
    return {
      checks: refs.map((r) => this.exists(t, r.kind, r.id)),
      apply: refs.map((r) => () => {
        const users = this.items.get(this.k(t, r.kind, r.id))!.usedBy;
        if (add) users.add(agentId);
        else users.delete(agentId);
      }),
    };
  }

  createPersona(t: string, p: Persona, m: MutationRecord) {
    return this.transact(
      t,
      m,
      [this.absent(t, 'persona', p.id), this.nameFree(t, 'persona', p.name)],
      [this.put(t, 'persona', p), this.claim(t, 'persona', p.name, p.id)],
    );
  }
  updatePersona(t: string, p: Persona, previous: Persona, m: MutationRecord) {
    const r = this.renamed(t, 'persona', previous.name, p.name, p.id);
    return this.transact(
      t,
      m,
      [this.atVersion(t, 'persona', p.id, previous.version), ...r.checks],
      [this.put(t, 'persona', p), ...r.apply],
    );
  }
  deletePersona(t: string, p: Persona, m: MutationRecord) {
    return this.transact(
      t,
      m,
      [this.atVersion(t, 'persona', p.id, p.version), this.unused(t, 'persona', p.id)],
      [this.remove(t, 'persona', p.id), this.release(t, 'persona', p.name)],
    );
  }

  createCustomSkill(t: string, s: StoredCustomSkill, m: MutationRecord) {
    return this.transact(
      t,
      m,
      [this.absent(t, 'skill', s.id), this.nameFree(t, 'skill', s.name)],
      [this.put(t, 'skill', s), this.claim(t, 'skill', s.name, s.id)],
    );
  }
  deleteCustomSkill(t: string, s: StoredCustomSkill, m: MutationRecord) {
    return this.transact(
      t,
      m,
      [this.exists(t, 'skill', s.id), this.unused(t, 'skill', s.id)],
      [this.remove(t, 'skill', s.id), this.release(t, 'skill', s.name)],
    );
  }

  createAgent(t: string, a: StoredAgent, refs: readonly ConfigRef[], m: MutationRecord) {
    const r = this.refer(t, refs, a.id, true);
    return this.transact(
      t,
      m,
      [this.absent(t, 'agent', a.id), this.nameFree(t, 'agent', a.name), ...r.checks],
      [this.put(t, 'agent', a), this.claim(t, 'agent', a.name, a.id), ...r.apply],
    );
  }
  updateAgent(
    t: string,
    a: StoredAgent,
    previous: StoredAgent,
    refs: { added: readonly ConfigRef[]; removed: readonly ConfigRef[] },
    m: MutationRecord,
  ) {
    const n = this.renamed(t, 'agent', previous.name, a.name, a.id);
    const added = this.refer(t, refs.added, a.id, true);
    const removed = this.refer(t, refs.removed, a.id, false);
    return this.transact(
      t,
      m,
      [this.atVersion(t, 'agent', a.id, previous.version), ...n.checks, ...added.checks, ...removed.checks],
      [this.put(t, 'agent', a), ...n.apply, ...added.apply, ...removed.apply],
    );
  }
  deleteAgent(t: string, a: StoredAgent, refs: readonly ConfigRef[], m: MutationRecord) {
    const r = this.refer(t, refs, a.id, false);
    return this.transact(
      t,
      m,
      [this.atVersion(t, 'agent', a.id, a.version), ...r.checks],
      [this.remove(t, 'agent', a.id), this.release(t, 'agent', a.name), ...r.apply],
    );
  }

  createKnowledgeBase(t: string, kb: StoredKnowledgeBase, m: MutationRecord) {
    return this.transact(
      t,
      m,
      [this.absent(t, 'kb', kb.id), this.nameFree(t, 'kb', kb.name)],
      [this.put(t, 'kb', kb), this.claim(t, 'kb', kb.name, kb.id)],
    );
  }
  deleteKnowledgeBase(t: string, kb: StoredKnowledgeBase, m: MutationRecord) {
    return this.transact(
      t,
      m,
      [this.atVersion(t, 'kb', kb.id, kb.version), this.unused(t, 'kb', kb.id)],
      [this.remove(t, 'kb', kb.id), this.release(t, 'kb', kb.name)],
    );
  }

  private dk = (t: string, kbId: string, docId: string) => `${t}/${kbId}/${docId}`;

  changeDocuments(
    t: string,
    kb: StoredKnowledgeBase,
    expectedVersion: number,
    change: { put: KnowledgeDocument } | { delete: KnowledgeDocument },
    m: MutationRecord,
  ) {
    const doc = 'put' in change ? change.put : change.delete;
    const key = this.dk(t, kb.id, doc.id);
    return this.transact(
      t,
      m,
      [this.atVersion(t, 'kb', kb.id, expectedVersion), () => this.documents.has(key) === !('put' in change)],
      [
        this.put(t, 'kb', kb),
        () => {
          if ('put' in change) this.documents.set(key, structuredClone(doc));
          else this.documents.delete(key);
        },
      ],
    );
  }

  async getDocument(t: string, kbId: string, docId: string) {
    const d = this.documents.get(this.dk(t, kbId, docId));
    return d && structuredClone(d);
  }

  async listDocuments(t: string, kbId: string, query: { limit: number; cursor?: string }) {
    const all = [...this.documents.entries()]
      .filter(([k]) => k.startsWith(`${t}/${kbId}/`))
      .map(([, d]) => d)
      .reverse();
    const from = query.cursor ? Number(query.cursor) : 0;
    return {
      items: all.slice(from, from + query.limit).map((d) => structuredClone(d)),
      nextCursor: from + query.limit < all.length ? String(from + query.limit) : null,
    };
  }

  async purgeDocuments(t: string, kbId: string) {
    let n = 0;
    for (const k of [...this.documents.keys()])
      if (k.startsWith(`${t}/${kbId}/`)) {
        this.documents.delete(k);
        n++;
      }
    return n;
  }
}

/** Random UUIDs (the API's ids are UUIDs); `seeded` ones are not needed: tests read ids from results. */
export const uuidIds = (): IdGenerator => ({ newId: () => randomUUID() });
