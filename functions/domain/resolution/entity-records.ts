import type { Entity } from '../../../schemas/entity.js';
import { RESOLVABLE_TYPES, type ResolvableType } from '../../../schemas/resolution.js';
import { type Attribute, type InputRecord, attributesFor } from './engine/types.js';

export const isResolvableType = (type: string): type is ResolvableType =>
  (RESOLVABLE_TYPES as readonly string[]).includes(type);

/** Attribute names of entities as connectors and clients write them → the engine's canonical attributes. */
const ALIASES: Record<ResolvableType, Record<string, Attribute>> = {
  person: {
    first_name: 'firstName',
    firstname: 'firstName',
    givenname: 'firstName',
    given_name: 'firstName',
    middle_name: 'middleName',
    middlename: 'middleName',
    last_name: 'lastName',
    lastname: 'lastName',
    surname: 'lastName',
    familyname: 'lastName',
    family_name: 'lastName',
    name: 'fullName',
    full_name: 'fullName',
    fullname: 'fullName',
    displayname: 'fullName',
    dateofbirth: 'birthDate',
    date_of_birth: 'birthDate',
    dob: 'birthDate',
    birthdate: 'birthDate',
    emailaddress: 'email',
    email_address: 'email',
    mobilephone: 'phone',
    mobile: 'phone',
    phone_number: 'phone',
    phonenumber: 'phone',
    address: 'street',
    mailingstreet: 'street',
    street_address: 'street',
    zip: 'postcode',
    zipcode: 'postcode',
    postalcode: 'postcode',
    postal_code: 'postcode',
    company: 'employer',
    organization: 'employer',
    organisation: 'employer',
  },
  organization: {
    company: 'name',
    companyname: 'name',
    company_name: 'name',
    legalname: 'name',
    legal_name: 'name',
    web: 'website',
    url: 'website',
    emailaddress: 'email',
    phone_number: 'phone',
    phonenumber: 'phone',
    address: 'street',
    billingstreet: 'street',
    street_address: 'street',
    zip: 'postcode',
    zipcode: 'postcode',
    postalcode: 'postcode',
    postal_code: 'postcode',
    description: 'text',
  },
};

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // a list of e-mails or phones: the first is the primary one
  if (Array.isArray(value)) return value.map(scalar).find((v) => v !== undefined);
  return undefined;
}

/** The canonical attribute an entity attribute name stands for (exact name or alias, case-insensitive), if any. */
function canonicalAttribute(type: ResolvableType, name: string): Attribute | undefined {
  const key = name.toLowerCase();
  return attributesFor(type).find((a) => a.toLowerCase() === key) ?? ALIASES[type]?.[key];
}

/**
 * The attribute names among `names` that the matcher reads for this type (names, e-mail, phone, birth date,
 * address, domain…): a change of any other attribute cannot change a match.
 */
export function identifyingAttributes(type: ResolvableType, names: readonly string[]): string[] {
  return names.filter((n) => canonicalAttribute(type, n) !== undefined);
}

/**
 * The engine's view of an entity: canonical attribute names (exact or common aliases, case-insensitive),
 * string values. Attributes the engine does not know are ignored.
 */
export function entityToRecord(entity: Pick<Entity, 'id' | 'type' | 'attributes' | 'updatedAt'>): InputRecord {
  const type = entity.type as ResolvableType;
  const canonical = new Map(attributesFor(type).map((a) => [a.toLowerCase(), a]));
  const aliases = ALIASES[type] ?? {};
  const attributes: Partial<Record<Attribute, string>> = {};
  for (const [name, raw] of Object.entries(entity.attributes)) {
    const key = name.toLowerCase();
    const attribute = canonical.get(key) ?? aliases[key];
    const value = scalar(raw);
    if (!attribute || value === undefined || attributes[attribute] !== undefined) continue;
    attributes[attribute] = value;
  }
  const source = typeof entity.attributes.source === 'string' ? entity.attributes.source : undefined;
  return { id: entity.id, updatedAt: entity.updatedAt, attributes, ...(source ? { source } : {}) };
}

/** True when the record has anything the engine can compare. */
export const hasResolvableAttributes = (record: InputRecord): boolean => Object.keys(record.attributes).length > 0;
