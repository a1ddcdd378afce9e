import { hasLoneSurrogate } from '../../../schemas/json-rules.js';
import { ValidationError } from '../../domain/errors.js';
import { TABLE_DEFINITION, type IndexName } from '../../platform/table-definition.js';

/** The query a cursor continues: the index it reads (the table when absent) and its partition. */
export interface CursorScope {
  index?: IndexName;
  partition: string;
}

/** DynamoDB's limit on a sort key value, in bytes (a partition key allows 2048): the tighter bound serves both. */
const MAX_KEY_BYTES = 1024;

/**
 * Page cursors are DynamoDB's LastEvaluatedKey as base64url JSON. A cursor is accepted only for the
 * partition it was issued for (so it can't be replayed against another tenant or query), and only with
 * exactly the key attributes of its index as non-empty strings: DynamoDB answers any other
 * ExclusiveStartKey with a ValidationException, which must be the client's 400, not a 500.
 */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  return lastKey ? Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url') : null;
}

export function decodeCursor(cursor: string | undefined, scope: CursorScope): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    new ValidationError('cursor is not valid for this query', {
      details: [{ field: 'cursor', message: 'invalid cursor' }],
    });
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(cursor, 'base64url')));
  } catch {
    throw invalid();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const expected = keyAttributes(scope.index);
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length !== expected.length || !expected.every((name) => Object.hasOwn(parsed as object, name)))
    throw invalid();
  const wellFormed = (v: unknown): v is string =>
    typeof v === 'string' && v !== '' && Buffer.byteLength(v, 'utf8') <= MAX_KEY_BYTES && !hasLoneSurrogate(v);
  if (!entries.every(([, v]) => wellFormed(v))) throw invalid();
  const key = parsed as Record<string, string>;
  if (key[expected[0]!] !== scope.partition) throw invalid();
  return key;
}

/** A LastEvaluatedKey's attributes: the index's partition and sort key, then the table's (which a GSI page carries too). */
function keyAttributes(index: IndexName | undefined): readonly string[] {
  const table = [TABLE_DEFINITION.partitionKey, TABLE_DEFINITION.sortKey];
  if (index === undefined) return table;
  const gsi = TABLE_DEFINITION.globalSecondaryIndexes.find((g) => g.indexName === index);
  if (!gsi) throw new Error(`unknown index ${index}`);
  return [gsi.partitionKey, gsi.sortKey, ...table];
}
