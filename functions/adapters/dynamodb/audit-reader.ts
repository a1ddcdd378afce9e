import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { AUDIT_FILTER_READ_LIMIT, AuditRecord } from '../../../schemas/audit.js';
import type { AuditLaneHead, AuditQuery, AuditReader, Page } from '../../domain/ports.js';
import { filteredPage } from './filtered-page.js';
import { translateDynamoError } from './errors.js';
import { keys } from './keys.js';

const toRecord = (item: Record<string, unknown>): AuditRecord => AuditRecord.parse(item);

/** The query fields that filter a page of the trail, each matching the record attribute of its name. */
const FILTERS = ['actor', 'action', 'resourceType', 'resourceId'] as const;

/** Waits before re-reading a lane whose index shows fewer records than its head counts (GSIs lag behind writes). */
const INDEX_LAG_WAITS_MS = [200, 400];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type QueryOut = { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };

/**
 * Reads a tenant's audit trail newest first (filtered by actor, action and resource: no index holds those, so a
 * filtered page is a bounded filtered query of the trail's partition), and the chain's lanes in order with their
 * heads, for verification.
 */
export class DynamoAuditReader implements AuditReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { indexLagWaitsMs?: readonly number[] } = {},
  ) {}

  /**
   * A page of the trail (filteredPage): filtered, it reads at most AUDIT_FILTER_READ_LIMIT records and may answer a
   * short page, even an empty one, with a cursor to read on from.
   */
  async list(tenantId: string, query: AuditQuery): Promise<Page<AuditRecord>> {
    const page = await filteredPage(this.client, this.tableName, {
      partition: keys.auditPartition(tenantId),
      filters: Object.fromEntries(FILTERS.map((f) => [f, query[f]])),
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      maxRead: AUDIT_FILTER_READ_LIMIT,
      what: 'list audit',
    });
    return { items: page.items.map(toRecord), nextCursor: page.nextCursor };
  }

  async laneHeads(tenantId: string): Promise<Map<number, AuditLaneHead>> {
    const heads = new Map<number, AuditLaneHead>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.query(
        {
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.auditHeadsPartition(tenantId) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        },
        'read audit lane heads',
      );
      for (const item of out.Items ?? []) {
        const lane = Number(/^LANE#(\d+)$/.exec(String(item.SK))?.[1]);
        if (Number.isInteger(lane) && typeof item.seq === 'number' && typeof item.hash === 'string')
          heads.set(lane, { seq: item.seq, hash: item.hash });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return heads;
  }

  async laneRecords(
    tenantId: string,
    lane: number,
    range: { fromSeq: number; throughSeq: number; limit: number },
  ): Promise<AuditRecord[]> {
    const expected = Math.min(range.limit, range.throughSeq - range.fromSeq + 1);
    let records = await this.readLane(tenantId, lane, range);
    for (const wait of this.options.indexLagWaitsMs ?? INDEX_LAG_WAITS_MS) {
      if (records.length >= expected) break;
      await sleep(wait);
      records = await this.readLane(tenantId, lane, range);
    }
    return records;
  }

  /** Every record of one lane in ascending sequence. */
  async lane(tenantId: string, lane: number): Promise<AuditRecord[]> {
    return this.readLane(tenantId, lane, { fromSeq: 1, throughSeq: 999_999_999_999, limit: Number.MAX_SAFE_INTEGER });
  }

  private async readLane(
    tenantId: string,
    lane: number,
    range: { fromSeq: number; throughSeq: number; limit: number },
  ): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.query(
        {
          TableName: this.tableName,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :from AND :through',
          ExpressionAttributeValues: {
            ':pk': keys.auditLanePartition(tenantId, lane),
            ':from': keys.auditLaneIndex(tenantId, lane, range.fromSeq).GSI1SK,
            ':through': keys.auditLaneIndex(tenantId, lane, range.throughSeq).GSI1SK,
          },
          Limit: Math.min(1000, range.limit - records.length),
          ExclusiveStartKey: startKey,
        },
        'read audit lane',
      );
      records.push(...(out.Items ?? []).map(toRecord));
      startKey = out.LastEvaluatedKey;
    } while (startKey && records.length < range.limit);
    return records;
  }

  private async query(input: QueryCommandInput, what: string): Promise<QueryOut> {
    try {
      return await this.client.send(new QueryCommand(input));
    } catch (error) {
      translateDynamoError(error, what);
    }
  }
}
