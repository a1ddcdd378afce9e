import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Case } from '../../../schemas/cases.js';
import type { CaseKeyChange, CaseQuery, CaseRecord, CaseStore } from '../../domain/cases/ports.js';
import { TransientError } from '../../domain/errors.js';
import type { MutationRecord, Page } from '../../domain/ports.js';
import { sha256Hex } from '../../domain/shared/hash.js';
import type { IndexName } from '../../platform/table-definition.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './errors.js';
import { ITEM_TYPES, keys } from './keys.js';
import type { DynamoMutationWriter, ItemWrite } from './mutation-writer.js';

/** A case item, validated on every read so an old or corrupt item fails loudly instead of flowing on. */
const CaseItem = Case.extend({ entityType: z.literal(ITEM_TYPES.case), schemaVersion: z.literal(1) });
const OpenKeyItem = z.object({ entityType: z.literal(ITEM_TYPES.openCaseKey), caseId: z.string() });
const FacetItem = z.object({ entityType: z.literal(ITEM_TYPES.caseFacet), caseId: z.string() });
const SignalCaseItem = z.object({ entityType: z.literal(ITEM_TYPES.signalCase), caseId: z.string() });

type Facet = 'ENTITY' | 'RULE' | 'ASSIGNEE';

/** The facets a case is listed under besides its status, with their values (absent when the case has none). */
const facetsOf = (c: CaseRecord): Array<[Facet, string | null]> => [
  ['ENTITY', c.entityId],
  ['RULE', c.ruleId],
  ['ASSIGNEE', c.assignee],
];

const keyHash = (caseKey: string) => sha256Hex(caseKey).slice(0, 32);

/** The filters a list query applies to the items of the partition it reads, as DynamoDB attribute names. */
const FILTER_FIELDS = { status: 'status', assignee: 'assignee', ruleId: 'ruleId', entityId: 'entityId' } as const;

/** Queries a list makes at most before it answers with what it found and a cursor (bounds one request's reads). */
const MAX_QUERIES_PER_PAGE = 5;

/**
 * Cases in the single table (keys.ts: CASE, CASES, CASEKEY). Each case is one item, listed by status (GSI1) and in
 * full (GSI2), with one small facet item per entity, rule and assignee (GSI1) so a filtered list reads only its
 * matches. A case's key is claimed by an OPEN item while the case is open or in progress: creating a case and
 * reopening one put it on condition that it does not exist, resolving deletes it, all in the case's transaction.
 */
export class DynamoCaseStore implements CaseStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  async get(tenantId: string, id: string): Promise<CaseRecord | undefined> {
    const item = await this.read(keys.case(tenantId, id), 'get case');
    return item ? caseFromItem(item) : undefined;
  }

  async openCaseOf(tenantId: string, caseKey: string): Promise<CaseRecord | undefined> {
    const claim = await this.read(keys.openCaseKey(tenantId, keyHash(caseKey)), 'get open case of key');
    if (!claim) return undefined;
    const found = await this.get(tenantId, OpenKeyItem.parse(claim).caseId);
    // A claim whose case is no longer open cannot be left by this adapter (both change in one transaction).
    return found && found.status !== 'resolved' ? found : undefined;
  }

  async create(tenantId: string, record: CaseRecord, mutation: MutationRecord, signalId?: string): Promise<void> {
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.item(tenantId, record),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        this.claim(tenantId, record),
        ...this.facetWrites(tenantId, record),
        ...this.signalLink(tenantId, record, signalId),
      ],
      mutation,
    );
  }

  async update(
    tenantId: string,
    record: CaseRecord,
    expectedVersion: number,
    mutation: MutationRecord,
    keyChange?: CaseKeyChange,
    signalId?: string,
  ): Promise<void> {
    const claimWrite: ItemWrite[] =
      keyChange === 'claim'
        ? [this.claim(tenantId, record)]
        : keyChange === 'release'
          ? [
              {
                Delete: {
                  TableName: this.tableName,
                  Key: keys.openCaseKey(tenantId, keyHash(record.caseKey)),
                  // A missing claim (none is ever left missing by this adapter) must not block resolving.
                  ConditionExpression: 'attribute_not_exists(PK) OR caseId = :id',
                  ExpressionAttributeValues: { ':id': record.id },
                },
              },
            ]
          : [];
    await this.writer.commit(
      tenantId,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: this.item(tenantId, record),
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        ...claimWrite,
        ...this.facetWrites(tenantId, record),
        ...this.signalLink(tenantId, record, signalId),
      ],
      mutation,
    );
  }

  /**
   * A page of cases, newest opened first. The partition read is the narrowest the query names (an entity's, a rule's
   * or an assignee's facets, else a status's, else every case); the other filters are applied to its items. A page
   * stops at `limit` matches or after MAX_QUERIES_PER_PAGE reads, and its cursor continues after the last item read.
   */
  async list(tenantId: string, query: CaseQuery): Promise<Page<CaseRecord>> {
    if (query.signalId !== undefined) return this.caseOfSignal(tenantId, query);
    const plan = this.planOf(tenantId, query);
    const filters = (Object.keys(FILTER_FIELDS) as Array<keyof typeof FILTER_FIELDS>).filter(
      (f) => query[f] !== undefined && f !== plan.covered,
    );
    const names: Record<string, string> = { '#pk': plan.partitionKey };
    const values: Record<string, unknown> = { ':pk': plan.partition };
    const conditions = filters.map((f, i) => {
      names[`#f${i}`] = FILTER_FIELDS[f];
      values[`:f${i}`] = query[f];
      return `#f${i} = :f${i}`;
    });
    let startKey = decodeCursor(query.cursor, { index: plan.index, partition: plan.partition });
    const found: Record<string, unknown>[] = [];
    let nextKey: Record<string, unknown> | undefined;
    for (let reads = 0; reads < MAX_QUERIES_PER_PAGE; reads++) {
      let out: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      try {
        out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: plan.index,
            KeyConditionExpression: '#pk = :pk',
            ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            // Filtered reads ask for more than they need: most items of a wide partition may not match.
            Limit: conditions.length ? Math.max(query.limit * 4, 100) : query.limit - found.length,
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        translateDynamoError(error, 'list cases');
      }
      const items = out.Items ?? [];
      const room = query.limit - found.length;
      if (items.length >= room) {
        found.push(...items.slice(0, room));
        const last = found[found.length - 1]!;
        // More may follow the last item taken, whether it ended DynamoDB's page or not.
        nextKey = items.length > room || out.LastEvaluatedKey ? this.keyOf(last, plan.index) : undefined;
        break;
      }
      found.push(...items);
      nextKey = out.LastEvaluatedKey;
      if (!nextKey) break;
      startKey = nextKey as Record<string, string>;
    }
    const records = plan.facet ? await this.casesOf(tenantId, found) : found.map(caseFromItem);
    return { items: records, nextCursor: encodeCursor(nextKey) };
  }

  /** The case the query's signal was recorded on, if it matches the query's other filters: a page of 0 or 1. */
  private async caseOfSignal(tenantId: string, query: CaseQuery): Promise<Page<CaseRecord>> {
    const link = await this.read(keys.signalCase(tenantId, query.signalId!), 'get case of signal');
    const found = link ? await this.get(tenantId, SignalCaseItem.parse(link).caseId) : undefined;
    const matches =
      found !== undefined &&
      (Object.keys(FILTER_FIELDS) as Array<keyof typeof FILTER_FIELDS>).every(
        (f) => query[f] === undefined || found[f] === query[f],
      );
    return { items: matches ? [found] : [], nextCursor: null };
  }

  /** The link from a signal to the case that records it: written once, by the change that recorded it. */
  private signalLink(tenantId: string, c: CaseRecord, signalId: string | undefined): ItemWrite[] {
    if (signalId === undefined) return [];
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.signalCase(tenantId, signalId),
            entityType: ITEM_TYPES.signalCase,
            schemaVersion: 1,
            caseId: c.id,
          },
          // A signal is recorded on one case once (the case manager's marker guards the same transaction).
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ];
  }

  private planOf(
    tenantId: string,
    q: CaseQuery,
  ): {
    index: IndexName;
    partitionKey: string;
    partition: string;
    facet: boolean;
    covered?: keyof typeof FILTER_FIELDS;
  } {
    // The most selective partition first: an entity has few cases, a rule more, an assignee more, a status most.
    if (q.entityId !== undefined)
      return this.facetPlan(keys.caseFacetPartition(tenantId, 'ENTITY', q.entityId), 'entityId');
    if (q.ruleId !== undefined) return this.facetPlan(keys.caseFacetPartition(tenantId, 'RULE', q.ruleId), 'ruleId');
    if (q.assignee !== undefined)
      return this.facetPlan(keys.caseFacetPartition(tenantId, 'ASSIGNEE', q.assignee), 'assignee');
    if (q.status !== undefined)
      return {
        index: 'GSI1',
        partitionKey: 'GSI1PK',
        partition: keys.casesOfStatusPartition(tenantId, q.status),
        facet: false,
        covered: 'status',
      };
    return { index: 'GSI2', partitionKey: 'GSI2PK', partition: keys.casesPartition(tenantId), facet: false };
  }

  private facetPlan(partition: string, covered: keyof typeof FILTER_FIELDS) {
    return { index: 'GSI1' as const, partitionKey: 'GSI1PK', partition, facet: true, covered };
  }

  /** The key attributes of an item of the index, as DynamoDB's LastEvaluatedKey would give them. */
  private keyOf(item: Record<string, unknown>, index: IndexName): Record<string, unknown> {
    const [pk, sk] = index === 'GSI1' ? ['GSI1PK', 'GSI1SK'] : ['GSI2PK', 'GSI2SK'];
    return { [pk]: item[pk], [sk]: item[sk], PK: item.PK, SK: item.SK };
  }

  /** The cases of facet items, in their order (a case deleted meanwhile is left out). */
  private async casesOf(tenantId: string, facets: Record<string, unknown>[]): Promise<CaseRecord[]> {
    const ids = facets.map((f) => FacetItem.parse(f).caseId);
    if (ids.length === 0) return [];
    const byId = new Map<string, CaseRecord>();
    let pending: Record<string, unknown>[] = ids.map((id) => keys.case(tenantId, id));
    for (let attempt = 0; pending.length > 0; attempt++) {
      let out: { Responses?: Record<string, Record<string, unknown>[]>; UnprocessedKeys?: Record<string, unknown> };
      try {
        out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
      } catch (error) {
        translateDynamoError(error, 'read listed cases');
      }
      for (const item of out.Responses?.[this.tableName] ?? []) {
        const c = caseFromItem(item);
        byId.set(c.id, c);
      }
      const unprocessed = (out.UnprocessedKeys?.[this.tableName] as { Keys?: Record<string, unknown>[] } | undefined)
        ?.Keys;
      pending = unprocessed ?? [];
      if (pending.length && attempt >= 8) throw new TransientError('cases could not be read: try again');
      if (pending.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
    return ids.map((id) => byId.get(id)).filter((c): c is CaseRecord => c !== undefined);
  }

  private item(tenantId: string, c: CaseRecord) {
    return {
      ...keys.case(tenantId, c.id),
      ...keys.caseIndexes(tenantId, c.status, c.openedAt, c.id),
      entityType: ITEM_TYPES.case,
      schemaVersion: 1,
      ...c,
    };
  }

  /** The key's claim, put only if no case holds it. */
  private claim(tenantId: string, c: CaseRecord): ItemWrite {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.openCaseKey(tenantId, keyHash(c.caseKey)),
          entityType: ITEM_TYPES.openCaseKey,
          schemaVersion: 1,
          caseId: c.id,
          caseKey: c.caseKey,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    };
  }

  /** Each facet item rewritten with the case's current filter fields, or removed when the case has no value. */
  private facetWrites(tenantId: string, c: CaseRecord): ItemWrite[] {
    return facetsOf(c).map(([facet, value]): ItemWrite => {
      const key = keys.caseFacet(tenantId, c.id, facet);
      if (value === null) return { Delete: { TableName: this.tableName, Key: key } };
      return {
        Put: {
          TableName: this.tableName,
          Item: {
            ...key,
            ...keys.caseFacetIndex(tenantId, facet, value, c.openedAt, c.id),
            entityType: ITEM_TYPES.caseFacet,
            schemaVersion: 1,
            caseId: c.id,
            status: c.status,
            assignee: c.assignee,
            ruleId: c.ruleId,
            entityId: c.entityId,
          },
        },
      };
    });
  }

  private async read(key: Record<string, string>, what: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })))
        .Item;
    } catch (error) {
      translateDynamoError(error, what);
    }
  }
}

function caseFromItem(item: Record<string, unknown>): CaseRecord {
  const { entityType: _type, schemaVersion: _v, ...record } = CaseItem.parse(item);
  return record;
}
