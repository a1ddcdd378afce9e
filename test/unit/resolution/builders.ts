import type { InputRecord } from '../../../functions/domain/resolution/engine/index.js';
import type { Entity } from '../../../schemas/entity.js';

let counter = 0;

/** A person record builder; every call returns a fresh object. */
export function aPerson(attributes: InputRecord['attributes'] = {}, id?: string): InputRecord {
  counter++;
  return {
    id: id ?? `p${counter}`,
    attributes: { firstName: 'john', lastName: 'smith', birthDate: '1980-01-02', city: 'leeds', ...attributes },
  };
}

export function anOrganization(attributes: InputRecord['attributes'] = {}, id?: string): InputRecord {
  counter++;
  return { id: id ?? `o${counter}`, attributes: { name: 'Acme Ltd', ...attributes } };
}

let entityCounter = 0;
/** An entity of a resolvable type; every call returns a fresh object. */
export function anEntity(type: 'person' | 'organization', attributes: Record<string, unknown>, id?: string): Entity {
  entityCounter++;
  return {
    id: id ?? `e${String(entityCounter).padStart(4, '0')}`,
    type,
    attributes,
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}
