import type { InputRecord } from '../../../functions/domain/resolution/index.js';

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
