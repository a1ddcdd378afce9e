import { ResolutionInputError, UnknownAttributeError } from './engine/errors.js';
import { type Attribute, type EntityKind, type InputRecord, attributesFor } from './engine/types.js';

/** Which source column feeds which canonical attribute; several columns may feed one attribute (joined by a space). */
export type ColumnMapping = readonly { column: string; attribute: Attribute }[];

/** Parses "col=attr,col2=attr2" and checks every attribute exists for the entity kind. */
export function parseColumnMapping(spec: string, kind: EntityKind): ColumnMapping {
  const allowed = new Set<string>(attributesFor(kind));
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw new ResolutionInputError('the column mapping is empty');
  return entries.map((entry) => {
    const eq = entry.indexOf('=');
    if (eq <= 0 || eq === entry.length - 1)
      throw new ResolutionInputError(`mapping entry "${entry}" is not column=attribute`);
    const column = entry.slice(0, eq).trim();
    const attribute = entry.slice(eq + 1).trim();
    if (!allowed.has(attribute)) throw new UnknownAttributeError(attribute, kind);
    return { column, attribute: attribute as Attribute };
  });
}

/** Throws when a mapped column (or the id column) is not in the header. */
export function checkMappingAgainstHeader(
  mapping: ColumnMapping,
  header: readonly string[],
  idColumn: string,
  label: string,
): void {
  const have = new Set(header);
  if (!have.has(idColumn))
    throw new ResolutionInputError(`${label}: id column "${idColumn}" is not in the header (${header.join(', ')})`);
  const missing = mapping.filter((m) => !have.has(m.column)).map((m) => m.column);
  if (missing.length > 0)
    throw new ResolutionInputError(
      `${label}: mapped column(s) ${missing.map((c) => `"${c}"`).join(', ')} not in the header (${header.join(', ')})`,
    );
}

/** Turns CSV rows (objects keyed by column) into input records using the mapping. */
export function rowsToRecords(
  rows: readonly Record<string, string | undefined>[],
  mapping: ColumnMapping,
  idColumn: string,
  source?: string,
): InputRecord[] {
  return rows.map((row) => {
    const attributes: Partial<Record<Attribute, string>> = {};
    for (const { column, attribute } of mapping) {
      const v = row[column]?.trim();
      if (!v) continue;
      attributes[attribute] = attributes[attribute] ? `${attributes[attribute]} ${v}` : v;
    }
    const record: InputRecord = { id: row[idColumn] ?? '', attributes };
    if (source !== undefined) record.source = source;
    return record;
  });
}
