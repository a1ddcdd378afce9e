export type EntityKind = 'person' | 'organization';
export type ResolveMode = 'dedup' | 'link';

export const PERSON_ATTRIBUTES = [
  'firstName',
  'middleName',
  'lastName',
  'fullName',
  'birthDate',
  'birthYear',
  'age',
  'gender',
  'email',
  'phone',
  'street',
  'city',
  'postcode',
  'state',
  'country',
  'employer',
  'text',
] as const;
export const ORGANIZATION_ATTRIBUTES = [
  'name',
  'domain',
  'website',
  'email',
  'phone',
  'street',
  'city',
  'postcode',
  'state',
  'country',
  'text',
] as const;

export type PersonAttribute = (typeof PERSON_ATTRIBUTES)[number];
export type OrganizationAttribute = (typeof ORGANIZATION_ATTRIBUTES)[number];
export type Attribute = PersonAttribute | OrganizationAttribute;

export function attributesFor(kind: EntityKind): readonly Attribute[] {
  return kind === 'person' ? PERSON_ATTRIBUTES : ORGANIZATION_ATTRIBUTES;
}

/** One input record: raw attribute values keyed by canonical attribute name. */
export interface InputRecord {
  id: string;
  /** Source system (e.g. 'salesforce'); in link mode 'left' / 'right' unless given. */
  source?: string;
  /** ISO timestamp of the last update, used by recency survivorship. */
  updatedAt?: string;
  attributes: Partial<Record<Attribute, string | null | undefined>>;
}
