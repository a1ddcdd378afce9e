/**
 * Seeded adversarial people and organisations for entity resolution: the development set that attacks the
 * engine, and the seed data of the fake CRM/HR vendor APIs. See docs/synthetic-data.md.
 */
import type { SyntheticKind } from './dataset.js';

export * from './dataset.js';
export * from './formats.js';
export * from './people.js';
export * from './organizations.js';
export * from './writer.js';
export { Rng, ZipfPool } from './random.js';

/** Column → engine attribute mapping for the generated columns (the form `--map` and the benchmark take). */
export const SUGGESTED_MAPPINGS: Readonly<Record<SyntheticKind, string>> = {
  person:
    'first_name=firstName,middle_name=middleName,last_name=lastName,full_name=fullName,birth_date=birthDate,' +
    'gender=gender,email=email,phone=phone,street=street,city=city,postcode=postcode,employer=employer',
  organization: 'name=name,street=street,city=city,postcode=postcode,phone=phone,email=email,website=website',
};
