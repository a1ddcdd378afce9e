import { ValidationError } from '../../domain/errors.js';

/**
 * Page cursors are DynamoDB's LastEvaluatedKey as base64url JSON. A cursor is only accepted for the
 * partition it was issued for (so a cursor can't be replayed against another tenant or query).
 */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  return lastKey ? Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url') : null;
}

export function decodeCursor(cursor: string | undefined, partitionAttr: string, partition: string): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => new ValidationError('cursor is not valid for this query', { details: [{ field: 'cursor', message: 'invalid cursor' }] });
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0 || entries.length > 6 || entries.some(([, v]) => typeof v !== 'string' || v.length > 1024)) throw invalid();
  const key = parsed as Record<string, string>;
  if (key[partitionAttr] !== partition) throw invalid();
  return key;
}
