import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { type IndexName, TABLE_DEFINITION } from '../../platform/table-definition.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './errors.js';

/** One page of a partition, newest first, of the items whose attributes equal the given values. */
export interface FilteredPageQuery {
  /** The index read; the table when absent. */
  index?: IndexName;
  partition: string;
  /** Attribute → value the items must hold (exact matches, all of them); undefined values are no filter. */
  filters: Record<string, string | number | undefined>;
  limit: number;
  cursor?: string;
  /** Items a filtered page reads at most (DynamoDB's ScannedCount) before it answers with what it found. */
  maxRead: number;
  /** The attributes to read (the key attributes are added); all when absent. */
  attributes?: readonly string[];
  what: string;
}

/**
 * A page of a partition through a filter no key holds. Unfiltered, one query of `limit` items. Filtered, queries follow
 * each other until `limit` items match, the partition ends or `maxRead` items were read; the cursor continues after
 * the last item taken (or read, when the page is short), so a sparse filter answers a short page, even an empty one,
 * with a cursor instead of reading the whole partition in one request. The cursor is accepted only for this index
 * and partition (cursor.ts).
 */
export async function filteredPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  q: FilteredPageQuery,
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  const keyNames = keyAttributesOf(q.index);
  const names: Record<string, string> = { '#pk': keyNames[0]! };
  const values: Record<string, unknown> = { ':pk': q.partition };
  const conditions: string[] = [];
  for (const [i, [attribute, value]] of Object.entries(q.filters).entries()) {
    if (value === undefined) continue;
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = value;
    conditions.push(`#f${i} = :f${i}`);
  }
  const projected = q.attributes ? [...new Set([...keyNames, ...q.attributes])] : undefined;
  projected?.forEach((a, i) => {
    names[`#a${i}`] = a;
  });
  const base: QueryCommandInput = {
    TableName: tableName,
    ...(q.index ? { IndexName: q.index } : {}),
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
    ...(projected ? { ProjectionExpression: projected.map((_, i) => `#a${i}`).join(', ') } : {}),
  };
  let startKey: Record<string, unknown> | undefined = decodeCursor(q.cursor, {
    ...(q.index ? { index: q.index } : {}),
    partition: q.partition,
  });
  const send = async (limit: number) => {
    try {
      return await client.send(new QueryCommand({ ...base, Limit: limit, ExclusiveStartKey: startKey }));
    } catch (error) {
      translateDynamoError(error, q.what);
    }
  };
  if (!conditions.length) {
    const out = await send(q.limit);
    return { items: out.Items ?? [], nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }
  const found: Record<string, unknown>[] = [];
  let read = 0;
  let nextKey: Record<string, unknown> | undefined;
  for (let queries = 0; read < q.maxRead; queries++) {
    const wanted = q.limit - found.length;
    // A filtered read asks for more than it needs (most items may not match), and for twice as many each time it
    // found too few, within what is left to read.
    const limit = Math.min(q.maxRead - read, Math.max(wanted * 4, 100) * 2 ** queries);
    const out = await send(limit);
    read += out.ScannedCount ?? limit;
    const items = out.Items ?? [];
    if (items.length >= wanted) {
      found.push(...items.slice(0, wanted));
      const last = found.at(-1)!;
      // More may follow the last item taken, whether it ended DynamoDB's page or not.
      nextKey =
        items.length > wanted || out.LastEvaluatedKey
          ? Object.fromEntries(keyNames.map((k) => [k, last[k]]))
          : undefined;
      break;
    }
    found.push(...items);
    nextKey = out.LastEvaluatedKey;
    if (!nextKey) break;
    startKey = nextKey;
  }
  return { items: found, nextCursor: encodeCursor(nextKey) };
}

/** The key attributes of an index's items as its LastEvaluatedKey names them: its own keys, then the table's. */
function keyAttributesOf(index: IndexName | undefined): string[] {
  const table = [TABLE_DEFINITION.partitionKey, TABLE_DEFINITION.sortKey];
  if (!index) return table;
  const gsi = TABLE_DEFINITION.globalSecondaryIndexes.find((g) => g.indexName === index)!;
  return [gsi.partitionKey, gsi.sortKey, ...table];
}
