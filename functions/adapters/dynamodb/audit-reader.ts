import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditRecord } from '../../../schemas/audit.js';
import type { AuditReader, Page } from '../../domain/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './errors.js';
import { keys } from './keys.js';

const toRecord = (item: Record<string, unknown>): AuditRecord => AuditRecord.parse(item);

/** Reads a tenant's audit trail newest first, and one chain lane in order for verification. */
export class DynamoAuditReader implements AuditReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<AuditRecord>> {
    const partition = keys.auditPartition(tenantId);
    const startKey = decodeCursor(query.cursor, { partition });
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': partition },
          ScanIndexForward: false,
          Limit: query.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      return { items: (out.Items ?? []).map(toRecord), nextCursor: encodeCursor(out.LastEvaluatedKey) };
    } catch (error) {
      translateDynamoError(error, 'list audit');
    }
  }

  /** Every record of one lane in ascending sequence (for chain verification). */
  async lane(tenantId: string, lane: number): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.auditLanePartition(tenantId, lane) },
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...(out.Items ?? []).map(toRecord));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}
