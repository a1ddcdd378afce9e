import { BatchWriteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Agent, KnowledgeBase, KnowledgeDocument, Persona, Skill } from '../../../schemas/agents.js';
import { nameKeyOf } from '../../domain/agents/config/names.js';
import type {
  AgentConfigStore,
  ConfigKind,
  ConfigRef,
  StoredAgent,
  StoredCustomSkill,
  StoredKnowledgeBase,
} from '../../domain/agents/config/ports.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import { sha256Hex } from '../../domain/shared/hash.js';
import { translateDynamoError } from './errors.js';
import { indexPage } from './index-page.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter, ItemWrite } from './mutation-writer.js';

/*
 * Items are validated on every read so an old or corrupt item fails loudly instead of flowing on. The key attributes
 * are dropped before (the public schemas are strict); `used_by` is the set of agents that refer to the resource.
 */
const Bookkeeping = {
  schemaVersion: z.literal(1),
  used_by: z.set(z.string()).optional(),
};
const PersonaItem = Persona.extend({ entityType: z.literal(ITEM_TYPES.persona), ...Bookkeeping });
const SkillItem = Skill.extend({ entityType: z.literal(ITEM_TYPES.customSkill), ...Bookkeeping });
const KnowledgeBaseItem = KnowledgeBase.extend({
  entityType: z.literal(ITEM_TYPES.knowledgeBase),
  index_key: z.string().nullable(),
  ...Bookkeeping,
});
const AgentItem = Agent.extend({
  entityType: z.literal(ITEM_TYPES.agent),
  schemaVersion: z.literal(1),
  // Loopback URLs of the local platform's development receivers are stored too (the policy allowed them).
  webhook_url: z.string().max(2048).optional(),
  /** Only ever the SecretBox's output: a secret in clear here would be a defect, refused on read. */
  sealed_webhook_secret: z.string().startsWith('enc1.').optional(),
});
const DocumentItem = KnowledgeDocument.extend({
  entityType: z.literal(ITEM_TYPES.knowledgeDocument),
  schemaVersion: z.literal(1),
});

const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK'];

/** The item without its keys, parsed, without its bookkeeping attributes. */
function fromItem<T>(schema: z.ZodType<T>, item: Record<string, unknown>): T {
  const rest = Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.includes(k)));
  const { entityType: _t, schemaVersion: _v, used_by: _u, ...record } = schema.parse(rest) as Record<string, unknown>;
  return record as T;
}

const refKey = (tenantId: string, ref: ConfigRef) =>
  ref.kind === 'persona'
    ? keys.persona(tenantId, ref.id)
    : ref.kind === 'skill'
      ? keys.customSkill(tenantId, ref.id)
      : keys.knowledgeBase(tenantId, ref.id);

/**
 * Personas, custom skills, agents, knowledge bases and their documents in the single table (keys.ts: PERSONA,
 * SKILL, AGENT, KB, CFGNAME). Every change goes through the mutation writer: the resource, its name claim and the
 * references an agent holds, with the audit record, in one transaction. Agents' webhook secrets are stored only
 * sealed.
 */
export class DynamoAgentConfigStore implements AgentConfigStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  // ------------------------------------------------------------------------------------------- reads

  private async getItem(key: { PK: string; SK: string }, what: string, projection?: string) {
    try {
      const out = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: key,
          ConsistentRead: true,
          ...(projection ? { ProjectionExpression: projection } : {}),
        }),
      );
      return out.Item;
    } catch (error) {
      translateDynamoError(error, what);
    }
  }

  async getPersona(tenantId: string, id: string): Promise<Persona | undefined> {
    const item = await this.getItem(keys.persona(tenantId, id), 'get persona');
    return item && fromItem(PersonaItem, item);
  }

  async getCustomSkill(tenantId: string, id: string): Promise<StoredCustomSkill | undefined> {
    const item = await this.getItem(keys.customSkill(tenantId, id), 'get skill');
    return item && fromItem(SkillItem, item);
  }

  async getAgent(tenantId: string, id: string): Promise<StoredAgent | undefined> {
    const item = await this.getItem(keys.agent(tenantId, id), 'get agent');
    return item && fromItem<StoredAgent>(AgentItem, item);
  }

  async getKnowledgeBase(tenantId: string, id: string): Promise<StoredKnowledgeBase | undefined> {
    const item = await this.getItem(keys.knowledgeBase(tenantId, id), 'get knowledge base');
    return item && fromItem(KnowledgeBaseItem, item);
  }

  async getDocument(tenantId: string, knowledgeBaseId: string, documentId: string) {
    const item = await this.getItem(keys.knowledgeDocument(tenantId, knowledgeBaseId, documentId), 'get document');
    return item && fromItem(DocumentItem, item);
  }

  async nameOwner(tenantId: string, kind: ConfigKind, name: string): Promise<string | undefined> {
    const item = await this.getItem(this.nameKey(tenantId, kind, name), 'get name claim');
    return typeof item?.resourceId === 'string' ? item.resourceId : undefined;
  }

  async usersOf(tenantId: string, ref: ConfigRef): Promise<string[] | undefined> {
    const item = await this.getItem(refKey(tenantId, ref), 'get references', 'PK, used_by');
    if (!item) return undefined;
    return item.used_by instanceof Set ? [...(item.used_by as Set<string>)].sort() : [];
  }

  private async page<T>(
    partition: string,
    query: { limit: number; cursor?: string },
    map: (i: Record<string, unknown>) => T,
    what: string,
  ) {
    const page = await indexPage(this.client, this.tableName, 'GSI1', partition, query, what);
    return { items: page.items.map(map), nextCursor: page.nextCursor };
  }

  listPersonas(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<Persona>> {
    return this.page(keys.personasPartition(tenantId), query, (i) => fromItem(PersonaItem, i), 'list personas');
  }

  listCustomSkills(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<StoredCustomSkill>> {
    return this.page(keys.customSkillsPartition(tenantId), query, (i) => fromItem(SkillItem, i), 'list skills');
  }

  listAgents(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<StoredAgent>> {
    return this.page(keys.agentsPartition(tenantId), query, (i) => fromItem<StoredAgent>(AgentItem, i), 'list agents');
  }

  listKnowledgeBases(tenantId: string, query: { limit: number; cursor?: string }) {
    return this.page(
      keys.knowledgeBasesPartition(tenantId),
      query,
      (i) => fromItem(KnowledgeBaseItem, i),
      'list knowledge bases',
    );
  }

  listDocuments(tenantId: string, knowledgeBaseId: string, query: { limit: number; cursor?: string }) {
    return this.page(
      keys.knowledgeDocumentsPartition(tenantId, knowledgeBaseId),
      query,
      (i) => fromItem(DocumentItem, i),
      'list documents',
    );
  }

  // ------------------------------------------------------------------------------------------- write items

  private nameKey(tenantId: string, kind: ConfigKind, name: string) {
    return keys.configName(tenantId, kind, sha256Hex(nameKeyOf(name)));
  }

  private putNew(item: Record<string, unknown>): ItemWrite {
    return { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } };
  }

  private claim(tenantId: string, kind: ConfigKind, name: string, id: string): ItemWrite {
    return this.putNew({
      ...this.nameKey(tenantId, kind, name),
      entityType: ITEM_TYPES.configName,
      schemaVersion: 1,
      kind,
      resourceId: id,
    });
  }

  private release(tenantId: string, kind: ConfigKind, name: string, id: string): ItemWrite {
    return {
      Delete: {
        TableName: this.tableName,
        Key: this.nameKey(tenantId, kind, name),
        ConditionExpression: 'resourceId = :id',
        ExpressionAttributeValues: { ':id': id },
      },
    };
  }

  /** The claim moves when the name's normalised form changes (a change of case only keeps it). */
  private rename(tenantId: string, kind: ConfigKind, before: string, after: string, id: string): ItemWrite[] {
    if (nameKeyOf(before) === nameKeyOf(after)) return [];
    return [this.release(tenantId, kind, before, id), this.claim(tenantId, kind, after, id)];
  }

  private reference(tenantId: string, ref: ConfigRef, agentId: string, action: 'ADD' | 'DELETE'): ItemWrite {
    return {
      Update: {
        TableName: this.tableName,
        Key: refKey(tenantId, ref),
        UpdateExpression: `${action} used_by :agent`,
        // The resource must exist: an agent cannot refer to one deleted since it was checked.
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':agent': new Set([agentId]) },
      },
    };
  }

  /**
   * Replaces every attribute of the record but `used_by` (which agents' transactions change alone), conditioned on the
   * stored version: a Put would overwrite the references.
   */
  private replace(key: { PK: string; SK: string }, next: Record<string, unknown>, previous: object, expected: number) {
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':expected': expected };
    const set: string[] = [];
    const remove: string[] = [];
    Object.entries(next).forEach(([name, value], i) => {
      if (value === undefined) return;
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      set.push(`#a${i} = :a${i}`);
    });
    Object.keys(previous).forEach((name, i) => {
      if (next[name] !== undefined) return;
      names[`#r${i}`] = name;
      remove.push(`#r${i}`);
    });
    return {
      Update: {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    } satisfies ItemWrite;
  }

  private deleteVersioned(key: { PK: string; SK: string }, expected: number, unused: boolean): ItemWrite {
    return {
      Delete: {
        TableName: this.tableName,
        Key: key,
        ConditionExpression: `#version = :expected${unused ? ' AND attribute_not_exists(used_by)' : ''}`,
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expected },
      },
    };
  }

  // ------------------------------------------------------------------------------------------- personas

  async createPersona(tenantId: string, persona: Persona, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        this.putNew({
          ...keys.persona(tenantId, persona.id),
          ...keys.personaIndex(tenantId, persona.created_at, persona.id),
          entityType: ITEM_TYPES.persona,
          schemaVersion: 1,
          ...persona,
        }),
        this.claim(tenantId, 'persona', persona.name, persona.id),
      ],
      mutation,
    );
  }

  async updatePersona(tenantId: string, persona: Persona, previous: Persona, mutation: MutationRecord) {
    await this.writer.commit(
      tenantId,
      [
        this.replace(keys.persona(tenantId, persona.id), persona, previous, previous.version),
        ...this.rename(tenantId, 'persona', previous.name, persona.name, persona.id),
      ],
      mutation,
    );
  }

  async deletePersona(tenantId: string, persona: Persona, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        this.deleteVersioned(keys.persona(tenantId, persona.id), persona.version, true),
        this.release(tenantId, 'persona', persona.name, persona.id),
      ],
      mutation,
    );
  }

  // ------------------------------------------------------------------------------------------- custom skills

  async createCustomSkill(tenantId: string, skill: StoredCustomSkill, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        this.putNew({
          ...keys.customSkill(tenantId, skill.id),
          ...keys.customSkillIndex(tenantId, skill.created_at, skill.id),
          entityType: ITEM_TYPES.customSkill,
          schemaVersion: 1,
          ...skill,
        }),
        this.claim(tenantId, 'skill', skill.name, skill.id),
      ],
      mutation,
    );
  }

  async deleteCustomSkill(tenantId: string, skill: StoredCustomSkill, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.customSkill(tenantId, skill.id),
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(used_by)',
          },
        },
        this.release(tenantId, 'skill', skill.name, skill.id),
      ],
      mutation,
    );
  }

  // ------------------------------------------------------------------------------------------- agents

  private agentItem(tenantId: string, agent: StoredAgent) {
    return {
      ...keys.agent(tenantId, agent.id),
      ...keys.agentIndex(tenantId, agent.created_at, agent.id),
      entityType: ITEM_TYPES.agent,
      schemaVersion: 1,
      ...agent,
    };
  }

  async createAgent(tenantId: string, agent: StoredAgent, refs: readonly ConfigRef[], mutation: MutationRecord) {
    await this.writer.commit(
      tenantId,
      [
        this.putNew(this.agentItem(tenantId, agent)),
        this.claim(tenantId, 'agent', agent.name, agent.id),
        ...refs.map((r) => this.reference(tenantId, r, agent.id, 'ADD')),
      ],
      mutation,
    );
  }

  async updateAgent(
    tenantId: string,
    agent: StoredAgent,
    previous: StoredAgent,
    refs: { added: readonly ConfigRef[]; removed: readonly ConfigRef[] },
    mutation: MutationRecord,
  ) {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.agentItem(tenantId, agent),
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': previous.version },
          },
        },
        ...this.rename(tenantId, 'agent', previous.name, agent.name, agent.id),
        ...refs.added.map((r) => this.reference(tenantId, r, agent.id, 'ADD')),
        ...refs.removed.map((r) => this.reference(tenantId, r, agent.id, 'DELETE')),
      ],
      mutation,
    );
  }

  async deleteAgent(tenantId: string, agent: StoredAgent, refs: readonly ConfigRef[], mutation: MutationRecord) {
    await this.writer.commit(
      tenantId,
      [
        this.deleteVersioned(keys.agent(tenantId, agent.id), agent.version, false),
        this.release(tenantId, 'agent', agent.name, agent.id),
        ...refs.map((r) => this.reference(tenantId, r, agent.id, 'DELETE')),
      ],
      mutation,
    );
  }

  // ------------------------------------------------------------------------------------------- knowledge bases

  async createKnowledgeBase(tenantId: string, kb: StoredKnowledgeBase, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        this.putNew({
          ...keys.knowledgeBase(tenantId, kb.id),
          ...keys.knowledgeBaseIndex(tenantId, kb.created_at, kb.id),
          entityType: ITEM_TYPES.knowledgeBase,
          schemaVersion: 1,
          ...kb,
        }),
        this.claim(tenantId, 'kb', kb.name, kb.id),
      ],
      mutation,
    );
  }

  async deleteKnowledgeBase(tenantId: string, kb: StoredKnowledgeBase, mutation: MutationRecord): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        this.deleteVersioned(keys.knowledgeBase(tenantId, kb.id), kb.version, true),
        this.release(tenantId, 'kb', kb.name, kb.id),
      ],
      mutation,
    );
  }

  async changeDocuments(
    tenantId: string,
    kb: StoredKnowledgeBase,
    expectedVersion: number,
    change: { put: KnowledgeDocument } | { delete: KnowledgeDocument },
    mutation: MutationRecord,
  ): Promise<void> {
    const doc = 'put' in change ? change.put : change.delete;
    const docKey = keys.knowledgeDocument(tenantId, kb.id, doc.id);
    const docWrite: ItemWrite =
      'put' in change
        ? this.putNew({
            ...docKey,
            ...keys.knowledgeDocumentIndex(tenantId, kb.id, doc.created_at, doc.id),
            entityType: ITEM_TYPES.knowledgeDocument,
            schemaVersion: 1,
            ...doc,
          })
        : { Delete: { TableName: this.tableName, Key: docKey, ConditionExpression: 'attribute_exists(PK)' } };
    // The item's previous attributes are all kept (a knowledge base's fields do not go away): nothing to REMOVE.
    await this.writer.commit(
      tenantId,
      [this.replace(keys.knowledgeBase(tenantId, kb.id), kb, {}, expectedVersion), docWrite],
      mutation,
    );
  }

  async purgeDocuments(tenantId: string, knowledgeBaseId: string): Promise<number> {
    let removed = 0;
    let start: Record<string, unknown> | undefined;
    do {
      let out;
      try {
        out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'GSI1',
            KeyConditionExpression: 'GSI1PK = :pk',
            ExpressionAttributeValues: { ':pk': keys.knowledgeDocumentsPartition(tenantId, knowledgeBaseId) },
            ProjectionExpression: 'PK, SK',
            ExclusiveStartKey: start,
          }),
        );
      } catch (error) {
        translateDynamoError(error, 'list documents to purge');
      }
      const items = (out.Items ?? []) as { PK: string; SK: string }[];
      for (let i = 0; i < items.length; i += 25) await this.batchDelete(items.slice(i, i + 25));
      removed += items.length;
      start = out.LastEvaluatedKey;
    } while (start);
    return removed;
  }

  private async batchDelete(batch: { PK: string; SK: string }[]): Promise<void> {
    let pending = batch.map((k) => ({ DeleteRequest: { Key: { PK: k.PK, SK: k.SK } } }));
    for (let attempt = 1; pending.length; attempt++) {
      try {
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      } catch (error) {
        translateDynamoError(error, 'purge documents');
      }
      if (pending.length && attempt >= 8)
        throw new Error(`${pending.length} document items left after ${attempt} attempts`);
      if (pending.length) await new Promise((r) => setTimeout(r, Math.min(500, 20 * 2 ** attempt)));
    }
  }
}
