import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
// Namespace import: lets esbuild tree-shake zod (a named `z` import bundles all of it).
import * as z from 'zod';
import { Signal } from '../../../schemas/detected-signals.js';
import type { Page } from '../../domain/ports.js';
import type {
  KeyStateWrite,
  SignalQuery,
  SignalStore,
  SignalWrite,
  StoredKeyState,
} from '../../domain/signals/use-cases/ports.js';
import type { KeyState } from '../../domain/signals/types.js';
import type { IndexName } from '../../platform/table-definition.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './errors.js';
import { ITEM_TYPES, keys } from './keys.js';
import { DynamoMutationWriter, type ItemWrite } from './mutation-writer.js';

/** 128 bits of SHA-256, hex: keys and entity ids are attribute values, which stay out of the table's keys. */
export const valueHashOf = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 32);

/**
 * How long after the engine's `expiresAt` the table's TTL may drop a state: TTL deletes some time (typically within
 * two days) after the attribute's time, and a state is only ever read, never trusted, for its timing, so a day more
 * costs storage only. A state read after its `expiresAt` is harmless: the engine keeps nothing that can still match.
 */
const TTL_MARGIN_S = 86_400;
/**
 * The latest a state is kept after it was last written, whatever the engine says (a repetition rule without a window
 * keeps its count until it fires): a key idle for this long starts afresh, so the table does not grow without bound.
 */
export const MAX_STATE_AGE_S = 400 * 86_400;
/** DynamoDB items hold 400 KB; a state near it is refused before DynamoDB refuses the whole transaction. */
const MAX_STATE_BYTES = 350_000;

const KeptEventSchema = z.object({ id: z.string(), t: z.number(), m: z.number().int() });
const KeyStateSchema = z.object({
  events: z.array(KeptEventSchema),
  reported: z.array(z.string()),
  // -Infinity (no event yet) does not survive JSON: it is stored as null.
  lastTime: z
    .number()
    .nullable()
    .transform((t) => t ?? Number.NEGATIVE_INFINITY),
});

const KeyStateItem = z.object({
  entityType: z.literal(ITEM_TYPES.signalKeyState),
  schemaVersion: z.literal(1),
  ruleId: z.string(),
  key: z.string(),
  ruleVersion: z.number().int().min(1),
  fingerprint: z.string(),
  state: z.string(),
  deadline: z.number().nullable(),
  entityId: z.string().nullable(),
  caseKey: z.string().nullable(),
  stateExpiresAt: z.number(),
  revision: z.number().int().min(1),
});

const SignalItem = Signal.extend({ entityType: z.literal(ITEM_TYPES.signal), schemaVersion: z.literal(1) });

function signalFromItem(item: Record<string, unknown>): Signal {
  const { entityType: _t, schemaVersion: _v, ...signal } = SignalItem.parse(item);
  return Signal.parse(signal);
}

/** The fields of a signal item, in order (the copies filed under its entity and key carry the same). */
function signalFields(signal: Signal) {
  return Signal.parse(signal);
}

/** Largest TransactWriteItems (DynamoDB: 100 items), less the audit lane head the writer adds. */
const MAX_TRANSACTION_ITEMS = 99;

/**
 * Key states and signals in the single table (keys.ts: SIGSTATE, SIGNAL, SIGNALS, SIGNALSOF). A signal is one item
 * (listed on GSI1 for the tenant and GSI2 for its rule) and a copy under its entity and under its key, each with the
 * signal's fields (signals never change, so copies cannot drift), written with the signal in its transaction.
 */
export class DynamoSignalRepository implements SignalStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly writer: DynamoMutationWriter,
  ) {}

  async getState(tenantId: string, ruleId: string, key: string): Promise<StoredKeyState | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (
        await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: keys.signalKeyState(tenantId, ruleId, valueHashOf(key)),
            ConsistentRead: true,
          }),
        )
      ).Item;
    } catch (error) {
      translateDynamoError(error, 'get signal key state');
    }
    if (!item) return undefined;
    const s = KeyStateItem.parse(item);
    // A hash collision of two keys would mix their events: the stored key is compared, and another key's state ignored.
    if (s.key !== key) return undefined;
    return {
      ruleId: s.ruleId,
      key: s.key,
      ruleVersion: s.ruleVersion,
      fingerprint: s.fingerprint,
      state: KeyStateSchema.parse(JSON.parse(s.state)) as KeyState,
      deadline: s.deadline,
      entityId: s.entityId,
      caseKey: s.caseKey,
      expiresAt: s.stateExpiresAt,
      revision: s.revision,
    };
  }

  private stateWrite(tenantId: string, write: KeyStateWrite): ItemWrite {
    const { next, expectedRevision } = write;
    const state = JSON.stringify({
      ...next.state,
      lastTime: Number.isFinite(next.state.lastTime) ? next.state.lastTime : null,
    });
    if (state.length > MAX_STATE_BYTES)
      throw new RangeError(
        `the state of a key of rule ${next.ruleId} is ${state.length} bytes, over ${MAX_STATE_BYTES}`,
      );
    const nowS = Math.floor(Date.now() / 1000);
    const engineS = Number.isFinite(next.expiresAt) ? Math.ceil(next.expiresAt / 1000) + TTL_MARGIN_S : Infinity;
    const item = {
      ...keys.signalKeyState(tenantId, next.ruleId, valueHashOf(next.key)),
      entityType: ITEM_TYPES.signalKeyState,
      schemaVersion: 1,
      tenantId,
      ruleId: next.ruleId,
      key: next.key,
      ruleVersion: next.ruleVersion,
      fingerprint: next.fingerprint,
      state,
      deadline: next.deadline,
      entityId: next.entityId,
      caseKey: next.caseKey,
      stateExpiresAt: Number.isFinite(next.expiresAt) ? next.expiresAt : 8.64e15,
      revision: (expectedRevision ?? 0) + 1,
      updatedAt: new Date().toISOString(),
      expiresAt: Math.min(engineS, nowS + MAX_STATE_AGE_S),
    };
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ...(expectedRevision === null
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: '#r = :r',
              ExpressionAttributeNames: { '#r': 'revision' },
              ExpressionAttributeValues: { ':r': expectedRevision },
            }),
      },
    };
  }

  private signalWrites(tenantId: string, signal: Signal): ItemWrite[] {
    const fields = signalFields(signal);
    const body = { entityType: ITEM_TYPES.signal, schemaVersion: 1, tenantId, ...fields };
    const subjects = [...new Set([signal.entityId, signal.key].filter((s): s is string => s !== null))];
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.signal(tenantId, signal.id),
            ...keys.signalIndexes(tenantId, signal.ruleId, signal.detectedAt, signal.id),
            ...body,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      ...subjects.map(
        (subject): ItemWrite => ({
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.signalOfSubject(tenantId, valueHashOf(subject), signal.detectedAt, signal.id),
              ...body,
              entityType: ITEM_TYPES.signalOfSubject,
            },
          },
        }),
      ),
    ];
  }

  async commit(tenantId: string, write: { state?: KeyStateWrite; signals: SignalWrite[] }): Promise<void> {
    const stateItem = write.state ? [this.stateWrite(tenantId, write.state)] : [];
    if (write.signals.length === 0) {
      if (!stateItem[0]?.Put) return;
      return this.writer.put(stateItem[0].Put as Parameters<DynamoMutationWriter['put']>[0], 'write signal key state');
    }
    const groups = write.signals.map((s) => ({ writes: this.signalWrites(tenantId, s.signal), mutation: s.mutation }));
    // Packed from the end: the last transaction carries the state, the ones before it signals only.
    const chunks: (typeof groups)[] = [];
    let current: typeof groups = [];
    let size = stateItem.length;
    for (const group of groups.reverse()) {
      const cost = group.writes.length + DynamoMutationWriter.chainItemsOf(group.mutation);
      if (current.length && size + cost > MAX_TRANSACTION_ITEMS) {
        chunks.unshift(current);
        current = [];
        size = 0;
      }
      current.unshift(group);
      size += cost;
    }
    chunks.unshift(current);
    const last = chunks.length - 1;
    for (const [i, chunk] of chunks.entries()) {
      if (i === last && stateItem.length) chunk[0]!.writes.unshift(stateItem[0]!);
      await this.writer.commitMany(tenantId, chunk);
    }
  }

  async existingSignals(tenantId: string, ids: readonly string[]): Promise<Set<string>> {
    const found = await Promise.all(
      ids.map(async (id) => {
        try {
          const out = await this.client.send(
            new GetCommand({
              TableName: this.tableName,
              Key: keys.signal(tenantId, id),
              ConsistentRead: true,
              ProjectionExpression: 'PK',
            }),
          );
          return out.Item ? id : undefined;
        } catch (error) {
          translateDynamoError(error, 'read signal');
        }
      }),
    );
    return new Set(found.filter((id): id is string => id !== undefined));
  }

  async getSignal(tenantId: string, id: string): Promise<Signal | undefined> {
    try {
      const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.signal(tenantId, id) }));
      return out.Item ? signalFromItem(out.Item) : undefined;
    } catch (error) {
      translateDynamoError(error, 'get signal');
    }
  }

  /**
   * Newest first from the narrowest partition the query names: the copies under its entity or key (a rule then
   * filters them), the rule's index, or the tenant's. `since` is a sort-key bound (detection times are ISO strings
   * of one width, so they sort as they compare).
   */
  async listSignals(tenantId: string, query: SignalQuery): Promise<Page<Signal>> {
    const since = query.since === undefined ? undefined : new Date(query.since).toISOString();
    let index: IndexName | undefined;
    let pk: string;
    let sk: string;
    let partition: string;
    if (query.entity !== undefined) {
      [pk, sk, partition] = ['PK', 'SK', keys.signalsOfSubjectPartition(tenantId, valueHashOf(query.entity))];
    } else if (query.rule !== undefined) {
      [index, pk, sk, partition] = ['GSI2', 'GSI2PK', 'GSI2SK', keys.signalsOfRulePartition(tenantId, query.rule)];
    } else {
      [index, pk, sk, partition] = ['GSI1', 'GSI1PK', 'GSI1SK', keys.signalsPartition(tenantId)];
    }
    const input: QueryCommandInput = {
      TableName: this.tableName,
      ...(index ? { IndexName: index } : {}),
      KeyConditionExpression: `#pk = :pk${since ? ' AND #sk >= :since' : ''}`,
      ExpressionAttributeNames: { '#pk': pk, ...(since ? { '#sk': sk } : {}) },
      ExpressionAttributeValues: { ':pk': partition, ...(since ? { ':since': since } : {}) },
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, { index, partition }),
    };
    if (query.entity !== undefined && query.rule !== undefined) {
      input.FilterExpression = '#rule = :rule';
      input.ExpressionAttributeNames!['#rule'] = 'ruleId';
      input.ExpressionAttributeValues![':rule'] = query.rule;
    }
    try {
      const out = await this.client.send(new QueryCommand(input));
      return {
        items: (out.Items ?? []).map((item) =>
          signalFromItem({ ...item, entityType: ITEM_TYPES.signal } as Record<string, unknown>),
        ),
        nextCursor: encodeCursor(out.LastEvaluatedKey),
      };
    } catch (error) {
      translateDynamoError(error, 'list signals');
    }
  }
}
