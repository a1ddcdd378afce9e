import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type IndexName, TABLE_DEFINITION } from '../../platform/table-definition.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './errors.js';

/**
 * One page of an index partition, newest first (sort keys descend), with the API's cursor: the cursor is accepted only
 * for this index and partition (cursor.ts). The caller validates and maps the raw items.
 */
export async function indexPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  index: IndexName,
  partition: string,
  query: { limit: number; cursor?: string },
  what: string,
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  const startKey = decodeCursor(query.cursor, { index, partition });
  const partitionKey = TABLE_DEFINITION.globalSecondaryIndexes.find((g) => g.indexName === index)!.partitionKey;
  try {
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return { items: out.Items ?? [], nextCursor: encodeCursor(out.LastEvaluatedKey) };
  } catch (error) {
    translateDynamoError(error, what);
  }
}
