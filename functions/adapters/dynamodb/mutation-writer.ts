import {
  DeleteCommand,
  type DeleteCommandInput,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { EVENT_CATALOGUE } from '../../../schemas/events.js';
import { genesisHash, linkAudit } from '../../domain/audit/audit-chain.js';
import { ConflictError, EffectAlreadyAppliedError, TransientError } from '../../domain/errors.js';
import type { MutationRecord } from '../../domain/ports.js';
import { cancellationCodes, translateDynamoError } from './errors.js';
import { ITEM_TYPES, keys } from './keys.js';

type DocTransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
export type ItemWrite = DocTransactItem;

export interface MutationWriterOptions {
  tableName: string;
  lanes: number;
  outboxTtlDays: number;
  maxAttempts?: number;
}

interface LaneHead {
  seq: number;
  hash: string;
}

/**
 * Commits a mutation as one TransactWriteItems: the caller's item writes, the audit record linked
 * into the tenant's hash chain, one outbox item per event, and the chain lane's new head.
 *
 * Lane heads are cached per process; a lane in use by this process is not handed to a second
 * concurrent request, so in steady state a mutation costs exactly one transaction (no read).
 * Another process moving a lane's head shows up as the head's condition failing: the head is
 * re-read and the transaction retried. Item conditions failing are the caller's conflict (409).
 */
export class DynamoMutationWriter {
  private readonly heads = new Map<string, LaneHead>();
  private readonly busy = new Set<string>();
  /** Requests of this process waiting for a lane of their tenant to free up. */
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: MutationWriterOptions,
  ) {}

  async commit(tenantId: string, writes: ItemWrite[], mutation: MutationRecord): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 8;
    const lane = await this.acquireLane(tenantId);
    const laneKey = `${tenantId}#${lane}`;
    try {
      for (let attempt = 1; ; attempt++) {
        const head = this.heads.get(laneKey) ?? (await this.readHead(tenantId, lane));
        const marker = mutation.idempotency ? [this.idempotencyMarker(tenantId, mutation.idempotency)] : [];
        const items = [...writes, ...marker, ...this.auditAndOutbox(tenantId, lane, head, mutation)];
        const auditIndex = writes.length + marker.length;
        try {
          await this.client.send(new TransactWriteCommand({ TransactItems: items }));
          const audit = items[auditIndex]?.Put?.Item as { seq: number; hash: string };
          this.heads.set(laneKey, { seq: audit.seq, hash: audit.hash });
          return;
        } catch (error) {
          const codes = cancellationCodes(error);
          if (!codes) translateDynamoError(error, 'mutation');
          if (marker.length && codes[writes.length] === 'ConditionalCheckFailed') {
            throw new EffectAlreadyAppliedError(`effect ${mutation.idempotency!.key} was already applied`, {
              cause: error,
            });
          }
          const itemConflict = codes.slice(0, writes.length).some((c) => c === 'ConditionalCheckFailed');
          if (itemConflict) throw new ConflictError('the resource was changed or already exists', { cause: error });
          const headStale = codes[codes.length - 1] === 'ConditionalCheckFailed';
          if (headStale) this.heads.delete(laneKey);
          const retryable = headStale || codes.some((c) => c === 'TransactionConflict' || c === 'ThrottlingError');
          if (!retryable || attempt >= maxAttempts) {
            throw new TransientError(`mutation failed after ${attempt} attempts (${codes.join(',')})`, {
              cause: error,
            });
          }
          await sleep(Math.min(200, 5 * 2 ** attempt) * Math.random());
        }
      }
    } finally {
      this.releaseLane(tenantId, laneKey);
    }
  }

  /**
   * A lane no other request of this process is using. When all are in use the request waits for one
   * (rather than sharing a lane, which would make the two transactions conflict on its head).
   */
  private async acquireLane(tenantId: string): Promise<number> {
    const { lanes } = this.options;
    for (;;) {
      const start = Math.floor(Math.random() * lanes);
      for (let i = 0; i < lanes; i++) {
        const lane = (start + i) % lanes;
        const key = `${tenantId}#${lane}`;
        if (!this.busy.has(key)) {
          this.busy.add(key);
          return lane;
        }
      }
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(tenantId) ?? [];
        queue.push(resolve);
        this.waiting.set(tenantId, queue);
      });
    }
  }

  private releaseLane(tenantId: string, laneKey: string): void {
    this.busy.delete(laneKey);
    const queue = this.waiting.get(tenantId);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.waiting.delete(tenantId);
    next?.();
  }

  private async readHead(tenantId: string, lane: number): Promise<LaneHead> {
    try {
      const out = await this.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: keys.auditHead(tenantId, lane),
          ConsistentRead: true,
        }),
      );
      const item = out.Item as { seq?: number; hash?: string } | undefined;
      return item?.seq && item.hash
        ? { seq: item.seq, hash: item.hash }
        : { seq: 0, hash: genesisHash(tenantId, lane) };
    } catch (error) {
      translateDynamoError(error, 'read audit head');
    }
  }

  private idempotencyMarker(tenantId: string, idempotency: { key: string; result: unknown }): DocTransactItem {
    return {
      Put: {
        TableName: this.options.tableName,
        Item: {
          ...keys.idempotency(tenantId, idempotency.key),
          entityType: ITEM_TYPES.idempotency,
          schemaVersion: 1,
          result: JSON.stringify(idempotency.result),
          expiresAt: Math.floor(Date.now() / 1000) + 30 * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    };
  }

  /**
   * A single conditional put that is bookkeeping, not a user-visible mutation (engine state such as a
   * run's step progress): no audit record, no event. A failed condition is a ConflictError.
   */
  async put(input: PutCommandInput, what: string): Promise<void> {
    try {
      await this.client.send(new PutCommand(input));
    } catch (error) {
      translateDynamoError(error, what);
    }
  }

  /** A single delete that is bookkeeping (no audit, no event), like `put`. */
  async delete(input: DeleteCommandInput, what: string): Promise<void> {
    try {
      await this.client.send(new DeleteCommand(input));
    } catch (error) {
      translateDynamoError(error, what);
    }
  }

  /** The stored result of an idempotent mutation, if it happened. */
  async findIdempotent(tenantId: string, key: string): Promise<{ result: unknown } | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: keys.idempotency(tenantId, key),
          ConsistentRead: true,
        }),
      );
      const raw = out.Item?.result;
      return typeof raw === 'string' ? { result: JSON.parse(raw) as unknown } : undefined;
    } catch (error) {
      translateDynamoError(error, 'read idempotency marker');
    }
  }

  private auditAndOutbox(tenantId: string, lane: number, head: LaneHead, mutation: MutationRecord): DocTransactItem[] {
    return this.chain(tenantId, lane, head, [mutation]).items;
  }

  /**
   * The audit records of `mutations` linked one after the other into the lane's chain from `head`, each followed by
   * its outbox items, then the lane head's move to the last of them (one condition on the head read).
   */
  private chain(
    tenantId: string,
    lane: number,
    head: LaneHead,
    mutations: readonly MutationRecord[],
  ): { items: DocTransactItem[]; last: LaneHead } {
    const { tableName } = this.options;
    const items: DocTransactItem[] = [];
    let current = head;
    for (const mutation of mutations) {
      const seq = current.seq + 1;
      const link = linkAudit(mutation.audit, lane, seq, current.hash);
      const auditId = randomUUID();
      items.push({
        Put: {
          TableName: tableName,
          Item: {
            ...keys.audit(tenantId, mutation.audit.at, auditId),
            ...keys.auditLaneIndex(tenantId, lane, seq),
            entityType: ITEM_TYPES.audit,
            schemaVersion: 1,
            tenantId,
            id: auditId,
            ...mutation.audit,
            ...link,
          },
        },
      });
      const expiresAt = Math.floor(Date.now() / 1000) + this.options.outboxTtlDays * 86_400;
      for (const event of mutation.events) {
        const eventId = randomUUID();
        const detail = {
          tenantId,
          eventId,
          occurredAt: mutation.audit.at,
          schemaVersion: 1,
          correlationId: mutation.audit.requestId,
          payload: event.payload,
        };
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              ...keys.outbox(tenantId, eventId),
              entityType: ITEM_TYPES.outbox,
              schemaVersion: 1,
              tenantId,
              source: EVENT_CATALOGUE[event.name].source,
              detailType: event.name,
              detail: JSON.stringify(detail),
              expiresAt,
            },
          },
        });
      }
      current = { seq, hash: link.hash };
    }
    const headItem: DocTransactItem =
      head.seq === 0
        ? {
            Put: {
              TableName: tableName,
              Item: {
                ...keys.auditHead(tenantId, lane),
                entityType: ITEM_TYPES.auditHead,
                schemaVersion: 1,
                seq: current.seq,
                hash: current.hash,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          }
        : {
            Update: {
              TableName: tableName,
              Key: keys.auditHead(tenantId, lane),
              UpdateExpression: 'SET #seq = :seq, #hash = :hash',
              ConditionExpression: '#seq = :prev',
              ExpressionAttributeNames: { '#seq': 'seq', '#hash': 'hash' },
              ExpressionAttributeValues: { ':seq': current.seq, ':hash': current.hash, ':prev': head.seq },
            },
          };
    items.push(headItem);
    return { items, last: current };
  }

  /**
   * Several mutations in one TransactWriteItems: each group's item writes, its audit record (chained in order in one
   * lane) and events, and one move of the lane head. All or nothing: a failed condition of any group's writes throws
   * ConflictError and nothing is written (the caller commits the groups one by one to find which). The caller keeps
   * the total under DynamoDB's 100 items: `itemsOf` says what a group costs.
   */
  async commitMany(
    tenantId: string,
    groups: readonly { writes: ItemWrite[]; mutation: MutationRecord }[],
  ): Promise<void> {
    if (groups.length === 0) return;
    const maxAttempts = this.options.maxAttempts ?? 8;
    const lane = await this.acquireLane(tenantId);
    const laneKey = `${tenantId}#${lane}`;
    const writes = groups.flatMap((g) => g.writes);
    try {
      for (let attempt = 1; ; attempt++) {
        const head = this.heads.get(laneKey) ?? (await this.readHead(tenantId, lane));
        const chained = this.chain(
          tenantId,
          lane,
          head,
          groups.map((g) => g.mutation),
        );
        try {
          await this.client.send(new TransactWriteCommand({ TransactItems: [...writes, ...chained.items] }));
          this.heads.set(laneKey, chained.last);
          return;
        } catch (error) {
          const codes = cancellationCodes(error);
          if (!codes) translateDynamoError(error, 'mutations');
          if (codes.slice(0, writes.length).some((c) => c === 'ConditionalCheckFailed'))
            throw new ConflictError('a resource was changed or already exists', { cause: error });
          const headStale = codes[codes.length - 1] === 'ConditionalCheckFailed';
          if (headStale) this.heads.delete(laneKey);
          const retryable = headStale || codes.some((c) => c === 'TransactionConflict' || c === 'ThrottlingError');
          if (!retryable || attempt >= maxAttempts) {
            throw new TransientError(`mutations failed after ${attempt} attempts (${codes.join(',')})`, {
              cause: error,
            });
          }
          await sleep(Math.min(200, 5 * 2 ** attempt) * Math.random());
        }
      }
    } finally {
      this.releaseLane(tenantId, laneKey);
    }
  }

  /** Transaction items a group costs in commitMany besides its writes: its audit record and one per event. */
  static chainItemsOf(mutation: MutationRecord): number {
    return 1 + mutation.events.length;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export type { TransactWriteItem };
