/**
 * Generated people and organisations (local/synthetic, docs/synthetic-data.md) in the vendors' record shapes: each
 * source's habits (Title, lower or UPPER case, "Last, First" in one field, five phone formats, three website forms,
 * typos, missing cells) through the normaliser of that vendor, and the invariants every output must hold. The data
 * was generated for attacking identity resolution, not for these normalisers.
 */
import { describe, expect, it } from 'vitest';
import type { NormalisedRecord } from '../../../../functions/domain/connectors/ports.js';
import { normaliserFor } from '../../../../functions/domain/connectors/normalise/index.js';
import type { ConnectorSystem } from '../../../../functions/domain/connectors/registry.js';
import {
  type DedupDataset,
  generateOrganizations,
  generatePeople,
  type SyntheticRecord,
} from '../../../../local/synthetic/index.js';

const PEOPLE = (generatePeople({ mode: 'dedup', records: 2000, seed: 7 }) as DedupDataset).records;
const ORGANIZATIONS = (generateOrganizations({ mode: 'dedup', records: 300, seed: 8 }) as DedupDataset).records;

/** How CRM users write the one country of the generated data (its phones are North American). */
const US_SPELLINGS = ['United States', 'USA', 'US', 'U.S.', 'united states of america', 'U.S.A.', 'usa'];

const salesforceId = (prefix: string, i: number) => `${prefix}5g${String(i).padStart(10, '0')}AAA`;
const hubspotId = (i: number) => String(100_000 + i);
const wid = (i: number) => i.toString(16).padStart(32, '0');
const blankToNull = (value: string | undefined) => (value === undefined || value === '' ? null : value);
const stamp = (i: number) =>
  `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:15:00.000+0000`;

interface Case {
  system: ConnectorSystem;
  object: string;
  raw: Record<string, unknown>;
  row: SyntheticRecord;
}

/** A generated person as the record of its source's vendor (Workday workers alternate between REST and report). */
function personCase(row: SyntheticRecord, i: number): Case {
  const a = row.attributes;
  const country = US_SPELLINGS[i % US_SPELLINGS.length]!;
  if (row.source === 'hubspot') {
    const firstname = [a.first_name, a.middle_name].filter((p) => p).join(' ');
    return {
      system: 'hubspot',
      object: 'contacts',
      row,
      raw: {
        id: hubspotId(i),
        properties: {
          firstname: blankToNull(firstname),
          lastname: blankToNull(a.last_name),
          email: blankToNull(a.email),
          phone: blankToNull(a.phone),
          company: blankToNull(a.employer),
          address: blankToNull(a.street),
          city: blankToNull(a.city),
          zip: blankToNull(a.postcode),
          country,
          date_of_birth: blankToNull(a.birth_date),
          lastmodifieddate: `2026-11-30T10:${String(i % 60).padStart(2, '0')}:00.000Z`,
        },
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-11-30T10:00:00.000Z',
        archived: false,
      },
    };
  }
  if (row.source === 'workday') {
    const full = a.full_name ?? '';
    if (i % 2 === 0)
      return {
        system: 'workday',
        object: 'workers',
        row,
        raw: {
          id: wid(i),
          descriptor: full,
          workerId: String(20_000 + i),
          primaryWorkEmail: blankToNull(a.email),
          primaryWorkPhone: blankToNull(a.phone),
          location: { descriptor: a.city, country: { 'ISO_3166-1_Alpha-2_Code': 'US' } },
          manager: i > 0 ? { id: wid(i - 1) } : null,
        },
      };
    const comma = full.indexOf(',');
    return {
      system: 'workday',
      object: 'workerReport',
      row,
      raw: {
        Worker_WID: wid(i).toUpperCase(),
        Employee_ID: String(20_000 + i),
        Legal_Name_First_Name: full.slice(comma + 1).trim(),
        Legal_Name_Last_Name: full.slice(0, comma).trim(),
        Email_Address_Work: a.email,
        Phone_Work: a.phone,
        Hire_Date: '2020-01-15',
        Worker_Status: i % 10 === 1 ? 'Terminated' : 'Active',
        Manager_WID: '',
        Location: a.city,
        Country_ISO_Code: 'US',
        Birth_Date: a.birth_date,
      },
    };
  }
  return {
    system: 'salesforce',
    object: 'Contact',
    row,
    raw: {
      attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${salesforceId('003', i)}` },
      Id: salesforceId('003', i),
      FirstName: blankToNull(a.first_name),
      LastName: blankToNull(a.last_name),
      Email: blankToNull(a.email),
      Phone: blankToNull(a.phone),
      Birthdate: blankToNull(a.birth_date),
      MailingStreet: blankToNull(a.street),
      MailingCity: blankToNull(a.city),
      MailingPostalCode: blankToNull(a.postcode),
      MailingCountry: country,
      AccountId: i % 3 === 0 ? null : salesforceId('001', i),
      SystemModstamp: stamp(i),
      IsDeleted: false,
    },
  };
}

/** A generated organisation as a Salesforce Account or a HubSpot company (the domain field holding the website). */
function organizationCase(row: SyntheticRecord, i: number): Case {
  const a = row.attributes;
  const country = US_SPELLINGS[i % US_SPELLINGS.length]!;
  if (row.source === 'hubspot')
    return {
      system: 'hubspot',
      object: 'companies',
      row,
      raw: {
        id: hubspotId(i),
        properties: {
          name: a.name,
          domain: blankToNull(a.website),
          phone: blankToNull(a.phone),
          address: blankToNull(a.street),
          city: blankToNull(a.city),
          zip: blankToNull(a.postcode),
          country,
          hs_lastmodifieddate: '2026-11-30T10:15:00.000Z',
        },
        archived: false,
      },
    };
  return {
    system: 'salesforce',
    object: 'Account',
    row,
    raw: {
      attributes: { type: 'Account' },
      Id: salesforceId('001', i),
      Name: a.name,
      Website: blankToNull(a.website),
      Phone: blankToNull(a.phone),
      BillingStreet: blankToNull(a.street),
      BillingCity: blankToNull(a.city),
      BillingPostalCode: blankToNull(a.postcode),
      BillingCountry: country,
      SystemModstamp: stamp(i),
    },
  };
}

const PERSON_CASES = PEOPLE.map(personCase);
const ORGANIZATION_CASES = ORGANIZATIONS.map(organizationCase);
const run = (c: Case): NormalisedRecord => normaliserFor(c.system)(c.object, c.raw);

/** Words of a cased name may be lower case only as particles, upper case only as initials and numerals. */
const LOWER_WORDS = new Set([
  'van',
  'von',
  'de',
  'da',
  'das',
  'do',
  'dos',
  'del',
  'della',
  'der',
  'den',
  'ter',
  'ten',
  'zu',
  'la',
  'le',
  'y',
]);
function expectCased(name: string): void {
  expect(name).toBe(name.trim());
  expect(name).not.toMatch(/\s{2}/);
  for (const word of name.split(' ')) {
    if (word === word.toLowerCase()) expect(LOWER_WORDS.has(word), `${word} in ${name}`).toBe(true);
    else if (word.length > 1 && word === word.toUpperCase()) expect(word, name).toMatch(/^(?:[A-Z]\.?|II|III|IV)$/);
    else expect(word.charAt(0), name).toBe(word.charAt(0).toUpperCase());
  }
}

describe('generated people through the vendors’ normalisers', () => {
  it('covers every source and object of the generator', () => {
    expect(PERSON_CASES.length).toBe(2000);
    expect(new Set(PERSON_CASES.map((c) => c.object))).toEqual(
      new Set(['Contact', 'contacts', 'workers', 'workerReport']),
    );
  });

  it('gives every person a cased, non-empty name whose full name holds first and last name', () => {
    for (const c of PERSON_CASES) {
      const person = run(c).entities.find((e) => e.type === 'person')!;
      const { firstName, lastName, fullName } = person.attributes as Record<string, string | undefined>;
      expect(lastName, c.row.id).toBeTruthy();
      expect(fullName, c.row.id).toBeTruthy();
      for (const name of [firstName, lastName, fullName]) if (name !== undefined) expectCased(name);
      expect(fullName!.endsWith(lastName!) || fullName!.includes(`${lastName} `), c.row.id).toBe(true);
      if (firstName !== undefined) expect(fullName!.startsWith(firstName), c.row.id).toBe(true);
    }
  });

  it('writes e-mails in lower case, phones in E.164 and countries as two capitals, keeping every usable value', () => {
    for (const c of PERSON_CASES) {
      const person = run(c).entities.find((e) => e.type === 'person')!.attributes;
      const a = c.row.attributes;
      if (a.email) expect(person.email, c.row.id).toBe(a.email.trim().toLowerCase());
      else expect(person).not.toHaveProperty('email');
      if (a.phone) expect(person.phone, c.row.id).toMatch(/^\+1[2-9]\d{9}$/);
      else expect(person).not.toHaveProperty('phone');
      expect(person.country, c.row.id).toBe('US');
    }
  });

  it('gives birth dates as YYYY-MM-DD, and the ISO dates the source wrote as they were', () => {
    for (const c of PERSON_CASES) {
      const person = run(c).entities.find((e) => e.type === 'person')!.attributes;
      const written = c.row.attributes.birth_date ?? '';
      if (person.birthDate !== undefined) expect(person.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (/^\d{4}-\d{2}-\d{2}$/.test(written) && c.object !== 'workers') expect(person.birthDate).toBe(written);
    }
  });

  it('restores the spelling of names the source wrote in capitals or lower case', () => {
    // Title-case records hold the names as spelt; the same record in capitals and in lower case must give them back.
    // Particles are the one convention that differs (a source's "De Jong" is "de Jong" once cased): compared
    // without case.
    const titled = PERSON_CASES.filter((c) => c.object === 'Contact');
    expect(titled.length).toBeGreaterThan(100);
    let particles = 0;
    let innerCapitals = 0;
    for (const c of titled) {
      const expected = run(c).entities[0]!.attributes;
      if (/^\p{L}+\p{Lu}/u.test(String(expected.lastName).replace(/'/g, ''))) innerCapitals++;
      for (const recase of [(s: string) => s.toUpperCase(), (s: string) => s.toLowerCase()]) {
        const recased = (field: string) => (c.raw[field] as string | null)?.replace(/.+/, recase) ?? null;
        const raw = { ...c.raw, FirstName: recased('FirstName'), LastName: recased('LastName') };
        const got = normaliserFor('salesforce')('Contact', raw).entities[0]!.attributes;
        const hasParticle = String(expected.lastName)
          .split(' ')
          .some((w) => LOWER_WORDS.has(w.toLowerCase()));
        if (hasParticle) {
          particles++;
          expect(String(got.lastName).toLowerCase()).toBe(String(expected.lastName).toLowerCase());
        } else expect(got.lastName, c.row.id).toBe(expected.lastName);
        expect(got.firstName, c.row.id).toBe(expected.firstName);
      }
    }
    // the names that make casing hard (McCarthy, MacDonald, O'Brien) are in the sample, and particles are few
    expect(innerCapitals).toBeGreaterThanOrEqual(3);
    expect(particles).toBeLessThan(titled.length / 10);
  });

  it('states works-at, employed-as and reports-to with refs of the record’s own namespace', () => {
    for (const c of PERSON_CASES) {
      const result = run(c);
      const person = result.entities.find((e) => e.type === 'person')!;
      for (const relation of result.relations) {
        if (relation.kind === 'works-at') expect(relation.from).toEqual(person.ref);
        if (relation.kind === 'employed-as') expect(relation.from).toEqual(person.ref);
        if (relation.kind === 'reports-to') expect(relation.from.namespace).toBe('worker');
      }
      if (c.system === 'workday') {
        expect(result.entities.map((e) => e.ref.namespace)).toEqual(['worker', 'worker']);
        expect(result.relations[0]!.kind).toBe('employed-as');
      }
      if (c.system === 'salesforce') expect(result.modifiedAt).toMatch(/^2026-11-\d{2}T\d{2}:15:00\.000Z$/);
    }
  });
});

describe('generated organisations through the vendors’ normalisers', () => {
  it('gives lower-case domains without www. or path, https websites and E.164 phones', () => {
    expect(ORGANIZATION_CASES.length).toBe(300);
    for (const c of ORGANIZATION_CASES) {
      const organization = run(c).entities[0]!.attributes;
      const a = c.row.attributes;
      expect(organization.name, c.row.id).toBeTruthy();
      if (a.website) {
        expect(organization.domain, c.row.id).toMatch(/^(?!www\.)[a-z0-9-]+(\.[a-z0-9-]+)+$/);
        expect(a.website.toLowerCase()).toContain(organization.domain);
        if (c.system === 'salesforce') expect(organization.website, c.row.id).toMatch(/^https:\/\/[a-z0-9.-]+$/);
      } else expect(organization).not.toHaveProperty('domain');
      if (a.phone) expect(organization.phone, c.row.id).toMatch(/^\+1[2-9]\d{9}$/);
      expect(organization.country).toBe('US');
      for (const value of Object.values(organization)) expect(value === '' || value === null).toBe(false);
    }
  });
});
